import type { BodRequest } from '../bod/bod-request.js';
import { writeResponseBod } from '../bod/bod-response.js';
import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { BodOperation, OperationContext } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';
import { NS } from '../xml/namespaces.js';
import { child, type XmlElement } from '../xml/xml-element.js';
import { writeElement } from '../xml/xml-writer.js';
import { readAvailabilityIdentifier, readAvailabilityNoun, writeAvailabilityNoun } from './availability-noun.js';
import { AvailabilityService } from './availability.service.js';
import type { AvailabilityRecord, LocationKey } from './inventory-model.js';

/**
 * ChangeInventoryAvailability → RespondInventoryAvailability: the administrative upsert (Change/Add/Create) or
 * removal (Delete) of cache records. Unlike DOM's Sync it is all or nothing, since Respond carries one
 * ChangeStatus, and an administrator's value always wins over the stored one (no ordering guard).
 */
export class ChangeInventoryAvailabilityHandler implements BodOperation {
  readonly name = 'ChangeInventoryAvailability';
  readonly requestNs = NS.inv;

  constructor(private readonly store: Store, private readonly availability: AvailabilityService) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const action = bod.actions[0]?.actionCode ?? 'Change';
    const result = await this.apply(bod, action, ctx);
    return writeResponseBod({
      root: '_inv:RespondInventoryAvailability', component: '_inv', verb: 'Respond', original: bod.applicationArea, receivedAt: ctx.receivedAt,
      ...('error' in result ? { error: result.error, nouns: echoIdentifiers(bod) } : { nouns: result.nouns || echoIdentifiers(bod) }),
    });
  }

  private async apply(bod: BodRequest, action: string, ctx: OperationContext): Promise<{ nouns: string } | { error: BodError }> {
    if (!['Change', 'Add', 'Create', 'Delete'].includes(action)) {
      return { error: bodError('ACTION_UNSUPPORTED', { actionCode: action, expression: bod.actions[0]?.expression ?? '', operation: this.name, supported: 'Change, Add, Create, Delete' }) };
    }
    const nouns = bod.nouns.filter((n) => n.ns === NS.inv && n.name === 'InventoryAvailability');
    if (nouns.length === 0) return { error: bodError('VALUE_INVALID', { field: 'DataArea', value: '(empty)', detail: 'at least one InventoryAvailability is required' }) };
    if (action === 'Delete') return this.remove(nouns);
    // Validate and resolve everything first, so a bad noun changes nothing.
    const plan: { record: AvailabilityRecord; partNumber: string; nameIdentifier?: string; externalId?: string }[] = [];
    for (const el of nouns) {
      const read = readAvailabilityNoun(el);
      if (!read.ok) return { error: bodError('VALUE_INVALID', { field: 'InventoryAvailability', value: read.ref, detail: read.reason }) };
      const item = await this.availability.resolveItem(read.noun.item);
      if (!item.ok) return { error: item.error };
      const loc = await this.availability.resolveLocation(read.noun.location);
      if (!loc.ok) return { error: loc.error };
      plan.push({
        record: AvailabilityService.toRecord(read.noun, item.value.catentryId, loc.value.key, ctx.receivedAtMs),
        partNumber: item.value.partNumber,
        ...(loc.value.nameIdentifier ? { nameIdentifier: loc.value.nameIdentifier } : {}),
        ...(loc.value.externalId ? { externalId: loc.value.externalId } : {}),
      });
    }
    await this.store.transaction(async (tx) => {
      for (const p of plan) await this.availability.applyRecord(tx, p.record, false);
    });
    return {
      nouns: plan.map((p) => writeAvailabilityNoun({
        catentryId: p.record.catentryId, partNumber: p.partNumber,
        location: p.record.location.kind === 'online'
          ? { kind: 'online', storeId: p.record.location.storeId, ...(p.nameIdentifier ? { nameIdentifier: p.nameIdentifier } : {}) }
          : { kind: 'physical', storeId: p.record.location.storeId, ...(p.externalId ? { externalId: p.externalId } : {}) },
        status: p.record.status, quantity: p.record.quantity, uom: p.record.uom, availabilityTime: p.record.availabilityTime,
        availabilityOffset: p.record.availabilityOffset, lastUpdate: p.record.lastUpdate,
      })).join(''),
    };
  }

  /** Delete: each noun needs only its identifier (every other element of InventoryAvailabilityType is optional). */
  private async remove(nouns: readonly XmlElement[]): Promise<{ nouns: string } | { error: BodError }> {
    const keys: { catentryId: string; location: LocationKey }[] = [];
    for (const el of nouns) {
      const read = readAvailabilityIdentifier(el);
      if (!read.ok) return { error: bodError('VALUE_INVALID', { field: 'InventoryAvailability', value: read.ref, detail: read.reason }) };
      const item = await this.availability.resolveItem(read.item);
      if (!item.ok) return { error: item.error };
      const loc = await this.availability.resolveLocation(read.location);
      if (!loc.ok) return { error: loc.error };
      keys.push({ catentryId: item.value.catentryId, location: loc.value.key });
    }
    await this.store.transaction(async (tx) => {
      for (const k of keys) {
        await tx.availability.remove(k.catentryId, k.location);
        this.availability.forget(tx, k.catentryId, k.location);
      }
    });
    return { nouns: '' };
  }
}

/**
 * Commerce's RespondInventoryAvailability requires at least one InventoryAvailability: the error form and a Delete
 * answer name each noun of the request by the identifier it was sent with (an empty noun when there was none).
 */
function echoIdentifiers(bod: BodRequest): string {
  const echoed = bod.nouns
    .filter((n) => n.ns === NS.inv && n.name === 'InventoryAvailability')
    .map((n) => {
      const id = child(n, NS.inv, 'InventoryAvailabilityIdentifier');
      return `<_inv:InventoryAvailability>${id ? writeElement(id) : ''}</_inv:InventoryAvailability>`;
    });
  return echoed.length ? echoed.join('') : '<_inv:InventoryAvailability/>';
}
