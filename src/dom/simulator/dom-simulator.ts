import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { ServiceDefinition } from '../../soap/bod-operation.js';
import { SoapDispatcher } from '../../soap/soap-dispatcher.js';
import { buildFault } from '../../soap/soap-envelope.js';
import { DEFAULT_XML_LIMITS } from '../../xml/xml-reader.js';
import { DOM_INVENTORY_PATH } from '../dom-inventory.client.js';
import { pushAvailability as pushAvailabilityWith, type CallbackCredentials, type PushContext, type PushOutcome } from './sim-callbacks.js';
import { DEMO_DIRECTORY, locationKeysOf, partNumberOf, seededStock, shipNodeOf, type SimDirectory } from './sim-directory.js';
import type { SimMode } from './sim-mediation.js';
import { SimFulfillment, type FulfillmentOptions, type SyncOrderForm } from './sim-fulfillment.js';
import { simOrderOperations } from './sim-order.handlers.js';
import { SimOrderBook, type CallbackRecord, type SimOrderState } from './sim-orders.js';
import {
  answerUnderFailure,
  FailureModeSwitch,
  portsFor,
  readFailureModeRequest,
  SIM_PORTS,
  type FailureMode,
  type FailureModeOptions,
  type FailureModeState,
  type SimPort,
} from './sim-failure-modes.js';
import { simInventoryOperations } from './sim-inventory.handlers.js';
import { parseLocationKey, type ReservationSnapshot, type SimStock, type StockLocationKey, type StockSnapshot } from './sim-stock.js';

export { pushAvailability, writeSyncInventoryAvailability, type PushContext, type PushOutcome } from './sim-callbacks.js';
export type { FailureMode, FailureModeOptions, FailureModeState, SimPort, SimPortSelector } from './sim-failure-modes.js';
export { DEFAULT_FULFILLMENT_SCHEDULE, type FulfillmentOptions, type FulfillmentSchedule } from './sim-fulfillment.js';
export type { CallbackKind, CallbackRecord, SimOrderState } from './sim-orders.js';
export type { SimMode } from './sim-mediation.js';

export const DOM_ORDER_PATH = '/dom/services/OrderServices';
/** Largest SOAP request the simulator reads, bytes. */
export const SIM_MAX_BODY_BYTES = 4 * 1024 * 1024;
const DOM_WSDL_NAMESPACE = 'http://dombridge.dev/dom/1';

export interface DomSimulatorOptions {
  /** 0 picks a free port; the bound one is kept across `down` and back. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Base URL of the Commerce side (the facade) that stock changes are pushed to; none: no pushes. */
  readonly callbackUrl?: string;
  readonly callbackCredentials?: CallbackCredentials;
  /** Base latency added to every SOAP answer, ms. Default 0. */
  readonly latencyMs?: number;
  readonly log?: Logger;
  /** Default: DEMO_DOM_STOCK, kept by ship node and part number. */
  readonly stock?: SimStock;
  /**
   * `sterling` (default): answers as Sterling behind IBM's mediation maps. `dombridge`: the older convenience
   * behaviour (availability by unique id, reservations replaced and released by order id). See sim-mediation.ts.
   */
  readonly mode?: SimMode;
  /** Default: the demo catalog and stores. */
  readonly directory?: SimDirectory;
  /**
   * When DOM reports on a transferred order (ChangeOrder G, SyncOrder R, SyncOrder S), ms after its creation;
   * missing fields take DEFAULT_FULFILLMENT_SCHEDULE (1000/2000/3000). `false`: no scheduled callbacks.
   */
  readonly fulfillment?: FulfillmentOptions | false;
  /**
   * Answer a transfer with an AcknowledgeOrder that confirms it at once (ExternalOrderID), as dombridge's own simulator
   * used to. Off by default: DOM's mediation answers "accepted" only and confirms with its createOrder-success callbacks.
   */
  readonly synchronousAcknowledge?: boolean;
  /**
   * `mediation` (default): DOM's order updates as the mediation's maps send them (SyncOrder R/B with the order's status
   * only, a shipment as S with its lines D by line number, a cancellation as CancelPromotionCalUsage; no carrier or
   * tracking number anywhere). `detailed`: dombridge's older form, with line statuses, times, SyncOrder X and an
   * `_ord:Shipment` carrying carrier and tracking number. See sim-order-callbacks.ts.
   */
  readonly syncOrderForm?: SyncOrderForm;
}

