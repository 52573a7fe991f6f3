import { randomUUID } from 'node:crypto';
import { bodError } from '../errors/error-catalogue.js';
import type { DomReservationPort, ReservedLine } from '../dom/dom-reservation.client.js';
import { InventorySystem, type OnlineStore } from '../inventory/inventory-model.js';
import type { Logger } from '../log/logger.js';
import type { PaymentProvider } from '../payment/payment-provider.js';
import type { Store, Transaction } from '../store/store.js';
import type { AvailabilityService } from '../inventory/availability.service.js';
import { CacheFlag } from '../inventory/inventory-model.js';
import type { CommerceSettings } from './commerce-settings.js';
import { cancelReservationBod, reservationLinesOf, reserveInventoryBod, transferOrderBod } from './dom-order-bods.js';
import type { DomReservationLine, Order, OrderItem, PaymentInstruction } from './order-model.js';
import type { OrderWriteOptions } from './order-noun.js';
import { queueOrderEmail } from './order-notifications.js';
import { authorizePayment, voidAuthorization } from './payment-authorization.step.js';
import { fail, ok, saveOrder, withStatus, type OrderOutcome } from './order-repository.js';
import { priceOrder, type PricingLine } from './pricing/order-pricing.js';
import { crashPoint } from '../reliability/crash-points.js';

/** Non-ATP INVENTORYFLAGS bits. */
const FLAG_DO_NOT_UPDATE = 1;
const FLAG_DO_NOT_CHECK = 2;

export interface CheckoutHooks {
  /** Called after a commit that queued work for DOM or e-mail, so the relays start at once instead of on their timer. */
  readonly onQueued: () => void;
  readonly outageTolerance: boolean;
}

/**
 * ProcessOrder on the storefront side: Prepare (reserve, price), Submit (authorize, place, e-mail, hand to the
 * transfer outbox), Cancel, Lock, Unlock, and promotion codes. Calls to DOM and to the payment provider happen
 * outside transactions; the write afterwards checks the order's version, so a concurrent change is refused
 * rather than overwritten.
 */
export class CheckoutService {
  constructor(
    private readonly store: Store,
    private readonly availability: AvailabilityService,
    private readonly dom: DomReservationPort,
    private readonly payments: PaymentProvider,
    private readonly settings: CommerceSettings,
    private readonly hooks: CheckoutHooks,
    private readonly log: Logger,
  ) {}

  private async cart(orderId: string | undefined): Promise<OrderOutcome> {
    if (!orderId) return fail(bodError('ORDER_NOT_FOUND', { orderId: '(none given)' }));
    const o = await this.store.orders.get(orderId);
    if (!o) return fail(bodError('ORDER_NOT_FOUND', { orderId }));
    if (o.status !== 'P') return fail(bodError('ORDER_NOT_EDITABLE', { orderId, status: o.status }));
    if (o.locked) return fail(bodError('ORDER_LOCKED', { orderId }));
    return ok(o);
  }

  async writeOptions(order: Order): Promise<OrderWriteOptions> {
    const ext = new Map<string, string>();
    const fcs = new Map<string, string>();
    for (const i of order.items) {
      if (i.physicalStoreId && !ext.has(i.physicalStoreId)) {
        const p = await this.store.directory.physicalStoreById(i.physicalStoreId);
        if (p) ext.set(p.storeId, p.externalId);
      }
      if (i.fulfillmentCenter && !fcs.has(i.fulfillmentCenter)) {
        const fc = await this.store.directory.fulfillmentCenterById(i.fulfillmentCenter);
        if (fc) fcs.set(fc.fulfillmentCenterId, fc.name);
      }
    }
    const modes = new Map(this.settings.forStore(order.storeId).shipModes.filter((m) => m.uniqueId).map((m) => [m.code, m.uniqueId!]));
    return { physicalStoreExternalIds: ext, fulfillmentCenterNames: fcs, shipModeIds: modes };
  }

