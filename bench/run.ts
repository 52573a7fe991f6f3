/**
 * `npm run bench`: dombridge's figures, each beside its baselines measured in the same run.
 *
 *   node dist/bench/run.js [--quick] [--only cache|checkout|load|nodes[,…]] [--cpu-prof] [--loader node|wrk|auto]
 *
 *   1. cache-hit GetInventoryAvailability over HTTP: dombridge vs a bare node:http server vs node-soap
 *   2. complete checkouts per second against the DOM simulator (bar: 100/s), beside the cache-hit figure
 *   3. load-inventory rows/s and peak RSS vs a bare better-sqlite3 insert (bars: ratio ≥ 0.5, peak < 200 MB)
 *   4. SQLite and PostgreSQL, one process and `serve --workers 2`, side by side: cache-hit Gets/s and checkouts/s
 *      with step p99s and CPU per request (needs PostgreSQL: BENCH_PG, default postgres://postgres@127.0.0.1:5432/test)
 *
 * Prints a table and writes the figures to var/bench/latest.json. A figure below its bar is reported, never
 * a failure; a section that cannot be measured is reported as failed (exit code 1) and the others still run.
 * `--cpu-prof` profiles the dombridge child of section 1 (done anyway when it is slower than node-soap).
 * `--loader` picks section 1's load generator: wrk, the Node client in this process, or (auto, the default) wrk
 * when it is on PATH.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../src/paths.js';
import { errorMessage, killAllChildrenNow, removeTempDirs, stopAllChildren } from './bench-support.js';
import { runCacheHitBench, type CacheHitResult } from './cache-hit.bench.js';
import { LOADER_CHOICES, type LoaderChoice } from './load-generator.js';
import { runCheckoutBench, type CheckoutResult } from './checkout.bench.js';
import { runLoadInventoryBench, type LoadInventoryResult } from './load-inventory.bench.js';
import { runNodesBench, type NodesResult } from './nodes.bench.js';
import { printCacheHit, printCheckout, printLoadInventory, printNodes, type SectionOutcome } from './report.js';

const SECTIONS = ['cache', 'checkout', 'load', 'nodes'] as const;
type Section = (typeof SECTIONS)[number];

interface Settings {
  readonly mode: 'full' | 'quick';
  readonly cache: { connections: number; rounds: number; warmupMs: number; durationMs: number };
  readonly checkout: { loops: number; warmupMs: number; durationMs: number; pollMs: number; transferTimeoutMs: number };
  readonly load: { rows: number };
}

const FULL: Settings = {
  mode: 'full',
  cache: { connections: 32, rounds: 5, warmupMs: 1000, durationMs: 3000 },
  checkout: { loops: 16, warmupMs: 2000, durationMs: 10_000, pollMs: 20, transferTimeoutMs: 15_000 },
  load: { rows: 1_000_000 },
};

const QUICK: Settings = {
  mode: 'quick',
  cache: { connections: 32, rounds: 2, warmupMs: 300, durationMs: 1500 },
  checkout: { loops: 16, warmupMs: 500, durationMs: 3000, pollMs: 20, transferTimeoutMs: 15_000 },
  load: { rows: 100_000 },
};

function usage(problem: string): never {
  process.stderr.write(`bench: ${problem}\nusage: node dist/bench/run.js [--quick] [--only cache|checkout|load|nodes[,…]] [--cpu-prof] [--loader node|wrk|auto]\n`);
  process.exit(64);
}

async function main(): Promise<number> {
  let values: { quick?: boolean; only?: string; 'cpu-prof'?: boolean; loader?: string };
  try {
    ({ values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, 'cpu-prof': { type: 'boolean' }, loader: { type: 'string' } } }));
  } catch (e) {
    usage(errorMessage(e));
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SECTIONS];
  for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) usage(`--only takes cache, checkout, load or nodes, not "${s}"`);
  const wanted = new Set(only as Section[]);
  const loader = values.loader ?? 'auto';
  if (!(LOADER_CHOICES as readonly string[]).includes(loader)) usage(`--loader takes node, wrk or auto, not "${loader}"`);
  const settings = values.quick ? QUICK : FULL;
  const log = (line: string) => process.stderr.write(`  … ${line}\n`);

  const cpus = os.cpus();
  const header = {
    generatedAt: new Date().toISOString(),
    mode: settings.mode,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
  };
  process.stdout.write(`\ndombridge benchmarks (${settings.mode}) — node ${header.node}, ${header.cpus} × ${header.cpuModel}, load average ${header.loadAverage1m}\n`);

  const run = async <T>(section: Section, fn: () => Promise<T>): Promise<SectionOutcome<T>> => {
    if (!wanted.has(section)) return { ok: false, skipped: true };
    try {
      return { ok: true, result: await fn() };
    } catch (e) {
      log(`${section}: FAILED — ${errorMessage(e)}`);
      return { ok: false, error: errorMessage(e) };
    } finally {
      await stopAllChildren();
    }
  };

  const cache = await run<CacheHitResult>('cache', () =>
    runCacheHitBench({ root: PACKAGE_ROOT, ...settings.cache, profile: values['cpu-prof'] ? 'always' : 'if-slower', loader: loader as LoaderChoice, log }));
  printCacheHit(cache);
  const checkout = await run<CheckoutResult>('checkout', () => runCheckoutBench({ root: PACKAGE_ROOT, ...settings.checkout, log }));
  printCheckout(checkout, cache);
  const load = await run<LoadInventoryResult>('load', () => runLoadInventoryBench({ root: PACKAGE_ROOT, ...settings.load, log }));
  printLoadInventory(load);
  const nodesSettings = { cache: { connections: settings.cache.connections, warmupMs: settings.cache.warmupMs, durationMs: settings.cache.durationMs }, checkout: settings.checkout };
  const nodes = await run<NodesResult>('nodes', () => runNodesBench({ root: PACKAGE_ROOT, ...nodesSettings, loader: loader as LoaderChoice, log }));
  printNodes(nodes, { cacheMs: settings.cache.durationMs, checkoutMs: settings.checkout.durationMs, loops: settings.checkout.loops, connections: settings.cache.connections });

  const loadAverageAtEnd = Number(os.loadavg()[0]!.toFixed(2));
  process.stdout.write(`\nLoad average ${header.loadAverage1m} at the start, ${loadAverageAtEnd} at the end (above ~1 on ${header.cpus} CPUs, other work shared the machine and the figures are low)\n`);
  const file = join(PACKAGE_ROOT, 'var', 'bench', 'latest.json');
  mkdirSync(join(PACKAGE_ROOT, 'var', 'bench'), { recursive: true });
  const section = <T>(s: SectionOutcome<T>) => (s.ok ? s.result : 'skipped' in s ? { skipped: true } : { error: s.error });
  writeFileSync(file, `${JSON.stringify({ ...header, loadAverage1mAtEnd: loadAverageAtEnd, cacheHit: section(cache), checkout: section(checkout), loadInventory: section(load), nodes: section(nodes) }, roundNumbers, 2)}\n`);
  process.stdout.write(`\nFigures written to var/bench/latest.json\n`);

  const failed = [cache, checkout, load, nodes].some((s) => !s.ok && !('skipped' in s));
  return failed ? 1 : 0;
}

/** JSON replacer: fractions to 3 decimals (milliseconds to the microsecond). */
function roundNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v;
}

process.once('exit', killAllChildrenNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping the child processes\n`);
    void stopAllChildren().finally(() => {
      removeTempDirs();
      process.exit(130);
    });
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
).finally(async () => {
  await stopAllChildren();
  removeTempDirs();
});
