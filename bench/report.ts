/** The printed tables of `npm run bench`: each dombridge figure beside its baselines, ratios and bars. */
import { fmtInt, fmtMB, fmtMs, fmtRatio, table } from './bench-support.js';
import type { CacheHitResult, Figure } from './cache-hit.bench.js';
import type { CheckoutResult, Percentiles } from './checkout.bench.js';
import type { LoadInventoryResult } from './load-inventory.bench.js';
import type { NodesResult } from './nodes.bench.js';

export type SectionOutcome<T> = { ok: true; result: T } | { ok: false; error: string } | { ok: false; skipped: true };

const out = (s: string) => process.stdout.write(`${s}\n`);

/** Microseconds, or n/a where they could not be measured (no /proc). */
const fmtUs = (us: number) => (Number.isFinite(us) ? `${Math.round(us)} µs` : 'n/a');
const fmtPercent = (p: number) => (Number.isFinite(p) ? `${Math.round(p)} %` : 'n/a');

function notMeasured<T>(title: string, s: SectionOutcome<T>): s is { ok: false; error: string } | { ok: false; skipped: true } {
  if (s.ok) return false;
  out(`\n${title}`);
  out('skipped' in s ? '  skipped (--only)' : `  SECTION FAILED: ${s.error}`);
  return true;
}

export function printCacheHit(s: SectionOutcome<CacheHitResult>): void {
  const title = '1. Cache-hit GetInventoryAvailability over HTTP';
  if (notMeasured(title, s)) return;
  const r = s.result;
  out(`\n${title}`);
  out(`   item ${r.request.item} at online store ${r.request.store}, SOAP 1.1 request of ${r.request.bytes} B (a new BODID each), ${r.request.connections} keep-alive connections, ` +
    `${r.request.durationMs / 1000} s measured after ${r.request.warmupMs / 1000} s warm-up, in ${r.request.rounds} round(s); every server a child process, all five running side by side`);
  out(`   each server is measured once per round (the order rotates); a row is its median round, a ratio the median of the per-round ratios`);
  out(`   load generator: ${r.loader.description}`);
  out(`   CPU/req and CPU: the server process's user + system time (all threads) over the measured window, per request and as % of one core`);
  const row = (name: string, f: Figure): string[] =>
    f.ok
      ? [name, fmtInt(f.requestsPerSecond), fmtMs(f.p50Ms), fmtMs(f.p99Ms), fmtUs(f.cpuUsPerRequest), fmtPercent(f.cpuPercent), fmtInt(f.requests), String(f.errors),
        Number.isFinite(f.responseBytes) ? `${f.responseBytes} B` : '—', f.roundsRps.map(fmtInt).join(' / ')]
      : [name, 'FAILED', '', '', '', '', '', '', '', ''];
  out(table([
    ['server', 'req/s', 'p50', 'p99', 'CPU/req', 'CPU', 'requests', 'errors', 'answer', 'req/s by round'],
    row('dombridge (cache hit)', r.dombridge),
    row('dombridge, message store off', r.dombridgeNoMessages),
    row('dombridge, access log on', r.dombridgeAccessLog),
    row('B: node-soap, same WSDL op', r.nodeSoap),
    row('A: bare node:http, canned', r.bare),
  ]));
  out(`   dombridge/node-soap = ${fmtRatio(r.ratioToNodeSoap)}   dombridge/bare = ${fmtRatio(r.ratioToBare)}`);
  const cost = r.messageStoreCost * 100;
  const cpuCost = Number.isFinite(r.messageStoreCpuUs)
    ? `${fmtUs(r.messageStoreCpuUs)} CPU per request (${Math.abs(r.messageStoreCpuShare * 100).toFixed(1)} % ${r.messageStoreCpuShare < 0 ? 'less' : 'more'} CPU)`
    : 'n/a µs CPU per request';
  out(Number.isFinite(cost)
    ? `   message store cost: ${cost.toFixed(1)} % throughput (bar ≤ 15 %), ${cpuCost} — ${cost <= 15 ? 'PASS' : 'BELOW'}   (against DOMBRIDGE_MESSAGE_STORE=off)`
    : '   message store cost: not measured (bar ≤ 15 %)');
  const logCost = r.accessLogCost * 100;
  out(Number.isFinite(logCost)
    ? `   access log: on/off = ${fmtRatio(1 - r.accessLogCost)} req/s, cost ${logCost.toFixed(1)} % throughput, ${fmtUs(r.accessLogCpuUs)} CPU per request (records on in both)`
    : '   access log cost: not measured');
  if (Number.isFinite(r.honestRecordUs)) out(`   honest records' own steps (outcome, record id, counted with its exemplar), in-process: ${r.honestRecordUs.toFixed(2)} µs a request`);
  if (Number.isFinite(r.accessLogStepsUs)) out(`   access log's own steps (fields into columns, lines formatted and written in batches), in-process: ${r.accessLogStepsUs.toFixed(2)} µs CPU a request`);
  const obs = r.observabilityCost * 100;
  out(Number.isFinite(obs)
    ? `   access log + honest records' steps, over HTTP (access log on/off, noisy): ${obs.toFixed(1)} % of a cache hit (bar ≤ 5 %) — ${obs <= 5 ? 'PASS' : 'BELOW'}`
    : '   access log + honest records: not measured (bar ≤ 5 %)');
  const steps = r.observabilityStepsCost * 100;
  if (Number.isFinite(steps)) {
    out(`   access log + honest records' steps, in-process (a lower bound): ${(r.accessLogStepsUs + r.honestRecordUs).toFixed(2)} µs = ${steps.toFixed(1)} % of a cache hit's ${fmtUs(r.dombridge.ok ? r.dombridge.cpuUsPerRequest : NaN)} CPU (bar ≤ 5 %) — ${steps <= 5 ? 'PASS' : 'BELOW'}`);
  }
  if (Number.isFinite(r.recordsAndLogCost)) out(`   records + access log on / both off = ${fmtRatio(1 - r.recordsAndLogCost)} req/s (${(r.recordsAndLogCost * 100).toFixed(1)} %: the message store's record and idempotency included, whose own bar is ≤ 15 %)`);
  for (const [name, f] of [['dombridge', r.dombridge], ['dombridge (message store off)', r.dombridgeNoMessages], ['dombridge (access log on)', r.dombridgeAccessLog], ['node-soap', r.nodeSoap], ['bare', r.bare]] as const) {
    if (!f.ok) out(`   ${name} FAILED: ${f.error}`);
    else if (f.errors > 0) out(`   ${name}: ${f.errors} errors, the first: ${f.firstError}`);
  }
  if (r.profile) {
    if ('error' in r.profile) out(`   CPU profile of dombridge: ${r.profile.error}`);
    else {
      out(`   CPU profile of the dombridge child under the same load (${Math.round(r.profile.totalMs)} ms sampled, ${r.profile.idlePercent.toFixed(1)}% idle), top functions by self time:`);
      out(table([['function', 'self', '%'], ...r.profile.top.map((h) => [h.where, fmtMs(h.selfMs), h.selfPercent.toFixed(1)])], '     '));
    }
  }
}

