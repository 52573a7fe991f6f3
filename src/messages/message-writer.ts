import type { Logger } from '../log/logger.js';
import type { AnsweredGet, CompletedInbound, MessageStore, RecordedCall, UnkeptInbound } from '../store/store.js';
import { businessKeys, contentHash, soapBodyText, xmlText } from './bod-text.js';

export interface MessageWriterOptions {
  /** How long a record may wait before it is written, ms. Default 50. */
  readonly flushMs?: number;
  /** Records written in one transaction; a full batch is written at once. Default 500. */
  readonly batchSize?: number;
  /** Records held while the database does not keep up; beyond it new ones are dropped (and counted). Default 10,000. */
  readonly maxQueued?: number;
  /** Rows reserved at a time for records written behind into the database (their ids known at once). Default 256. */
  readonly reserveRows?: number;
}

/** How long after a failed reservation of rows the next is tried. */
const RESERVE_RETRY_MS = 1000;

/**
 * Write-behind for the records that need not be durable before the answer: calls to DOM, and answered Gets
 * (read-only: no effect to be idempotent with). A store with a Get journal (a file database) takes the Gets
 * itself (src/messages/get-journal.ts); the rest queue in memory and are handed over in one batch every
 * `flushMs` or every `batchSize` records, so the hot path pays neither a lock nor a commit per request. On a file
 * database the batch goes to the message log's worker thread (src/messages/message-log.ts), which writes it to a
 * database of its own: no insert, COMMIT or fsync on the event loop; an in-memory database writes it in place. A crash loses the last few milliseconds of this record, never a message
 * (the DOM outbox keeps those) and never an effect. Until written, an answered Get stays findable by its key.
 */
export class MessageWriter {
  private inbound: AnsweredGet[] = [];
  private calls: (() => RecordedCall)[] = [];
  private unkept: UnkeptInbound[] = [];
  private readonly unwritten = new Map<string, AnsweredGet>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;

  /** Rows set aside for the inbound records queued here, and for the calls to DOM. */
  private readonly inboundRows: ReservedRows;
  private readonly callRows: ReservedRows;

  constructor(private readonly messages: MessageStore, private readonly log: Logger, opts: MessageWriterOptions = {}) {
    const reserveCount = opts.reserveRows ?? 256;
    this.inboundRows = new ReservedRows((n) => messages.reserveInboundRows(n), reserveCount, log, 'message');
    this.callRows = new ReservedRows((n) => messages.reserveCallRows(n), reserveCount, log, 'DOM call');
    this.flushMs = opts.flushMs ?? 50;
    this.batchSize = opts.batchSize ?? 500;
    this.maxQueued = opts.maxQueued ?? 10_000;
    if (messages.answeredGets) messages.answeredGets.onProblem = (what, fields) => log.error(what, fields);
  }

  /**
   * An answered Get. With a journal it is appended there and its message id returned (as a number); otherwise it
   * is queued, `key` (sender and BODID) keeping it findable until it is written, and undefined is returned.
   */
  addAnswered(key: string | undefined, entry: AnsweredGet): number | undefined {
    const journal = this.messages.answeredGets;
    if (journal) return journal.append(entry);
    if (!this.room()) return undefined;
    const row = this.takeRow();
    const queued = row === undefined ? entry : { ...entry, messageRow: row };
    this.inbound.push(queued);
    if (key !== undefined) this.unwritten.set(key, queued);
    this.scheduled();
    return row;
  }

  /**
   * A reserved row for a record written behind, so that its id (in-N) can be told now; undefined when none is
   * left (a burst faster than reserving: that record gets a row when it is written, and no id is told).
   */
  takeRow(): number | undefined {
    return this.inboundRows.take();
  }

  /** Resolves once rows are reserved (start-up, before the first request). Never rejects. */
  ready(): Promise<void> {
    return Promise.all([this.inboundRows.ready(), this.callRows.ready()]).then(() => undefined);
  }

  /**
   * A call to DOM; the thunk reads the raw BODs at write time, off the caller's path. Returns the row reserved for
   * its record (callMessageId names it), or undefined.
   */
  addCall(call: () => RecordedCall): number | undefined {
    if (!this.room()) return undefined;
    const row = this.callRows.take();
    this.calls.push(row === undefined ? call : () => ({ ...call(), messageRow: row }));
    this.scheduled();
    return row;
  }

