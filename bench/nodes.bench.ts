/**
 * Section 4: the store and the number of processes side by side, in one run (docs/several-nodes.md): SQLite in one
 * process, SQLite with `serve --workers 2`, PostgreSQL with one node, PostgreSQL with `--workers 2`. For each:
 * cache-hit GetInventoryAvailability throughput and complete checkouts per second with their step p99s, each with
 * the server's CPU per request (every process of the server: primary and workers). Ratios are against SQLite in one
 * process, measured in the same run. The DOM simulator is its own process in every configuration.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import postgres from 'postgres';
import { childEnv, freePort, LOOPBACK, sleep, spawnNode, tempDir, waitForHttp, type BenchChild } from './bench-support.js';
import { buildRequest, warm, withFreshBodId } from './cache-hit.bench.js';
import { checkout, setSimStock, stats, STEPS, type CheckoutOptions, type Percentiles, type Timings } from './checkout.bench.js';
import { CHECKOUT_ITEM, CHECKOUT_STORE } from './checkout-bods.js';
import { postOnce, SOAP11_HEADERS } from './http-load.js';
import { pickLoadGenerator, type LoaderChoice } from './load-generator.js';
import { processCpuMs } from './process-cpu.js';
import { INVENTORY_PATH, ORDER_PATH } from '../test/support/test-app.js';

export interface NodesOptions {
  readonly root: string;
  readonly cache: { readonly connections: number; readonly warmupMs: number; readonly durationMs: number };
  readonly checkout: { readonly loops: number; readonly warmupMs: number; readonly durationMs: number; readonly pollMs: number; readonly transferTimeoutMs: number };
  readonly loader: LoaderChoice;
  readonly log: (line: string) => void;
}

export const NODE_CONFIGS = [
  { name: 'sqlite1', label: 'SQLite, one process', store: 'sqlite', workers: 1 },
  { name: 'sqlite2', label: 'SQLite, --workers 2', store: 'sqlite', workers: 2 },
  { name: 'pg1', label: 'PostgreSQL, one node', store: 'postgres', workers: 1 },
  { name: 'pg2', label: 'PostgreSQL, --workers 2', store: 'postgres', workers: 2 },
] as const;
export type NodeConfigName = (typeof NODE_CONFIGS)[number]['name'];

export interface NodeFigures {
  readonly label: string;
  readonly getsPerSecond: number;
  readonly getP99Ms: number;
  readonly cpuUsPerGet: number;
  readonly checkoutsPerSecond: number;
  readonly checkoutFailures: number;
  readonly steps: Readonly<Record<(typeof STEPS)[number], Percentiles>>;
  readonly cpuMsPerCheckout: number;
  /** Server CPU over wall time during the checkout window, percent (100 = one core). */
  readonly checkoutCpuPercent: number;
}

export type NodesResult = { readonly configs: Partial<Record<NodeConfigName, NodeFigures | { error: string }>>; readonly pgUrl: string; readonly loader: string };

/** The PostgreSQL server the bench makes its databases on (dropped afterwards). */
const ADMIN_URL = process.env['BENCH_PG'] ?? process.env['DOMBRIDGE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** CPU time of a process and all its descendants (a --workers primary and its workers), ms. */
function treeCpuMs(pid: number): number {
  let total = processCpuMs(pid) ?? 0;
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean);
  } catch {
    // no /proc, or gone
  }
  for (const c of children) total += treeCpuMs(Number(c));
  return total;
}

