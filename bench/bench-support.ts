/**
 * What every benchmark section shares: child processes that are always cleaned up, free loopback ports, waiting
 * for a child to answer, temporary directories, percentiles and number formatting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOOPBACK = '127.0.0.1';

// ---------------------------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------------------------

/** Lines of a child's stderr kept for error messages. */
/** The first stdout lines kept for waitForLine, and how much of its end is kept for a failure's message. */
const STDOUT_FIRST_LINES = 1000;
const STDOUT_TAIL_CHARS = 8192;
const STDERR_LINES_KEPT = 40;

export interface BenchChild {
  readonly name: string;
  readonly proc: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** The last lines the child wrote to stderr (for failure messages). */
  stderrTail(): string;
  /** The last lines the child wrote to stdout (dombridge's log). */
  stdoutTail(): string;
  /** Resolves with the first stdout line that `match` accepts; rejects on exit or after `timeoutMs`. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

const running = new Set<BenchChild>();

export interface SpawnOptions {
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Extra node options placed before the script (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

/** Environment variables of the bench's own environment that would change how a dombridge child behaves. */
const DOMBRIDGE_ENV = ['PORT', 'HOST', 'DOMBRIDGE_DATA', 'DOMBRIDGE_DB', 'DOMBRIDGE_DB_SYNC', 'DOM_URL', 'DOM_SIM_PORT', 'SMTP_URL', 'LOG_LEVEL'];

/** A copy of this process's environment without dombridge settings, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of DOMBRIDGE_ENV) delete env[k];
  delete env['NODE_OPTIONS'];
  return { ...env, ...extra };
}

/** Starts `node [nodeArgs] script [args]`; the child is registered so `stopAllChildren` always ends it. */
export function spawnNode(name: string, script: string, opts: SpawnOptions): BenchChild {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...opts.args], {
    env: opts.env ?? childEnv({}),
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  let stderrPartial = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    const parts = (stderrPartial + chunk).split('\n');
    stderrPartial = parts.pop() ?? '';
    for (const l of parts) {
      stderr.push(l);
      if (stderr.length > STDERR_LINES_KEPT) stderr.shift();
    }
  });

  const lineWaiters = new Set<{ match: (l: string) => boolean; resolve: (l: string) => void }>();
  // The first lines (for waitForLine), and the last few KiB as text (dombridge logs to stdout), both bounded. Past
  // the first lines the bench only drains the pipe, as a log collector would: a child with its access log on writes
  // thousands of lines a second, and cutting them into lines here took CPU from the two cores the servers share.
  const stdoutLines: string[] = [];
  let stdoutTail = '';
  let stdoutPartial = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    stdoutTail += chunk;
    if (stdoutTail.length > 2 * STDOUT_TAIL_CHARS) stdoutTail = stdoutTail.slice(-STDOUT_TAIL_CHARS);
    if (stdoutLines.length >= STDOUT_FIRST_LINES && lineWaiters.size === 0) return;
    const parts = (stdoutPartial + chunk).split('\n');
    stdoutPartial = parts.pop() ?? '';
    for (const l of parts) {
      if (stdoutLines.length < STDOUT_FIRST_LINES) stdoutLines.push(l);
      for (const w of lineWaiters) {
        if (w.match(l)) {
          lineWaiters.delete(w);
          w.resolve(l);
        }
      }
    }
  });

  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    proc.once('error', (e) => {
      running.delete(child);
      stderr.push(`spawn failed: ${e.message}`);
      resolve('spawn-error');
    });
  });

  const child: BenchChild = {
    name,
    proc,
    exited,
    stderrTail: () => [...stderr, stderrPartial].filter((l) => l.trim() !== '').slice(-10).join('\n'),
    stdoutTail: () => stdoutTail.split('\n').filter((l) => l.trim() !== '').slice(-10).join('\n'),
    waitForLine(match, timeoutMs) {
      const seen = stdoutLines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          lineWaiters.delete(waiter);
          reject(new Error(`${name} printed no expected line within ${timeoutMs} ms${tailNote(child)}`));
        }, timeoutMs);
        lineWaiters.add(waiter);
        void exited.then((code) => {
          if (!lineWaiters.has(waiter)) return;
          lineWaiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before printing the expected line${tailNote(child)}`));
        });
      });
    },
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  running.add(child);
  return child;
}

function tailNote(c: BenchChild): string {
  const t = c.stderrTail();
  return t ? `; its stderr ends with:\n${t}` : '';
}

/** Ends every child still running (SIGTERM, then SIGKILL). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop(3000)));
}

/** Last resort on exit: the children must never outlive the bench. */
export function killAllChildrenNow(): void {
  for (const c of running) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ports and readiness
// ---------------------------------------------------------------------------------------------------------------

/** A port free on the loopback address right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** GET `path` until it answers 200, every 100 ms, for at most `timeoutMs`; fails early when the child exits. */
export async function waitForHttp(port: number, path: string, timeoutMs: number, child?: BenchChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child?.exited.then(() => (exited = true));
  let last = '';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child!.name} exited before answering on port ${port}${tailNote(child!)}`);
    try {
      const status = await getStatus(port, path);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`nothing answered 200 on ${LOOPBACK}:${port}${path} within ${timeoutMs} ms (last: ${last})${child ? tailNote(child) : ''}`);
}

function getStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: LOOPBACK, port, path, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// Temporary directories
// ---------------------------------------------------------------------------------------------------------------

const tempDirs = new Set<string>();

export function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `dombridge-bench-${label}-`));
  tempDirs.add(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------------

/** Nearest-rank percentile of `sorted` (ascending), `p` in 0..100. NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** 12345.6 → "12,346". */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

/** Milliseconds with a precision that suits their size. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '—';
}

export function fmtMB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : '—';
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Renders rows as an aligned text table; the first row is the header. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (r: readonly string[]) => indent + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(rows[0]!), indent + widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows.slice(1)) out.push(line(r));
  return out.join('\n');
}
