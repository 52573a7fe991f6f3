import Big from 'big.js';
import { bodError, type BodError } from '../../errors/error-catalogue.js';
import type { CatalogEntryRef, LocationRef } from '../../inventory/availability-expression.js';
import { parseQuantity } from '../../inventory/availability-noun.js';
import { NS } from '../../xml/namespaces.js';
import { child, childrenNamed, childText, path, type XmlElement } from '../../xml/xml-element.js';
import type { PushOutcomeKind } from './sim-callbacks.js';
import { partNumberOf, resolveItem, resolveLocation, shipNodeOf, type SimDirectory } from './sim-directory.js';
import { locationKeyOf, type SimStock, type StockLine, type StockLocationKey } from './sim-stock.js';

/** DOM's prefix on everything it keeps for Commerce: order numbers, reservation ids, line ids. */
export const DOM_ID_PREFIX = 'WC_';
export const PICKUP_SHIP_MODE = 'PickupInStore';

export function domOrderNo(orderId: string): string {
  return DOM_ID_PREFIX + orderId;
}

/** One order line as DOM holds it. `lineNo` is Sterling's PrimeLineNo: the line's position in the order, 1..n. */
export interface SimOrderLine {
  readonly lineNo: number;
  /** Commerce's order item id (without the WC_ prefix). */
  readonly orderItemId: string;
  readonly catentryId: string;
  /** Sterling's item id and ship node: what the line's stock is kept by. */
  readonly partNumber: string;
  readonly shipNode: string;
  readonly quantity: number;
  /** Where the line is fulfilled from: the online store, or the pickup store for PickupInStore lines. */
  readonly locationKey: StockLocationKey;
  /** Pickup lines: the physical store and the name DOM knows it by (its external id). */
  readonly pickupStore?: { readonly storeId: string; readonly externalId: string };
}

export type LinesResult = { ok: true; lines: SimOrderLine[] } | { ok: false; error: BodError };

/** What DOM reads from an `_ord:Order` (or an `_inv:InventoryRequirement`, which has the same children). */
export interface SimOrderInput {
  readonly orderId: string | undefined;
  readonly storeId: string | undefined;
  readonly buyerEmail: string | undefined;
  readonly items: readonly SimItemInput[];
  /** What Sterling would total the order at, from what the createOrder map reads (see {@link sterlingTotal}). */
  readonly total: string;
  /** The authorizations the map turns into PaymentDetails (Approve, Success), summed; null when there is none. */
  readonly authorized: string | null;
}

export interface SimItemInput {
  readonly orderItemId: string | undefined;
  readonly item: CatalogEntryRef | undefined;
  /** The Quantity text as sent; checked when the lines are resolved. */
  readonly quantity: string | undefined;
  readonly shipModeCode: string | undefined;
  readonly physicalStore: LocationRef | undefined;
}

/**
 * Reads only the fields DOM's mediation maps (ids, item, quantity, ship mode, pickup store, buyer): everything
 * else a transfer carries (amounts, payment, addresses) is DOM's to store, not to check.
 */
