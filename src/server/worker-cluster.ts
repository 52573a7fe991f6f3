import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { ConfigError, type Config } from '../config/config.js';
import { seedDemo } from '../demo/demo-seed.js';
import type { DomSimulator } from '../dom/simulator/dom-simulator.js';
import type { Logger } from '../log/logger.js';
import { installSecurity } from '../security/install-security.js';
import { readShopConfig } from '../shop/shop-config.js';
import { syncShop } from '../shop/shop-sync.js';
import { describeStore, openStore } from '../store/open-store.js';
import type { StartOptions } from './dombridge-app.js';

/**
 * `dombridge serve --workers N` (docs/several-nodes.md): N processes share the port (node:cluster: the primary
 * accepts and hands connections to the workers in turn) and the store.
 *
 * The primary serves no request. Before the first worker it does what must happen once — migrations, the demo seed,
 * the shop from the config file — so workers starting together do not race on an empty database, and it runs the
 * built-in DOM simulator (one DOM for all workers, calling back to the shared port). It restarts a worker that dies,
 * and on SIGTERM/SIGINT stops every worker gracefully (each drains as a single `serve` does) before it exits.
 *
 * Stores: PostgreSQL, or a SQLite file (WAL: every worker's commits are serialised by SQLite's write lock, the
 * idempotency key and the stock conditions hold across processes; memory copies follow other workers' commits by
 * data_version). Not `:memory:`, which is private to one process. On SQLite, worker 1 alone runs the re-transfer
 * job (no advisory locks there); on PostgreSQL every worker may, one at a time by the store's lock.
 */

/** What a worker learns from the primary, in its environment (internal: set by the primary, read here). */
const WORKER_ENV = 'DOMBRIDGE_WORKER';

interface WorkerSetup {
  readonly id: number;
  readonly singletonJobs: boolean;
  readonly sharedSimulator: StartOptions['sharedSimulator'];
}

/** In a worker: the start options the primary chose for it. Undefined in any other process. */
export function workerStartOptions(): StartOptions | undefined {
  if (!cluster.isWorker) return undefined;
  const raw = process.env[WORKER_ENV];
  if (!raw) return undefined;
  const setup = JSON.parse(raw) as WorkerSetup;
  // Children of this worker (none today) must not take themselves for workers.
  delete process.env[WORKER_ENV];
  return { worker: setup.id, singletonJobs: setup.singletonJobs, ...(setup.sharedSimulator ? { sharedSimulator: setup.sharedSimulator } : {}) };
}

/** Refuses a store several processes cannot share; call before anything starts. */
export function checkWorkersStore(config: Config): void {
  // `--db :memory:` arrives resolved to a path: its name tells.
  if (config.workers > 1 && !config.dbUrl && basename(config.dbPath) === ':memory:') {
    throw new ConfigError('workers', `is ${config.workers}, but an in-memory SQLite database (:memory:) is private to one process; use a SQLite file or PostgreSQL (docs/several-nodes.md)`);
  }
}

/** A worker that lived at least this long is restarted at once; one that dies sooner waits longer each time, ms. */
const STABLE_MS = 10_000;
const MAX_RESTART_DELAY_MS = 5_000;
/** How long SIGTERM waits for the workers to drain before they are killed, ms. */
const STOP_TIMEOUT_MS = 30_000;

export interface RunningCluster {
  /** Resolves once every worker has exited (after stop()). */
  stop(signal: string): Promise<void>;
  /** The listening URL, once the first worker listens. */
  readonly listening: Promise<string>;
}

