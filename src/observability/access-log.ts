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
  readonly remoteAddress?: string | undefined;
  readonly bytesIn?: number | undefined;
  readonly bytesOut?: number | undefined;
}

const FLUSH_BYTES = 64 * 1024;

export class AccessLog {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param sink where finished lines go, several at a time (default: stdout).
   * @param debug add the debug fields.
   */
  constructor(private readonly sink: (chunk: string) => void, private readonly debug: boolean, private readonly flushMs = 100) {}

  line(e: AccessEntry): void {
    const a = e.answer;
    // Fields in a fixed order, undefined ones left out by JSON.stringify.
    const entry = {
      time: new Date().toISOString(), level: 'info', msg: 'request', method: e.method, path: e.path,
      operation: a?.operation, bodId: a?.bodId, orderId: a?.orderId, outcome: a?.outcome, code: a?.code,
      status: e.status, durationMs: Math.round(e.durationMs * 1000) / 1000, messageId: a?.messageId,
      ...(this.debug ? { user: a?.user, remote: e.remoteAddress, bytesIn: e.bytesIn, bytesOut: e.bytesOut, replayed: a?.replayed } : {}),
    };
    this.pending += `${JSON.stringify(entry)}\n`;
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
