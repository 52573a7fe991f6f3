import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from '../config/config.js';
import { seedDemo } from '../demo/demo-seed.js';
import { SoapDomInventoryClient, type DomInventoryPort } from '../dom/dom-inventory.client.js';
import { SoapDomOrderClient, type DomOrderPort } from '../dom/dom-order.client.js';
import { SoapDomReservationClient } from '../dom/dom-reservation.client.js';
import { EmailOutboxRelay } from '../email/email-outbox.relay.js';
import { EmailTemplates } from '../email/email-templates.js';
import { createEmailTransport } from '../email/email-transport.js';
import { CartService } from '../order/cart.service.js';
import { CheckoutService } from '../order/checkout.service.js';
import { CommerceSettings } from '../order/commerce-settings.js';
import { readShopConfig, type ShopConfig } from '../shop/shop-config.js';
import { syncShop } from '../shop/shop-sync.js';
import { DomCallbacksService } from '../order/dom-callbacks.service.js';
import { DomOutboxRelay, RetransferJob } from '../order/dom-outbox.relay.js';
import { ORDER_SERVICE_PATH, orderServiceDefinition } from '../order/order-service.js';
import { TestPaymentProvider, type PaymentProvider } from '../payment/payment-provider.js';
import { RelayLoop } from '../reliability/relay-loop.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../reliability/retry-policy.js';
import { DomTransport } from '../dom/dom-transport.js';
import { startDomSimulator, type DomSimulator } from '../dom/simulator/dom-simulator.js';
import { shopDirectory, shopStock } from '../dom/simulator/sim-shop.js';
import { AvailabilityService } from '../inventory/availability.service.js';
import { DomReservationActions } from '../inventory/dom-reservation-actions.js';
import { inventoryServiceDefinition } from '../inventory/inventory-service.js';
import type { Logger } from '../log/logger.js';
import { WSDL_DIR } from '../paths.js';
import type { ServiceDefinition } from '../soap/bod-operation.js';
import { SoapDispatcher } from '../soap/soap-dispatcher.js';
import { describeStore, openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { startHttpServer, type RunningServer } from './http-server.js';
import { installSecurity } from '../security/install-security.js';
import { installMessageStore } from '../messages/install-message-store.js';
import { installMetrics } from '../observability/install-metrics.js';
import { installOutageHandling } from '../dom/outage/install-outage.js';
import { AccessLog } from '../observability/access-log.js';
import { OperationsQueries } from '../operations/operations-queries.js';
import { RequestRates } from '../operations/request-rates.js';
import { consoleRoutes } from '../console/console-routes.js';
import type { AdminRequest, AdminVerdict } from '../security/install-security.js';

export { ORDER_SERVICE_PATH };

export interface Dombridge {
  readonly url: string;
  readonly store: Store;
  readonly availability: AvailabilityService;
  readonly dispatcher: SoapDispatcher;
  readonly services: readonly ServiceDefinition[];
  /** The built-in simulator when no DOM_URL was configured. */
  readonly simulator: DomSimulator | undefined;
  readonly relays: { readonly dom: RelayLoop; readonly email: RelayLoop; readonly retransfer: RetransferJob };
  readonly domUrl: string;
  /** The operations read API and actions (src/operations/operations-queries.ts): what the console shows and does. */
  readonly operations: OperationsQueries;
  /** Who may use the admin endpoints and the console: HTTP Basic of an admin user, or loopback without users. */
  readonly admin: (req: AdminRequest) => Promise<AdminVerdict>;
  /** Writes the message records and access-log lines still queued (tests, before reading them). */
  flushRecords(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Use this store instead of opening config.dbPath (tests). */
  readonly store?: Store;
  /** Use this DOM port instead of the SOAP client (unit tests of the flows). */
  readonly domInventory?: DomInventoryPort;
  readonly domOrders?: DomOrderPort;
  readonly payments?: PaymentProvider;
  /** Do not start the HTTP listener (in-process tests call the dispatcher). */
  readonly listen?: boolean;
  /** Where the access log's lines go (default: stdout, beside the other log lines). */
  readonly accessLogSink?: (chunk: string) => void;
  /**
   * False: this process never runs the re-transfer job (a `serve --workers` worker on SQLite other than the first:
   * src/server/worker-cluster.ts). Default true; on PostgreSQL the store's advisory lock picks one node anyway.
   */
  readonly singletonJobs?: boolean;
  /** The built-in DOM simulator runs in another process (the `--workers` primary): its URL and callback user. */
  readonly sharedSimulator?: { readonly url: string; readonly callbackUser: { readonly name: string; readonly password: string } | undefined };
  /** This process is worker N of `serve --workers` (shown by /healthz with its pid). */
  readonly worker?: number;
}

/**
 * Wires dombridge: store, DOM client (or the built-in simulator when DOM_URL is unset), the services and the
 * HTTP facade. Everything compiled per operation (routing tables, prepared statements, cache rules) is built here,
 * once, before the first request.
 */
export async function startDombridge(config: Config, log: Logger, opts: StartOptions = {}): Promise<Dombridge> {
  // Everything the configuration can get wrong is checked before anything is opened, written or started.
  const builtInSimulator = !config.domUrl && !opts.domInventory && !opts.sharedSimulator;
  const simUser = opts.sharedSimulator ? opts.sharedSimulator.callbackUser
    : builtInSimulator && !config.domSimCallback.username ? { name: 'dom-sim', password: randomBytes(18).toString('base64url') } : undefined;
  const security = installSecurity(config, log.child({ component: 'security' }), simUser);
  if (opts.listen !== false) security.assertListenAllowed(config.host);
  const settings = new CommerceSettings(config.commerce);
  const shop = readShopConfig(config.commerce, config.inventory.cacheRules);
  const ca = readCaFile(config.dom.caFile);
  const mail = createEmailTransport({ ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}), outboxDir: join(config.dataDir, 'outbox') });

  // From here on, whatever has started is stopped again if a later step fails, so a failed start-up ends the process.
  const started: (() => Promise<void>)[] = [() => mail.close()];
  try {
    return await startChecked(config, log, opts, { security, settings, shop, ca, mail, simUser, builtInSimulator, started });
  } catch (e) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw e;
  }
}

