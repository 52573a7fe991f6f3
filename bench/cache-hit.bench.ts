/**
 * Section 1: cache-hit GetInventoryAvailability over HTTP. dombridge (file-backed SQLite, demo data, built-in DOM
 * simulator) runs in a child process; after one warming request the record of item 20311 at store 10201 is fresh
 * for 600 s, so every measured request is answered from the cache. The same request is sent, with the same
 * load, to two baselines in child processes of their own: a bare node:http server answering the same bytes
 * (A), and a minimal node-soap server for the same WSDL operation (B). Every request carries a BODID of its own,
 * as a real client's do: a repeated BODID would be answered by dombridge's idempotent receiver from its message
 * store instead of by the inventory handler. dombridge also runs a second time with DOMBRIDGE_MESSAGE_STORE=off
 * (no message store, no idempotent receiver), for the message store's cost (bar: ≤ 15 %), and a third time with
 * the access log on (a line per request; the other two have ACCESS_LOG=off, all three LOG_LEVEL=info): the access
 * log's cost, and what the records and the access log cost together (bar: ≤ 5 %, docs/operations.md).
 *
 * The four servers run side by side and are measured in rounds, each server once per round, the order rotating
 * from round to round: on this 2-core machine two back-to-back runs of the same server differ by up to ±15 %, so
 * a figure is the median of its rounds and a ratio the median of its per-round ratios, and the rounds are printed.
 * The load comes from wrk when it is installed, else from a Node client in the bench process (load-generator.ts);
 * each server's CPU time (all threads) is read from /proc over the measured window, so a figure also says what a
 * request costs the server in CPU, not only how many requests the machine got through while sharing its cores.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, spawnNode, tempDir, type BenchChild } from './bench-support.js';
import { findProfile, summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { logHint, startDombridgeChild } from './dombridge-child.js';
import { postOnce, SOAP11_HEADERS, uniqueFiller, type HttpLoadResult, type UniqueSlot } from './http-load.js';
import { pickLoadGenerator, type LoadGenerator, type LoaderChoice } from './load-generator.js';
import { accessLogStepsUs } from './access-log-steps.js';
import { honestRecordStepsUs } from './honest-record-steps.js';
import { cpuFigure, cpuMeter, type CpuFigure } from './process-cpu.js';
import { getAvailabilityBod, INVENTORY_PATH, itemAtOnline, soap11 } from '../test/support/test-app.js';

export interface CacheHitOptions {
  /** The package root (bin/, wsdl/). */
  readonly root: string;
  readonly connections: number;
  /** How many times each server is measured (its figure is the median round). */
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Profile the dombridge child: always, only when it is slower than node-soap, or never. */
  readonly profile: 'always' | 'if-slower' | 'never';
  /** wrk, the Node client, or wrk when it is on PATH. */
  readonly loader: LoaderChoice;
  readonly log: (line: string) => void;
}

export type Figure = ({ ok: true } & HttpLoadResult & CpuFigure & { responseBytes: number; roundsRps: number[] }) | { ok: false; error: string };

/** A measured run: the load generator's figures and the server's CPU time over the same window. */
type Measured = HttpLoadResult & CpuFigure;

