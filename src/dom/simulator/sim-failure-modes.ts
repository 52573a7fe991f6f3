import type { ServerResponse } from 'node:http';
import { escText } from '../../xml/xml-writer.js';
import { wrapEnvelope } from '../../soap/soap-envelope.js';

/**
 * The ways the simulated DOM can misbehave, switchable at run time per port or for both. Each is one of the
 * outcomes the facade's DOM client must tell apart:
 * - `down`: nothing listens (ECONNREFUSED). With only one port down the listener must stay open for the
 *   other, so that port's connections are reset as soon as a request arrives instead.
 * - `slow`: every answer waits `delayMs` (default {@link DEFAULT_SLOW_DELAY_MS}) on top of the base latency.
 * - `http-500`: an HTML error page with status 500, as a proxy or crashed app server sends.
 * - `soap-fault`: a SOAP 1.1 Server fault with status 500.
 * - `malformed`: status 200 and the real answer cut in half (well-formed HTTP, broken XML).
 * - `drop`: the status line and half the body, then the socket is destroyed.
 * - `refuse` (order port only): the port answers, but a TransferOrder gets an AcknowledgeOrder with an error
 *   ChangeStatus, as when DOM rejects an order. Asked for `all` ports, it lands on the order port alone.
 * - `sterling-error`: status 200 and, in the SOAP body, Sterling's own error list (`<Errors><Error ErrorCode …>`) as
 *   the mediation passes it through when a Sterling API call fails: neither a BOD nor a fault.
 */