  async applyPromotionCode(orderId: string | undefined, codes: readonly string[], remove: boolean): Promise<OrderOutcome> {
    const c = await this.cart(orderId);
    if (!c.ok) return c;
    const o = c.value;
    if (codes.length === 0) return fail(bodError('VALUE_INVALID', { field: 'Order/PromotionCode/Code', value: '(none)', detail: 'name the promotion code' }));
    const offered = this.settings.forStore(o.storeId).promotions.filter((p) => p.code).map((p) => p.code!.toUpperCase());
    const wanted = codes.map((x) => x.toUpperCase());
    if (!remove) {
      const unknown = wanted.filter((x) => !offered.includes(x));
      if (unknown.length) return fail(bodError('VALUE_INVALID', { field: 'promotionCode', value: unknown.join(', '), detail: 'no promotion of this store has that code' }));
    }
    const next = remove ? o.promotionCodes.filter((x) => !wanted.includes(x.toUpperCase())) : [...new Set([...o.promotionCodes.map((x) => x.toUpperCase()), ...wanted])];
    return this.store.transaction((tx) => saveOrder(tx, o, { ...o, promotionCodes: next, prepared: false }, remove ? 'RemovePromotionCode' : 'ApplyPromotionCode'));
  }

  async prepare(orderId: string | undefined): Promise<OrderOutcome> {
    const c = await this.cart(orderId);
    if (!c.ok) return c;
    let o = c.value;
    if (o.items.length === 0) return fail(bodError('ORDER_EMPTY', { orderId: o.orderId }));
    for (const i of o.items) {
      if (i.shipModeCode !== 'PickupInStore' && !i.shippingAddress?.country) {
        return fail(bodError('SHIPPING_INCOMPLETE', { orderId: o.orderId, orderItemId: i.orderItemId, detail: 'is to be shipped but has no shipping address with a country' }));
      }
    }
    const store = await this.store.directory.onlineStoreById(o.storeId);
    if (!store) return fail(bodError('STORE_NOT_FOUND', { ref: `online store ${o.storeId}` }));
    let reserved = o.reserved;
    let domReservation = o.domReservation;
    let releaseQueued = false;
    const before = o;
    if (store.inventorySystem === InventorySystem.DOM) {
      const r = await this.reserveAtDom(o);
      if (!r.ok) return r;
      o = r.value.order;
      domReservation = r.value.lines;
      reserved = domReservation.length > 0;
      releaseQueued = r.value.releaseQueued ?? false;
    }
    const priced = this.price(o);
    if (!priced.ok) return priced;
    return this.store.transaction(async (tx) => {
      const current = await tx.orders.get(o.orderId);
      if (!current || current.version !== c.value.version) return fail(bodError('ORDER_CHANGED', { orderId: o.orderId }));
      let next: Order = { ...priced.value, reserved, ...(domReservation ? { domReservation } : {}), prepared: true };
      if (store.inventorySystem === InventorySystem.NonATP) {
        const local = await this.reserveLocally(tx, next, store);
        if (!local.ok) throw new PrepareRollback(local.error);
        next = local.value;
      }
      if (releaseQueued) {
        const bodId = randomUUID();
        const now = Date.now();
        await tx.domOutbox.enqueue({ messageId: randomUUID(), kind: 'CancelInventoryReservation', orderId: o.orderId, bodId, payload: cancelReservationBod(before, bodId), nextAttemptAt: now, createdAt: now });
      }
      // Split lines DOM made get their ids here, where ids are drawn.
      const items: OrderItem[] = [];
      for (const i of next.items) items.push(i.orderItemId === '' ? { ...i, orderItemId: await tx.orders.nextId('orderItem') } : i);
      return saveOrder(tx, current, { ...next, items }, 'ProcessOrder Prepare');
    }).then((r) => {
      if (r.ok && releaseQueued) this.hooks.onQueued();
      return r;
    }, (e: unknown) => {
      if (e instanceof PrepareRollback) return fail(e.error);
      throw e;
    });
  }

  /** Non-ATP: check and take local stock in the Prepare transaction; what a previous Prepare took is given back first. */
  private async reserveLocally(tx: Store, o: Order, store: OnlineStore): Promise<OrderOutcome> {
    await tx.localReservations.release(o.orderId);
    if ((store.inventoryFlags & FLAG_DO_NOT_UPDATE) !== 0 || !store.fulfillmentCenterId) {
      return { ok: true, value: { ...o, items: o.items.map((i) => ({ ...i, inventoryStatus: 'Allocated' as const })) } };
    }
    const check = (store.inventoryFlags & FLAG_DO_NOT_CHECK) === 0;
    for (const i of o.items) {
      if (i.physicalStoreId) continue;
      const ok = await tx.localReservations.reserve(i.orderItemId, o.orderId, i.catentryId, store.fulfillmentCenterId, Number(i.quantity), check);
      if (!ok) {
        const available = (await tx.localInventory.available(i.catentryId, store.fulfillmentCenterId)) ?? 0;
        return fail(bodError('INSUFFICIENT_STOCK', { available, partNumber: i.partNumber, location: `fulfillment center ${store.fulfillmentCenterId}`, requested: i.quantity }));
      }
    }
    return { ok: true, value: { ...o, items: o.items.map((i) => ({ ...i, inventoryStatus: 'Allocated' as const })) } };
  }

