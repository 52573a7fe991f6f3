import type { Logger } from '../../log/logger.js';
import { postCallback, readCallbackAnswer, type CallbackCredentials, type PushOutcome } from './sim-callbacks.js';
import {
  deliveryLines, pickupLines, writeCancelPromotionUsage, writeDetailedSyncOrder, writeFinalizePromotionUsage, writeOrderStatusChange,
  writeOrderStatusSync, writeShipmentSync, type SyncOrderForm,
} from './sim-order-callbacks.js';
import type { CallbackKind, CallbackRecord, SimOrder, SimOrderStatus } from './sim-orders.js';

export { SHIPMENT_CARRIER, trackingNumber, type SyncOrderForm } from './sim-order-callbacks.js';

/** Where Commerce (here: the facade) takes DOM's order callbacks, below the callback base URL. */
export const COMMERCE_ORDER_PATH = '/webapp/wcs/component/order/services/OrderServices';
const ORDER_SOAP_ACTION = '"http://localhost/services/OrderServices.wsdl"';

/** When DOM reports on a new order, in ms after the transfer that created it. */
export interface FulfillmentSchedule {
  /** ChangeOrder status G: the transfer succeeded. */
  readonly confirmAfterMs: number;
  /** SyncOrder status R: released to the warehouse, and pick-up lines to their store (ready for pick-up there). */
  readonly releaseAfterMs: number;
  /** SyncOrder status S for the carrier shipment of the lines not picked up in store (none: nothing is sent). */
  readonly shipAfterMs: number;
}

export interface FulfillmentOptions extends Partial<FulfillmentSchedule> {
  /** Further tries of a callback that was not confirmed. Default 5. */
  readonly retries?: number;
  /** Pause between tries, ms. Default 500. */
  readonly retryDelayMs?: number;
}

export const DEFAULT_FULFILLMENT_SCHEDULE: FulfillmentSchedule = { confirmAfterMs: 1_000, releaseAfterMs: 2_000, shipAfterMs: 3_000 };
export const DEFAULT_CALLBACK_RETRIES = 5;
export const DEFAULT_CALLBACK_RETRY_DELAY_MS = 500;

/** The status each callback kind reports. */
export const STATUS_OF: Readonly<Record<CallbackKind, SimOrderStatus>> = { confirm: 'G', 'finalize-promotions': 'G', release: 'R', ship: 'S', pickup: 'S', cancel: 'X', backorder: 'B' };

/** The BOD a callback sends, and the answer Commerce gives to it. */
export function callbackBod(order: SimOrder, kind: CallbackKind, form: SyncOrderForm, at: string): { bod: string; expected: 'RespondOrder' | 'AcknowledgeOrder' | 'ConfirmBOD' } {
  switch (kind) {
    case 'confirm': return { bod: writeOrderStatusChange(order, at), expected: 'RespondOrder' };
    case 'finalize-promotions': return { bod: writeFinalizePromotionUsage(order, at), expected: 'AcknowledgeOrder' };
    case 'release': case 'backorder': {
      const status = STATUS_OF[kind] as 'R' | 'B';
      return { bod: form === 'detailed' ? writeDetailedSyncOrder(order, status, at) : writeOrderStatusSync(order, status, at), expected: 'ConfirmBOD' };
    }
    case 'ship': case 'pickup': {
      const lines = kind === 'ship' ? deliveryLines(order) : pickupLines(order);
      return { bod: form === 'detailed' ? writeDetailedSyncOrder(order, 'S', at, lines) : writeShipmentSync(order, lines, at), expected: 'ConfirmBOD' };
    }
    case 'cancel':
      return form === 'detailed' ? { bod: writeDetailedSyncOrder(order, 'X', at), expected: 'ConfirmBOD' } : { bod: writeCancelPromotionUsage(order, at), expected: 'AcknowledgeOrder' };
  }
}

export interface FulfillmentContext {
  /** The Commerce side's base URL now; undefined: callbacks are skipped (and logged). */
  readonly callbackUrl: () => string | undefined;
  readonly credentials: CallbackCredentials | undefined;
  readonly log: Logger;
  /** Default `mediation`: the maps' shapes (sim-order-callbacks.ts). */
  readonly syncOrderForm?: SyncOrderForm;
}

/**
 * DOM's side of an order after the transfer: on a schedule it tells Commerce the order was taken (G), released
 * (R) and shipped (S); on demand, canceled (X) or backordered (B). Callbacks for one order go out one at a time
 * in the order asked; a callback that is not confirmed is tried again. Nothing here throws: every outcome is
 * logged and recorded on the order.
 */
