import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { AvailabilityQuestion, AvailabilityService } from '../inventory/availability.service.js';
import { InventorySystem, type CatalogEntry, type OnlineStore } from '../inventory/inventory-model.js';
import { itemInventoryStatus } from '../inventory/process-inventory-requirement.handler.js';
import { paymentMethodKind } from '../payment/payment-methods.js';
import type { PaymentProvider } from '../payment/payment-provider.js';
import type { Store } from '../store/store.js';
import type { CommerceSettings } from './commerce-settings.js';
import type { Order, OrderItem, PaymentInstruction } from './order-model.js';
import type { OrderInput, OrderItemInput, ShippingInput } from './order-noun.js';
import { fail, saveOrder, type OrderOutcome } from './order-repository.js';

/** What a ChangeOrder's action expression targets (docs/contract/wire.md, checkout). */
export type CartTarget = 'item' | 'orderShipping' | 'itemShipping' | 'payment';
export type CartAction = 'Create' | 'Update' | 'Delete';

/** Non-ATP INVENTORYFLAGS bits. */
const FLAG_DO_NOT_CHECK = 2;

/**
 * ChangeOrder on a cart: items, their fulfillment (ship to an address with a ship mode, or pick up at a physical
 * store), order-level shipping and the payment instruction. Inventory is checked on add and quantity change:
 * non-ATP stores against local stock (refused when short unless INVENTORYFLAGS has 2), DOM stores by
 * CheckInventory through the availability cache, which sets each item's inventory status.
 */
export class CartService {
  constructor(
    private readonly store: Store,
    private readonly availability: AvailabilityService,
    private readonly settings: CommerceSettings,
    private readonly payments: PaymentProvider,
  ) {}

  async change(action: CartAction, target: CartTarget, input: OrderInput, contextStoreId: string | undefined): Promise<OrderOutcome> {
    // Work that may call DOM (inventory checks) happens before the transaction; the write re-checks the version.
    const existing = input.orderId ? await this.store.orders.get(input.orderId) : undefined;
    if (input.orderId && !existing) return fail(bodError('ORDER_NOT_FOUND', { orderId: input.orderId }));
    if (!existing && !(action === 'Create' && target === 'item')) {
      return fail(bodError('ORDER_NOT_FOUND', { orderId: input.orderId ?? '(none given)' }));
    }
    if (existing) {
      if (existing.status !== 'P') return fail(bodError('ORDER_NOT_EDITABLE', { orderId: existing.orderId, status: existing.status }));
      if (existing.locked) return fail(bodError('ORDER_LOCKED', { orderId: existing.orderId }));
    }
    const storeId = existing?.storeId ?? input.storeId ?? contextStoreId;
    if (!storeId) return fail(bodError('STORE_MISSING'));
    const onlineStore = await this.store.directory.onlineStoreById(storeId);
    // A store removed from the config file (retired) takes no new cart; its existing orders keep working.
    if (!onlineStore || (onlineStore.retired && !existing)) return fail(bodError('STORE_NOT_FOUND', { ref: `online store ${storeId}` }));

    const planned = await this.plan(action, target, input, existing, onlineStore);
    if (!planned.ok) return planned;
    const checked = await this.checkInventory(planned.value, onlineStore);
    if (!checked.ok) return checked;

    return this.store.transaction(async (tx) => {
      let order = checked.value;
      if (!existing) order = { ...order, orderId: await tx.orders.nextId('order') };
      const items: OrderItem[] = [];
      for (const i of order.items) items.push(i.orderItemId === '' ? { ...i, orderItemId: await tx.orders.nextId('orderItem') } : i);
      const payments: PaymentInstruction[] = [];
      for (const p of order.payments) payments.push(p.paymentId === '' ? { ...p, paymentId: await tx.orders.nextId('payment') } : p);
      return saveOrder(tx, existing, { ...order, items, payments, prepared: false }, `ChangeOrder ${action} ${target}`);
    });
  }