export interface CacheHitResult {
  /** The warm-up and measured window as the load generator ran them (wrk: whole seconds), per round. */
  readonly request: { item: string; store: string; bytes: number; connections: number; warmupMs: number; durationMs: number; rounds: number };
  readonly loader: { kind: LoadGenerator['kind']; description: string };
  readonly dombridge: Figure;
  /** dombridge with DOMBRIDGE_MESSAGE_STORE=off (no message store, no idempotent receiver), same request and load. */
  readonly dombridgeNoMessages: Figure;
  /** dombridge at LOG_LEVEL=info: the access log on (one line per request), records on. */
  readonly dombridgeAccessLog: Figure;
  /** 1 − access log on ÷ off (dombridge, silent), req/s: the access log's cost (bar: at most 0.05). */
  readonly accessLogCost: number;
  /** The access log's CPU per request, µs (on minus off). */
  readonly accessLogCpuUs: number;
  /** 1 − records and access log on ÷ both off (message store off), req/s: the message store's cost included. */
  readonly recordsAndLogCost: number;
  /** What honest records add to a cache hit beyond the record itself, µs a request (honest-record-steps.ts). */
  readonly honestRecordUs: number;
  /** The access log's own steps, µs of CPU a request, in-process (access-log-steps.ts): a lower bound. */
  readonly accessLogStepsUs: number;
  /** accessLogStepsUs plus honestRecordUs as a share of a cache hit's CPU a request: the 5 % bar's in-process figure. */
  readonly observabilityStepsCost: number;
  /** The access log's throughput cost plus honestRecordUs as a share of a cache hit's CPU: the 5 % bar's figure. */
  readonly observabilityCost: number;
  /** 1 − dombridge req/s ÷ dombridgeNoMessages req/s: the throughput the message store costs (bar: at most 0.15). */
  readonly messageStoreCost: number;
  /** dombridge's CPU per request minus dombridgeNoMessages's, µs: what the message store costs in CPU. */
  readonly messageStoreCpuUs: number;
  /** dombridge's CPU per request ÷ dombridgeNoMessages's − 1. */
  readonly messageStoreCpuShare: number;
  readonly bare: Figure;
  readonly nodeSoap: Figure;
  /** dombridge req/s ÷ baseline req/s. */
  readonly ratioToNodeSoap: number;
  readonly ratioToBare: number;
  readonly profile?: ProfileSummary | { error: string };
}

const ITEM = '20311';
const STORE = '10201';

/** Length of the BODID written into every request: a UUID's. */
const BODID_LENGTH = 36;

/** The request, with a fixed-width BODID that the load generator rewrites for every request. */
export function buildRequest(): { request: Buffer; slot: UniqueSlot } {
  const placeholder = '0'.repeat(BODID_LENGTH);
  const text = soap11(getAvailabilityBod(itemAtOnline(ITEM, STORE), STORE)).replace(/<oa:BODID>[^<]*<\/oa:BODID>/, `<oa:BODID>${placeholder}</oa:BODID>`);
  const at = text.indexOf(`<oa:BODID>${placeholder}`);
  if (at < 0) throw new Error('the GetInventoryAvailability request has no oa:BODID to vary');
  return { request: Buffer.from(text), slot: { offset: Buffer.byteLength(text.slice(0, at)) + '<oa:BODID>'.length, length: BODID_LENGTH } };
}

