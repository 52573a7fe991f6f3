/**
 * Section 2: complete checkouts per second. A dombridge child with durable writes (DOMBRIDGE_DB_SYNC left at its
 * default, FULL) and the DOM simulator as its own process; concurrent loops each run one checkout after
 * another: ChangeOrder Create → ChangeOrder payment → ProcessOrder Prepare → ProcessOrder Submit → GetOrder until
 * the order is transferred (G, set when DOM acknowledges the TransferOrder). A checkout counts when it completes
 * inside the measured window. Submit→G is measured twice: as the client sees it (GetOrder polled every
 * `pollMs`), and as dombridge recorded it (the M and G rows of the order's status history).
 */
import Database from 'better-sqlite3';
import http from 'node:http';
import { join } from 'node:path';
import { childEnv, errorMessage, freePort, LOOPBACK, percentile, sleep, sortedCopy, spawnNode, tempDir, waitForHttp } from './bench-support.js';
import { answerProblem, CHECKOUT_ITEM, CHECKOUT_STORE, createCartBod, getOrderBod, orderIdOf, orderStatusOf, paymentBod, processOrderBod } from './checkout-bods.js';
import { logHint, startDombridgeChild } from './dombridge-child.js';
import { postOnce, SOAP11_HEADERS } from './http-load.js';
import { ORDER_PATH } from '../test/support/test-app.js';

export interface CheckoutOptions {
  readonly root: string;
  readonly loops: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** GetOrder polling interval while waiting for G, ms. */
  readonly pollMs: number;
  /** A checkout whose order is not G this long after Submit fails, ms. */
  readonly transferTimeoutMs: number;
  readonly log: (line: string) => void;
}

export const CHECKOUT_BAR_PER_SECOND = 100;
/** Statuses at or past "transferred": DOM may release or back-order a transferred order before the next poll. */
const TRANSFERRED = new Set(['G', 'R', 'B', 'S']);
export const STEPS = ['create', 'payment', 'prepare', 'submit', 'submitToG'] as const;
type Step = (typeof STEPS)[number];