  /** The order after the change, with new lines still unnumbered (ids are drawn inside the transaction). */
  private async plan(action: CartAction, target: CartTarget, input: OrderInput, existing: Order | undefined, store: OnlineStore): Promise<OrderOutcome> {
    const base: Order = existing ?? newCart(store, input);
    let items = [...base.items];
    const orderId = base.orderId || '(new)';
    const findItem = (id: string | undefined) => (id ? items.findIndex((i) => i.orderItemId === id) : -1);

    if (target === 'item' && action === 'Create') {
      if (input.items.length === 0) return fail(bodError('VALUE_INVALID', { field: 'Order/OrderItem', value: '(none)', detail: 'Create needs at least one OrderItem' }));
      let lineNo = items.reduce((m, i) => Math.max(m, i.lineNo), 0);
      for (const it of input.items) {
        if (!it.item) return fail(bodError('VALUE_INVALID', { field: 'OrderItem/CatalogEntryIdentifier', value: '(missing)', detail: 'each new item needs a catalog entry' }));
        const entry = await this.availability.resolveItem(it.item);
        if (!entry.ok) return entry;
        if (it.quantity === undefined || it.quantity <= 0) return fail(bodError('VALUE_INVALID', { field: 'OrderItem/Quantity', value: String(it.quantity ?? '(missing)'), detail: 'a new item needs a quantity above 0' }));
        const line = await this.newLine(entry.value, it, input.shipping, ++lineNo, store, orderId);
        if (!line.ok) return line;
        items.push(line.value);
      }
    } else if (target === 'item' && action === 'Update') {
      for (const it of input.items) {
        const idx = findItem(it.orderItemId);
        if (idx < 0) return fail(bodError('ORDER_ITEM_NOT_FOUND', { orderId, orderItemId: it.orderItemId ?? '(none given)' }));
        if (it.quantity === 0) { items.splice(idx, 1); continue; }
        const shipped = await this.applyShipping(items[idx]!, it.shipping, store, orderId);
        if (!shipped.ok) return shipped;
        items[idx] = { ...shipped.value, ...(it.quantity !== undefined ? { quantity: String(it.quantity), inventoryStatus: null } : {}) };
      }
    } else if (target === 'item' && action === 'Delete') {
      for (const it of input.items) {
        const idx = findItem(it.orderItemId);
        if (idx < 0) return fail(bodError('ORDER_ITEM_NOT_FOUND', { orderId, orderItemId: it.orderItemId ?? '(none given)' }));
        items.splice(idx, 1);
      }
    } else if (target === 'itemShipping') {
      for (const it of input.items) {
        const idx = findItem(it.orderItemId);
        if (idx < 0) return fail(bodError('ORDER_ITEM_NOT_FOUND', { orderId, orderItemId: it.orderItemId ?? '(none given)' }));
        const shipped = await this.applyShipping(items[idx]!, action === 'Delete' ? undefined : it.shipping, store, orderId);
        if (!shipped.ok) return shipped;
        items[idx] = shipped.value;
      }
    } else if (target === 'orderShipping') {
      const next: OrderItem[] = [];
      for (const i of items) {
        const shipped = await this.applyShipping(i, input.shipping, store, orderId);
        if (!shipped.ok) return shipped;
        next.push(shipped.value);
      }
      items = next;
    } else if (target === 'payment') {
      const payments = await this.paymentsAfter(action, base.payments, input, base.storeId);
      return 'code' in payments ? fail(payments) : { ok: true, value: { ...base, payments } };
    }
    const buyerEmail = input.buyerEmail ?? base.buyerEmail ?? items.find((i) => i.shippingAddress?.email)?.shippingAddress?.email ?? null;
    return { ok: true, value: { ...base, items, buyerEmail, ...(input.buyerId ? { buyerId: input.buyerId } : {}) } };
  }

  private async newLine(entry: CatalogEntry, it: OrderItemInput, orderShipping: ShippingInput | undefined, lineNo: number, store: OnlineStore, orderId: string): Promise<OrderOutcome<OrderItem>> {
    const line: OrderItem = {
      orderItemId: '', lineNo, catentryId: entry.catentryId, partNumber: entry.partNumber, quantity: String(it.quantity), uom: it.uom ?? 'C62',
      unitPrice: entry.price ?? '0.00', shipModeCode: 'Standard', carrier: null, physicalStoreId: null, shippingAddress: null,
      shippingInstruction: null, requestedShipDate: null, status: 'P', inventoryStatus: null, fulfillmentCenter: store.fulfillmentCenterId,
      availableDate: null, expectedShipDate: null, timeReleased: null, timeShipped: null, correlationGroup: null,
      itemPrice: null, adjustment: null, shippingCharge: null, salesTax: null, shippingTax: null,
    };
    return this.applyShipping(line, { ...orderShipping, ...it.shipping }, store, orderId);
  }

