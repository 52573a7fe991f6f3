import type { DomOrderPort, OrderAtDom } from '../dom/dom-order.client.js';
import type { DomReservationPort } from '../dom/dom-reservation.client.js';
import type { DomFailure } from '../dom/dom-transport.js';
import type { Logger } from '../log/logger.js';
import { isExhausted, retryDelayMs, type RetryPolicy } from '../reliability/retry-policy.js';
import type { OutboxMessage, Store, Transaction } from '../store/store.js';
import { crashPoint } from '../reliability/crash-points.js';
import type { Order } from './order-model.js';
import { withStatus, saveOrder } from './order-repository.js';

/**
 * Relays the DOM outbox. A TransferOrder moves its order M/H → F (pending) before it is sent, then F → G when
 * DOM accepts or F → H when it fails, to be retried with backoff; a CancelInventoryReservation is simply sent
 * until it is acknowledged. Every attempt of a message carries the same BODID and order number. After the last
 * attempt a message is dead-lettered, its original kept for `messages resend`.
 *
 * Every relay (one per node) claims what it sends with a lease (`leaseMs`, longer than one DOM call): no other relay
 * sends it meanwhile, and a message a dead relay left `sent` is claimed and sent again once the lease has expired
 * (same BODID: DOM creates the order once). Moves are settled through the outbound machine; one the table refuses
 * is skipped and logged, never forced.
 */