export interface Percentiles {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface CheckoutResult {
  readonly loops: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly pollMs: number;
  readonly checkouts: number;
  readonly checkoutsPerSecond: number;
  readonly bar: number;
  readonly verdict: 'PASS' | 'BELOW';
  readonly steps: Readonly<Record<Step, Percentiles>>;
  /** Whole checkout, Create sent → G seen. */
  readonly total: Percentiles;
  /** Submit's commit → G, from the order status history dombridge wrote. */
  readonly serverSubmitToG: Percentiles | { error: string };
  readonly failures: number;
  readonly firstFailure: string | undefined;
  readonly getOrderPolls: number;
  readonly notes: readonly string[];
}

/** How long the child may take to exit after SIGTERM before it is killed, ms. */
const STOP_GRACE_MS = 5000;

export function stats(values: number[]): Percentiles {
  const s = sortedCopy(values);
  return { count: s.length, p50Ms: percentile(s, 50), p99Ms: percentile(s, 99) };
}

export type Timings = Record<Step, number>;
type CheckoutOutcome = { ok: true; orderId: string; timings: Timings; polls: number } | { ok: false; step: string; error: string };

export async function runCheckoutBench(o: CheckoutOptions): Promise<CheckoutResult> {
  const work = tempDir('checkout');
  o.log('checkout: starting the DOM simulator and dombridge (demo, durable writes)');
  // DOM is another system: the simulator runs in its own process (as `dombridge dom-sim`), so its work is not
  // counted against dombridge's thread. The figure ends at G, which comes, as behind DOM's mediation, from the
  // createOrder-success ChangeOrder the simulator calls back with: at once (confirm after 0 ms); its release and
  // ship steps are an hour away, outside every run.
  const port = await freePort();
  let simPort = await freePort();
  while (simPort === port) simPort = await freePort();
  const sim = spawnNode('dom-sim (checkout)', join(o.root, 'bin', 'dombridge.js'), {
    args: ['dom-sim', '--port', String(simPort), '--fulfillment', '0,3600000,3600000', '--callback-url', `http://${LOOPBACK}:${port}`],
    cwd: o.root, env: childEnv({ LOG_LEVEL: 'silent' }),
  });
  await waitForHttp(simPort, '/healthz', 10_000, sim);
  // BENCH_CHECKOUT_PROFILE_DIR=DIR writes a CPU profile of the dombridge child there (to find where checkout time goes).
  const profileDir = process.env['BENCH_CHECKOUT_PROFILE_DIR'];
  const db = { ...(await startDombridgeChild('dombridge (checkout)', {
    root: o.root, port, dataDir: join(work, 'data'), env: { DOM_URL: `http://${LOOPBACK}:${simPort}` },
    ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  })), simPort };
  const notes: string[] = [];
  let server: Percentiles | { error: string } = { error: 'not measured' };
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.loops, maxFreeSockets: o.loops });
  const recorded: { orderId: string; timings: Timings; total: number }[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let polls = 0;
  try {
    // Enough stock that no checkout of the run is back-ordered (Submit refuses back-ordered items).
    const topUp = await setSimStock(db.simPort, CHECKOUT_ITEM, `online:${CHECKOUT_STORE}`, 10_000_000);
    if (topUp) notes.push(`could not raise the simulator's stock of ${CHECKOUT_ITEM}: ${topUp}`);

    const post = (body: string) => postOnce(db.port, ORDER_PATH, body, SOAP11_HEADERS, 15_000, agent);
    const first = await checkout(post, 0, o);
    if (!first.ok) throw new Error(`a single checkout fails at ${first.step}: ${first.error}${logHint(db)}`);
    o.log(`checkout: one checkout works (order ${first.orderId}); ${o.loops} loops for ${(o.warmupMs + o.durationMs) / 1000} s`);

    const started = performance.now();
    const measureFrom = started + o.warmupMs;
    const end = measureFrom + o.durationMs;
    const loop = async (n: number): Promise<void> => {
      let shopper = n * 1_000_000;
      // Bounded by time: no checkout starts after `end`, and each one is bounded by its timeouts.
      while (performance.now() < end) {
        const t0 = performance.now();
        const r = await checkout(post, ++shopper, o);
        const t1 = performance.now();
        if (r.ok) {
          polls += r.polls;
          if (t1 >= measureFrom && t1 <= end) recorded.push({ orderId: r.orderId, timings: r.timings, total: t1 - t0 });
        } else {
          failures++;
          firstFailure ??= `${r.step}: ${r.error}`;
          await sleep(50);
        }
      }
    };
    await Promise.all(Array.from({ length: o.loops }, (_, i) => loop(i + 1)));
    // Read while the child still runs (WAL: a reader sees every commit), so the figure never depends on its shutdown.
    server = serverSubmitToG(db.dbPath, recorded.map((r) => r.orderId), stats);
  } finally {
    agent.destroy();
    const stopping = performance.now();
    await sim.stop(STOP_GRACE_MS);
    const code = await db.child.stop(STOP_GRACE_MS);
    if (code !== 0) {
      notes.push(`the dombridge child did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM (${code} after ${Math.round(performance.now() - stopping)} ms)${logHint(db)}`);
    }
  }

  const steps = Object.fromEntries(STEPS.map((k) => [k, stats(recorded.map((r) => r.timings[k]))])) as Record<Step, Percentiles>;
  const perSecond = (recorded.length * 1000) / o.durationMs;
  return {
    loops: o.loops, warmupMs: o.warmupMs, durationMs: o.durationMs, pollMs: o.pollMs,
    checkouts: recorded.length,
    checkoutsPerSecond: perSecond,
    bar: CHECKOUT_BAR_PER_SECOND,
    verdict: perSecond >= CHECKOUT_BAR_PER_SECOND ? 'PASS' : 'BELOW',
    steps,
    total: stats(recorded.map((r) => r.total)),
    serverSubmitToG: server,
    failures, firstFailure,
    getOrderPolls: polls,
    notes,
  };
}

