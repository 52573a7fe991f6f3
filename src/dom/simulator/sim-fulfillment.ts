import { createHash } from 'node:crypto';
import { writeBusinessContext } from '../../bod/application-area.js';
import { formatQuantity } from '../../inventory/availability-noun.js';
import type { Logger } from '../../log/logger.js';
import { NS } from '../../xml/namespaces.js';
import { escText, leaf } from '../../xml/xml-writer.js';
import { postCallback, readCallbackAnswer, type CallbackCredentials, type PushOutcome } from './sim-callbacks.js';
import type { CallbackKind, CallbackRecord, SimOrder, SimOrderStatus } from './sim-orders.js';

/** Where Commerce (here: the facade) takes DOM's order callbacks, below the callback base URL. */
export const COMMERCE_ORDER_PATH = '/webapp/wcs/component/order/services/OrderServices';
const ORDER_SOAP_ACTION = '"http://localhost/services/OrderServices.wsdl"';
export const SHIPMENT_CARRIER = 'UPS';

/** When DOM reports on a new order, in ms after the transfer that created it. */
export interface FulfillmentSchedule {
  /** ChangeOrder status G: the transfer succeeded. */
  readonly confirmAfterMs: number;
  /** SyncOrder status R: released to the warehouse or store. */
  readonly releaseAfterMs: number;
  /** SyncOrder status S with a shipment (picked up, for pickup lines). */
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
export const STATUS_OF: Readonly<Record<CallbackKind, SimOrderStatus>> = { confirm: 'G', 'finalize-promotions': 'G', release: 'R', ship: 'S', cancel: 'X', backorder: 'B' };

const XMLNS = ` xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}"`;

/** Sterling's header: the `_wcf:ApplicationArea` substitution form, a creation time and the store, no BODID. */
function applicationArea(storeId: string, created: string): string {
  return `<_wcf:ApplicationArea><oa:CreationDateTime>${escText(created)}</oa:CreationDateTime>${writeBusinessContext({ storeId })}</_wcf:ApplicationArea>`;
}

function actionCriteria(verb: 'Change' | 'Sync', expression: string): string {
  return `<oa:${verb}><oa:ActionCriteria><oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">${expression}</oa:ActionExpression></oa:ActionCriteria></oa:${verb}>`;
}

function orderHead(o: SimOrder, status: string, externalId: boolean): string {
  return (
    `<_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}${externalId ? leaf('_wcf:ExternalOrderID', o.orderNo) : ''}</_ord:OrderIdentifier>` +
    `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', o.storeId)}</_ord:StoreIdentifier>` +
    `<_ord:OrderStatus>${leaf('_ord:Status', status)}</_ord:OrderStatus>`
  );
}

function buyer(o: SimOrder): string {
  return `<_ord:BuyerIdentifier><_wcf:ExternalIdentifier>${leaf('_wcf:Identifier', o.buyerEmail ?? '')}</_wcf:ExternalIdentifier></_ord:BuyerIdentifier>`;
}

/**
 * The createOrder-success ChangeOrder, as the mediation's map (createOrder ON_SUCCESS → ChangeOrder) writes it: Change
 * on /Order/OrderStatus, the order named by Commerce's id (WC_ stripped) with Sterling's OrderHeaderKey as
 * ExternalOrderID, and the buyer; no status, no store noun (the store is in the ApplicationArea's context only).
 * It is the transfer's only confirmation.
 */
export function writeOrderStatusChange(o: SimOrder, created: string): string {
  return (
    `<_ord:ChangeOrder releaseID=""${XMLNS}>${applicationArea(o.storeId, created)}` +
    `<_ord:DataArea>${actionCriteria('Change', '/Order/OrderStatus')}<_ord:Order>` +
    `<_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}${leaf('_wcf:ExternalOrderID', o.orderHeaderKey)}</_ord:OrderIdentifier>${buyer(o)}` +
    `</_ord:Order></_ord:DataArea></_ord:ChangeOrder>`
  );
}

/**
 * ProcessOrder FinalizePromotionCalUsage, as the mediation's other createOrder ON_SUCCESS map writes it: the order is
 * named only by Sterling's OrderHeaderKey (ExternalOrderID), then the store and the buyer.
 */
export function writeFinalizePromotionUsage(o: SimOrder, created: string): string {
  return (
    `<_ord:ProcessOrder releaseID=""${XMLNS}>${applicationArea(o.storeId, created)}` +
    `<_ord:DataArea><oa:Process><oa:ActionCriteria><oa:ActionExpression actionCode="FinalizePromotionCalUsage" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
    `<_ord:Order><_ord:OrderIdentifier>${leaf('_wcf:ExternalOrderID', o.orderHeaderKey)}</_ord:OrderIdentifier>` +
    `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', o.storeId)}</_ord:StoreIdentifier>${buyer(o)}</_ord:Order></_ord:DataArea></_ord:ProcessOrder>`
  );
}

/** '1Z' and 16 digits, the same for the same order every time. */
export function trackingNumber(orderNo: string): string {
  const n = BigInt('0x' + createHash('sha256').update(orderNo).digest('hex')) % 10n ** 16n;
  return '1Z' + n.toString().padStart(16, '0');
}

/**
 * SyncOrder (Change, /Order[1]) as Sterling's mediation writes it: lines named by their line number. Released:
 * order and lines R with TimeReleased. Shipped: order S, lines D with TimeShipped, and one Shipment after the
 * items. Canceled / backordered: order and lines X / B.
 */
export function writeSyncOrder(o: SimOrder, status: 'R' | 'S' | 'X' | 'B', at: string): string {
  const lineStatus = status === 'S' ? 'D' : status;
  const items = o.lines.map((l) => {
    const times = status === 'R' ? leaf('_ord:TimeReleased', at) : status === 'S' ? leaf('_ord:TimeShipped', at) : '';
    return (
      `<_ord:OrderItem><_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', l.lineNo)}</_ord:OrderItemIdentifier>` +
      `<_ord:OrderItemStatus>${leaf('_ord:Status', lineStatus)}</_ord:OrderItemStatus>` +
      (times ? `<_ord:OrderItemFulfillmentInfo>${times}</_ord:OrderItemFulfillmentInfo>` : '') +
      `</_ord:OrderItem>`
    );
  }).join('');
  const shipment = status !== 'S' ? '' :
    `<_ord:Shipment>${leaf('_ord:ShipmentIdentifier', `${o.orderNo}-1`)}${leaf('_ord:Carrier', SHIPMENT_CARRIER)}${leaf('_ord:TrackingNumber', trackingNumber(o.orderNo))}${leaf('_ord:ShipDate', at)}` +
    o.lines.map((l) => `<_ord:ShippedItem><_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', l.lineNo)}</_ord:OrderItemIdentifier><_ord:Quantity uom="C62">${formatQuantity(l.quantity)}</_ord:Quantity></_ord:ShippedItem>`).join('') +
    `</_ord:Shipment>`;
  return (
    `<_ord:SyncOrder releaseID=""${XMLNS}>${applicationArea(o.storeId, at)}` +
    `<_ord:DataArea>${actionCriteria('Sync', '/Order[1]')}<_ord:Order>${orderHead(o, status, false)}${items}${shipment}</_ord:Order></_ord:DataArea></_ord:SyncOrder>`
  );
}

export interface FulfillmentContext {
  /** The Commerce side's base URL now; undefined: callbacks are skipped (and logged). */
  readonly callbackUrl: () => string | undefined;
  readonly credentials: CallbackCredentials | undefined;
  readonly log: Logger;
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
    const now = new Date().toISOString();
    const bod = kind === 'confirm' ? writeOrderStatusChange(order, now)
      : kind === 'finalize-promotions' ? writeFinalizePromotionUsage(order, now)
      : writeSyncOrder(order, STATUS_OF[kind] as 'R' | 'S' | 'X' | 'B', now);
    const expected = kind === 'confirm' ? 'RespondOrder' : kind === 'finalize-promotions' ? 'AcknowledgeOrder' : 'ConfirmBOD';
    let attempts = 0;
    for (;;) {
      attempts++;
      const reply = await postCallback(url, ORDER_SOAP_ACTION, bod, this.ctx.credentials, this.abort.signal);
      const outcome: PushOutcome = reply.ok
        ? readCallbackAnswer(reply.text, reply.status, expected)
        : { outcome: 'unreachable', detail: `${kind === 'confirm' ? 'ChangeOrder' : kind === 'finalize-promotions' ? 'ProcessOrder' : 'SyncOrder'} to ${url} failed: ${reply.cause}` };
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