  /**
   * DOM store: a cart changed after an earlier Prepare first releases that reservation, then reserves anew and
   * takes DOM's answer (statuses, split lines, dates, fulfillment center). With DOM unreachable and outage tolerance
   * on, Prepare goes on without a reservation: the items keep the statuses the availability check gave them.
   */
  private async reserveAtDom(o: Order): Promise<OrderOutcome<{ order: Order; lines: readonly DomReservationLine[]; releaseQueued?: boolean }>> {
    const opts = await this.writeOptions(o);
    const held = reservationLinesOf(o);
    if (held.length > 0) {
      // Exactly the lines the earlier Prepare reserved; only DOM's acknowledgement naming the order counts as released.
      const cancel = await this.dom.cancelReservation(cancelReservationBod(o, randomUUID(), held), o.orderId);
      if (!cancel.ok) {
        // DOM unreachable: the release goes through the outbox, and no new reservation is made meanwhile (a queued
        // release arriving later would cancel it, since DOM keys reservations by order).
        if (cancel.failure.kind !== 'bod-error' && this.hooks.outageTolerance) return { ok: true, value: { order: o, lines: [], releaseQueued: true } };
        return fail(bodError('RESERVATION_FAILED', { orderId: o.orderId, detail: `the earlier reservation could not be released (${cancel.failure.detail})` }));
      }
    }
    const answer = await this.dom.reserve(reserveInventoryBod(o, opts));
    if (!answer.ok) {
      if (answer.failure.kind !== 'bod-error' && this.hooks.outageTolerance) {
        this.log.warn('DOM could not reserve; preparing without a reservation', { orderId: o.orderId, outcome: answer.failure.kind });
        return { ok: true, value: { order: o, lines: [] } };
      }
      return fail(bodError('RESERVATION_FAILED', { orderId: o.orderId, detail: answer.failure.detail }));
    }
    return { ok: true, value: { order: await this.applyReservation(o, answer.value), lines: heldLines(o, answer.value) } };
  }

  private async applyReservation(o: Order, lines: readonly ReservedLine[]): Promise<Order> {
    // DOM names fulfillment centers by name; an unknown name is kept as DOM gave it.
    const fcByName = async (name: string | undefined) => (name ? (await this.store.directory.fulfillmentCenterByName(name))?.fulfillmentCenterId ?? name : null);
    const items: OrderItem[] = [];
    let lineNo = o.items.reduce((m, i) => Math.max(m, i.lineNo), 0);
    for (const item of o.items) {
      const mine = lines.filter((l) => l.orderItemId === item.orderItemId);
      const splits = lines.filter((l) => !l.orderItemId && l.correlationGroup === item.orderItemId);
      const first = mine[0];
      // No line, or a line without Quantity: DOM allocated nothing of this item.
      if (!first || first.quantity === undefined) {
        items.push({ ...item, inventoryStatus: 'Unallocated' });
        continue;
      }
      items.push({
        ...item, quantity: String(first.quantity), inventoryStatus: first.inventoryStatus, availableDate: first.availableDate ?? null,
        expectedShipDate: first.expectedShipDate ?? null, fulfillmentCenter: item.physicalStoreId ? null : (await fcByName(first.fulfillmentCenterName)) ?? item.fulfillmentCenter,
      });
      for (const s of splits) {
        items.push({
          ...item, orderItemId: '', lineNo: ++lineNo, quantity: String(s.quantity ?? 0), inventoryStatus: s.inventoryStatus, availableDate: s.availableDate ?? null,
          expectedShipDate: s.expectedShipDate ?? null, fulfillmentCenter: (await fcByName(s.fulfillmentCenterName)) ?? item.fulfillmentCenter, correlationGroup: item.orderItemId,
        });
      }
    }
    return { ...o, items };
  }