  /**
   * A request refused before its handler ran, or answered from a record: written behind with the rest, in a
   * reserved row when there is one. Returns that row (the record's id, in-N), or undefined.
   */
  addUnkept(record: UnkeptInbound): number | undefined {
    if (!this.room()) return undefined;
    const row = this.takeRow();
    this.unkept.push(row === undefined ? record : { ...record, messageRow: row });
    this.scheduled();
    return row;
  }

  unwrittenInbound(key: string): AnsweredGet | undefined {
    return this.unwritten.get(key);
  }

  /** Writes everything queued; resolves when it is written (shutdown, tests). Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const journal = this.messages.answeredGets?.flush();
    if (this.inbound.length > 0 || this.calls.length > 0 || this.unkept.length > 0) {
      const inbound = this.inbound;
      const calls = this.calls;
      const unkept = this.unkept;
      this.inbound = [];
      this.calls = [];
      this.unkept = [];
      // One write at a time, in order.
      this.writing = this.writing.then(() => this.write(inbound, calls, unkept));
    }
    return journal ? Promise.all([journal, this.writing]).then(() => undefined) : this.writing;
  }

  private room(): boolean {
    if (this.inbound.length + this.calls.length + this.unkept.length < this.maxQueued) return true;
    this.dropped++;
    return false;
  }

  private scheduled(): void {
    if (this.inbound.length + this.calls.length + this.unkept.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  private async write(inbound: readonly AnsweredGet[], calls: readonly (() => RecordedCall)[], unkept: readonly UnkeptInbound[] = []): Promise<void> {
    if (this.dropped) {
      this.log.warn('message store fell behind: records were dropped', { dropped: this.dropped });
      this.dropped = 0;
    }
    try {
      for (let i = 0; i < Math.max(inbound.length, calls.length, unkept.length); i += this.batchSize) {
        await this.messages.recordBatch({
          inbound: inbound.slice(i, i + this.batchSize).map(completedInbound), calls: calls.slice(i, i + this.batchSize).map((c) => c()),
          unkept: unkept.slice(i, i + this.batchSize),
        });
      }
    } catch (e) {
      this.log.error('message store could not write its records', { inbound: inbound.length, calls: calls.length, unkept: unkept.length, error: e instanceof Error ? e.message : String(e) });
    } finally {
      for (const row of inbound) {
        if (row.bodId === null) continue;
        const key = messageKey(row.senderId, row.bodId);
        if (this.unwritten.get(key) === row) this.unwritten.delete(key);
      }
    }
  }
}

/**
 * Rows set aside ahead (MessageStore.reserveInboundRows, reserveCallRows) for records written behind, handed out one
 * at a time; reserving more starts when half are used. After a failed reservation (the database down), none is tried
 * again for a second, so a database that is down is not asked once a request.
 */
class ReservedRows {
  private rows: readonly number[] = [];
  private at = 0;
  private reserving: Promise<void> | undefined;
  private againAt = 0;

  constructor(private readonly reserveMore: (count: number) => Promise<readonly number[]>, private readonly count: number, private readonly log: Logger, private readonly what: string) {}

  take(): number | undefined {
    const left = this.rows.length - this.at;
    if (left <= this.count / 2 && Date.now() >= this.againAt) void this.reserve();
    return left > 0 ? this.rows[this.at++] : undefined;
  }

  ready(): Promise<void> {
    return this.reserve();
  }

  private reserve(): Promise<void> {
    this.reserving ??= this.reserveMore(this.count).then((more) => {
      this.rows = [...this.rows.slice(this.at), ...more];
      this.at = 0;
    }, (e: unknown) => {
      // Records still get rows when written; only their ids are not told in advance.
      this.againAt = Date.now() + RESERVE_RETRY_MS;
      this.log.warn(`could not reserve ${this.what} rows`, { error: e instanceof Error ? e.message : String(e) });
    }).finally(() => { this.reserving = undefined; });
    return this.reserving;
  }
}

/** An answered Get as a database row: its content hash and business keys worked out here, off the request path. */
function completedInbound(g: AnsweredGet): CompletedInbound {
  const requestXml = xmlText(g.requestXml);
  const keys = businessKeys(soapBodyText(requestXml));
  return {
    ...g, requestXml, responseXml: g.responseXml === null ? null : xmlText(g.responseXml),
    orderId: keys.orderId, partNumber: keys.partNumber, catentryId: keys.catentryId, requestHash: contentHash(requestXml),
  };
}

/** The key of an inbound BOD: (Sender LogicalID or '', BODID). */
export function messageKey(senderId: string, bodId: string): string {
  return `${senderId}\u0000${bodId}`;
}