export function readSimOrder(el: XmlElement): SimOrderInput {
  const buyer = child(el, NS.ord, 'BuyerIdentifier');
  return {
    orderId: childText(child(el, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID'),
    storeId: childText(child(el, NS.ord, 'StoreIdentifier'), NS.wcf, 'UniqueID'),
    buyerEmail: childText(child(buyer, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'Identifier'),
    total: sterlingTotal(el),
    authorized: authorizedAmount(el),
    items: childrenNamed(el, NS.ord, 'OrderItem').map((it): SimItemInput => {
      const cat = child(it, NS.ord, 'CatalogEntryIdentifier');
      const catId = childText(cat, NS.wcf, 'UniqueID');
      const pn = childText(child(cat, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber');
      const ship = child(it, NS.ord, 'OrderItemShippingInfo');
      const ps = child(ship, NS.ord, 'PhysicalStoreIdentifier');
      const psId = childText(ps, NS.wcf, 'UniqueID');
      const psExt = childText(ps, NS.wcf, 'ExternalIdentifier');
      return {
        orderItemId: childText(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID'),
        item: catId ? { by: 'uniqueId', value: catId } : pn ? { by: 'partNumber', value: pn } : undefined,
        quantity: childText(it, NS.ord, 'Quantity'),
        shipModeCode: childText(path(ship, [NS.ord, 'ShippingMode'], [NS.ord, 'ShippingModeIdentifier'], [NS.ord, 'ExternalIdentifier']), NS.ord, 'ShipModeCode'),
        physicalStore: psId ? { kind: 'physical', by: 'uniqueId', value: psId } : psExt ? { kind: 'physical', by: 'externalId', value: psExt } : undefined,
      };
    }),
  };
}

/** A decimal amount as written, or 0 for a missing or unreadable one (Sterling takes an empty attribute as 0). */
function amount(text: string | undefined): Big {
  try {
    return new Big(text && text.trim() !== '' ? text.trim() : '0');
  } catch {
    return new Big(0);
  }
}

/**
 * What Sterling totals the order at, from what the createOrder map gives it per line: UnitPrice × OrderedQty
 * (LinePriceInfo), plus the shipping charge and minus each discount line (LineCharges: one per
 * OrderItemAmount/Adjustment, charged at 0 − Amount in a discount category), plus sales and shipping tax
 * (LineTaxes). OrderItemAmount/TotalAdjustment and the order's OrderAmount are not read by the map.
 */
export function sterlingTotal(order: XmlElement): string {
  let total = new Big(0);
  for (const it of childrenNamed(order, NS.ord, 'OrderItem')) {
    const a = child(it, NS.ord, 'OrderItemAmount');
    const unit = amount(childText(child(a, NS.wcf, 'UnitPrice'), NS.wcf, 'Price'));
    const discounts = childrenNamed(a, NS.wcf, 'Adjustment').reduce((t, adj) => t.plus(new Big(0).minus(amount(childText(adj, NS.wcf, 'Amount')))), new Big(0));
    total = total.plus(unit.times(amount(childText(it, NS.ord, 'Quantity'))))
      .plus(amount(childText(a, NS.wcf, 'ShippingCharge'))).minus(discounts)
      .plus(amount(childText(a, NS.wcf, 'SalesTax'))).plus(amount(childText(a, NS.wcf, 'ShippingTax')));
  }
  return total.toFixed(2);
}

/** The authorized amount the map hands Sterling: every FinancialTransaction of type Approve with status Success. */
export function authorizedAmount(order: XmlElement): string | null {
  const approvals = childrenNamed(child(order, NS.ord, 'OrderPaymentInfo'), NS.ord, 'FinancialTransaction')
    .filter((t) => ['Approve', '0'].includes(childText(t, NS.ord, 'TransactionType') ?? '') && ['Success', '2'].includes(childText(t, NS.ord, 'Status') ?? ''));
  return approvals.length ? approvals.reduce((t, x) => t.plus(amount(childText(x, NS.ord, 'RequestAmount'))), new Big(0)).toFixed(2) : null;
}

/**
 * Resolves the items of an order to lines DOM can reserve and ship: the item by unique id or part number, the
 * location by ship mode (the pickup store for PickupInStore, else the online store), as DOM's mediation does.
 */
export function resolveOrderLines(dir: SimDirectory, input: SimOrderInput, onlineStoreId: string): LinesResult {
  const lines: SimOrderLine[] = [];
  for (const [i, it] of input.items.entries()) {
    const where = `OrderItem ${i + 1}`;
    const invalid = (field: string, value: string, detail: string): LinesResult => ({ ok: false, error: bodError('VALUE_INVALID', { field: `${where} ${field}`, value, detail }) });
    if (!it.orderItemId) return invalid('OrderItemIdentifier', '(none)', 'every line needs its order item id');
    if (!it.item) return invalid('CatalogEntryIdentifier', '(none)', 'name the item by UniqueID or PartNumber');
    const quantity = it.quantity === undefined ? undefined : parseQuantity(it.quantity);
    if (quantity === undefined) return invalid('Quantity', (it.quantity ?? '(none)').slice(0, 40), 'every line needs a quantity ≥ 0');
    const item = resolveItem(dir, it.item);
    if (!item) return { ok: false, error: bodError('CATALOG_ENTRY_NOT_FOUND', { ref: it.item.value }) };
    let locationKey = locationKeyOf('online', onlineStoreId);
    let pickupStore: SimOrderLine['pickupStore'];
    if (it.shipModeCode === PICKUP_SHIP_MODE) {
      const ref = it.physicalStore;
      if (!ref) return invalid('PhysicalStoreIdentifier', '(none)', 'a PickupInStore line needs its pickup store');
      const loc = resolveLocation(dir, ref);
      if (!loc) return { ok: false, error: bodError('STORE_NOT_FOUND', { ref: ref.value }) };
      locationKey = loc.key;
      const externalId = loc.externalId ?? dir.physicalStores.find((s) => s.storeId === loc.storeId)?.externalId ?? loc.storeId;
      pickupStore = { storeId: loc.storeId, externalId };
    }
    const partNumber = item.partNumber ?? partNumberOf(dir, item.catentryId);
    const shipNode = pickupStore ? pickupStore.externalId : shipNodeOf(dir, locationKey);
    lines.push({ lineNo: i + 1, orderItemId: it.orderItemId, catentryId: item.catentryId, partNumber, shipNode, quantity, locationKey, ...(pickupStore ? { pickupStore } : {}) });
  }
  return { ok: true, lines };
}

export function reservationLines(lines: readonly SimOrderLine[]): StockLine[] {
  return lines.map((l) => ({ partNumber: l.partNumber, shipNode: l.shipNode, quantity: l.quantity }));
}

/** Commerce status codes DOM reports for an order: G transferred, R released, B backordered, S shipped, X canceled. */
export type SimOrderStatus = 'G' | 'R' | 'B' | 'S' | 'X';

/** `pickup`: the customer collected the order's pick-up lines at their store (Sterling confirms that as a shipment). */
export type CallbackKind = 'confirm' | 'finalize-promotions' | 'release' | 'ship' | 'pickup' | 'cancel' | 'backorder';

export interface CallbackRecord {
  readonly kind: CallbackKind;
  readonly outcome: PushOutcomeKind;
  readonly detail: string;
  readonly attempts: number;
  readonly at: string;
}

export interface SimOrder {
  readonly orderNo: string;
  readonly orderId: string;
  readonly storeId: string;
  readonly buyerEmail: string | undefined;
  readonly createdAt: string;
  readonly lines: readonly SimOrderLine[];
  /** The reservation the order was created from, and what left stock with it. */
  readonly reservationId: string;
  readonly consumed: readonly StockLine[];
  /** Sterling's key for the order (OrderHeaderKey): the createOrder-success callbacks name the order by it. */
  readonly orderHeaderKey: string;
  /** Sterling's total of the order and the authorized amount it was given (see readSimOrder). */
  readonly total: string;
  readonly authorized: string | null;
  /** Promotion usage as DOM's maps report it: finalized after createOrder. */
  promotionUsage: 'finalized' | 'canceled' | null;
  /** Every ProcessOrder TransferOrder that reached DOM for this order (refused ones excluded). */
  transfers: number;
  status: SimOrderStatus;
  /** Whether the customer has collected the pick-up lines (they wait at their store after the release). */
  pickedUp: boolean;
  readonly callbacks: CallbackRecord[];
}

/** What `/sim/state` shows per order. */
export interface SimOrderState {
  readonly transfers: number;
  /** How many orders the transfers created: 1, however often the order arrives. */
  readonly created: number;
  readonly status: SimOrderStatus;
  readonly orderId: string;
  readonly storeId: string;
  readonly buyerEmail: string | null;
  readonly createdAt: string;
  readonly lines: readonly SimOrderLine[];
  readonly consumed: readonly StockLine[];
  readonly orderHeaderKey: string;
  /** What Sterling totals the order at; a test compares it with `authorized`. */
  readonly total: string;
  readonly authorized: string | null;
  readonly callbacks: readonly CallbackRecord[];
}

export interface TransferRequest {
  readonly orderId: string;
  readonly storeId: string;
  readonly buyerEmail: string | undefined;
  readonly lines: readonly SimOrderLine[];
  /** The reservation made at Prepare (Commerce's id; the book adds WC_). */
  readonly reservationId: string;
  readonly total: string;
  readonly authorized: string | null;
}

/**
 * The orders DOM holds. The first transfer of an order creates it and takes its stock (the reservation made at
 * Prepare, consumed once; without one, what is available now); every later transfer only counts, so a
 * re-transfer after a lost answer never creates or ships an order twice.
 */
export class SimOrderBook {
  private readonly orders = new Map<string, SimOrder>();
  /** Orders created per order number, counted where the creation happens (not inferred from the map). */
  private readonly creations = new Map<string, number>();

  constructor(private readonly stock: SimStock, private readonly clock: () => number = Date.now) {}

  private keys = 0;

  get(orderNo: string): SimOrder | undefined {
    return this.orders.get(orderNo);
  }

  /** The order Sterling keys by this OrderHeaderKey. */
  byOrderHeaderKey(key: string): SimOrder | undefined {
    for (const o of this.orders.values()) if (o.orderHeaderKey === key) return o;
    return undefined;
  }

  all(): SimOrder[] {
    return [...this.orders.values()];
  }

  /** Sterling's keys: a timestamp (yyyyMMddHHmmss) and a sequence number, 20 digits. */
  private nextOrderHeaderKey(): string {
    const t = new Date(this.clock()).toISOString().replace(/\D/g, '').slice(0, 14);
    return t + String(++this.keys).padStart(6, '0');
  }

  transfer(t: TransferRequest): { order: SimOrder; created: boolean } {
    const orderNo = domOrderNo(t.orderId);
    const known = this.orders.get(orderNo);
    if (known) {
      known.transfers++;
      return { order: known, created: false };
    }
    const reservationId = DOM_ID_PREFIX + t.reservationId;
    let consumed = this.stock.reservation(reservationId);
    if (consumed.length === 0) {
      // No reservation (or it was released): take what is there now, as DOM schedules from current supply.
      consumed = this.stock.reserve(reservationId, reservationLines(t.lines), { partial: true })
        .filter((l) => l.reserved > 0)
        .map((l) => ({ partNumber: l.partNumber, shipNode: l.shipNode, quantity: l.reserved }));
    }
    this.stock.consumeReservation(reservationId);
    const order: SimOrder = {
      orderNo, orderId: t.orderId, storeId: t.storeId, buyerEmail: t.buyerEmail, createdAt: new Date(this.clock()).toISOString(),
      lines: t.lines, reservationId, consumed, transfers: 1, status: 'G', pickedUp: false, callbacks: [],
      orderHeaderKey: this.nextOrderHeaderKey(), total: t.total, authorized: t.authorized, promotionUsage: null,
    };
    this.orders.set(orderNo, order);
    this.creations.set(orderNo, (this.creations.get(orderNo) ?? 0) + 1);
    return { order, created: true };
  }

  snapshot(): Record<string, SimOrderState> {
    const out: Record<string, SimOrderState> = {};
    for (const [no, o] of this.orders) {
      out[no] = {
        transfers: o.transfers, created: this.creations.get(no) ?? 0, status: o.status, orderId: o.orderId, storeId: o.storeId, buyerEmail: o.buyerEmail ?? null,
        createdAt: o.createdAt, lines: o.lines, consumed: o.consumed, orderHeaderKey: o.orderHeaderKey, total: o.total, authorized: o.authorized, callbacks: [...o.callbacks],
      };
    }
    return out;
  }
}