export type Post = (body: string) => Promise<{ status: number; text: string }>;

export async function checkout(post: Post, shopper: number, o: CheckoutOptions): Promise<CheckoutOutcome> {
  const timings = {} as Timings;
  const step = async (name: Step, body: string): Promise<{ ok: true; text: string } | { ok: false; step: string; error: string }> => {
    const t0 = performance.now();
    let r: { status: number; text: string };
    try {
      r = await post(body);
    } catch (e) {
      return { ok: false, step: name, error: errorMessage(e) };
    }
    timings[name] = performance.now() - t0;
    const problem = answerProblem(r.status, r.text);
    return problem ? { ok: false, step: name, error: problem } : { ok: true, text: r.text };
  };

  const created = await step('create', createCartBod(shopper));
  if (!created.ok) return created;
  const orderId = orderIdOf(created.text);
  if (!orderId) return { ok: false, step: 'create', error: `the RespondOrder names no order id: ${created.text.slice(0, 300)}` };
  for (const [name, body] of [['payment', paymentBod(orderId)], ['prepare', processOrderBod('Prepare', orderId)], ['submit', processOrderBod('Submit', orderId)]] as const) {
    const r = await step(name, body);
    if (!r.ok) return r;
  }

  // Submit answered: poll GetOrder until the order is transferred.
  const submitted = performance.now();
  let polls = 0;
  let last = '';
  for (;;) {
    polls++;
    let r: { status: number; text: string };
    try {
      r = await post(getOrderBod(orderId));
    } catch (e) {
      return { ok: false, step: 'GetOrder', error: errorMessage(e) };
    }
    const problem = answerProblem(r.status, r.text);
    if (problem) return { ok: false, step: 'GetOrder', error: problem };
    const status = orderStatusOf(r.text) ?? '(none)';
    if (TRANSFERRED.has(status)) {
      timings.submitToG = performance.now() - submitted;
      return { ok: true, orderId, timings, polls };
    }
    if (status === 'X') return { ok: false, step: 'transfer', error: `order ${orderId} was canceled` };
    last = status;
    if (performance.now() - submitted > o.transferTimeoutMs) {
      return { ok: false, step: 'transfer', error: `order ${orderId} is still ${last}, not G, ${o.transferTimeoutMs} ms after Submit` };
    }
    await sleep(o.pollMs);
  }
}

/** Sets the simulator's on-hand quantity through its control API; returns a problem, or undefined. */
export async function setSimStock(simPort: number, catentryId: string, location: string, onHand: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://${LOOPBACK}:${simPort}/sim/stock`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ catentryId, location, onHand }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return res.ok ? undefined : `HTTP ${res.status}: ${text.slice(0, 200)}`;
  } catch (e) {
    return errorMessage(e);
  }
}

/** M → G time per recorded order from the status history (epoch ms written by dombridge). */
function serverSubmitToG(dbPath: string, orderIds: readonly string[], stats: (v: number[]) => Percentiles): Percentiles | { error: string } {
  if (orderIds.length === 0) return { error: 'no checkout completed in the window' };
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const rows = db.prepare(`SELECT order_id, to_status, MIN(at) AS at FROM order_status_history WHERE to_status IN ('M', 'G') GROUP BY order_id, to_status`).all() as { order_id: string; to_status: string; at: number }[];
    const m = new Map<string, number>();
    const g = new Map<string, number>();
    for (const r of rows) (r.to_status === 'M' ? m : g).set(r.order_id, r.at);
    const values: number[] = [];
    for (const id of orderIds) {
      const a = m.get(id), b = g.get(id);
      if (a !== undefined && b !== undefined) values.push(b - a);
    }
    if (values.length === 0) return { error: 'the status history holds no M and G rows for the recorded orders' };
    return stats(values);
  } catch (e) {
    return { error: `could not read the status history: ${errorMessage(e)}` };
  } finally {
    db?.close();
  }
}