export interface SimState {
  /** By DOM order number (`WC_<orderId>`). */
  readonly orders: Record<string, SimOrderState>;
  /** By ship node, then part number. */
  readonly stock: StockSnapshot;
  /** Reservations holding stock now, by reservation id (`WC_<orderId>`). */
  readonly reservations: ReservationSnapshot;
  readonly mode: SimMode;
  readonly failureMode: FailureModeState;
}

/** What `/sim/orders/<orderNo>/<action>` can do to an order DOM holds. */
export type SimOrderAction = 'cancel' | 'backorder' | 'pickup';

export interface DomSimulator {
  readonly url: string;
  readonly port: number;
  readonly stock: SimStock;
  /** Resolves once the listening socket matches the new mode (closed for `down`, listening again after). */
  setFailureMode(mode: FailureMode, opts?: FailureModeOptions): Promise<void>;
  state(): SimState;
  /** Where stock changes are pushed from now on (the Commerce side's base URL); undefined stops pushes. */
  setCallbackUrl(url: string | undefined): void;
  /** Pushes one (item, location)'s current availability to the callback URL; logs and returns the outcome. */
  pushAvailability(catentryId: string, locationKey: StockLocationKey): Promise<PushOutcome>;
  /**
   * DOM-side cancellation or backorder of an order it holds, or the customer collecting its pick-up lines, by DOM
   * order number; resolves with the callback's record, or undefined when the order is unknown or can no longer
   * change that way (shipped or canceled; a pick-up needs released, uncollected pick-up lines).
   */
  updateOrder(orderNo: string, action: SimOrderAction): Promise<CallbackRecord | undefined>;
  close(): Promise<void>;
}

/**
 * The DOM simulator: DOM's SOAP ports (answered through the same SoapDispatcher as the facade), a JSON control
 * API under /sim, and switchable failure modes. One HTTP listener serves all of it, so `down` on every port
 * takes the control API down too; use `durationMs` to come back on your own.
 */