/** Where the access log's chunks of lines go: the test's sink (as text), else the logger's output. */
function accessSink(test: ((chunk: string) => void) | undefined, log: Logger): (chunk: Buffer) => void {
  if (test) return (chunk) => test(chunk.toString('utf8'));
  const write = log.writeLines?.bind(log);
  // A logger of the caller's without writeLines gets each line as a message of its own.
  return write ? (chunk) => write(chunk, 'info') : (chunk) => chunk.toString('utf8').split('\n').forEach((l) => l && log.info(l));
}

function readCaFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('dom.caFile', `names a file that cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

interface Checked {
  readonly security: ReturnType<typeof installSecurity>;
  readonly settings: CommerceSettings;
  readonly shop: ShopConfig;
  readonly ca: string | undefined;
  readonly mail: ReturnType<typeof createEmailTransport>;
  readonly simUser: { name: string; password: string } | undefined;
  readonly builtInSimulator: boolean;
  readonly started: (() => Promise<void>)[];
}

async function startChecked(config: Config, log: Logger, opts: StartOptions, checked: Checked): Promise<Dombridge> {
  const { security, settings, ca, mail, simUser, started } = checked;
  const store = opts.store ?? (await openStore(config));
  if (!opts.store) started.push(() => store.close());
  if (config.demo && (await seedDemo(store))) log.info('demo data seeded', { db: describeStore(config) });
  const synced = await syncShop(store, checked.shop);
  if (synced.storesUpserted || synced.storesRetired.length || synced.cacheRules !== undefined) log.info('the database follows the config file', { stores: synced.storesUpserted, retired: synced.storesRetired, cacheRules: synced.cacheRules });
  for (const w of synced.warnings) log.warn(w);
  if ((await store.directory.countOnlineStores()) === 0) {
    log.warn('no online store configured: every request will be refused with STORE_NOT_FOUND; define commerce.stores in the config file (docs/configuration.md) and import your catalog (docs/data-formats.md), or start with --demo');
  }

  let simulator: DomSimulator | undefined;
  let domUrl = opts.sharedSimulator?.url ?? config.domUrl;
  if (checked.builtInSimulator) {
    const cb = config.domSimCallback;
    // With users configured the simulator calls back as a dom-role user: the operator's, or one made just now.
    const credentials = cb.username ? { username: cb.username, password: cb.password ?? '' } : security.required && simUser ? { username: simUser.name, password: simUser.password } : undefined;
    // The simulated DOM knows the shop the database holds (imported or the demo) and stocks all of it.
    const directory = await shopDirectory(store);
    simulator = await startDomSimulator({
      port: config.domSimPort, host: '127.0.0.1', log: log.child({ component: 'dom-sim' }), latencyMs: config.demo ? 5 : 0,
      directory, stock: shopStock(directory, config.domSim.defaultStock),
      ...(credentials ? { callbackCredentials: credentials } : {}),
    });
    const sim = simulator;
    started.push(() => sim.close());
    domUrl = simulator.url;
    log.info('DOM_URL is not set: using the built-in DOM simulator as DOM', { domUrl, ...(credentials ? { callbackUser: credentials.username } : {}) });
  }
  const transport = new DomTransport(
    {
      baseUrl: domUrl ?? 'http://127.0.0.1:1', connectTimeoutMs: config.dom.connectTimeoutMs, timeoutMs: config.dom.timeoutMs,
      username: config.dom.username, password: config.dom.password, ca,
    },
    join(WSDL_DIR, 'DOMServices.wsdl'),
  );
  const domInventory = opts.domInventory ?? new SoapDomInventoryClient(transport);
  const availability = new AvailabilityService(store, domInventory, config.inventory, log.child({ component: 'inventory' }));
  await availability.reloadRules();
  // Other nodes' (and load-inventory's, import's) commits evict what this process holds in memory.
  const unfollow = availability.followChanges();
  started.push(async () => unfollow());

  const messages = installMessageStore(store, config, log.child({ component: 'messages' }));
  started.push(() => messages.close());
  await messages.ready();
  const metrics = installMetrics(store);
  const rates = new RequestRates();
  // The access log is an info line: off with ACCESS_LOG=off, and with a logger above info (LOG_LEVEL).
  const logs = (level: 'info' | 'debug') => log.enabled?.(level) ?? (config.logLevel === level || (level === 'info' && config.logLevel === 'debug'));
  const accessLog = config.accessLog && (opts.accessLogSink || logs('info'))
    ? new AccessLog(accessSink(opts.accessLogSink, log), logs('debug'))
    : undefined;
  if (messages.outbound) transport.observe(messages.outbound);
  if (metrics.dom) transport.observe(metrics.dom);
  if (metrics.availability) availability.observe(metrics.availability);

  const domOrders = opts.domOrders ?? new SoapDomOrderClient(transport);
  const payments = opts.payments ?? new TestPaymentProvider();
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: config.outbox.retryMs, maxAttempts: config.outbox.maxAttempts };

  const domReservations = new SoapDomReservationClient(transport);
  const domRelay = new DomOutboxRelay(store, domOrders, domReservations, retry, log.child({ component: 'dom-outbox' }), 32, config.outbox.leaseMs);
  const domLoop = new RelayLoop('dom outbox relay', (stopping) => domRelay.drainOnce(stopping), config.outbox.pollMs, log);
  const templates = new EmailTemplates();
  const emailRelay = new EmailOutboxRelay(store, templates, mail, config.emailFrom, retry, log.child({ component: 'email' }), config.outbox.leaseMs);
  const emailLoop = new RelayLoop('e-mail relay', (stopping) => emailRelay.drainOnce(stopping), config.outbox.pollMs, log);
  const retransfer = new RetransferJob(store, domOrders, config.outbox.pendingTransferTimeoutS * 1000, log.child({ component: 'retransfer' }));
  // Every minute, or more often when the pending timeout is shorter (tests).
  // One node at a time (the store's 'retransfer' lock: PostgreSQL advisory lock, taken over when its holder dies).
  const retransferLoop = new RelayLoop('re-transfer job', async () => {
    if (opts.singletonJobs !== false && (await store.nodes.hold('retransfer'))) await retransfer.runOnce();
  }, Math.min(60_000, config.outbox.pendingTransferTimeoutS * 1000), log);
  const onQueued = () => {
    domLoop.kick();
    emailLoop.kick();
  };
  // When DOM comes back, the queued transfers go at once, without anyone acting.
  const outage = installOutageHandling(transport, config, () => domLoop.kick(), log.child({ component: 'dom-outage' }), store);
  started.push(async () => outage.stop());

  const cart = new CartService(store, availability, settings, payments);
  const checkout = new CheckoutService(store, availability, domReservations, payments, settings, { onQueued, outageTolerance: config.inventory.outageTolerance }, log.child({ component: 'checkout' }));
  const callbacks = new DomCallbacksService(store, onQueued);
  const services: ServiceDefinition[] = [
    inventoryServiceDefinition(store, availability, new DomReservationActions(domReservations, store)),
    orderServiceDefinition(store, cart, checkout, callbacks),
  ];
  const dispatcher = new SoapDispatcher(services, config.limits, log, {
    interceptors: [security.interceptor, messages.interceptor].filter((i) => i !== undefined),
    observers: metrics.dispatch ? [metrics.dispatch, rates] : [rates],
    recorder: messages.recorder,
  });
  const operations = new OperationsQueries({ store, probing: outage, rates, flush: () => messages.flush(), kick: () => domLoop.kick() });

  let http: RunningServer | undefined;
  if (opts.listen !== false) {
    http = await startHttpServer(dispatcher, services, {
      maxBodyBytes: config.limits.maxBodyBytes, host: config.host, port: config.port,
      probes: {
        '/healthz': async () => ({ status: 200, body: { status: 'ok', ...(opts.worker !== undefined ? { worker: opts.worker, pid: process.pid } : {}) } }),
        '/readyz': async () => {
          const database = await store.ping();
          // DOM's state is the circuit's, as it stands: it turns up as soon as a probe gets an answer.
          const dom = { ...outage.domState(), lastProbe: outage.lastProbe() ?? null };
          const depth = await store.domOutbox.depth();
          // Ready while the database answers: with DOM down dombridge still sells (availability from cache, transfers queue).
          // email: how customer e-mail leaves (the demo and `replay --url` read it to know whether an outbox folder holds it).
          return { status: database ? 200 : 503, body: { status: database ? 'ready' : 'not-ready', database: database ? 'up' : 'down', dom, outbox: depth, email: config.smtpUrl ? 'smtp' : 'outbox' } };
        },
      },
      textRoutes: metrics.textRoutes,
      adminGate: security.admin,
      adminRoutes: {
        // 200 when DOM answered, 503 when it did not: `dombridge dom probe` turns that into its exit code.
        '/admin/dom/probe': async (user) => {
          const report = await outage.probeNow();
          log.info('DOM probed on request', { user, dom: report.dom, outcome: report.outcome });
          return { status: report.dom === 'up' ? 200 : 503, body: report };
        },
      },
      accessLog,
      console: consoleRoutes({ operations, admin: security.admin, log: log.child({ component: 'console' }) }),
    }, log);
    simulator?.setCallbackUrl(http.url);
    // Transfers a dead process left in flight ('sent') come back through the relay once their claim's lease expires.
    domLoop.start();
    emailLoop.start();
    retransferLoop.start();
    log.info('dombridge listening', { url: http.url, inventory: `${http.url}${services[0]!.path}`, order: `${http.url}${ORDER_SERVICE_PATH}` });
  }

  return {
    url: http?.url ?? '',
    store,
    availability,
    dispatcher,
    services,
    simulator,
    relays: { dom: domLoop, email: emailLoop, retransfer },
    domUrl: domUrl ?? '',
    operations,
    admin: security.admin,
    async flushRecords() {
      await messages.flush();
      accessLog?.flush();
    },
    async close() {
      await http?.close();
      outage.stop();
      await Promise.all([domLoop.stop(), emailLoop.stop(), retransferLoop.stop()]);
      // The last background-written message records go out before the store closes.
      await messages.close();
      await mail.close();
      await simulator?.close();
      if (!opts.store) await store.close();
    },
  };
}