export async function runNodesBench(o: NodesOptions): Promise<NodesResult> {
  const admin = postgres(ADMIN_URL, { max: 2, onnotice: () => undefined });
  const generator = pickLoadGenerator(o.loader);
  const result: NodesResult = { configs: {}, pgUrl: ADMIN_URL.replace(/:[^:@/]*@/, ':***@'), loader: generator.description };
  try {
    await admin`SELECT 1`.catch((e: unknown) => {
      throw new Error(`no PostgreSQL at ${result.pgUrl} (BENCH_PG): ${String(e)}`);
    });
    for (const c of NODE_CONFIGS) {
      o.log(`nodes: ${c.label}`);
      try {
        result.configs[c.name] = await measureConfig(o, c, admin, generator);
      } catch (e) {
        result.configs[c.name] = { error: e instanceof Error ? e.message : String(e) };
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  return result;
}

async function measureConfig(o: NodesOptions, c: (typeof NODE_CONFIGS)[number], admin: postgres.Sql, generator: ReturnType<typeof pickLoadGenerator>): Promise<NodeFigures> {
  const work = tempDir(`nodes-${c.name}`);
  const dbName = `dombridge_bench_${process.pid}_${c.name}`;
  let db = join(work, 'dombridge.db');
  if (c.store === 'postgres') {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dbName}`;
    db = u.toString();
  }
  const port = await freePort();
  const simPort = await freePort();
  const children: BenchChild[] = [];
  try {
    const sim = spawnNode(`dom-sim (${c.name})`, join(o.root, 'bin', 'dombridge.js'), {
      args: ['dom-sim', '--port', String(simPort), '--fulfillment', '0,3600000,3600000', '--callback-url', `http://${LOOPBACK}:${port}`],
      cwd: o.root, env: childEnv({ LOG_LEVEL: 'silent' }),
    });
    children.push(sim);
    await waitForHttp(simPort, '/healthz', 20_000, sim);
    const server = spawnNode(`dombridge (${c.label})`, join(o.root, 'bin', 'dombridge.js'), {
      args: ['serve', '--demo', '--workers', String(c.workers), '--db', db], cwd: o.root,
      env: childEnv({ PORT: String(port), DOMBRIDGE_DATA: join(work, 'data'), DOM_URL: `http://${LOOPBACK}:${simPort}`, LOG_LEVEL: 'silent' }),
    });
    children.push(server);
    await waitForHttp(port, '/healthz', 40_000, server);
    // Every worker warmed: the first requests of each compile its routes and fill its memory cache.
    const { request, slot } = buildRequest();
    const fresh = withFreshBodId(request, slot);
    for (let i = 0; i < 8 * c.workers; i++) await warm(port, fresh);
    const pid = server.proc.pid!;

    // Cache-hit Gets.
    let cpuAtOpen = 0, cpuAtClose = 0;
    const gets = await generator.run({
      port, path: INVENTORY_PATH, body: request, uniqueSlot: slot, headers: SOAP11_HEADERS, connections: o.cache.connections, warmupMs: o.cache.warmupMs, durationMs: o.cache.durationMs,
      onWindow: (edge) => {
        if (edge === 'open') cpuAtOpen = treeCpuMs(pid);
        else cpuAtClose = treeCpuMs(pid);
      },
    });

    // Checkouts.
    const stockProblem = await setSimStock(simPort, CHECKOUT_ITEM, `online:${CHECKOUT_STORE}`, 10_000_000);
    if (stockProblem) throw new Error(`could not stock the simulator: ${stockProblem}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: o.checkout.loops });
    const post = (body: string) => postOnce(port, ORDER_PATH, body, SOAP11_HEADERS, 15_000, agent);
    const co: CheckoutOptions = { root: o.root, ...o.checkout, log: o.log };
    const first = await checkout(post, 0, co);
    if (!first.ok) throw new Error(`a single checkout fails at ${first.step}: ${first.error}`);
    const recorded: Timings[] = [];
    let failures = 0;
    const started = performance.now();
    const measureFrom = started + o.checkout.warmupMs;
    const end = measureFrom + o.checkout.durationMs;
    let coCpuOpen = NaN, coCpuClose = NaN, coOpenAt = 0, coCloseAt = 0;
    const opener = setTimeout(() => { coCpuOpen = treeCpuMs(pid); coOpenAt = performance.now(); }, o.checkout.warmupMs);
    const closer = setTimeout(() => { coCpuClose = treeCpuMs(pid); coCloseAt = performance.now(); }, o.checkout.warmupMs + o.checkout.durationMs);
    await Promise.all(Array.from({ length: o.checkout.loops }, async (_, n) => {
      let shopper = (n + 1) * 1_000_000;
      while (performance.now() < end) {
        const r = await checkout(post, ++shopper, co);
        const t = performance.now();
        if (r.ok) {
          if (t >= measureFrom && t <= end) recorded.push(r.timings);
        } else {
          failures++;
          await sleep(50);
        }
      }
    }));
    clearTimeout(opener);
    clearTimeout(closer);
    agent.destroy();
    const steps = Object.fromEntries(STEPS.map((k) => [k, stats(recorded.map((r) => r[k]))])) as Record<(typeof STEPS)[number], Percentiles>;
    const coCpuMs = coCpuClose - coCpuOpen;
    return {
      label: c.label,
      getsPerSecond: gets.requestsPerSecond,
      getP99Ms: gets.p99Ms,
      cpuUsPerGet: gets.requests > 0 ? ((cpuAtClose - cpuAtOpen) * 1000) / gets.requests : NaN,
      checkoutsPerSecond: (recorded.length * 1000) / o.checkout.durationMs,
      checkoutFailures: failures,
      steps,
      cpuMsPerCheckout: recorded.length > 0 ? coCpuMs / recorded.length : NaN,
      checkoutCpuPercent: coCloseAt > coOpenAt ? (coCpuMs * 100) / (coCloseAt - coOpenAt) : NaN,
    };
  } finally {
    for (const ch of children.reverse()) await ch.stop(10_000);
    if (c.store === 'postgres') await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  }
}