export function printCheckout(s: SectionOutcome<CheckoutResult>, cache: SectionOutcome<CacheHitResult>): void {
  const title = '2. Complete checkouts per second (Create → payment → Prepare → Submit → transferred G)';
  if (notMeasured(title, s)) return;
  const r = s.result;
  out(`\n${title}`);
  out(`   ${r.loops} concurrent checkout loops, ${r.durationMs / 1000} s measured after ${r.warmupMs / 1000} s warm-up; durable writes (SQLite synchronous FULL); ` +
    `DOM = the simulator in its own process (confirms by callback at once; release/ship an hour away); G polled with GetOrder every ${r.pollMs} ms`);
  const cacheRps = cache.ok && cache.result.dombridge.ok ? `${fmtInt(cache.result.dombridge.requestsPerSecond)} req/s` : 'not measured';
  out(table([
    ['figure', 'value', 'bar', 'verdict'],
    ['checkouts/s', r.checkoutsPerSecond.toFixed(1), `≥ ${r.bar}`, r.verdict],
    ['cache-hit GetInventoryAvailability (section 1)', cacheRps, '', ''],
  ]));
  const p = (x: Percentiles) => [fmtMs(x.p50Ms), fmtMs(x.p99Ms)];
  const server = 'error' in r.serverSubmitToG ? ['—', '—'] : p(r.serverSubmitToG);
  out(table([
    ['step (client-observed)', 'p50', 'p99'],
    ['ChangeOrder Create (cart + item)', ...p(r.steps.create)],
    ['ChangeOrder payment instruction', ...p(r.steps.payment)],
    ['ProcessOrder Prepare', ...p(r.steps.prepare)],
    ['ProcessOrder Submit', ...p(r.steps.submit)],
    [`Submit → G seen by GetOrder (poll ${r.pollMs} ms)`, ...p(r.steps.submitToG)],
    ['Submit → G as recorded by dombridge', ...server],
    ['whole checkout', ...p(r.total)],
  ]));
  out(`   ${fmtInt(r.checkouts)} checkouts completed in the window, ${r.failures} failed, ${fmtInt(r.getOrderPolls)} GetOrder polls in all`);
  if (r.firstFailure) out(`   first failure: ${r.firstFailure}`);
  if ('error' in r.serverSubmitToG) out(`   server-side Submit → G: ${r.serverSubmitToG.error}`);
  for (const n of r.notes) out(`   note: ${n}`);
}

