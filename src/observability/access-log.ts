import type { SoapAnswer } from '../soap/soap-dispatcher.js';

/**
 * The access log: one JSON line per HTTP request at level `info` (docs/operations.md, "The access log"), in the
 * shape of the other log lines (time, level, msg), with method, path, operation, BODID, order id, outcome (and
 * code), HTTP status, duration and the message id of the request's record. Never a request's text: no card
 * number, no password can reach it. At LOG_LEVEL=debug it adds who called, from where, the sizes and whether
 * the answer was replayed. Switched off with ACCESS_LOG=off (`log.access` in the config file), and by any
 * LOG_LEVEL above info.
 *
 * Lines are encoded at once into a buffer and written together, at most every `flushMs` or every 64 KiB: a write
 * to stdout per request is a system call on the cache-hit path, and lines gathered as one long string are kept
 * alive until the write, so the garbage collector copies them; both showed in the 5 % budget of `npm run bench`.
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

/** Lines are written once this much is gathered; the buffer has room for one more line of a few KiB beyond it. */
const FLUSH_BYTES = 64 * 1024;
const BUFFER_BYTES = FLUSH_BYTES + 16 * 1024;

/**
 * A string as a JSON string. Most of what the line holds (ids, operation names, codes) needs no escaping, and a scan
 * for the characters that do is cheaper than JSON.stringify; anything else (quotes, backslashes, control characters,
 * lone surrogates) goes through JSON.stringify, so the line is always what JSON.stringify of an object would write.
 */
function jsonString(v: string): string {
  return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
}

/** What JSON.stringify escapes in a string: quote, backslash, control characters, surrogates (when lone). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `,"name":value` for a defined value, nothing for undefined: as JSON.stringify writes an object. */
function field(name: string, v: string | number | boolean | null | undefined): string {
  if (v === undefined) return '';
  if (v === null) return `,"${name}":null`;
  return typeof v === 'string' ? `,"${name}":${jsonString(v)}` : `,"${name}":${v}`;
}

/**
 * `Date.prototype.toISOString` of now, from a prefix kept for the current second: toISOString takes about a
 * microsecond, a sixth of the whole line, and at thousands of lines a second most share their second.
 */
class IsoClock {
  private second = -1;
  private prefix = '';

  now(): string {
    const ms = Date.now();
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      // "2026-12-06T07:20:15." of "2026-12-06T07:20:15.123Z"
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    const m = ms - second * 1000;
    return `${this.prefix}${m < 10 ? '00' : m < 100 ? '0' : ''}${m}Z`;
  }
}

export class AccessLog {
  private buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly clock = new IsoClock();

  /**
   * @param sink where finished lines go, several at a time, as UTF-8 (default: stdout); it may keep the chunk.
   * @param debug add the debug fields (the HTTP layer asks for them only then).
   */
  constructor(private readonly sink: (chunk: Buffer) => void, readonly debug: boolean, private readonly flushMs = 100) {}

  /**
   * One line, fields in a fixed order, undefined ones left out. Written by hand rather than as an object through
   * JSON.stringify: this runs on every request, and the cache-hit bench counts each microsecond of it.
   */
  line(e: AccessEntry, debugFields?: () => AccessDebugFields): void {
    const a = e.answer;
    let text = `{"time":"${this.clock.now()}","level":"info","msg":"request"${field('method', e.method)}${field('path', e.path)}` +
      `${field('operation', a?.operation)}${field('bodId', a?.bodId)}${field('orderId', a?.orderId)}${field('outcome', a?.outcome)}${field('code', a?.code)}` +
      `,"status":${e.status},"durationMs":${Math.round(e.durationMs * 1000) / 1000}${field('messageId', a?.messageId)}`;
    if (this.debug) {
      const d = debugFields?.() ?? {};
      text += `${field('user', a?.user)}${field('remote', d.remoteAddress)}${field('bytesIn', d.bytesIn)}${field('bytesOut', d.bytesOut)}${field('replayed', a?.replayed)}`;
    }
    text += '}\n';
    // A UTF-16 code unit takes at most 3 bytes of UTF-8: make room for the worst case before encoding.
    const most = text.length * 3;
    if (this.used + most > this.buf.length) {
      this.flush();
      if (most > this.buf.length) this.buf = Buffer.allocUnsafe(most);
    }
    this.used += this.buf.write(text, this.used, 'utf8');
    if (this.used >= FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes the lines gathered so far (the timer, shutdown, tests). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    // The sink may keep the chunk (an asynchronous write): the next lines go into a new buffer.
    const chunk = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(BUFFER_BYTES);
    this.used = 0;
    this.sink(chunk);
  }
}
