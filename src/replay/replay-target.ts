import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { startDomSimulator } from '../dom/simulator/dom-simulator.js';
import { silentLogger } from '../log/logger.js';
import { startDombridge } from '../server/dombridge-app.js';

export interface TargetAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Where fixtures are played: a running server (--url) or a fresh world in this process. */
export interface ReplayTarget {
  /** For reports: the URL, or "in-process". */
  readonly description: string;
  /** Where the target writes customer e-mails as .eml files, when known. */
  readonly outboxDir: string | undefined;
  /** Why e-mail steps are not checked when there is no outbox folder to read (the server sends by SMTP). */
  readonly emailNote?: string | undefined;
  /** Whether the target's DOM calls back on its own (confirms, releases and ships transferred orders). */
  readonly domCallbacks: boolean;
  send(path: string, body: string, contentType: string): Promise<TargetAnswer>;
  close(): Promise<void>;
}

/** How long one request may take before the step fails, ms. */
export const REQUEST_TIMEOUT_MS = 30_000;

export class TargetUnreachableError extends Error {}

/** A server reached over HTTP, shared by every fixture of the run. */
export class UrlTarget implements ReplayTarget {
  readonly description: string;
  private readonly base: string;

  constructor(url: string, readonly outboxDir: string | undefined, readonly domCallbacks: boolean, readonly emailNote?: string) {
    this.base = url.replace(/\/+$/, '');
    this.description = this.base;
  }

  async send(path: string, body: string, contentType: string): Promise<TargetAnswer> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { method: 'POST', headers: { 'Content-Type': contentType, SOAPAction: '""' }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (e as Error).message;
      throw new TargetUnreachableError(`cannot reach ${this.base}${path}: ${why}`);
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
  }

  async close(): Promise<void> {}
}

/**
 * How a running dombridge sends customer e-mail, as its /readyz says: 'smtp' (nothing lands in an outbox folder, so
 * nothing there can be checked), 'outbox' (.eml files in $DOMBRIDGE_DATA/outbox), or undefined when it does not say.
 */
export async function serverEmailTransport(url: string): Promise<'smtp' | 'outbox' | undefined> {
  try {
    const r = await fetch(`${url.replace(/\/+$/, '')}/readyz`, { signal: AbortSignal.timeout(3000) });
    const email = ((await r.json()) as { email?: unknown }).email;
    return email === 'smtp' || email === 'outbox' ? email : undefined;
  } catch {
    return undefined;
  }
}

/** What an e-mail step says when the server sends by SMTP. */
export const SMTP_EMAIL_NOTE = 'e-mail not checked: the server sends it by SMTP (SMTP_URL), so it is in that mail server, not in an outbox folder';

/** The in-process simulator's fulfillment schedule: confirm, release and ship within a third of a second. */
export const FAST_FULFILLMENT = { confirmAfterMs: 50, releaseAfterMs: 150, shipAfterMs: 300 } as const;

/**
 * A fresh world for one fixture: a temporary data directory and SQLite file with the demo data, the DOM simulator
 * (with a fast fulfillment schedule, or none when the fixture plays DOM itself), no SMTP (e-mails go to the
 * outbox directory). Requests are handed to the dispatcher directly; the facade still listens on loopback,
 * because the simulator calls it back.
 */
export async function startInProcessTarget(opts: { domCallbacks: boolean }): Promise<ReplayTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dombridge-replay-'));
  const sim = await startDomSimulator({ port: 0, host: '127.0.0.1', log: silentLogger, fulfillment: opts.domCallbacks ? { ...FAST_FULFILLMENT, retryDelayMs: 100 } : false });
  let app;
  try {
    const config = loadConfig({
      env: {
        HOST: '127.0.0.1', PORT: '0', DOMBRIDGE_DATA: dataDir, DOM_URL: sim.url, DOMBRIDGE_DB_SYNC: 'NORMAL',
        DOM_TIMEOUT_MS: '5000', DOM_CONNECT_TIMEOUT_MS: '1000', OUTBOX_POLL_MS: '50', OUTBOX_RETRY_MS: '100', LOG_LEVEL: 'silent',
      },
      overrides: { demo: true },
    });
    app = await startDombridge(config, silentLogger);
  } catch (e) {
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  sim.setCallbackUrl(app.url);
  const world = app;
  return {
    description: 'in-process',
    outboxDir: join(dataDir, 'outbox'),
    domCallbacks: opts.domCallbacks,
    async send(path, body, contentType) {
      const service = world.dispatcher.service(path);
      if (!service) return { status: 404, contentType: 'text/plain', body: 'not found\n' };
      const a = await world.dispatcher.dispatch(service, Buffer.from(body, 'utf8'), contentType);
      return { status: a.status, contentType: a.contentType, body: a.body };
    },
    async close() {
      await world.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
