import { writeShowInventoryAvailability } from '../../inventory/get-inventory-availability.handler.js';
import type { BodRequest } from '../../bod/bod-request.js';
import { bodError, type BodError } from '../../errors/error-catalogue.js';
import { expressionErrorDetail, locationsOrContextStore, parseAvailabilityExpression } from '../../inventory/availability-expression.js';
import { writeAvailabilityNoun } from '../../inventory/availability-noun.js';
import type { BodOperation, OperationContext } from '../../soap/bod-operation.js';
import { NS } from '../../xml/namespaces.js';
import { fulfillmentCenterNodes, partNumberOf, resolveItem, resolveLocation, shipNodeOf, type ResolvedItem, type ResolvedLocation, type SimDirectory } from './sim-directory.js';
import { availabilityPositions, writeMediationShowAvailability, type AvailabilityFinding, type SimMode } from './sim-mediation.js';
import { SimProcessInventoryRequirement } from './sim-reservation.handler.js';
import { SIM_UOM, type SimStock } from './sim-stock.js';

export { SIM_UOM } from './sim-stock.js';

/**
 * DOM's GetInventoryAvailability → ShowInventoryAvailability.
 *
 * `sterling` mode (default), as the mediation does: only the expression's PartNumber, uom, NameIdentifier and
 * physical ExternalIdentifier parameters count, paired by position (sim-mediation.ts); an online position is asked
 * of the organization's fulfillment centers (monitorItemAvailability), a physical one of that store's node
 * (findInventory). An expression naming items or stores only by unique id asks nothing and gets an empty answer.
 *
 * `dombridge` mode: one noun per (item, location) asked for that the simulator holds a stock record for, by unique
 * id or external name, echoed in the form asked, in the facade's own Show shape.
 */
export class SimGetInventoryAvailability implements BodOperation {
  readonly name = 'GetInventoryAvailability';
  readonly requestNs = NS.inv;

  constructor(private readonly stock: SimStock, private readonly directory: SimDirectory, private readonly mode: SimMode = 'sterling', private readonly clock: () => number = Date.now) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    if (this.mode === 'sterling') return this.asSterling(bod);
    const asked = this.read(bod);
    if ('error' in asked) return respond(bod, ctx, '', 0, asked.error);
    const nouns: string[] = [];
    for (const item of asked.items) {
      for (const loc of asked.locations) {
        const level = this.stock.level(item.partNumber ?? partNumberOf(this.directory, item.catentryId), shipNodeOf(this.directory, loc.key));
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

  private asSterling(bod: BodRequest): string {
    // The map reads the first oa:Expression only.
    const positions = availabilityPositions(bod.expressions[0] ?? '');
    const findings: AvailabilityFinding[] = positions.map((position) => {
      const nodes = position.kind === 'online' ? fulfillmentCenterNodes(this.directory) : [position.externalId];
      const available = nodes.reduce((sum, node) => sum + (this.stock.level(position.partNumber, node)?.available ?? 0), 0);
      return { position, available };
    });
    return writeMediationShowAvailability(findings, this.clock());
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
export function simInventoryOperations(stock: SimStock, directory: SimDirectory, mode: SimMode = 'sterling'): BodOperation[] {
  return [new SimGetInventoryAvailability(stock, directory, mode), new SimProcessInventoryRequirement(stock, directory, mode)];
}