export async function runCacheHitBench(o: CacheHitOptions): Promise<CacheHitResult> {
  const { request, slot } = buildRequest();
  const fresh = withFreshBodId(request, slot);
  const generator = pickLoadGenerator(o.loader);
  o.log(`cache-hit: load generator: ${generator.description}`);
  const load = (port: number, onWindow?: (edge: 'open' | 'close') => void, expectedBytes?: number) =>
    generator.run({
      port, path: INVENTORY_PATH, body: request, uniqueSlot: slot, headers: SOAP11_HEADERS, connections: o.connections, warmupMs: o.warmupMs, durationMs: o.durationMs,
      ...(onWindow ? { onWindow } : {}),
      ...(expectedBytes !== undefined ? { expectedBytes } : {}),
    });
  // The server's CPU is sampled at the measured window's edges only: the warm-up is left out.
  const measure = async (pid: number | undefined, port: number, expectedBytes?: number): Promise<Measured> => {
    const cpu = cpuMeter(pid);
    const r = await load(port, (edge) => (edge === 'open' ? cpu.open() : cpu.close()), expectedBytes);
    return { ...r, ...cpuFigure(cpu.use(), r.requests) };
  };

  // dombridge first: its warmed answer is what the bare baseline serves.
  const work = tempDir('cache');
  const servers: Server[] = [];
  try {
    o.log(`cache-hit: starting dombridge three times (demo, file-backed SQLite in temporary directories; once with DOMBRIDGE_MESSAGE_STORE=off, once with the access log on)`);
    // All three at LOG_LEVEL=info, as in production, so that the access log is the only difference of the third.
    const on = await startDombridgeChild('dombridge (cache-hit)', { root: o.root, dataDir: join(work, 'data'), env: { LOG_LEVEL: 'info', ACCESS_LOG: 'off' } });
    servers.push({ name: 'dombridge', child: on.child, port: on.port, expectedBytes: undefined });
    const canned = await warm(on.port, fresh).catch((e: unknown) => { throw new Error(`${errorMessage(e)}${logHint(on)}`); });
    const cannedBytes = Buffer.byteLength(canned);
    servers[0] = { ...servers[0]!, expectedBytes: cannedBytes };
    const off = await startDombridgeChild('dombridge (cache-hit, message store off)', { root: o.root, dataDir: join(work, 'data-off'), env: { DOMBRIDGE_MESSAGE_STORE: 'off', LOG_LEVEL: 'info', ACCESS_LOG: 'off' } });
    servers.push({ name: 'dombridgeNoMessages', child: off.child, port: off.port, expectedBytes: cannedBytes });
    await warm(off.port, fresh).catch((e: unknown) => { throw new Error(`${errorMessage(e)}${logHint(off)}`); });
    const logged = await startDombridgeChild('dombridge (cache-hit, access log on)', { root: o.root, dataDir: join(work, 'data-log'), env: { LOG_LEVEL: 'info', ACCESS_LOG: 'on' } });
    servers.push({ name: 'dombridgeAccessLog', child: logged.child, port: logged.port, expectedBytes: cannedBytes });
    await warm(logged.port, fresh).catch((e: unknown) => { throw new Error(`${errorMessage(e)}${logHint(logged)}`); });
    const cannedFile = join(work, 'show-inventory-availability.xml');
    writeFileSync(cannedFile, canned);

    o.log(`cache-hit: starting the baselines (bare node:http, node-soap)`);
    const bare = await startBaseline('bare node:http', join(o.root, 'dist', 'bench', 'baseline-bare.server.js'), [cannedFile]);
    servers.push({ name: 'bare', child: bare.child, port: bare.port, expectedBytes: cannedBytes });
    const r = await postOnce(bare.port, INVENTORY_PATH, fresh(), SOAP11_HEADERS);
    if (r.status !== 200) throw new Error(`bare baseline answered HTTP ${r.status}`);
    const soap = await startBaseline('node-soap', join(o.root, 'dist', 'bench', 'baseline-soap.server.js'), [join(o.root, 'wsdl', 'InventoryServices.wsdl'), INVENTORY_PATH]);
    servers.push({ name: 'nodeSoap', child: soap.child, port: soap.port, expectedBytes: undefined });
    const s = await postOnce(soap.port, INVENTORY_PATH, fresh(), SOAP11_HEADERS);
    if (s.status !== 200 || !s.text.includes('ShowInventoryAvailability')) throw new Error(`node-soap baseline answered HTTP ${s.status}: ${s.text.slice(0, 300)}`);
    const answerBytes: Record<ServerName, number> = { dombridge: cannedBytes, dombridgeNoMessages: cannedBytes, dombridgeAccessLog: cannedBytes, bare: Buffer.byteLength(r.text), nodeSoap: Buffer.byteLength(s.text) };

    // Rounds: every server once per round, the order rotated so no server always follows the same one.
    const runs: Record<ServerName, (Measured | { error: string })[]> = { dombridge: [], dombridgeNoMessages: [], dombridgeAccessLog: [], bare: [], nodeSoap: [] };
    for (let round = 0; round < o.rounds; round++) {
      for (let k = 0; k < servers.length; k++) {
        const srv = servers[(k + round) % servers.length]!;
        o.log(`cache-hit: round ${round + 1} of ${o.rounds}: ${LABELS[srv.name]}`);
        try {
          runs[srv.name].push(await measure(srv.child.proc.pid, srv.port, srv.expectedBytes));
        } catch (e) {
          runs[srv.name].push({ error: errorMessage(e) });
        }
      }
    }
    const figure = (name: ServerName): Figure => medianFigure(runs[name], answerBytes[name]);
    const perRound = (f: (i: number) => number) => median(Array.from({ length: o.rounds }, (_, i) => f(i)));
    const rpsOf = (name: ServerName, i: number) => { const m = runs[name][i]; return m && 'requestsPerSecond' in m ? m.requestsPerSecond : NaN; };
    const cpuOf = (name: ServerName, i: number) => { const m = runs[name][i]; return m && 'cpuUsPerRequest' in m ? m.cpuUsPerRequest : NaN; };
    const result: { -readonly [K in keyof CacheHitResult]: CacheHitResult[K] } = {
      request: { item: ITEM, store: STORE, bytes: request.length, connections: o.connections, warmupMs: generator.windowMs(o.warmupMs), durationMs: generator.windowMs(o.durationMs), rounds: o.rounds },
      loader: { kind: generator.kind, description: generator.description },
      dombridge: figure('dombridge'), dombridgeNoMessages: figure('dombridgeNoMessages'), dombridgeAccessLog: figure('dombridgeAccessLog'), bare: figure('bare'), nodeSoap: figure('nodeSoap'),
      messageStoreCost: perRound((i) => 1 - rpsOf('dombridge', i) / rpsOf('dombridgeNoMessages', i)),
      messageStoreCpuUs: perRound((i) => cpuOf('dombridge', i) - cpuOf('dombridgeNoMessages', i)),
      messageStoreCpuShare: perRound((i) => cpuOf('dombridge', i) / cpuOf('dombridgeNoMessages', i) - 1),
      accessLogCost: perRound((i) => 1 - rpsOf('dombridgeAccessLog', i) / rpsOf('dombridge', i)),
      accessLogCpuUs: perRound((i) => cpuOf('dombridgeAccessLog', i) - cpuOf('dombridge', i)),
      recordsAndLogCost: perRound((i) => 1 - rpsOf('dombridgeAccessLog', i) / rpsOf('dombridgeNoMessages', i)),
      honestRecordUs: NaN,
      accessLogStepsUs: NaN,
      observabilityStepsCost: NaN,
      observabilityCost: NaN,
      ratioToNodeSoap: perRound((i) => rpsOf('dombridge', i) / rpsOf('nodeSoap', i)),
      ratioToBare: perRound((i) => rpsOf('dombridge', i) / rpsOf('bare', i)),
    };
    for (const srv of servers.splice(0)) await srv.child.stop();
    // Timed with the servers stopped, so the bench's own process has a core to itself.
    const honestRecordUs = await honestRecordStepsUs(canned);
    const hitCpuUs = result.dombridge.ok ? result.dombridge.cpuUsPerRequest : NaN;
    result.honestRecordUs = honestRecordUs;
    result.observabilityCost = result.accessLogCost + honestRecordUs / hitCpuUs;
    result.accessLogStepsUs = await accessLogStepsUs();
    result.observabilityStepsCost = (result.accessLogStepsUs + honestRecordUs) / hitCpuUs;
    const slower = result.ratioToNodeSoap < 1;
    if (o.profile === 'always' || (o.profile === 'if-slower' && slower)) {
      o.log(`cache-hit: profiling the dombridge child (node --cpu-prof)${slower ? ', because it is slower than node-soap' : ''}`);
      return { ...result, profile: await profileDombridge(o, fresh, (port) => load(port), generator.windowMs(o.warmupMs) + generator.windowMs(o.durationMs)) };
    }
    return result;
  } finally {
    for (const srv of servers) await srv.child.stop();
  }
}

