import { writeShowInventoryAvailability } from '../../inventory/get-inventory-availability.handler.js';
import type { BodRequest } from '../../bod/bod-request.js';
import { bodError, type BodError } from '../../errors/error-catalogue.js';
import { expressionErrorDetail, locationsOrContextStore, parseAvailabilityExpression } from '../../inventory/availability-expression.js';
import { writeAvailabilityNoun } from '../../inventory/availability-noun.js';
import type { BodOperation, OperationContext } from '../../soap/bod-operation.js';
import { NS } from '../../xml/namespaces.js';
import { resolveItem, resolveLocation, type ResolvedItem, type ResolvedLocation, type SimDirectory } from './sim-directory.js';
import { SimProcessInventoryRequirement } from './sim-reservation.handler.js';
import type { SimStock } from './sim-stock.js';

/** Unit of every quantity the simulator reports: C62 = each. */
export const SIM_UOM = 'C62';

/**
 * DOM's GetInventoryAvailability → ShowInventoryAvailability: one noun per (item, location) asked for that the
 * simulator holds a stock record for; anything else is left out, as DOM does. Identifiers are echoed in the
 * form they were asked in (a part number or store name comes back beside the unique id).
 */
export class SimGetInventoryAvailability implements BodOperation {
  readonly name = 'GetInventoryAvailability';
  readonly requestNs = NS.inv;

  constructor(private readonly stock: SimStock, private readonly directory: SimDirectory) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const asked = this.read(bod);
    if ('error' in asked) return respond(bod, ctx, '', 0, asked.error);
    const nouns: string[] = [];
    for (const item of asked.items) {
      for (const loc of asked.locations) {
        const level = this.stock.level(item.catentryId, loc.key);
        if (!level) continue;
        nouns.push(
          writeAvailabilityNoun({
            catentryId: item.catentryId,
            ...(item.partNumber ? { partNumber: item.partNumber } : {}),
            location:
              loc.kind === 'online'
                ? { kind: 'online', storeId: loc.storeId, ...(loc.nameIdentifier ? { nameIdentifier: loc.nameIdentifier } : {}) }
                : { kind: 'physical', storeId: loc.storeId, ...(loc.externalId ? { externalId: loc.externalId } : {}) },
            status: level.available > 0 ? 'Available' : 'Unavailable',
            quantity: level.available,
            uom: SIM_UOM,
            availabilityTime: null,
            availabilityOffset: null,
            lastUpdate: level.lastUpdate,
          }),
        );
      }
    }
    return respond(bod, ctx, nouns.join(''), nouns.length);
  }

  /** The items and locations every expression names, deduplicated, unknown part numbers and store names dropped. */
  private read(bod: BodRequest): { items: ResolvedItem[]; locations: ResolvedLocation[] } | { error: BodError } {
    if (bod.expressions.length === 0) return { error: bodError('EXPRESSION_INVALID', { detail: 'oa:Get holds no oa:Expression' }) };
    const items = new Map<string, ResolvedItem>();
    const locations = new Map<string, ResolvedLocation>();
    for (const text of bod.expressions) {
      const parsed = parseAvailabilityExpression(text);
      if (!parsed.ok) return { error: bodError('EXPRESSION_INVALID', { detail: expressionErrorDetail(parsed) }) };
      for (const ref of parsed.query.catalogEntries) {
        const item = resolveItem(this.directory, ref);
        if (item && !items.has(item.catentryId)) items.set(item.catentryId, item);
      }
      const refs = locationsOrContextStore(parsed.query, bod.applicationArea.context['storeId']);
      if (!refs) return { error: bodError('STORE_MISSING') };
      for (const ref of refs) {
        const loc = resolveLocation(this.directory, ref);
        if (loc && !locations.has(loc.key)) locations.set(loc.key, loc);
      }
    }
    return { items: [...items.values()], locations: [...locations.values()] };
  }
}

function respond(bod: BodRequest, ctx: OperationContext, nouns: string, count: number, error?: BodError): string {
  return writeShowInventoryAvailability(bod.applicationArea, ctx.receivedAt, nouns, count, error);
}

/** The operations of the simulated DOM inventory port: availability, and reservations. */
export function simInventoryOperations(stock: SimStock, directory: SimDirectory): BodOperation[] {
  return [new SimGetInventoryAvailability(stock, directory), new SimProcessInventoryRequirement(stock, directory)];
}
