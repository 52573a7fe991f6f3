import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { numbered } from '../../src/store/postgres/pg-query.js';
import { ON_POSTGRES, freshPostgresUrl } from './test-store.js';
import type { SimState } from '../../src/dom/simulator/dom-simulator.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { CrashPoint } from '../../src/reliability/crash-points.js';
import { child } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';
import type { PostResult } from './test-app.js';

/**
 * dombridge and the DOM simulator as REAL child processes (`node bin/dombridge.js serve …` and `… dom-sim …`),
 * for tests that kill, crash and restart the facade. The facade keeps its port, database file and data directory
 * across restarts, so a restarted process finds what the dead one committed. Every world started here is
 * registered and killed by `closeAllProcessWorlds()` (call it from an `after`/`afterEach` hook, or let
 * `useProcessWorlds()` register it) and, as a last resort, when the test process exits.
 */

const BIN = join(PACKAGE_ROOT, 'bin', 'dombridge.js');
/** Lines of output kept per process for failure messages. */
const KEPT_LINES = 300;
const START_TIMEOUT_MS = 20_000;

/** Settings of the facade that must come from us, never from the environment the tests run in. */
const OWN_ENV = /^(PORT|HOST|DOMBRIDGE_.*|DOM_.*|OUTBOX_.*|RETRANSFER_PENDING_S|SMTP_URL|LOG_LEVEL|EMAIL_FROM)$/;

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One child process with its recent output and a promise of its exit. */
export class ManagedProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  constructor(readonly label: string, readonly proc: ChildProcess) {
    const keep = (stream: string) => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(`[${label} ${stream}] ${line}`);
        if (this.lines.length > KEPT_LINES) this.lines.shift();
      }
    };
    proc.stdout?.on('data', keep('out'));
    proc.stderr?.on('data', keep('err'));
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Undefined while it runs. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.exitInfo === undefined && this.proc.pid !== undefined) {
      try {
        this.proc.kill(sig);
      } catch {
        // already gone
      }
    }
  }

  /** Resolves with the exit, or rejects after `timeoutMs` (the process is left running). */
  async waitForExit(timeoutMs: number): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label} (pid ${this.pid}) did not exit within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export interface ProcessWorldOptions {
  /** DOMBRIDGE_CRASH_AT of the first facade process. */
  readonly crashAt?: CrashPoint;
  /** More environment for the facade (kept across restarts unless restart() overrides it). */
  readonly env?: Readonly<Record<string, string>>;
  /** Start the facade with --demo (default true; the seed runs only on an empty database). */
  readonly demo?: boolean;
}

const live = new Set<ProcessWorld>();

/** A facade and a DOM simulator, each its own process, on loopback ports. */
export class ProcessWorld {
  readonly dataDir: string;
  readonly dbPath: string;
  /** The facade's PostgreSQL database when the tests run on PostgreSQL (test-store.ts); undefined on SQLite. */
  dbUrl: string | undefined;
  readonly outboxDir: string;
  readonly facadeUrl: string;
  readonly simUrl: string;
  /** The current facade process (replaced by restart()). */
  facade!: ManagedProcess;
  sim!: ManagedProcess;
  /** Every facade process this world started, oldest first (their output stays readable). */
  readonly generations: ManagedProcess[] = [];
  private closed = false;

