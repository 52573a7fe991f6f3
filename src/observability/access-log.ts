import type { SoapAnswer } from '../soap/soap-dispatcher.js';

/**
 * The access log: one JSON line per HTTP request at level `info` (docs/operations.md, "The access log"), in the
 * shape of the other log lines (time, level, msg), with method, path, operation, BODID, order id, outcome (and
 * code), HTTP status, duration and the message id of the request's record. Never a request's text: no card
 * number, no password can reach it. At LOG_LEVEL=debug it adds who called, from where, the sizes and whether
 * the answer was replayed. Switched off with ACCESS_LOG=off (`log.access` in the config file), and by any
 * LOG_LEVEL above info.
 *
 * Lines are written together (see AccessLog): a write to stdout per request is a system call on the cache-hit
 * path, which the 5 % budget of `npm run bench` does not allow.
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
 * `Date.prototype.toISOString` of a time, from a prefix kept for the current second: toISOString takes about a
 * microsecond, and at thousands of lines a second most share their second.
 */
class IsoClock {
  private second = -1;
  private prefix = '';

  iso(ms: number): string {
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

/** Lines held before they are formatted and written; a full batch is written at once. */
const BATCH = 256;
/** The text fields of a line, in the slots of `texts` (FIELDS per line). */
const METHOD = 0, PATH = 1, OPERATION = 2, BOD_ID = 3, ORDER_ID = 4, OUTCOME = 5, CODE = 6, MESSAGE_ID = 7, USER = 8, REMOTE = 9;
const FIELDS = 10;

/**
 * The request only copies what its line needs into columns (a few stores, no string made, nothing of the
 * answer's text kept); the lines are formatted and written together, at most every `flushMs` or every BATCH lines.
 * Formatting a line in the request cost three times what it costs here, in one loop over a batch: the request
 * path is long, and code run once a request runs cold.
 */
export class AccessLog {
  private n = 0;
  private readonly at = new Float64Array(BATCH);
  private readonly statuses = new Float64Array(BATCH);
  private readonly durations = new Float64Array(BATCH);
  private readonly texts: (string | null | undefined)[] = new Array<string | null | undefined>(BATCH * FIELDS).fill(undefined);
  /** Debug only: bytes in, bytes out (NaN: unknown), replayed (-1: unknown). */
  private readonly bytesIn = new Float64Array(BATCH);
  private readonly bytesOut = new Float64Array(BATCH);
  private readonly replayed = new Int8Array(BATCH);
  private timer: NodeJS.Timeout | undefined;
  private readonly clock = new IsoClock();

  /**
   * @param sink where finished lines go, several at a time, as UTF-8 (default: stdout); it may keep the chunk.
   * @param debug add the debug fields (the HTTP layer asks for them only then).
   * @param flushMs how long a line may wait to be written.
   */
  constructor(private readonly sink: (chunk: Buffer) => void, readonly debug: boolean, private readonly flushMs = 20) {}

  /** One request's line, written within `flushMs`. */
  line(e: AccessEntry, debugFields?: () => AccessDebugFields): void {
    const i = this.n++;
    const a = e.answer;
    const t = this.texts;
    const o = i * FIELDS;
    this.at[i] = Date.now();
    this.statuses[i] = e.status;
    this.durations[i] = e.durationMs;
    t[o + METHOD] = e.method;
    t[o + PATH] = e.path;
    if (a) {
      t[o + OPERATION] = a.operation;
      t[o + BOD_ID] = a.bodId;
      t[o + ORDER_ID] = a.orderId;
      t[o + OUTCOME] = a.outcome;
      t[o + CODE] = a.code;
      t[o + MESSAGE_ID] = a.messageId;
    }
    if (this.debug) {
      const d = debugFields?.() ?? {};
      t[o + USER] = a?.user;
      t[o + REMOTE] = d.remoteAddress;
      this.bytesIn[i] = d.bytesIn ?? NaN;
      this.bytesOut[i] = d.bytesOut ?? NaN;
      this.replayed[i] = a?.replayed === undefined ? -1 : a.replayed ? 1 : 0;
    }
    if (this.n === BATCH) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Formats and writes the lines gathered so far (the timer, a full batch, shutdown, tests). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.n === 0) return;
    let out = '';
    for (let i = 0; i < this.n; i++) out += this.format(i);
    this.texts.fill(undefined, 0, this.n * FIELDS);
    this.n = 0;
    this.sink(Buffer.from(out, 'utf8'));
  }

  /** Line i: fields in a fixed order, undefined ones left out, as JSON.stringify writes an object. */
  private format(i: number): string {
    const t = this.texts;
    const o = i * FIELDS;
    let text = `{"time":"${this.clock.iso(this.at[i]!)}","level":"info","msg":"request"${field('method', t[o + METHOD])}${field('path', t[o + PATH])}` +
      `${field('operation', t[o + OPERATION])}${field('bodId', t[o + BOD_ID])}${field('orderId', t[o + ORDER_ID])}${field('outcome', t[o + OUTCOME])}` +
      `${field('code', t[o + CODE])},"status":${this.statuses[i]},"durationMs":${Math.round(this.durations[i]! * 1000) / 1000}${field('messageId', t[o + MESSAGE_ID])}`;
    if (this.debug) {
      const r = this.replayed[i]!;
      text += `${field('user', t[o + USER])}${field('remote', t[o + REMOTE])}${field('bytesIn', num(this.bytesIn[i]!))}${field('bytesOut', num(this.bytesOut[i]!))}` +
        `${field('replayed', r === -1 ? undefined : r === 1)}`;
    }
    return `${text}}\n`;
  }
}

function num(v: number): number | undefined {
  return Number.isNaN(v) ? undefined : v;
}