type ServerName = 'dombridge' | 'dombridgeNoMessages' | 'dombridgeAccessLog' | 'bare' | 'nodeSoap';
const LABELS: Record<ServerName, string> = {
  dombridge: 'dombridge', dombridgeNoMessages: 'dombridge with DOMBRIDGE_MESSAGE_STORE=off', dombridgeAccessLog: 'dombridge with the access log on (LOG_LEVEL=info)', bare: 'bare node:http baseline', nodeSoap: 'node-soap baseline',
};

interface Server {
  readonly name: ServerName;
  readonly child: BenchChild;
  readonly port: number;
  readonly expectedBytes: number | undefined;
}

function median(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** A server's figure: its median round by requests/s (an actual run, so its latencies and CPU belong together). */
function medianFigure(runs: readonly (Measured | { error: string })[], responseBytes: number): Figure {
  const ok = runs.filter((r): r is Measured => 'requestsPerSecond' in r);
  if (ok.length === 0) return { ok: false, error: runs.map((r) => ('error' in r ? r.error : '')).find(Boolean) ?? 'not measured' };
  const sorted = [...ok].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ok: true, ...mid, responseBytes, roundsRps: ok.map((r) => r.requestsPerSecond) };
}

async function startBaseline(name: string, script: string, args: string[]): Promise<{ child: BenchChild; port: number }> {
  const child = spawnNode(name, script, { args });
  try {
    const line = await child.waitForLine((l) => l.startsWith('{"port":'), 20_000);
    return { child, port: (JSON.parse(line) as { port: number }).port };
  } catch (e) {
    await child.stop();
    throw e;
  }
}