  private price(o: Order): OrderOutcome {
    const regions = this.settings.forStore(o.storeId).pickupStoreRegions;
    const lines: PricingLine[] = o.items.map((i) => ({
      orderItemId: i.orderItemId || `split-${i.lineNo}`, catentryId: i.catentryId, quantity: i.quantity, unitPrice: i.unitPrice, shipModeCode: i.shipModeCode,
      ...(i.shippingAddress?.country ? { shipTo: { country: i.shippingAddress.country, ...(i.shippingAddress.state ? { state: i.shippingAddress.state } : {}) } } : {}),
      ...(i.physicalStoreId && regions[i.physicalStoreId] ? { pickupStoreAddress: regions[i.physicalStoreId]! } : {}),
    }));
    const r = priceOrder(lines, this.settings.pricing(o.storeId, o.currency), o.promotionCodes);
    if (!r.ok) return fail(bodError('PRICING_FAILED', { orderId: o.orderId, reason: r.reason }));
    const byId = new Map(r.value.lines.map((l) => [l.orderItemId, l]));
    return {
      ok: true,
      value: {
        ...o,
        totals: r.value.totals,
        appliedPromotions: r.value.appliedPromotions.map((p) => ({ id: p.id, description: p.description, amount: p.amount, ...(p.code ? { code: p.code } : {}), kind: p.kind })),
        items: o.items.map((i) => {
          const l = byId.get(i.orderItemId || `split-${i.lineNo}`)!;
          return { ...i, itemPrice: l.itemPrice, adjustment: l.adjustment, promotionAdjustments: l.promotions, shippingCharge: l.shippingCharge, salesTax: l.salesTax, shippingTax: l.shippingTax };
        }),
      },
    };
  }

  /**
   * Submit: authorize the grand total, then in one transaction place the order (M), take non-ATP stock, decrement
   * the availability cache (flag 8), queue the OrderReceived e-mail and the TransferOrder BOD (the OrderSubmit
   * event, made durable). A decline or provider error changes nothing. When the order is then not placed (changed
   * meanwhile, or the transaction fails) the authorization is voided, so no hold is left on the customer's card.
   */
  async submit(orderId: string | undefined): Promise<OrderOutcome> {
    const c = await this.cart(orderId);
    if (!c.ok) return c;
    const o = c.value;
    if (!o.prepared || !o.totals) return fail(bodError('ORDER_NOT_PREPARED', { orderId: o.orderId }));
    const allowBackorders = this.settings.forStore(o.storeId).allowBackorders;
    const blocked = o.items.filter((i) => i.inventoryStatus === 'Unallocated' || i.inventoryStatus === 'Unavailable' || (!allowBackorders && (i.inventoryStatus === 'Backordered' || i.inventoryStatus === 'Backorderable')));
    if (blocked.length) return fail(bodError('ITEMS_UNALLOCATED', { orderId: o.orderId, items: blocked.map((i) => `${i.orderItemId} ${i.partNumber} ×${i.quantity} ${i.inventoryStatus}`).join('; ') }));
    const authorized = await authorizePayment(this.payments, this.settings.forStore(o.storeId).payment, { ...o, totals: o.totals });
    if (!authorized.ok) return authorized;
    crashPoint('submit:after-payment');
    const code = authorized.value.authorizationCode;
    const undo = code ? () => voidAuthorization(this.payments, this.log, { orderId: o.orderId, authorizationCode: code }) : async () => {};
    let result: OrderOutcome;
    try {
      result = await this.place(o, authorized.value);
    } catch (e) {
      await undo();
      throw e;
    }
    if (!result.ok) await undo();
    crashPoint('submit:after-commit');
    if (result.ok) this.hooks.onQueued();
    return result;
  }

  /** Submit's second step: the order placed with its authorized payment, and everything that goes with it, in one transaction. */
  private async place(o: Order, payment: PaymentInstruction): Promise<OrderOutcome> {
    const now = Date.now();
    // DOM names lines by position (PrimeLineNo 1..n); from Submit on the lines are fixed, so number them so.
    const numbered = { ...o, items: o.items.map((i, k) => ({ ...i, lineNo: k + 1 })) };
    const placed: Order = { ...withStatus(numbered, 'M'), placedAt: new Date(now).toISOString(), payments: [payment, ...o.payments.slice(1)] };
    const opts = await this.writeOptions(placed);
    const store = await this.store.directory.onlineStoreById(o.storeId);
    return this.store.transaction(async (tx) => {
      const saved = await saveOrder(tx, o, placed, 'ProcessOrder Submit', now);
      if (!saved.ok) return saved;
      if (store?.inventorySystem === InventorySystem.NonATP && (store.inventoryFlags & FLAG_DO_NOT_UPDATE) === 0) await tx.localReservations.consume(o.orderId);
      if (store?.inventorySystem === InventorySystem.DOM) await this.decrementCache(tx, saved.value);
      await queueOrderEmail(tx, saved.value, 'OrderReceived', now);
      const bodId = randomUUID();
      await tx.domOutbox.enqueue({ messageId: randomUUID(), kind: 'TransferOrder', orderId: o.orderId, bodId, payload: transferOrderBod(saved.value, opts, bodId), nextAttemptAt: now, createdAt: now });
      return saved;
    });
  }

