import { randomUUID } from 'node:crypto';
import { bodError } from '../errors/error-catalogue.js';
import { parseDateTime, parseQuantity } from '../inventory/availability-noun.js';
import type { Store } from '../store/store.js';
import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, childText, type XmlElement } from '../xml/xml-element.js';
import { ITEM_STATES, ORDER_STATES, type ItemStatus, type Order, type OrderStatus, type Shipment } from './order-model.js';
import { CUSTOMER_STATUSES, queueOrderEmail } from './order-notifications.js';
import { fail, ok, saveOrder, withStatus, type OrderOutcome } from './order-repository.js';

/** Sterling status numbers DOM may send instead of Commerce letters (docs/contract/wire.md, checkout). */
export function mapDomStatus(s: string): OrderStatus | 'D' | undefined {
  const n = /^\d{4}(\.\d+)?$/.test(s) ? Number(s) : NaN;
  if (!Number.isNaN(n)) {
    if (n >= 3200 && n < 3700) return 'R';
    if (n === 1300 || n === 1400) return 'B';
    if (n >= 3700 && n < 3800) return 'S';
    if (n === 9000) return 'X';
    return undefined;
  }
  return ORDER_STATES.isState(s) || s === 'D' ? (s as OrderStatus | 'D') : undefined;
}

