import type { BodRequest } from '../../bod/bod-request.js';
import { writeResponseBod } from '../../bod/bod-response.js';
import { bodError, type BodError } from '../../errors/error-catalogue.js';
import { formatQuantity } from '../../inventory/availability-noun.js';
import type { BodOperation, OperationContext } from '../../soap/bod-operation.js';
import { NS } from '../../xml/namespaces.js';
import { child, childText } from '../../xml/xml-element.js';
import { leaf } from '../../xml/xml-writer.js';
import { fulfillmentCenterName, fulfillmentCenterNodes, type SimDirectory } from './sim-directory.js';
import { readCancelRequest, readReserveRequest, WC_PREFIX, writeCancelAcknowledgement, writeReserveAcknowledgement, type ReserveAnswerLine, type SimMode, type SterlingReservation } from './sim-mediation.js';
import { DOM_ID_PREFIX, readSimOrder, reservationLines, resolveOrderLines } from './sim-orders.js';
import type { SimStock } from './sim-stock.js';

/** Where the simulated DOM sources what it cannot allocate now, and how long that takes. */
export const BACKORDER_FULFILLMENT_CENTER = 'DC-WEST';
export const BACKORDER_LEAD_DAYS = 14;

/** One `_ord:OrderItem` of DOM's Acknowledge, in the element order DOM's mediation writes. */
interface AckItem {
  readonly orderItemId?: string;
  readonly catentryId: string;
  readonly quantity: number;
  readonly status: 'Allocated' | 'Backordered' | 'Unallocated';
  readonly availableDate?: string;
  readonly expectedShipDate?: string;
  readonly fulfillmentCenter?: string;
  readonly correlationGroup?: string;
}

function writeAckItem(i: AckItem): string {
  const dates = i.availableDate || i.expectedShipDate
    ? `<_ord:OrderItemFulfillmentInfo>${leaf('_ord:AvailableDate', i.availableDate)}${leaf('_ord:ExpectedShipDate', i.expectedShipDate)}</_ord:OrderItemFulfillmentInfo>`
    : '';
  const fc = i.fulfillmentCenter ? `<_ord:FulfillmentCenter><_ord:FulfillmentCenterIdentifier>${leaf('_wcf:Name', i.fulfillmentCenter)}</_ord:FulfillmentCenterIdentifier></_ord:FulfillmentCenter>` : '';
  return (
    `<_ord:OrderItem>${i.orderItemId ? `<_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', i.orderItemId)}</_ord:OrderItemIdentifier>` : ''}` +
    `<_ord:CatalogEntryIdentifier>${leaf('_wcf:UniqueID', i.catentryId)}</_ord:CatalogEntryIdentifier>` +
    `<_ord:Quantity uom="C62">${formatQuantity(i.quantity)}</_ord:Quantity>` +
    `<_ord:OrderItemStatus>${leaf('_ord:InventoryStatus', i.status)}</_ord:OrderItemStatus>` +
    dates + fc + leaf('_ord:CorrelationGroup', i.correlationGroup) +
    `</_ord:OrderItem>`
  );
}

/** Midnight UTC, `days` from the day of `now`. */
function dayIso(now: number, days: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days)).toISOString();
}

/** yyyy-MM-dd, `days` from the day of `now` (UTC). */
function sterlingDate(now: number, days: number): string {
  return dayIso(now, days).slice(0, 10);
}

/**
 * DOM's ProcessInventoryRequirement → AcknowledgeInventoryRequirement.
 *
 * `sterling` mode (default), as Sterling behind the mediation: ReserveInventory reads only what the reserve map
 * sends (order id → reservation `WC_<orderId>`, per line the part number, quantity, and the ship node of a
 * PickupInStore line's store) and reserves each line at that node, or across the organization's fulfillment
 * centers; a line that cannot be covered in full reserves nothing (AllowPartialReservation N, unless the request's
 * UserData asks for Y). Reserving again under the same id adds to it, as Sterling does with multiple reservations
 * allowed. CancelInventoryReservation releases exactly the lines it names (item, ship node, quantity) and
 * acknowledges with the order id, or with an empty one when it named no line. Answers are in the maps' shapes.
 *
 * `dombridge` mode: the older behaviour. `ReserveInventory` sets aside what is
 * available (up to each line's quantity) under reservation `WC_<orderId>`, replacing an earlier one, and
 * answers per line: Allocated for what it holds, plus a split line (CorrelationGroup = the line id) for the
 * rest, Backordered — or Unallocated when the item has no stock on hand anywhere. `CancelInventoryReservation`
 * releases the reservation (idempotent). Ids go back without DOM's WC_ prefix.
 */
export class SimProcessInventoryRequirement implements BodOperation {
  readonly name = 'ProcessInventoryRequirement';
  readonly requestNs = NS.inv;