export class DomOutboxRelay {
  constructor(
    private readonly store: Store,
    private readonly dom: DomOrderPort,
    private readonly reservations: DomReservationPort,
    private readonly policy: RetryPolicy,
    private readonly log: Logger,
    private readonly batchSize = 32,
    /** How long a claim holds a message, ms: longer than a DOM call (DOM_TIMEOUT_MS) plus its two transactions. */
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {}

  /** Delivers what is due, batch after batch; `stopping` (shutdown) ends the run before the next message. */
  async drainOnce(stopping: () => boolean = () => false): Promise<void> {
    for (;;) {
      if (stopping()) return;
      const due = await this.store.domOutbox.claim(this.batchSize, this.leaseMs, Date.now());
      if (due.length === 0) return;
      // Messages of different orders are independent; send them concurrently, but keep each order's in sequence.
      const byOrder = new Map<string, OutboxMessage[]>();
      for (const m of due) byOrder.set(m.orderId, [...(byOrder.get(m.orderId) ?? []), m]);
      await Promise.all([...byOrder.values()].map(async (list) => {
        for (const m of list) {
          if (stopping()) return;
          await this.deliver(m);
        }
      }));
      if (due.length < this.batchSize) return;
    }
  }

  private async deliver(m: OutboxMessage): Promise<void> {
    const attempt = m.attempts + 1;
    if (m.kind === 'TransferOrder' && m.status === 'sent' && (await this.recoverInterrupted(m))) return;
    if (m.kind === 'TransferOrder') {
      const pending = await this.store.transaction(async (tx) => {
        const o = await tx.orders.get(m.orderId);
        if (!o) return false;
        if (o.status === 'X') {
          await this.settle(tx, m, 'dead', { lastError: 'order canceled before transfer' });
          this.log.info('transfer dropped: the order was canceled first', { orderId: m.orderId, bodId: m.bodId, messageId: m.messageId });
          return false;
        }
        if (o.status === 'M' || o.status === 'H') {
          const saved = await saveOrder(tx, o, { ...withStatus(o, 'F'), transferAttempts: o.transferAttempts + 1, lastTransferAt: new Date().toISOString() }, `transfer attempt ${attempt}`);
          if (!saved.ok) return false;
        }
        return this.settle(tx, m, 'sent', { attempts: attempt });
      });
      if (!pending) return;
      crashPoint('transfer:after-pending-commit');
      const result = await this.dom.transferOrder(m.payload);
      crashPoint('transfer:after-send');
      await this.store.transaction(async (tx) => {
        const o = await tx.orders.get(m.orderId);
        if (result.ok) {
          await this.settle(tx, m, 'acknowledged', { lastError: null });
          // Accepted only (what DOM's mediation answers): the order stays F until DOM's createOrder-success ChangeOrder
          // confirms it (DomCallbacksService.transferConfirmed), or the re-transfer job finds it at DOM. An answer that
          // already names DOM's order confirms it now. DOM's own callback may have made it G already.
          if (o && o.status === 'F' && result.value.confirmed) await saveOrder(tx, o, { ...withStatus(o, 'G'), externalOrderId: result.value.externalOrderId ?? o.externalOrderId }, 'DOM acknowledged the transfer');
          else if (o && o.status === 'F') this.log.info('DOM accepted the transfer; waiting for its confirmation', { orderId: m.orderId, bodId: m.bodId, messageId: m.messageId });
          return;
        }
        await this.failed(tx, m, attempt, result.failure);
        if (o && o.status === 'F') await saveOrder(tx, o, withStatus(o, 'H'), `transfer failed: ${result.failure.kind}`);
      });
      return;
    }
    const result = m.kind === 'CancelInventoryReservation' ? await this.reservations.cancelReservation(m.payload, m.orderId) : { ok: false as const, failure: { kind: 'unparseable' as const, detail: `no sender for ${m.kind}` } };
    await this.store.transaction(async (tx) => {
      if (result.ok) await this.settle(tx, m, 'acknowledged', { attempts: attempt, lastError: null });
      else await this.failed(tx, m, attempt, result.failure);
    });
  }

  /**
   * A TransferOrder claimed while `sent`: its sender died mid-send and the lease expired. DOM is asked first whether
   * it has the order (true: acknowledged, the order G, nothing resent); if it has not, or cannot say, the caller
   * sends it again (same BODID and order number: DOM creates an order once, however often it arrives).
   */
  private async recoverInterrupted(m: OutboxMessage): Promise<boolean> {
    const o = await this.store.orders.get(m.orderId);
    if (!o) return false;
    const has = await this.dom.findOrder(m.orderId, o.storeId, o.buyerEmail);
    this.log.info('recovering an interrupted transfer', { orderId: m.orderId, bodId: m.bodId, messageId: m.messageId, domHasIt: has.ok ? has.value !== undefined : 'unknown' });
    if (!has.ok || !has.value) return false;
    const found = has.value;
    await this.store.transaction(async (tx) => {
      const cur = await tx.orders.get(m.orderId);
      if (cur && (cur.status === 'F' || cur.status === 'H')) await saveOrder(tx, cur, foundAtDom(cur, found), 'interrupted transfer: DOM already has the order');
      await this.settle(tx, m, 'acknowledged', { lastError: null });
    });
    return true;
  }

  /** A move the outbound machine refuses (someone else settled the message first) is logged and left alone. */
  private async settle(tx: Transaction, m: OutboxMessage, to: OutboxMessage['status'], fields: Parameters<Store['domOutbox']['settle']>[2]): Promise<boolean> {
    const moved = await tx.domOutbox.settle(m.messageId, to, fields);
    if (!moved) this.log.info('DOM message already settled elsewhere; left as it is', { messageId: m.messageId, kind: m.kind, orderId: m.orderId, to });
    return moved;
  }

  private async failed(tx: Transaction, m: OutboxMessage, attempt: number, failure: DomFailure): Promise<void> {
    const error = `${failure.kind}: ${failure.detail}`; // isRefusal reads the kind back from this
    // The circuit breaker answered for DOM: nothing was sent, so it is no attempt; wait for DOM's return.
    if (failure.kind === 'circuit-open') {
      await this.settle(tx, m, 'failed', { attempts: attempt - 1, nextAttemptAt: Date.now() + this.policy.maxDelayMs, lastError: error });
      return;
    }
    // DOM refusing the message (a BOD error) will not change by itself: dead-letter at once for a person to look at.
    if (failure.kind === 'bod-error' || isExhausted(this.policy, attempt)) {
      await this.settle(tx, m, 'dead', { attempts: attempt, lastError: error });
      this.log.error('DOM message dead-lettered', { messageId: m.messageId, kind: m.kind, orderId: m.orderId, bodId: m.bodId, attempts: attempt, error });
      return;
    }
    const delay = retryDelayMs(this.policy, attempt);
    await this.settle(tx, m, 'failed', { attempts: attempt, nextAttemptAt: Date.now() + delay, lastError: error });
    this.log.warn('DOM message failed; will retry', { messageId: m.messageId, kind: m.kind, orderId: m.orderId, bodId: m.bodId, attempt, retryInMs: delay, outcome: failure.kind });
  }
}

/**
 * Commerce's scheduled re-transfer (docs/contract/wire.md, checkout): orders in H, and in F for longer than `pendingTimeoutMs`
 * (86,400 s by default), whose transfer message is no longer being retried. DOM is asked first whether it
 * already has the order; if so it is only marked G, otherwise its original message is queued again.
 */
export class RetransferJob {
  constructor(private readonly store: Store, private readonly dom: DomOrderPort, private readonly pendingTimeoutMs: number, private readonly log: Logger) {}