export async function startDomSimulator(opts: DomSimulatorOptions): Promise<DomSimulator> {
  const log = opts.log ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const directory = opts.directory ?? DEMO_DIRECTORY;
  const stock = opts.stock ?? seededStock(directory);
  const mode: SimMode = opts.mode ?? 'sterling';
  const modes = new FailureModeSwitch(opts.latencyMs ?? 0);
  // Mutable: the facade's URL is known only after it listens, which is after the simulator it calls.
  const pushContext: { callbackUrl: string | undefined } & Omit<PushContext, 'callbackUrl'> = {
    callbackUrl: opts.callbackUrl, stock, directory, log, credentials: opts.callbackCredentials,
  };

  const book = new SimOrderBook(stock);
  const fulfillment = new SimFulfillment(
    { callbackUrl: () => pushContext.callbackUrl, credentials: opts.callbackCredentials, log: log.child({ component: 'dom-sim-fulfillment' }), ...(opts.syncOrderForm ? { syncOrderForm: opts.syncOrderForm } : {}) },
    opts.fulfillment,
  );
  const orderOperations = simOrderOperations({
    book, directory, refusing: () => modes.get('order').mode === 'refuse', onCreated: (order) => fulfillment.start(order),
    ...(opts.synchronousAcknowledge ? { synchronousAcknowledge: true } : {}),
  });

  const services: Record<SimPort, ServiceDefinition> = {
    inventory: { name: 'DOMInventoryServices', path: DOM_INVENTORY_PATH, namespace: DOM_WSDL_NAMESPACE, wsdlFile: 'DOMServices.wsdl', operations: simInventoryOperations(stock, directory, mode) },
    order: { name: 'DOMOrderServices', path: DOM_ORDER_PATH, namespace: DOM_WSDL_NAMESPACE, wsdlFile: 'DOMServices.wsdl', operations: orderOperations },
  };
  const dispatcher = new SoapDispatcher(Object.values(services), DEFAULT_XML_LIMITS, log);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const server = http.createServer(app);
  let stopped = false;

  // While the listener is closed, a request on a keep-alive connection opened before must not get through.
  app.use((req, _res, next) => (server.listening ? next() : void req.socket.destroy()));

  const rawBody = express.raw({ type: () => true, limit: SIM_MAX_BODY_BYTES });
  for (const port of SIM_PORTS) {
    const service = services[port];
    app.post(service.path, rawBody, async (req: Request, res: Response) => {
      const body: Uint8Array = Buffer.isBuffer(req.body) ? req.body : new Uint8Array(0);
      await answerUnderFailure(port, modes.get(port), modes.latencyMs, res, () => dispatcher.dispatch(service, body, req.headers['content-type']));
    });
  }

  const json = express.json({ limit: '64kb' });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/sim/state', (_req, res) => void res.json(state()));
  app.post('/sim/failure-mode', json, (req, res) => {
    const r = readFailureModeRequest(req.body);
    if (!r.ok) return void res.status(400).json({ error: r.reason });
    apply(r.mode, r.options);
    log.info('DOM simulator failure mode set over HTTP', { mode: r.mode, ...r.options });
    if (modes.allDown()) res.set('Connection', 'close');
    // The listener is closed only after this answer has left.
    res.once('finish', () => void syncListener());
    res.json({ failureMode: modes.state() });
  });
  app.post('/sim/stock', json, async (req, res) => {
    const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const onHand = b['onHand'];
    // Stock is kept by part number and ship node; Commerce's names (catentryId, online:/physical: location) are
    // still accepted and translated through the directory.
    let partNumber = b['partNumber'];
    let shipNode = b['shipNode'];
    let catentryId = b['catentryId'];
    let location = b['location'];
    if (partNumber !== undefined || shipNode !== undefined) {
      if (typeof partNumber !== 'string' || partNumber.trim() === '') return void res.status(400).json({ error: 'partNumber must be a non-empty string' });
      if (typeof shipNode !== 'string' || shipNode.trim() === '') return void res.status(400).json({ error: 'shipNode must be a non-empty string' });
      const pn = partNumber;
      catentryId = directory.catalog.find((c) => c.partNumber === pn)?.catentryId;
      location = locationKeysOf(directory, shipNode)[0];
    } else {
      if (typeof catentryId !== 'string' || catentryId.trim() === '') return void res.status(400).json({ error: 'partNumber and shipNode (or catentryId and location) are required' });
      if (typeof location !== 'string' || !parseLocationKey(location)) return void res.status(400).json({ error: 'location must be online:<storeId> or physical:<storeId>' });
      partNumber = partNumberOf(directory, catentryId);
      shipNode = shipNodeOf(directory, location);
    }
    if (typeof onHand !== 'number' || !Number.isFinite(onHand) || onHand < 0) return void res.status(400).json({ error: 'onHand must be a number ≥ 0' });
    const level = stock.setOnHand(partNumber as string, shipNode as string, onHand);
    log.info('DOM simulator stock set', { partNumber, shipNode, onHand });
    const push = typeof catentryId === 'string' && typeof location === 'string'
      ? await pushAvailabilityWith(pushContext, catentryId, location)
      : { outcome: 'skipped', detail: `no Commerce location or catalog entry for ${String(partNumber)} at ${String(shipNode)}` };
    res.json({ partNumber, shipNode, catentryId, location, onHand: level.onHand, reserved: level.reserved, available: level.available, push });
  });
  app.post('/sim/orders/:orderNo/:action', async (req, res) => {
    const { orderNo, action } = req.params;
    if (action !== 'cancel' && action !== 'backorder' && action !== 'pickup') return void res.status(404).json({ error: 'not found' });
    const order = book.get(orderNo);
    if (!order) return void res.status(404).json({ error: `DOM holds no order ${orderNo}` });
    const record = await updateOrder(orderNo, action);
    if (!record) return void res.status(409).json({ error: `order ${orderNo} is in status ${order.status}; it can no longer be changed` });
    res.json({ orderNo, status: order.status, callback: record });
  });
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  // Body-reading errors: SOAP callers get a SOAP 1.1 fault, control callers JSON.
  app.use((err: { status?: number; type?: string; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status ?? 500;
    if (req.path.startsWith('/dom/')) {
      const f = err.type === 'entity.too.large' ? buildFault('1.1', 'HTTP_BODY_TOO_LARGE', { limit: SIM_MAX_BODY_BYTES }) : buildFault('1.1', 'INTERNAL_ERROR', { reference: 'dom-simulator' });
      if (status >= 500) log.error('DOM simulator request failed', { error: err.message });
      return void res.status(f.status).type(f.contentType).send(f.body);
    }
    res.status(status).json({ error: status >= 500 ? 'internal error' : err.message ?? 'bad request' });
  });

  const reverts = new Map<SimPort, NodeJS.Timeout>();
  function apply(mode: FailureMode, o: FailureModeOptions): void {
    modes.set(mode, o);
    for (const p of portsFor(mode, o.port ?? 'all')) {
      clearTimeout(reverts.get(p));
      reverts.delete(p);
      if (o.durationMs !== undefined && mode !== 'none') {
        const timer = setTimeout(() => {
          reverts.delete(p);
          modes.set('none', { port: p });
          log.info('DOM simulator failure mode expired', { port: p, mode });
          void syncListener();
        }, o.durationMs);
        reverts.set(p, timer);
      }
    }
  }

  let boundPort = opts.port;
  function listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(boundPort, host, () => {
        server.off('error', reject);
        boundPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  // Listener changes run one at a time, in the order asked.
  let listenerChange: Promise<void> = Promise.resolve();
  // While down nothing else may hold the event loop, and a standalone simulator must not exit then.
  let downHold: NodeJS.Timeout | undefined;
  const releaseDownHold = (): void => {
    clearInterval(downHold);
    downHold = undefined;
  };
  function syncListener(): Promise<void> {
    listenerChange = listenerChange.then(async () => {
      const wanted = !stopped && !modes.allDown();
      if (wanted && !server.listening) {
        try {
          await listen();
          releaseDownHold();
          log.info('DOM simulator is up again', { port: boundPort });
        } catch (e) {
          log.error('DOM simulator could not listen again', { port: boundPort, error: String(e) });
        }
      } else if (!wanted && server.listening && !stopped) {
        // Refuse new connections (ECONNREFUSED) and cut idle keep-alive ones, as a dead process would.
        server.close();
        server.closeIdleConnections();
        downHold ??= setInterval(() => undefined, 60_000);
        log.info('DOM simulator is down (listener closed)', { port: boundPort });
      }
    });
    return listenerChange;
  }

  function state(): SimState {
    return { orders: book.snapshot(), stock: stock.snapshot(), reservations: stock.reservations(), mode, failureMode: modes.state() };
  }

  function updateOrder(orderNo: string, action: SimOrderAction): Promise<CallbackRecord | undefined> {
    const order = book.get(orderNo);
    if (!order || order.status === 'X') return Promise.resolve(undefined);
    if (action === 'pickup' ? order.pickedUp || !order.lines.some((l) => l.pickupStore) || (order.status !== 'R' && order.status !== 'S') : order.status === 'S') return Promise.resolve(undefined);
    log.info('DOM simulator order update', { orderNo, action });
    return fulfillment.send(order, action);
  }

  server.keepAliveTimeout = 5_000;
  await listen();
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${boundPort}`;
  log.info('DOM simulator listening', { url, mode, callbackUrl: opts.callbackUrl ?? null, latencyMs: modes.latencyMs });

  return {
    url,
    port: boundPort,
    stock,
    async setFailureMode(mode, o = {}) {
      apply(mode, o);
      log.info('DOM simulator failure mode set', { mode, ...o });
      await syncListener();
    },
    state,
    setCallbackUrl(callbackUrl) {
      pushContext.callbackUrl = callbackUrl;
      log.info('DOM simulator callback URL set', { callbackUrl: callbackUrl ?? null });
    },
    pushAvailability: (catentryId, locationKey) => pushAvailabilityWith(pushContext, catentryId, locationKey),
    updateOrder,
    async close() {
      if (stopped) return;
      stopped = true;
      await fulfillment.close();
      for (const t of reverts.values()) clearTimeout(t);
      reverts.clear();
      await listenerChange;
      releaseDownHold();
      await new Promise<void>((resolve) => {
        if (server.listening) server.close(() => resolve());
        else resolve();
        server.closeAllConnections();
      });
    },
  };
}