/** Copies of the request, each with a BODID of its own. */
export function withFreshBodId(request: Buffer, slot: UniqueSlot): () => Buffer {
  const next = uniqueFiller(slot.length);
  return () => {
    const b = Buffer.from(request);
    b.write(next(), slot.offset, slot.length, 'latin1');
    return b;
  };
}

/**
 * Two requests with BODIDs of their own: the first may ask DOM and fills the cache; the second must come from the
 * cache. Returns the second answer's text (what the bare baseline serves).
 */
export async function warm(port: number, fresh: () => Buffer): Promise<string> {
  const first = await postOnce(port, INVENTORY_PATH, fresh(), SOAP11_HEADERS);
  if (first.status !== 200 || !first.text.includes('ShowInventoryAvailability')) {
    throw new Error(`the warming GetInventoryAvailability was answered HTTP ${first.status}: ${first.text.slice(0, 400)}`);
  }
  const second = await postOnce(port, INVENTORY_PATH, fresh(), SOAP11_HEADERS);
  const source = /name="availabilitySource">([^<]*)</.exec(second.text)?.[1];
  if (second.status !== 200 || source !== 'cache') {
    throw new Error(`after warming, the answer does not come from the cache (HTTP ${second.status}, availabilitySource ${source ?? 'absent'}): ${second.text.slice(0, 400)}`);
  }
  return second.text;
}

/** `loadMs`: how long `load` runs, warm-up included (the part of the profile that is summarised). */
async function profileDombridge(o: CacheHitOptions, fresh: () => Buffer, load: (port: number) => Promise<HttpLoadResult>, loadMs: number): Promise<ProfileSummary | { error: string }> {
  const dir = tempDir('cpuprof');
  try {
    const db = await startDombridgeChild('dombridge (cpu profile)', { root: o.root, dataDir: join(dir, 'data'), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    try {
      await warm(db.port, fresh);
      await load(db.port);
    } finally {
      // The profile is written when the process exits on its own (SIGTERM → graceful close).
      const code = await db.child.stop(15_000);
      if (code !== 0) o.log(`cache-hit: the profiled child exited with ${code}`);
    }
    const file = findProfile(dir);
    if (!file) return { error: 'the profiled child wrote no .cpuprofile (it did not exit on its own after SIGTERM)' };
    return summariseProfile(file, o.root, 15, loadMs);
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