  async runOnce(now = Date.now()): Promise<number> {
    const stuck = [
      ...(await this.store.orders.findForRetransfer(['H'], now, 100)),
      ...(await this.store.orders.findForRetransfer(['F'], now - this.pendingTimeoutMs, 100)),
    ];
    let handled = 0;
    for (const orderId of stuck) {
      const messages = (await this.store.domOutbox.forOrder(orderId)).filter((m) => m.kind === 'TransferOrder');
      const last = messages[messages.length - 1];
      if (!last || last.status === 'queued' || last.status === 'failed') continue; // the relay is still on it
      // A relay holds it (sending it now); one whose lease expired is the relay's to send again, not ours.
      if (last.status === 'sent' && last.leaseUntil !== null) continue;
      // DOM refused it (a BOD error, Sterling's own errors): sending it again would be refused again. It waits in the
      // dead letters for a person (`messages resend`).
      if (last.status === 'dead' && isRefusal(last.lastError)) continue;
      const o = await this.store.orders.get(orderId);
      if (!o) continue;
      const has = await this.dom.findOrder(orderId, o.storeId, o.buyerEmail);
      if (!has.ok) {
        this.log.warn('re-transfer: DOM could not say whether it has the order', { orderId, bodId: last.bodId, messageId: last.messageId, outcome: has.failure.kind });
        continue;
      }
      this.log.info(has.value ? 're-transfer: DOM already has the order; marking it transferred' : 're-transfer: sending the order again', { orderId, bodId: last.bodId, messageId: last.messageId });
      await this.store.transaction(async (tx) => {
        const cur = await tx.orders.get(orderId);
        if (!cur || (cur.status !== 'H' && cur.status !== 'F')) return;
        if (has.value) {
          await saveOrder(tx, cur, foundAtDom(cur, has.value), 're-transfer: DOM already has the order');
          await tx.domOutbox.settle(last.messageId, 'acknowledged', { lastError: null });
        } else {
          // Another round of attempts: a dead one is queued again; a sent one becomes failed, due now (it was sent).
          await tx.domOutbox.settle(last.messageId, last.status === 'sent' ? 'failed' : 'queued', { attempts: 0, nextAttemptAt: now, lastError: last.status === 'sent' ? 're-transfer: DOM does not have the order' : null });
        }
      });
      handled++;
    }
    return handled;
  }
}

/**
 * The order DOM turned out to hold: G, with the key DOM reported for it (Sterling's OrderHeaderKey), stored as the
 * createOrder-success ChangeOrder would have (DomCallbacksService.transferConfirmed), since DOM's promotion callbacks
 * name the order by that key alone and that ChangeOrder may never come (it was lost while the order waited).
 */
function foundAtDom(o: Order, found: OrderAtDom): Order {
  return { ...withStatus(o, 'G'), externalOrderId: found.externalOrderId ?? o.externalOrderId };
}

/** How long a relay's claim holds a DOM outbox message or an e-mail by default, ms (OUTBOX_LEASE_MS). */
export const DEFAULT_LEASE_MS = 30_000;

/** Whether a dead-lettered message's last error was DOM refusing it (kind bod-error), not DOM being unreachable. */
export function isRefusal(lastError: string | null | undefined): boolean {
  return lastError?.startsWith('bod-error:') ?? false;
}