  private constructor(readonly facadePort: number, readonly simPort: number, private readonly baseEnv: Readonly<Record<string, string>>, private readonly demo: boolean) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'dombridge-procworld-'));
    this.dbPath = join(this.dataDir, 'dombridge.db');
    this.outboxDir = join(this.dataDir, 'outbox');
    this.facadeUrl = `http://127.0.0.1:${facadePort}`;
    this.simUrl = `http://127.0.0.1:${simPort}`;
  }

  static async start(opts: ProcessWorldOptions = {}): Promise<ProcessWorld> {
    const [facadePort, simPort] = [await freePort(), await freePort()];
    const w = new ProcessWorld(facadePort, simPort, opts.env ?? {}, opts.demo ?? true);
    live.add(w);
    try {
      if (ON_POSTGRES) w.dbUrl = await freshPostgresUrl();
      w.sim = w.spawnProcess('dom-sim', ['dom-sim', '--port', String(simPort), '--callback-url', w.facadeUrl], { LOG_LEVEL: 'warn' });
      await w.waitHealthy(w.sim, w.simUrl);
      await w.startFacade(opts.crashAt ? { DOMBRIDGE_CRASH_AT: opts.crashAt } : {});
    } catch (e) {
      await w.close();
      throw e;
    }
    return w;
  }

  /** The facade's environment: ours, then the world's, then this start's. */
  private facadeEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
    return {
      DOM_URL: this.simUrl,
      DOMBRIDGE_DATA: this.dataDir,
      LOG_LEVEL: 'warn',
      OUTBOX_RETRY_MS: '100',
      OUTBOX_POLL_MS: '50',
      RETRANSFER_PENDING_S: '1',
      // A killed facade's claims come back after their lease: short here, so a restart finds its sends again soon.
      OUTBOX_LEASE_MS: '1000',
      ...this.baseEnv,
      ...extra,
    };
  }

  private async startFacade(extra: Readonly<Record<string, string>>): Promise<void> {
    const args = ['serve', '--port', String(this.facadePort), '--db', this.dbUrl ?? this.dbPath, ...(this.demo ? ['--demo'] : [])];
    this.facade = this.spawnProcess(`facade#${this.generations.length + 1}`, args, this.facadeEnv(extra));
    this.generations.push(this.facade);
    await this.waitHealthy(this.facade, this.facadeUrl);
  }

  private spawnProcess(label: string, args: string[], env: Record<string, string>): ManagedProcess {
    const inherited: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !OWN_ENV.test(k)) inherited[k] = v;
    const proc = spawn(process.execPath, [BIN, ...args], { cwd: PACKAGE_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ManagedProcess(label, proc);
  }

  private async waitHealthy(p: ManagedProcess, baseUrl: string): Promise<void> {
    const end = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (p.exit) throw new Error(`${p.label} exited while starting (${describeExit(p.exit)})\n${p.lines.join('\n')}`);
      try {
        const r = await httpRequest('GET', baseUrl + '/healthz', undefined, {}, 1_000);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > end) throw new Error(`${p.label} did not answer /healthz within ${START_TIMEOUT_MS} ms\n${p.lines.join('\n')}`);
      await sleep(50);
    }
  }

  /**
   * Stops the facade (SIGKILL unless it already exited, e.g. at a crash point) and starts it again on the same
   * port, database and data directory. `env` replaces the per-start environment: a crash point is NOT carried
   * over unless given again.
   */
  async restart(env: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.kill('SIGKILL');
    await this.startFacade(env);
  }

  /** Sends `signal` to the facade and waits for it to exit (10 s). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    this.facade.signal(signal);
    return this.facade.waitForExit(10_000);
  }

  /** The last lines every process of this world wrote, for assertion messages. */
  output(): string {
    return [...this.generations, this.sim].filter(Boolean).map((p) => `--- ${p.label} (pid ${p.pid}, ${p.exit ? describeExit(p.exit) : 'running'})\n${p.lines.join('\n')}`).join('\n');
  }

  async simState(): Promise<SimState> {
    const r = await httpRequest('GET', this.simUrl + '/sim/state');
    if (r.status !== 200) throw new Error(`GET /sim/state answered ${r.status}: ${r.text}`);
    return JSON.parse(r.text) as SimState;
  }

  /** POST /sim/failure-mode with `{ mode, …options }`. */
  async setFailureMode(body: Readonly<Record<string, unknown>>): Promise<void> {
    const r = await httpRequest('POST', this.simUrl + '/sim/failure-mode', JSON.stringify(body), { 'Content-Type': 'application/json' });
    if (r.status !== 200) throw new Error(`POST /sim/failure-mode answered ${r.status}: ${r.text}`);
  }

  /** POSTs a SOAP 1.1 request to the facade and parses the answer (see soapPost). */
  post(path: string, payload: string | Uint8Array, contentType?: string): Promise<PostResult> {
    return soapPost(this.facadeUrl, path, payload, contentType);
  }

  /** The .eml files the facade wrote to `$DOMBRIDGE_DATA/outbox/`, with the headers tests look at. */
  outboxEmails(): OutboxEmail[] {
    let names: string[];
    try {
      names = readdirSync(this.outboxDir).filter((n) => n.endsWith('.eml'));
    } catch {
      return [];
    }
    return names.sort().map((file) => {
      const raw = readFileSync(join(this.outboxDir, file), 'latin1');
      const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')) || raw.length).replace(/\r\n[ \t]+/g, ' ');
      const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
      return { file, messageId: header('Message-ID'), type: header('X-Dombridge-Email-Type'), to: header('To'), subject: header('Subject') };
    });
  }

  /**
   * One statement (`?` placeholders) on a connection of its own to the facade's database, whichever store it is;
   * counts come back as numbers.
   */
  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (!this.dbUrl) return this.readDb((db) => db.prepare(sql).all(...params) as T[]);
    const pg = postgres(this.dbUrl, { max: 1, onnotice: () => undefined, types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } } });
    try {
      return (await pg.unsafe(numbered(sql), params as never[])) as unknown as T[];
    } finally {
      await pg.end({ timeout: 5 });
    }
  }

  /** The first row of {@link query}. */
  async queryOne<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  /** Runs `fn` on a separate read-only connection to the facade's SQLite database file. */
  readDb<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(this.dbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return fn(db);
    } finally {
      db.close();
    }
  }

  /** Kills both processes (SIGKILL) and removes the data directory. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    const procs = [...this.generations, this.sim].filter((p): p is ManagedProcess => p !== undefined);
    for (const p of procs) p.signal('SIGKILL');
    await Promise.all(procs.map((p) => p.waitForExit(10_000).catch(() => undefined)));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface OutboxEmail {
  readonly file: string;
  readonly messageId: string;
  readonly type: string;
  readonly to: string;
  readonly subject: string;
}

/** Kills every process world still running (for `after` hooks). */
export async function closeAllProcessWorlds(): Promise<void> {
  await Promise.all([...live].map((w) => w.close()));
}

