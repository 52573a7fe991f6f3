import type { SoapAnswer } from '../soap/soap-dispatcher.js';

/**
 * The access log: one JSON line per HTTP request at level `info` (docs/operations.md, "The access log"), in the
 * shape of the other log lines (time, level, msg), with method, path, operation, BODID, order id, outcome (and
 * code), HTTP status, duration and the message id of the request's record. Never a request's text: no card
 * number, no password can reach it. At LOG_LEVEL=debug it adds who called, from where, the sizes and whether
 * the answer was replayed. Switched off with ACCESS_LOG=off (`log.access` in the config file), and by any
 * LOG_LEVEL above info.
 *
 * Lines are gathered and written together, at most every `flushMs` or every 64 KiB: a write to stdout per
 * request is a system call on the cache-hit path, which the 5 % budget of `npm run bench` does not allow.
 */
export interface AccessEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly answer?: SoapAnswer | undefined;
}

/** What only LOG_LEVEL=debug adds; asked for only then (each costs something on the hot path). */
export interface AccessDebugFields {
  readonly remoteAddress?: string | undefined;
  readonly bytesIn?: number | undefined;
  readonly bytesOut?: number | undefined;
}

const FLUSH_BYTES = 64 * 1024;

/** `,"name":value` for a defined value (JSON-escaped when a string), nothing for undefined: as JSON.stringify writes an object. */
function field(name: string, v: string | number | boolean | null | undefined): string {
  if (v === undefined) return '';
  if (v === null) return `,"${name}":null`;
  return typeof v === 'string' ? `,"${name}":${JSON.stringify(v)}` : `,"${name}":${v}`;
}

export class AccessLog {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param sink where finished lines go, several at a time (default: stdout).
   * @param debug add the debug fields.
   */
  constructor(private readonly sink: (chunk: string) => void, private readonly debug: boolean, private readonly flushMs = 100) {}

  /**
   * One line, fields in a fixed order, undefined ones left out. Written by hand rather than as an object through
   * JSON.stringify: this runs on every request, and the cache-hit bench counts each microsecond of it.
   */
  line(e: AccessEntry, debugFields?: () => AccessDebugFields): void {
    const a = e.answer;
    let text = `{"time":"${new Date().toISOString()}","level":"info","msg":"request"${field('method', e.method)}${field('path', e.path)}` +
      `${field('operation', a?.operation)}${field('bodId', a?.bodId)}${field('orderId', a?.orderId)}${field('outcome', a?.outcome)}${field('code', a?.code)}` +
      `,"status":${e.status},"durationMs":${Math.round(e.durationMs * 1000) / 1000}${field('messageId', a?.messageId)}`;
    if (this.debug) {
      const d = debugFields?.() ?? {};
      text += `${field('user', a?.user)}${field('remote', d.remoteAddress)}${field('bytesIn', d.bytesIn)}${field('bytesOut', d.bytesOut)}${field('replayed', a?.replayed)}`;
    }
    this.pending += `${text}}\n`;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes the lines gathered so far (the timer, shutdown, tests). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const chunk = this.pending;
    this.pending = '';
    this.sink(chunk);
  }
}