/** DOM strips its WC_ prefix before calling back, but tolerate it: the order id is ours either way. */
function orderIdOf(noun: XmlElement): string | undefined {
  return childText(child(noun, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')?.replace(/^WC_/, '');
}

function externalOrderIdOf(noun: XmlElement): string | undefined {
  return childText(child(noun, NS.ord, 'OrderIdentifier'), NS.wcf, 'ExternalOrderID');
}

const MISSING_ORDER = bodError('VALUE_INVALID', { field: 'Order/OrderIdentifier', value: '(missing)', detail: 'DOM must name the order by UniqueID or ExternalOrderID' });

/**
 * What DOM tells dombridge about orders it holds. Each update is applied in one transaction, idempotently:
 * a repeated or older update (the order is already there or further along) changes nothing and is not an error.
 */
export class DomCallbacksService {
  constructor(private readonly store: Store, private readonly onQueued: () => void) {}

  /**
   * ChangeOrder Change /Order/OrderStatus: DOM has the order (the transfer succeeded) → G. Behind IBM's mediation
   * this is the createOrder-success ChangeOrder, the transfer's only confirmation: it names the order by UniqueID and
   * gives DOM's key as ExternalOrderID, with no OrderStatus.
   */
  async transferConfirmed(noun: XmlElement): Promise<OrderOutcome> {
    const orderId = orderIdOf(noun);
    if (!orderId) return fail(bodError('VALUE_INVALID', { field: 'Order/OrderIdentifier/UniqueID', value: '(missing)', detail: 'DOM must name the order' }));
    return this.store.transaction(async (tx) => {
      const o = await tx.orders.get(orderId);
      if (!o) return fail(bodError('ORDER_NOT_FOUND', { orderId }));
      // DOM has the order: whatever state the transfer message was left in (a crash after sending), it is done.
      await acknowledgeTransfers(tx, orderId);
      // DOM's key for the order (Sterling's OrderHeaderKey): its promotion callbacks name the order by it alone.
      const ext = externalOrderIdOf(noun);
      if (o.status !== 'F' && o.status !== 'H' && o.status !== 'M') {
        return ext && ext !== o.externalOrderId && o.status !== 'X' ? saveOrder(tx, o, { ...o, externalOrderId: ext }, 'DOM ChangeOrder: its order key') : ok(o);
      }
      return saveOrder(tx, o, { ...withStatus(o, 'G'), externalOrderId: ext ?? o.externalOrderId }, 'DOM ChangeOrder: createOrder succeeded');
    });
  }

  /**
   * SyncOrder Change: released (R), backordered (B), shipped (S, shipped items D, a shipment record) or canceled (X).
   * Items are named by DOM's line number (PrimeLineNo, or PrimeLineNo-SubLineNo); our own item ids are accepted too.
   */
  async sync(noun: XmlElement): Promise<OrderOutcome> {
    const orderId = orderIdOf(noun);
    if (!orderId) return fail(bodError('VALUE_INVALID', { field: 'Order/OrderIdentifier/UniqueID', value: '(missing)', detail: 'DOM must name the order' }));
    const statusText = childText(child(noun, NS.ord, 'OrderStatus'), NS.ord, 'Status');
    const orderStatus = statusText ? mapDomStatus(statusText) : undefined;
    if (statusText && !orderStatus) return fail(bodError('VALUE_INVALID', { field: 'Order/OrderStatus/Status', value: statusText, detail: 'not a status dombridge knows' }));
    const now = Date.now();
    const result = await this.store.transaction(async (tx) => {
      const o = await tx.orders.get(orderId);
      if (!o) return fail(bodError('ORDER_NOT_FOUND', { orderId }));
      let next: Order = o;
      // Item updates first, so the order's status follows the items.
      const lineUpdates = new Map<string, { status?: ItemStatus; released?: string; shipped?: string }>();
      for (const it of childrenNamed(noun, NS.ord, 'OrderItem')) {
        const ref = childText(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID')?.replace(/^WC_/, '');
        const item = ref ? findItem(o, ref) : undefined;
        if (!item) return fail(bodError('ORDER_ITEM_NOT_FOUND', { orderId, orderItemId: ref ?? '(none given)' }));
        const s = childText(child(it, NS.ord, 'OrderItemStatus'), NS.ord, 'Status');
        const mapped = s ? mapDomStatus(s) : undefined;
        const ff = child(it, NS.ord, 'OrderItemFulfillmentInfo');
        lineUpdates.set(item.orderItemId, {
          ...(mapped ? { status: mapped } : {}),
          ...(isoOf(childText(ff, NS.ord, 'TimeReleased')) ? { released: isoOf(childText(ff, NS.ord, 'TimeReleased'))! } : {}),
          ...(isoOf(childText(ff, NS.ord, 'TimeShipped')) ? { shipped: isoOf(childText(ff, NS.ord, 'TimeShipped'))! } : {}),
        });
      }
      const shipments = readShipments(noun, o, now);
      if (orderStatus && orderStatus !== 'D' && orderStatus !== o.status) {
        if (!ORDER_STATES.check(o.status, orderStatus).ok) {
          // Already further along (a late or repeated message): keep what we have.
          if (isBehind(o.status, orderStatus)) return ok(o);
          return fail(bodError('ILLEGAL_TRANSITION', { orderId, from: o.status, to: orderStatus, reason: ORDER_STATES.check(o.status, orderStatus).ok ? '' : `order cannot go from ${o.status} to ${orderStatus}` }));
        }
        // A shipment names the lines it holds: only those are shipped (a pick-up line still waiting at its store is not).
        next = orderStatus === 'S' && lineUpdates.size > 0 ? withStatus(next, orderStatus, () => false) : withStatus(next, orderStatus);
        if (orderStatus === 'S') next = { ...next, items: next.items.map((i) => (i.status === 'S' ? { ...i, status: 'D' as ItemStatus } : i)) };
      }
      next = {
        ...next,
        items: next.items.map((i) => {
          const u = lineUpdates.get(i.orderItemId);
          const status = u?.status && ITEM_STATES.check(i.status, u.status).ok ? u.status : i.status;
          // Released lines (named, or released with the order, as the older release map says it) are Released in inventory.
          const inventoryStatus = status === 'R' && o.items.find((b) => b.orderItemId === i.orderItemId)?.status !== 'R' ? 'Released' : i.inventoryStatus;
          return u ? { ...i, status, timeReleased: u.released ?? i.timeReleased, timeShipped: u.shipped ?? i.timeShipped, inventoryStatus } : { ...i, inventoryStatus };
        }),
      };
      const newShipments = shipments.length > 0
        ? shipments.filter((s) => !o.shipments.some((x) => (s.trackingNumber ? x.trackingNumber === s.trackingNumber : x.shipmentId === s.shipmentId)))
        : shipmentFromLines(o, next, now);
      next = { ...next, shipments: [...o.shipments, ...newShipments] };
      if (JSON.stringify({ ...next, version: 0 }) === JSON.stringify({ ...o, version: 0 })) return ok(o);
      const saved = await saveOrder(tx, o, next, `DOM SyncOrder ${statusText ?? 'items'}`, now);
      if (!saved.ok) return saved;
      await acknowledgeTransfers(tx, orderId);
      if (orderStatus && orderStatus !== o.status && CUSTOMER_STATUSES.has(orderStatus)) await queueOrderEmail(tx, saved.value, `OrderStatusNotify_${orderStatus}`, now);
      for (const s of newShipments) await queueOrderEmail(tx, saved.value, 'ReleaseShipNotify', now, s);
      return saved;
    });
    if (result.ok) this.onQueued();
    return result;
  }

  /**
   * ProcessOrder from DOM: promotion bookkeeping, or DOM canceling the order. DOM's maps name the order by UniqueID
   * when they know it (Cancel/UpdatePromotionCalUsage) and otherwise only by ExternalOrderID, DOM's key for it
   * (FinalizePromotionCalUsage after createOrder): that key is the one its createOrder-success ChangeOrder gave.
   */
  async process(actionCode: string, noun: XmlElement): Promise<OrderOutcome> {
    const ext = externalOrderIdOf(noun);
    const orderId = orderIdOf(noun) ?? (ext ? await this.store.orders.findByExternalOrderId(ext) : undefined);
    if (!orderId) return fail(ext ? bodError('ORDER_NOT_FOUND', { orderId: `(DOM order key ${ext})` }) : MISSING_ORDER);
    const now = Date.now();
    const result = await this.store.transaction(async (tx) => {
      const o = await tx.orders.get(orderId);
      if (!o) return fail(bodError('ORDER_NOT_FOUND', { orderId }));
      if (actionCode === 'Cancel') {
        if (o.status === 'X') return ok(o);
        const saved = await saveOrder(tx, o, withStatus(o, 'X', (s) => s !== 'X' && s !== 'D'), 'DOM ProcessOrder Cancel', now);
        if (saved.ok) await queueOrderEmail(tx, saved.value, 'OrderStatusNotify_X', now);
        return saved;
      }
      const usage = ({ FinalizePromotionCalUsage: 'finalized', CancelPromotionCalUsage: 'canceled', UpdatePromotionCalUsage: 'updated' } as const)[actionCode as 'FinalizePromotionCalUsage'];
      if (!usage) return fail(bodError('ACTION_UNSUPPORTED', { actionCode, expression: '/Order[1]', operation: 'ProcessOrder (from DOM)', supported: 'Cancel, FinalizePromotionCalUsage, CancelPromotionCalUsage, UpdatePromotionCalUsage' }));
      return saveOrder(tx, o, { ...o, promotionUsage: usage }, `DOM ProcessOrder ${actionCode}`, now);
    });
    if (result.ok) this.onQueued();
    return result;
  }
}

/** DOM speaking about an order proves it has it: any TransferOrder message still open for it is acknowledged. */
async function acknowledgeTransfers(tx: Store, orderId: string): Promise<void> {
  for (const m of await tx.domOutbox.forOrder(orderId)) {
    if (m.kind === 'TransferOrder' && (m.status === 'sent' || m.status === 'queued' || m.status === 'failed')) {
      await tx.domOutbox.settle(m.messageId, 'acknowledged', { lastError: null });
    }
  }
}

function findItem(o: Order, ref: string) {
  const m = /^(\d+)(?:-(\d+))?$/.exec(ref);
  return o.items.find((i) => i.orderItemId === ref) ?? (m ? o.items.find((i) => i.lineNo === Number(m[1])) : undefined);
}

function isoOf(t: string | undefined): string | undefined {
  const ms = t ? parseDateTime(t) : undefined;
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Order of progress, to tell a late message (ignore) from an impossible one (refuse). */
const PROGRESS: Readonly<Record<string, number>> = { P: 0, M: 1, F: 2, H: 2, G: 3, B: 4, R: 4, S: 5, X: 6 };
function isBehind(current: string, incoming: string): boolean {
  return (PROGRESS[incoming] ?? 0) <= (PROGRESS[current] ?? 0);
}

/**
 * A shipment the older shipment map reports without any shipment element: only its lines, each D by line number.
 * The lines a carrier delivers that became D now form one shipment, recorded so the customer hears of it
 * (ReleaseShipNotify) and ShowOrder shows it: no tracking number (the map carries none), the carrier of the ship
 * mode the customer chose, the time dombridge learned of it. Pick-up lines collected at their store are no carrier
 * shipment. docs/contract/dom-mediation-orders.md.
 */
function shipmentFromLines(before: Order, after: Order, now: number): Shipment[] {
  const shipped = after.items.filter((i) => i.status === 'D' && i.shipModeCode !== PICKUP_IN_STORE && before.items.find((b) => b.orderItemId === i.orderItemId)?.status !== 'D');
  if (shipped.length === 0) return [];
  return [{
    shipmentId: `${after.orderId}-${before.shipments.length + 1}`,
    carrier: shipped.find((i) => i.carrier)?.carrier ?? '',
    trackingNumber: '',
    shipDate: shipped.find((i) => i.timeShipped)?.timeShipped ?? new Date(now).toISOString(),
    items: shipped.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
  }];
}

const PICKUP_IN_STORE = 'PickupInStore';

function readShipments(noun: XmlElement, o: Order, now: number): Shipment[] {
  return childrenNamed(noun, NS.ord, 'Shipment').map((s) => {
    const tracking = childText(s, NS.ord, 'TrackingNumber') ?? '';
    return {
      shipmentId: childText(s, NS.ord, 'ShipmentIdentifier') ?? randomUUID(),
      carrier: childText(s, NS.ord, 'Carrier') ?? '',
      trackingNumber: tracking,
      shipDate: isoOf(childText(s, NS.ord, 'ShipDate')) ?? new Date(now).toISOString(),
      items: childrenNamed(s, NS.ord, 'ShippedItem').flatMap((si) => {
        const ref = childText(child(si, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID')?.replace(/^WC_/, '');
        const item = ref ? findItem(o, ref) : undefined;
        const q = parseQuantity(childText(si, NS.ord, 'Quantity') ?? '');
        return item ? [{ orderItemId: item.orderItemId, quantity: String(q ?? item.quantity) }] : [];
      }),
    };
  });
}