export function printLoadInventory(s: SectionOutcome<LoadInventoryResult>): void {
  const title = '3. load-inventory';
  if (notMeasured(title, s)) return;
  const r = s.result;
  out(`\n${title}`);
  out(`   ${fmtInt(r.rows)} generated rows (${fmtMB(r.csvBytes)} CSV), each side a child process; peak RSS = the kernel's high-water mark (sampled every 50 ms in brackets)`);
  const loader = 'error' in r.loader ? undefined : r.loader;
  const bare = 'error' in r.sqlite ? undefined : r.sqlite;
  out(table([
    ['', 'rows/s', 'time', 'peak RSS', 'rows'],
    loader
      ? ['dombridge load-inventory', fmtInt(loader.rowsPerSecond), fmtMs(loader.durationMs), `${fmtMB(loader.maxRssBytes)} (${fmtMB(loader.sampledPeakBytes)})`, `${fmtInt(loader.upserted)} upserted, ${fmtInt(loader.rejected)} rejected`]
      : ['dombridge load-inventory', 'FAILED', '', '', ''],
    bare
      ? ['bare better-sqlite3 INSERT, 5,000/tx', fmtInt(bare.rowsPerSecond), fmtMs(bare.durationMs), `${fmtMB(bare.maxRssBytes)} (${fmtMB(bare.sampledPeakBytes)})`, `${fmtInt(bare.rows)} inserted`]
      : ['bare better-sqlite3 INSERT, 5,000/tx', 'FAILED', '', '', ''],
  ]));
  out(`   ratio loader/bare = ${fmtRatio(r.ratio)} (bar ≥ ${r.ratioBar}: ${r.ratioVerdict})   loader peak RSS ${loader ? fmtMB(loader.maxRssBytes) : '—'} (bar < ${fmtMB(r.peakRssBarBytes)}: ${r.peakRssVerdict})`);
  if ('error' in r.loader) out(`   loader FAILED: ${r.loader.error}`);
  else if (r.loader.firstRejection) out(`   first rejected row: ${r.loader.firstRejection}`);
  if ('error' in r.sqlite) out(`   bare insert FAILED: ${r.sqlite.error}`);
}

export function printNodes(s: SectionOutcome<NodesResult>, settings: { cacheMs: number; checkoutMs: number; loops: number; connections: number }): void {
  const title = '4. Store and processes side by side: SQLite / PostgreSQL, one process / serve --workers 2';
  if (notMeasured(title, s)) return;
  const r = s.result;
  out(`\n${title}`);
  out(`   each configuration in turn, same run: cache-hit Gets (${settings.connections} connections, ${settings.cacheMs / 1000} s, ${r.loader}), then ${settings.loops} checkout loops for ${settings.checkoutMs / 1000} s; ` +
    `DOM = the simulator in its own process; PostgreSQL at ${r.pgUrl}, a fresh database each; CPU = every process of the server (primary and workers)`);
  const rows: string[][] = [['configuration', 'Gets/s', 'ratio', 'CPU/Get', 'checkouts/s', 'ratio', 'CPU/checkout', 'server CPU', 'p99 create', 'p99 payment', 'p99 Prepare', 'p99 Submit', 'p99 Submit→G']];
  const base = r.configs.sqlite1;
  const baseOk = base && !('error' in base) ? base : undefined;
  const ratio = (a: number, b: number | undefined) => (b && Number.isFinite(a) && b > 0 ? fmtRatio(a / b) : '—');
  for (const [name, f] of Object.entries(r.configs)) {
    if (!f) continue;
    if ('error' in f) {
      rows.push([name, `FAILED: ${f.error.slice(0, 200)}`]);
      continue;
    }
    rows.push([
      f.label, fmtInt(f.getsPerSecond), ratio(f.getsPerSecond, baseOk?.getsPerSecond), fmtUs(f.cpuUsPerGet),
      f.checkoutsPerSecond.toFixed(1), ratio(f.checkoutsPerSecond, baseOk?.checkoutsPerSecond),
      Number.isFinite(f.cpuMsPerCheckout) ? `${f.cpuMsPerCheckout.toFixed(1)} ms` : 'n/a', fmtPercent(f.checkoutCpuPercent),
      fmtMs(f.steps.create.p99Ms), fmtMs(f.steps.payment.p99Ms), fmtMs(f.steps.prepare.p99Ms), fmtMs(f.steps.submit.p99Ms), fmtMs(f.steps.submitToG.p99Ms),
    ]);
    if (f.checkoutFailures) out(`   ${f.label}: ${f.checkoutFailures} checkouts failed`);
  }
  out(table(rows));
  out('   ratios against SQLite in one process; the machine\'s cores are shared by the server, PostgreSQL, the simulator and the load generator');
}