  /** Applies fulfillment choices: a physical store means pick-up there; a ship mode must be one the store offers. */
  private async applyShipping(line: OrderItem, s: ShippingInput | undefined, store: OnlineStore, orderId: string): Promise<OrderOutcome<OrderItem>> {
    if (!s) return { ok: true, value: line };
    let next: OrderItem = { ...line };
    if (s.physicalStore) {
      const loc = await this.availability.resolveLocation(s.physicalStore);
      if (!loc.ok) return loc;
      next = { ...next, physicalStoreId: loc.value.key.storeId, shipModeCode: s.shipModeCode ?? 'PickupInStore', fulfillmentCenter: null };
    }
    if (s.shipModeCode) {
      const offered = this.settings.forStore(store.storeId).shipModes;
      const mode = offered.find((m) => m.code === s.shipModeCode);
      if (!mode) return fail(bodError('SHIP_MODE_UNKNOWN', { code: s.shipModeCode, storeId: store.storeId, offered: offered.map((m) => m.code).join(', ') }));
      next = { ...next, shipModeCode: mode.code, carrier: s.carrier ?? mode.carrier ?? null };
      if (mode.code !== 'PickupInStore') next = { ...next, physicalStoreId: s.physicalStore ? next.physicalStoreId : null, fulfillmentCenter: next.fulfillmentCenter ?? store.fulfillmentCenterId };
    }
    if (next.shipModeCode === 'PickupInStore' && !next.physicalStoreId) {
      return fail(bodError('SHIPPING_INCOMPLETE', { orderId, orderItemId: line.orderItemId || '(new)', detail: 'is to be picked up in store but names no PhysicalStoreIdentifier' }));
    }
    if (s.address) next = { ...next, shippingAddress: s.address };
    if (s.instruction !== undefined) next = { ...next, shippingInstruction: s.instruction };
    if (s.requestedShipDate !== undefined) next = { ...next, requestedShipDate: s.requestedShipDate };
    return { ok: true, value: next };
  }

  /**
   * One payment instruction per order: the latest replaces the previous. The method must be one the store takes;
   * a card method's card becomes a provider token here, and a method without a card keeps no card at all.
   */
  private async paymentsAfter(action: CartAction, current: readonly PaymentInstruction[], input: OrderInput, storeId: string): Promise<PaymentInstruction[] | BodError> {
    if (action === 'Delete') {
      const ids = new Set(input.payments.map((p) => p.paymentId).filter(Boolean));
      return ids.size ? current.filter((p) => !ids.has(p.paymentId)) : [];
    }
    const p = input.payments[input.payments.length - 1];
    if (!p) return [...current];
    const prev = current[0];
    const method = p.method ?? prev?.method ?? 'VISA';
    const methods = this.settings.forStore(storeId).payment;
    const kind = paymentMethodKind(methods, method);
    if (kind === 'unknown') {
      return bodError('PAYMENT_METHOD_UNKNOWN', { method, storeId, cardMethods: methods.cardMethods.join(', ') || '(none)', methodsWithoutCard: methods.methodsWithoutCard.join(', ') || '(none)' });
    }
    const base = {
      paymentId: p.paymentId ?? prev?.paymentId ?? '', method, amount: p.amount ?? null,
      billingAddress: p.billingAddress ?? prev?.billingAddress ?? null, status: 'pending' as const, authorizationCode: null,
    };
    if (kind === 'without-card') return [{ ...base, cardLast4: null, token: null, cardBrand: null, expireMonth: null, expireYear: null }];
    // A card method: a new card brings its own facts; without one, the previous card's stay (with a card method).
    const keep = prev && !p.cardNumber && paymentMethodKind(methods, prev.method) === 'card' ? prev : undefined;
    let token = keep?.token ?? null;
    if (p.cardNumber) {
      const t = await this.payments.tokenize(p.cardNumber, { ...(p.cvc ? { cvc: p.cvc } : {}), ...(p.expireMonth ? { expireMonth: p.expireMonth } : {}), ...(p.expireYear ? { expireYear: p.expireYear } : {}) });
      if ('error' in t) return bodError('VALUE_INVALID', { field: 'PaymentInstruction', value: '(card)', detail: `the payment provider refused the card: ${t.error}` });
      token = t.token;
    }
    return [{
      ...base,
      cardLast4: p.cardNumber ? p.cardNumber.slice(-4) : keep?.cardLast4 ?? null,
      token,
      cardBrand: p.cardBrand ?? keep?.cardBrand ?? null,
      expireMonth: p.expireMonth ?? keep?.expireMonth ?? null,
      expireYear: p.expireYear ?? keep?.expireYear ?? null,
    }];
  }