export class SimFulfillment {
  private readonly schedule: FulfillmentSchedule | undefined;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly wakers = new Set<() => void>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly ctx: FulfillmentContext, options: FulfillmentOptions | false | undefined) {
    const o = options || {};
    this.schedule = options === false ? undefined : { ...DEFAULT_FULFILLMENT_SCHEDULE, ...definedOnly(o) };
    this.retries = o.retries ?? DEFAULT_CALLBACK_RETRIES;
    this.retryDelayMs = o.retryDelayMs ?? DEFAULT_CALLBACK_RETRY_DELAY_MS;
  }

  /** Starts a new order's schedule. Steps still due after a cancellation are dropped. */
  start(order: SimOrder): void {
    const s = this.schedule;
    if (!s || this.stopped) return;
    // createOrder's success raises both of the mediation's ON_SUCCESS maps: the ChangeOrder, then the promotion usage.
    const steps: [CallbackKind, number][] = [['confirm', s.confirmAfterMs], ['finalize-promotions', s.confirmAfterMs], ['release', s.releaseAfterMs], ['ship', s.shipAfterMs]];
    for (const [kind, ms] of steps) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (order.status === 'X' || order.status === 'S') {
          this.ctx.log.info('scheduled order callback dropped', { orderNo: order.orderNo, callback: kind, status: order.status });
          return;
        }
        if (kind === 'ship' && deliveryLines(order).length === 0) {
          this.ctx.log.info('nothing to ship: the pick-up lines wait at their store for the customer', { orderNo: order.orderNo });
          return;
        }
        void this.send(order, kind);
      }, ms);
      this.timers.add(timer);
    }
  }

  /**
   * The order takes the kind's status now (a confirm only reports the G the order has had since its creation);
   * the callback goes out after any still pending for the order.
   */
  send(order: SimOrder, kind: CallbackKind): Promise<CallbackRecord> {
    if (kind === 'finalize-promotions') order.promotionUsage = 'finalized';
    else if (kind !== 'confirm') order.status = STATUS_OF[kind];
    if (kind === 'pickup') order.pickedUp = true;
    const next = (this.queues.get(order.orderNo) ?? Promise.resolve()).then(() => this.deliver(order, kind));
    this.queues.set(order.orderNo, next);
    return next;
  }

  private async deliver(order: SimOrder, kind: CallbackKind): Promise<CallbackRecord> {
    const log = this.ctx.log.child({ orderNo: order.orderNo, callback: kind });
    const base = this.ctx.callbackUrl();
    const done = (outcome: PushOutcome, attempts: number): CallbackRecord => {
      const rec: CallbackRecord = { kind, outcome: outcome.outcome, detail: outcome.detail, attempts, at: new Date().toISOString() };
      order.callbacks.push(rec);
      return rec;
    };
    if (!base) {
      log.info('order callback skipped: no callback URL is configured', { status: STATUS_OF[kind] });
      return done({ outcome: 'skipped', detail: 'no callback URL is configured' }, 0);
    }
    const url = base.replace(/\/+$/, '') + COMMERCE_ORDER_PATH;
    const { bod, expected } = callbackBod(order, kind, this.ctx.syncOrderForm ?? 'mediation', new Date().toISOString());
    let attempts = 0;
    for (;;) {
      attempts++;
      const reply = await postCallback(url, ORDER_SOAP_ACTION, bod, this.ctx.credentials, this.abort.signal);
      const outcome: PushOutcome = reply.ok
        ? readCallbackAnswer(reply.text, reply.status, expected)
        : { outcome: 'unreachable', detail: `${/^<_ord:(\w+)/.exec(bod)?.[1] ?? 'callback'} to ${url} failed: ${reply.cause}` };
      if (outcome.outcome === 'confirmed') {
        log.info('order callback confirmed', { status: STATUS_OF[kind], attempts });
        return done(outcome, attempts);
      }
      if (attempts > this.retries || this.stopped) {
        log.warn('order callback failed; giving up', { outcome: outcome.outcome, detail: outcome.detail, attempts });
        return done(outcome, attempts);
      }
      log.warn('order callback failed; retrying', { outcome: outcome.outcome, detail: outcome.detail, attempts, retryInMs: this.retryDelayMs });
      await this.sleep(this.retryDelayMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** Drops pending steps, cuts callbacks in flight and waits until every queue has settled. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    for (const wake of [...this.wakers]) wake();
    await Promise.allSettled([...this.queues.values()]);
  }
}

function definedOnly(o: FulfillmentOptions): Partial<FulfillmentSchedule> {
  const out: { -readonly [K in keyof FulfillmentSchedule]?: number } = {};
  for (const k of ['confirmAfterMs', 'releaseAfterMs', 'shipAfterMs'] as const) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