  /** Flag 8: what was sold leaves the cached availability, in the submit transaction (exactly once). */
  private async decrementCache(tx: Transaction, o: Order): Promise<void> {
    for (const i of o.items) {
      const key = i.physicalStoreId ? { kind: 'physical' as const, storeId: i.physicalStoreId } : { kind: 'online' as const, storeId: o.storeId };
      if ((this.availability.ruleFor(i.catentryId, key).flags & CacheFlag.DecrementOnSubmit) === 0) continue;
      await tx.availability.decrement(i.catentryId, key, Number(i.quantity));
      this.availability.forget(tx, i.catentryId, key);
    }
  }

  /**
   * The storefront's Cancel: a cart, or a submitted order DOM does not have yet (M, H). Reservations are given back:
   * local ones in the transaction, DOM's through the outbox (CancelInventoryReservation).
   */
  async cancel(orderId: string | undefined): Promise<OrderOutcome> {
    if (!orderId) return fail(bodError('ORDER_NOT_FOUND', { orderId: '(none given)' }));
    const o = await this.store.orders.get(orderId);
    if (!o) return fail(bodError('ORDER_NOT_FOUND', { orderId }));
    if (o.status === 'X') return ok(o);
    if (!['P', 'M', 'H'].includes(o.status)) {
      return fail(bodError('ILLEGAL_TRANSITION', { orderId, from: o.status, to: 'X', reason: 'the order is with DOM; cancel it there' }));
    }
    const now = Date.now();
    const result = await this.store.transaction(async (tx) => {
      const saved = await saveOrder(tx, o, { ...withStatus(o, 'X', (s) => s !== 'X'), reserved: false, domReservation: [] }, 'ProcessOrder Cancel', now);
      if (!saved.ok) return saved;
      await tx.localReservations.release(o.orderId);
      if (reservationLinesOf(o).length > 0) {
        const bodId = randomUUID();
        await tx.domOutbox.enqueue({ messageId: randomUUID(), kind: 'CancelInventoryReservation', orderId, bodId, payload: cancelReservationBod(o, bodId), nextAttemptAt: now, createdAt: now });
      }
      for (const m of await tx.domOutbox.forOrder(orderId)) {
        if (m.kind === 'TransferOrder' && (m.status === 'queued' || m.status === 'failed')) await tx.domOutbox.settle(m.messageId, 'dead', { lastError: 'order canceled before transfer' });
      }
      if (o.status !== 'P') await queueOrderEmail(tx, saved.value, 'OrderStatusNotify_X', now);
      return saved;
    });
    if (result.ok) this.hooks.onQueued();
    return result;
  }

  async setLock(orderId: string | undefined, locked: boolean): Promise<OrderOutcome> {
    if (!orderId) return fail(bodError('ORDER_NOT_FOUND', { orderId: '(none given)' }));
    const o = await this.store.orders.get(orderId);
    if (!o) return fail(bodError('ORDER_NOT_FOUND', { orderId }));
    if (o.locked === locked) return ok(o);
    return this.store.transaction((tx) => saveOrder(tx, o, { ...o, locked }, locked ? 'ProcessOrder Lock' : 'ProcessOrder Unlock'));
  }
}

/**
 * What DOM's acknowledgement says it holds: every line with a quantity that is Allocated or Backordered, named by
 * its order item (the origin's id for a split line), with the part number of that item.
 */
function heldLines(o: Order, lines: readonly ReservedLine[]): DomReservationLine[] {
  const held: DomReservationLine[] = [];
  for (const l of lines) {
    if (l.quantity === undefined || l.quantity <= 0 || l.inventoryStatus === 'Unallocated') continue;
    const id = l.orderItemId ?? l.correlationGroup ?? '';
    const item = o.items.find((i) => i.orderItemId === id);
    if (!item) continue;
    held.push({
      orderItemId: id, partNumber: item.partNumber, quantity: String(l.quantity), uom: l.uom || item.uom, inventoryStatus: l.inventoryStatus,
      fulfillmentCenterName: l.fulfillmentCenterName ?? null, expectedShipDate: l.expectedShipDate ?? null,
    });
  }
  return held;
}

/** Unwinds the Prepare transaction (so a partial local reservation is rolled back) while carrying the BOD error. */
class PrepareRollback extends Error {
  constructor(readonly error: import('../errors/error-catalogue.js').BodError) {
    super(error.message);
  }
}
