import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { Store } from '../store/store.js';
import { ITEM_STATES, ORDER_STATES, type ItemStatus, type Order, type OrderStatus } from './order-model.js';

export type OrderOutcome<T = Order> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BodError };

export function fail(error: BodError): { ok: false; error: BodError } {
  return { ok: false, error };
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/**
 * The only way an order is written: checks every order and item status change against the state machines,
 * records each order status change in the history, and bumps the version so concurrent writers are detected.
 */
export async function saveOrder(tx: Store, before: Order | undefined, after: Order, cause: string, at = Date.now()): Promise<OrderOutcome> {
  if (before) {
    const check = ORDER_STATES.check(before.status, after.status);
    if (!check.ok) return fail(bodError('ILLEGAL_TRANSITION', { orderId: after.orderId, from: before.status, to: after.status, reason: check.reason }));
    const old = new Map(before.items.map((i) => [i.orderItemId, i.status]));
    for (const item of after.items) {
      const from = old.get(item.orderItemId);
      if (from === undefined) continue;
      const c = ITEM_STATES.check(from, item.status);
      if (!c.ok) return fail(bodError('ILLEGAL_TRANSITION', { orderId: after.orderId, from: `${from} (item ${item.orderItemId})`, to: item.status, reason: c.reason }));
    }
  }
  const next: Order = { ...after, version: (before?.version ?? 0) + 1 };
  if (!before) await tx.orders.insert(next);
  else if (!(await tx.orders.update(next))) return fail(bodError('ORDER_CHANGED', { orderId: after.orderId }));
  if (!before || before.status !== next.status) {
    await tx.orders.appendHistory(next.orderId, { fromStatus: before?.status ?? null, toStatus: next.status, cause, at });
  }
  return { ok: true, value: next };
}

/** Sets the order and every item still moving with it to a new status (items already further along keep theirs). */
export function withStatus(o: Order, status: OrderStatus, itemFilter: (s: ItemStatus) => boolean = (s) => s !== 'X' && s !== 'D' && s !== 'S'): Order {
  return { ...o, status, items: o.items.map((i) => (itemFilter(i.status) && ITEM_STATES.check(i.status, status).ok ? { ...i, status } : i)) };
}