/** In the primary: the one-time work, the simulator, then N workers, kept at N until stop(). */
export async function startCluster(config: Config, log: Logger): Promise<RunningCluster> {
  checkWorkersStore(config);
  const n = config.workers;
  const store = await openStore(config);
  let simulator: DomSimulator | undefined;
  let callbackUser: { name: string; password: string } | undefined;
  try {
    if (config.demo && (await seedDemo(store))) log.info('demo data seeded', { db: describeStore(config) });
    await syncShop(store, readShopConfig(config.commerce, config.inventory.cacheRules));
    if (!config.domUrl) {
      const cb = config.domSimCallback;
      const generated = cb.username ? undefined : { name: 'dom-sim', password: randomBytes(18).toString('base64url') };
      // Whether dombridge will require users, so whether the simulator must call back as one (as a single serve decides).
      const required = installSecurity(config, log.child({ component: 'security' }), generated).required;
      callbackUser = generated && required ? generated : undefined;
      const credentials = cb.username ? { username: cb.username, password: cb.password ?? '' } : callbackUser ? { username: callbackUser.name, password: callbackUser.password } : undefined;
      const { startDomSimulator } = await import('../dom/simulator/dom-simulator.js');
      const { shopDirectory, shopStock } = await import('../dom/simulator/sim-shop.js');
      const directory = await shopDirectory(store);
      simulator = await startDomSimulator({
        port: config.domSimPort, host: '127.0.0.1', log: log.child({ component: 'dom-sim' }), latencyMs: config.demo ? 5 : 0,
        directory, stock: shopStock(directory, config.domSim.defaultStock), ...(credentials ? { callbackCredentials: credentials } : {}),
      });
      log.info('DOM_URL is not set: the primary runs the built-in DOM simulator for every worker', { domUrl: simulator.url });
    }
  } finally {
    await store.close();
  }

  const sharedSimulator = simulator ? { url: simulator.url, callbackUser } : undefined;
  const workers = new Map<number, Worker>();
  const restarts = new Map<number, { count: number; startedAt: number }>();
  let stopping = false;
  let resolveListening!: (url: string) => void;
  const listening = new Promise<string>((r) => (resolveListening = r));

  const fork = (id: number) => {
    const setup: WorkerSetup = { id, singletonJobs: config.dbUrl !== undefined || id === 1, sharedSimulator };
    const w = cluster.fork({ [WORKER_ENV]: JSON.stringify(setup) });
    workers.set(id, w);
    const r = restarts.get(id) ?? { count: 0, startedAt: 0 };
    restarts.set(id, { count: r.count, startedAt: Date.now() });
    w.once('listening', (addr) => {
      const host = addr.address && addr.address !== '0.0.0.0' && addr.address !== '::' ? (addr.addressType === 6 ? `[${addr.address}]` : addr.address) : '127.0.0.1';
      const url = `http://${host}:${addr.port}`;
      simulator?.setCallbackUrl(url);
      resolveListening(url);
    });
    w.once('exit', (code, signal) => {
      if (workers.get(id) === w) workers.delete(id);
      if (stopping) return;
      const lived = Date.now() - (restarts.get(id)?.startedAt ?? 0);
      const count = lived >= STABLE_MS ? 0 : (restarts.get(id)?.count ?? 0) + 1;
      restarts.set(id, { count, startedAt: 0 });
      const delay = count === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** (count - 1));
      log.warn('worker died; starting it again', { worker: id, pid: w.process.pid, code, signal, restartInMs: delay });
      setTimeout(() => {
        if (!stopping) fork(id);
      }, delay);
    });
  };
  for (let id = 1; id <= n; id++) fork(id);
  void listening.then((url) => log.info('dombridge listening', { url, workers: n, store: describeStore(config) }));

  return {
    listening,
    async stop(signal) {
      stopping = true;
      log.info('stopping the workers', { signal, workers: workers.size });
      const all = [...workers.values()];
      await Promise.all(all.map((w) => new Promise<void>((resolve) => {
        if (w.isDead()) return resolve();
        const timer = setTimeout(() => {
          log.warn('worker did not stop in time; killing it', { pid: w.process.pid, timeoutMs: STOP_TIMEOUT_MS });
          w.process.kill('SIGKILL');
        }, STOP_TIMEOUT_MS);
        w.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        w.process.kill('SIGTERM');
      })));
      await simulator?.close();
    },
  };
}