export const FAILURE_MODES = ['none', 'down', 'slow', 'http-500', 'soap-fault', 'malformed', 'drop', 'refuse', 'sterling-error'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

export const SIM_PORTS = ['inventory', 'order'] as const;
export type SimPort = (typeof SIM_PORTS)[number];
export type SimPortSelector = SimPort | 'all';

/** Delay of `slow` when none is given, in ms: beyond any sensible client timeout for an availability call. */
export const DEFAULT_SLOW_DELAY_MS = 5_000;

export interface PortFailure {
  readonly mode: FailureMode;
  /** Extra delay of `slow`, ms; 0 for other modes. */
  readonly delayMs: number;
}

export interface FailureModeOptions {
  /** For `slow`: the delay in ms. */
  readonly delayMs?: number;
  /** Default `all`. */
  readonly port?: SimPortSelector;
  /** Revert to `none` after this many ms (the only way back from `down` over HTTP, since the control API goes down too). */
  readonly durationMs?: number;
  /** When given, also replaces the base latency added to every SOAP answer, ms. */
  readonly latencyMs?: number;
}

export interface FailureModeState {
  readonly inventory: PortFailure;
  readonly order: PortFailure;
  /** Added to every SOAP answer, ms. */
  readonly latencyMs: number;
}

const NONE: PortFailure = { mode: 'none', delayMs: 0 };

/** The current failure per port, plus the base latency. Pure state: the simulator applies the socket side. */
export class FailureModeSwitch {
  private readonly byPort: Record<SimPort, PortFailure> = { inventory: NONE, order: NONE };

  constructor(public latencyMs = 0) {}

  set(mode: FailureMode, opts: FailureModeOptions = {}): void {
    const setting: PortFailure = mode === 'none' ? NONE : { mode, delayMs: mode === 'slow' ? opts.delayMs ?? DEFAULT_SLOW_DELAY_MS : 0 };
    for (const p of portsFor(mode, opts.port ?? 'all')) this.byPort[p] = setting;
    if (opts.latencyMs !== undefined) this.latencyMs = opts.latencyMs;
  }

  get(port: SimPort): PortFailure {
    return this.byPort[port];
  }

  /** Every port is down: the listening socket must be closed. */
  allDown(): boolean {
    return SIM_PORTS.every((p) => this.byPort[p].mode === 'down');
  }

  state(): FailureModeState {
    return { inventory: this.byPort.inventory, order: this.byPort.order, latencyMs: this.latencyMs };
  }
}

export function portsOf(sel: SimPortSelector): readonly SimPort[] {
  return sel === 'all' ? SIM_PORTS : [sel];
}

/** The ports a mode set on `sel` lands on: `refuse` exists on the order port only. */
export function portsFor(mode: FailureMode, sel: SimPortSelector): readonly SimPort[] {
  return portsOf(sel).filter((p) => mode !== 'refuse' || p === 'order');
}

export type FailureModeRequest = { ok: true; mode: FailureMode; options: FailureModeOptions } | { ok: false; reason: string };

/** Reads the JSON body of `POST /sim/failure-mode`: `{ mode, delayMs?, port?, durationMs?, latencyMs? }`. */
export function readFailureModeRequest(body: unknown): FailureModeRequest {
  if (typeof body !== 'object' || body === null) return { ok: false, reason: 'send a JSON object: { "mode": "…" }' };
  const b = body as Record<string, unknown>;
  if (typeof b['mode'] !== 'string' || !(FAILURE_MODES as readonly string[]).includes(b['mode'])) {
    return { ok: false, reason: `mode must be one of ${FAILURE_MODES.join(', ')}` };
  }
  const options: { delayMs?: number; port?: SimPortSelector; durationMs?: number; latencyMs?: number } = {};
  for (const k of ['delayMs', 'durationMs', 'latencyMs'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 3_600_000) return { ok: false, reason: `${k} must be whole milliseconds from 0 to 3600000` };
    options[k] = v;
  }
  const port = b['port'];
  if (port !== undefined) {
    if (port !== 'all' && !(SIM_PORTS as readonly unknown[]).includes(port)) return { ok: false, reason: `port must be one of ${SIM_PORTS.join(', ')}, all` };
    options.port = port as SimPortSelector;
  }
  if (b['mode'] === 'refuse' && port === 'inventory') return { ok: false, reason: 'refuse applies to the order port only' };
  return { ok: true, mode: b['mode'] as FailureMode, options };
}

/** Waits `ms`, or less if the caller hangs up; true when the response can still be written. */
export function pause(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

export interface SoapReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const HTML_500 =
  '<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>' +
  '<body><h1>Internal Server Error</h1><p>The server encountered an internal error (DOM simulator: http-500).</p></body></html>\n';

function simulatedFault(port: SimPort): string {
  return wrapEnvelope(
    '1.1',
    `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>${escText(`DOM ${port} service failed (DOM simulator: soap-fault)`)}</faultstring>` +
      `<detail><sim:failureMode xmlns:sim="http://dombridge.dev/dom-simulator/1">soap-fault</sim:failureMode></detail></soapenv:Fault>`,
  );
}

/**
 * Answers one SOAP request under the port's failure mode: the base latency first, then either the real answer
 * (`answer` runs only when one is needed) or the injected failure. `down` is handled by the simulator before
 * this, except for a port that is down alone, whose connection is reset here.
 */
export async function answerUnderFailure(port: SimPort, failure: PortFailure, latencyMs: number, res: ServerResponse, answer: () => Promise<SoapReply>): Promise<void> {
  if (failure.mode === 'down') {
    res.socket?.destroy();
    return;
  }
  if (!(await pause(latencyMs + (failure.mode === 'slow' ? failure.delayMs : 0), res))) return;
  switch (failure.mode) {
    case 'http-500':
      return send(res, 500, 'text/html; charset=utf-8', HTML_500);
    case 'soap-fault':
      return send(res, 500, 'text/xml; charset=utf-8', simulatedFault(port));
    case 'sterling-error':
      return send(res, 200, 'text/xml; charset=utf-8', wrapEnvelope('1.1', STERLING_ERRORS));
    case 'malformed': {
      const real = await answer();
      return send(res, 200, real.contentType, truncate(real.body));
    }
    case 'drop': {
      const real = await answer();
      const bytes = Buffer.from(real.body, 'utf8');
      if (res.destroyed) return;
      // The full length is announced, so the client knows the body stopped short.
      res.writeHead(200, { 'Content-Type': real.contentType, 'Content-Length': bytes.length });
      res.write(bytes.subarray(0, Math.max(1, bytes.length >> 1)), () => res.socket?.destroy());
      return;
    }
    default: {
      const real = await answer();
      return send(res, real.status, real.contentType, real.body);
    }
  }
}

/** An error list in Sterling's shape (the attributes its API errors carry). */
export const STERLING_ERRORS = '<Errors><Error ErrorCode="YFS10001" ErrorDescription="Simulated Sterling error (DOM simulator: sterling-error)" ErrorRelatedMoreInfo=""/></Errors>';

/** Half the document, and never its root's end tag, so no parser can take it for complete. */
function truncate(xml: string): string {
  const cut = xml.slice(0, Math.max(1, xml.length >> 1));
  return cut.endsWith('>') ? cut.slice(0, -1) : cut;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