  /** Inventory check on add and on quantity change, per the store's inventory system. */
  private async checkInventory(order: Order, store: OnlineStore): Promise<OrderOutcome> {
    const unchecked = order.items.filter((i) => i.inventoryStatus === null && i.status === 'P');
    if (unchecked.length === 0) return { ok: true, value: order };
    if (store.inventorySystem === InventorySystem.NonATP) {
      if ((store.inventoryFlags & FLAG_DO_NOT_CHECK) === 0) {
        // Everything the cart wants of an item from the store's fulfillment center, against what is on hand.
        const wanted = new Map<string, number>();
        for (const i of order.items) if (!i.physicalStoreId) wanted.set(i.catentryId, (wanted.get(i.catentryId) ?? 0) + Number(i.quantity));
        for (const i of unchecked) {
          if (i.physicalStoreId || !store.fulfillmentCenterId) continue;
          const available = (await this.store.localInventory.available(i.catentryId, store.fulfillmentCenterId)) ?? 0;
          const want = wanted.get(i.catentryId) ?? 0;
          if (available < want) return fail(bodError('INSUFFICIENT_STOCK', { available, partNumber: i.partNumber, location: `fulfillment center ${store.fulfillmentCenterId}`, requested: want }));
        }
      }
      return { ok: true, value: { ...order, items: order.items.map((i) => (i.inventoryStatus === null ? { ...i, inventoryStatus: 'Available' as const } : i)) } };
    }
    if (store.inventorySystem !== InventorySystem.DOM) {
      return { ok: true, value: { ...order, items: order.items.map((i) => (i.inventoryStatus === null ? { ...i, inventoryStatus: 'Available' as const } : i)) } };
    }
    // DOM store: CheckInventory through the cache rules (one DOM call for every miss).
    const questions: AvailabilityQuestion[] = [];
    for (const i of unchecked) {
      const item = await this.availability.resolveItem({ by: 'uniqueId', value: i.catentryId });
      const loc = await this.availability.resolveLocation(i.physicalStoreId ? { kind: 'physical', by: 'uniqueId', value: i.physicalStoreId } : { kind: 'online', by: 'uniqueId', value: store.storeId });
      if (!item.ok) return item;
      if (!loc.ok) return loc;
      questions.push({ item: item.value, location: loc.value, requested: Number(i.quantity) });
    }
    const answers = await this.availability.answer(questions);
    if (!answers.ok) return answers;
    const statusById = new Map(unchecked.map((i, k) => [i, itemInventoryStatus(answers.value[k]!, Number(i.quantity))]));
    return { ok: true, value: { ...order, items: order.items.map((i) => ({ ...i, inventoryStatus: statusById.get(i) ?? i.inventoryStatus })) } };
  }
}

function newCart(store: OnlineStore, input: OrderInput): Order {
  return {
    orderId: '', storeId: store.storeId, currency: store.currency, buyerId: input.buyerId ?? null, buyerEmail: input.buyerEmail ?? null,
    status: 'P', prepared: false, locked: false, shipAsComplete: false, promotionCodes: input.promotionCodes, appliedPromotions: [], totals: null,
    reserved: false, placedAt: null, externalOrderId: null, transferAttempts: 0, lastTransferAt: null, items: [], payments: [], shipments: [], version: 0,
  };
}

