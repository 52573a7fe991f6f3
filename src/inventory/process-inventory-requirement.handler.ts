import type { BodRequest } from '../bod/bod-request.js';
import { writeResponseBod } from '../bod/bod-response.js';
import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { BodOperation, OperationContext } from '../soap/bod-operation.js';
import { NS } from '../xml/namespaces.js';
import type { AvailabilityNoun } from './availability-noun.js';
import type { AvailabilityQuestion, AvailabilityService } from './availability.service.js';
import { CacheFlag } from './inventory-model.js';
import { readInventoryRequirement, writeInventoryRequirement, type InventoryRequirement, type RequirementItemAnswer } from './inventory-requirement.js';

/** ReserveInventory and CancelInventoryReservation go to DOM; the checkout module supplies them. */
export interface ReservationActions {
  reserve(req: InventoryRequirement, bod: BodRequest, ctx: OperationContext): Promise<{ nouns: string } | { error: BodError }>;
  cancel(req: InventoryRequirement, bod: BodRequest, ctx: OperationContext): Promise<{ nouns: string } | { error: BodError }>;
}

/**
 * ProcessInventoryRequirement → AcknowledgeInventoryRequirement. CheckInventory and DecrementCache are answered
 * here from the cache (and DOM on a miss); ReserveInventory and CancelInventoryReservation go to DOM.
 */
export class ProcessInventoryRequirementHandler implements BodOperation {
  readonly name = 'ProcessInventoryRequirement';
  readonly requestNs = NS.inv;

  constructor(private readonly availability: AvailabilityService, private readonly reservations?: ReservationActions) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const result = await this.process(bod, ctx);
    return writeResponseBod({
      root: '_inv:AcknowledgeInventoryRequirement', component: '_inv', verb: 'Acknowledge', original: bod.applicationArea, receivedAt: ctx.receivedAt,
      ...('error' in result ? { error: result.error, nouns: '' } : { nouns: result.nouns }),
    });
  }

  private async process(bod: BodRequest, ctx: OperationContext): Promise<{ nouns: string } | { error: BodError }> {
    const action = bod.actions[0]?.actionCode;
    const supported = this.reservations ? 'CheckInventory, ReserveInventory, CancelInventoryReservation, DecrementCache' : 'CheckInventory, DecrementCache';
    const nounEl = bod.nouns.find((n) => n.ns === NS.inv && n.name === 'InventoryRequirement');
    if (!nounEl) return { error: bodError('VALUE_INVALID', { field: 'DataArea', value: '(no InventoryRequirement)', detail: 'one InventoryRequirement is required' }) };
    const read = readInventoryRequirement(nounEl);
    if (!read.ok) return { error: bodError('VALUE_INVALID', { field: 'InventoryRequirement', value: '', detail: read.reason }) };
    const req = read.value;
    switch (action) {
      case 'CheckInventory':
        return this.check(req, bod);
      case 'DecrementCache':
        return this.decrement(req, bod);
      case 'ReserveInventory':
        if (this.reservations) return this.reservations.reserve(req, bod, ctx);
        break;
      case 'CancelInventoryReservation':
        if (this.reservations) return this.reservations.cancel(req, bod, ctx);
        break;
    }
    return { error: bodError('ACTION_UNSUPPORTED', { actionCode: action ?? '(none)', expression: bod.actions[0]?.expression ?? '', operation: this.name, supported }) };
  }

  /** Resolves every line to (item, location, quantity); the location is the pick-up store or the order's store. */
  async questions(req: InventoryRequirement, bod: BodRequest): Promise<{ questions: AvailabilityQuestion[] } | { error: BodError }> {
    const storeId = req.storeId ?? bod.applicationArea.context['storeId'];
    if (!storeId) return { error: bodError('STORE_MISSING') };
    const questions: AvailabilityQuestion[] = [];
    for (const line of req.items) {
      const item = await this.availability.resolveItem(line.item);
      if (!item.ok) return { error: item.error };
      const loc = await this.availability.resolveLocation(line.physicalStore ?? { kind: 'online', by: 'uniqueId', value: storeId });
      if (!loc.ok) return { error: loc.error };
      questions.push({ item: item.value, location: loc.value, requested: line.quantity });
    }
    return { questions };
  }

  private async check(req: InventoryRequirement, bod: BodRequest): Promise<{ nouns: string } | { error: BodError }> {
    const q = await this.questions(req, bod);
    if ('error' in q) return q;
    const answers = await this.availability.answer(q.questions);
    if (!answers.ok) return { error: answers.error };
    const items = q.questions.map((question, i): RequirementItemAnswer => {
      const line = req.items[i]!;
      return {
        orderItemId: line.orderItemId, catentryId: question.item.catentryId, partNumber: question.item.partNumber, quantity: line.quantity, uom: line.uom,
        inventoryStatus: itemInventoryStatus(answers.value[i]!, line.quantity),
        availableDate: availableDate(answers.value[i]!),
        physicalStoreId: question.location.key.kind === 'physical' ? question.location.key.storeId : undefined,
      };
    });
    return { nouns: writeInventoryRequirement(req.orderId, req.storeId, items) };
  }

  /** After submit: subtract ordered quantities from cached records whose rule has flag 8. */
  private async decrement(req: InventoryRequirement, bod: BodRequest): Promise<{ nouns: string } | { error: BodError }> {
    const q = await this.questions(req, bod);
    if ('error' in q) return q;
    const items: RequirementItemAnswer[] = [];
    for (const [i, question] of q.questions.entries()) {
      const line = req.items[i]!;
      const key = question.location.key;
      let status = 'Unavailable';
      if ((this.availability.ruleFor(question.item.catentryId, key).flags & CacheFlag.DecrementOnSubmit) !== 0) {
        const left = await this.availability.decrementCache(question.item.catentryId, key, line.quantity);
        status = left === undefined ? 'Unavailable' : left === null || left > 0 ? 'Available' : 'Unavailable';
      }
      items.push({ orderItemId: line.orderItemId, catentryId: question.item.catentryId, partNumber: question.item.partNumber, quantity: line.quantity, uom: line.uom, inventoryStatus: status });
    }
    return { nouns: writeInventoryRequirement(req.orderId, req.storeId, items) };
  }
}

/** Item inventory status (docs/contract/wire.md, checkout) from an availability answer and the quantity wanted. */
export function itemInventoryStatus(a: AvailabilityNoun, wanted: number): 'Available' | 'Backorderable' | 'Unavailable' {
  if (a.status === 'Available' && (a.quantity === null || a.quantity >= wanted)) return 'Available';
  if (a.status === 'Backorderable') return 'Backorderable';
  return 'Unavailable';
}

function availableDate(a: AvailabilityNoun): string | undefined {
  if (a.availabilityTime === null && a.availabilityOffset === null) return undefined;
  return new Date((a.availabilityTime ?? Date.now()) + (a.availabilityOffset ?? 0) * 1000).toISOString();
}