/**
 * Registers hooks in the calling suite that kill every process world left running: after each test (`each`, for
 * suites that start a world per test) or once after the suite (`all`, for a world shared by its tests).
 */
export function useProcessWorlds(scope: 'each' | 'all'): void {
  if (scope === 'each') afterEach(closeAllProcessWorlds);
  after(closeAllProcessWorlds);
}

// Last resort (mocha exiting on an uncaught error, Ctrl-C): no orphan processes hold ports after the tests.
process.once('exit', () => {
  for (const w of live) for (const p of [...w.generations, w.sim]) p?.signal('SIGKILL');
});

export function describeExit(e: ExitInfo): string {
  return e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
}

/** A port nothing listens on right now: bind port 0 on loopback, note the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/**
 * One HTTP request on a connection of its own (no keep-alive pool), so a facade that was killed or restarted
 * never leaves a stale pooled socket behind. Rejects on connection errors (err.code: ECONNREFUSED, ECONNRESET …).
 */
export function httpRequest(method: string, url: string, body?: string | Uint8Array, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { Connection: 'close', ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** SOAP POST like test-app's `post`, but over httpRequest; the Body's first element is parsed for assertions. */
export async function soapPost(baseUrl: string, path: string, payload: string | Uint8Array, contentType = 'text/xml; charset=utf-8'): Promise<PostResult> {
  const r = await httpRequest('POST', baseUrl + path, payload, { 'Content-Type': contentType, SOAPAction: '""' });
  const env = readXml(r.text);
  const bodyEl = child(env, env.ns, 'Body');
  if (!bodyEl?.children[0]) throw new Error(`answer ${r.status} has no Body element: ${r.text.slice(0, 500)}`);
  return { status: r.status, contentType: String(r.headers['content-type'] ?? ''), text: r.text, body: bodyEl.children[0] };
}