  constructor(private readonly stock: SimStock, private readonly directory: SimDirectory, private readonly mode: SimMode = 'sterling', private readonly clock: () => number = Date.now) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const actionCode = bod.actions[0]?.actionCode ?? '';
    if (this.mode === 'sterling' && actionCode === 'ReserveInventory') return this.reserveAsSterling(bod, ctx);
    if (this.mode === 'sterling' && actionCode === 'CancelInventoryReservation') return this.cancelAsSterling(bod, ctx);
    const req = bod.nouns.find((n) => n.ns === NS.inv && n.name === 'InventoryRequirement');
    const orderId = childText(child(req, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID');
    const storeId = childText(child(req, NS.ord, 'StoreIdentifier'), NS.wcf, 'UniqueID') ?? bod.applicationArea.context['storeId'];
    const answer = (nouns: string, error?: BodError): string => {
      if (error) ctx.log.warn('DOM simulator answered ProcessInventoryRequirement with an error', { reasonCode: error.code, detail: error.message });
      return writeResponseBod({ root: '_inv:AcknowledgeInventoryRequirement', component: '_inv', verb: 'Acknowledge', original: bod.applicationArea, receivedAt: ctx.receivedAt, nouns, ...(error ? { error } : {}) });
    };
    if (actionCode !== 'ReserveInventory' && actionCode !== 'CancelInventoryReservation') {
      return answer('', bodError('ACTION_UNSUPPORTED', { actionCode: actionCode || '(none)', expression: bod.actions[0]?.expression || '(none)', operation: this.name, supported: 'ReserveInventory, CancelInventoryReservation' }));
    }
    if (!req || !orderId) return answer('', bodError('VALUE_INVALID', { field: 'InventoryRequirement/OrderIdentifier/UniqueID', value: '(none)', detail: 'DOM keeps reservations by order id' }));
    if (!storeId) return answer('', bodError('STORE_MISSING'));
    const reservationId = DOM_ID_PREFIX + orderId;
    const head = (items: string): string =>
      `<_inv:InventoryRequirement><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', orderId)}</_ord:OrderIdentifier>` +
      `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', storeId)}</_ord:StoreIdentifier>${items}</_inv:InventoryRequirement>`;

    if (actionCode === 'CancelInventoryReservation') {
      const released = this.stock.cancelReservation(reservationId);
      ctx.log.info('DOM simulator released a reservation', { reservationId, records: released });
      return answer(head(''));
    }
    const lines = resolveOrderLines(this.directory, readSimOrder(req), storeId);
    if (!lines.ok) return answer('', lines.error);
    const reserved = this.stock.reserve(reservationId, reservationLines(lines.lines), { partial: true, replace: true });
    const now = this.clock();
    const items: AckItem[] = [];
    for (const [i, line] of lines.lines.entries()) {
      const got = reserved[i]!.reserved;
      if (got > 0) {
        items.push({
          orderItemId: line.orderItemId, catentryId: line.catentryId, quantity: got, status: 'Allocated',
          availableDate: dayIso(now, 0), expectedShipDate: dayIso(now, 1),
          fulfillmentCenter: line.pickupStore ? line.pickupStore.externalId : fulfillmentCenterName(this.directory, storeId),
        });
      }
      const rest = line.quantity - got;
      if (rest <= 0) continue;
      items.push(this.stock.totalOnHand(line.partNumber) > 0
        ? { catentryId: line.catentryId, quantity: rest, status: 'Backordered', availableDate: dayIso(now, BACKORDER_LEAD_DAYS), fulfillmentCenter: BACKORDER_FULFILLMENT_CENTER, correlationGroup: line.orderItemId }
        : { catentryId: line.catentryId, quantity: rest, status: 'Unallocated', correlationGroup: line.orderItemId });
    }
    ctx.log.info('DOM simulator reserved inventory', { reservationId, lines: lines.lines.length, allocated: reserved.reduce((s, r) => s + r.reserved, 0) });
    return answer(head(items.map(writeAckItem).join('')));
  }

  private reserveAsSterling(bod: BodRequest, ctx: OperationContext): string {
    const req = readReserveRequest(bod.root);
    const reservationId = WC_PREFIX + req.orderId;
    const now = this.clock();
    const today = sterlingDate(now, 0);
    const answer: ReserveAnswerLine[] = [];
    for (const line of req.lines) {
      const nodes = line.shipNode ? [line.shipNode] : fulfillmentCenterNodes(this.directory);
      const reservations: SterlingReservation[] = [];
      let left = line.quantity;
      for (const node of nodes) {
        if (!(left > 0)) break;
        const got = this.stock.reserve(reservationId, [{ partNumber: line.partNumber, shipNode: node, quantity: left }], { partial: true })[0]!.reserved;
        if (got <= 0) continue;
        left -= got;
        reservations.push({ quantity: got, shipNode: node, productAvailabilityDate: today, shipDate: sterlingDate(now, line.shipNode ? 0 : 1) });
      }
      if (left > 0 && !req.allowPartial) {
        // Partial reservations off: a line that cannot be covered in full holds nothing.
        for (const r of reservations) this.stock.releaseLine(reservationId, { partNumber: line.partNumber, shipNode: r.shipNode, quantity: r.quantity });
        reservations.length = 0;
      }
      answer.push({ orderItemId: line.orderItemId, requested: line.quantity, reservations });
    }
    ctx.log.info('DOM simulator reserved inventory', { reservationId, lines: req.lines.length, allocated: answer.filter((l) => l.reservations.length > 0).length });
    return writeReserveAcknowledgement(req.orderId, answer, today, now);
  }

  private cancelAsSterling(bod: BodRequest, ctx: OperationContext): string {
    const req = readCancelRequest(bod.root);
    const reservationId = WC_PREFIX + req.orderId;
    let released = 0;
    for (const line of req.lines) released += this.stock.releaseLine(reservationId, { partNumber: line.partNumber, shipNode: line.shipNode, quantity: line.quantity });
    ctx.log.info('DOM simulator released reservation lines', { reservationId, lines: req.lines.length, released });
    return writeCancelAcknowledgement(req.lines.length > 0 ? req.orderId : '', this.clock());
  }
}
