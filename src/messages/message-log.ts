import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RecordedCall } from '../store/store.js';

/**
 * The message log: the write-behind record of calls to DOM (nothing with an effect to protect) kept in a database
 * of its own next to the main one, `<dbPath>.messages-log.db`, written by a worker thread
 * (message-log.worker.ts) with its own connection. The main thread only posts plain row objects, one message per
 * batch (MessageWriter batches them), so the event loop that answers requests pays no insert, no COMMIT and no
 * WAL checkpoint for them. The effectful inbound rows (received → applied → processed, committed with their
 * effect) stay in the main database, answered Gets in the Get journal (get-journal.ts); `list`/`get` of the
 * message store merge them. Logs written by version 0.1 also hold answered Gets: they are still read.
 *
 * Log message ids start at {@link LOG_ID_BASE}, so an id tells which database holds it.
 */
export { LOG_ID_BASE } from './message-ids.js';

export const LOG_SCHEMA = `
  CREATE TABLE IF NOT EXISTS bod_message (
    message_id INTEGER PRIMARY KEY AUTOINCREMENT,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    service TEXT NOT NULL,
    operation TEXT NOT NULL,
    verb TEXT,
    noun TEXT,
    bod_id TEXT,
    sender_id TEXT NOT NULL DEFAULT '',
    order_id TEXT,
    part_number TEXT,
    catentry_id TEXT,
    status TEXT NOT NULL,
    request_hash TEXT,
    request_xml TEXT NOT NULL,
    response_xml TEXT,
    error TEXT,
    duration_ms REAL,
    caused_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    applied_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS bod_message_key ON bod_message (sender_id, bod_id) WHERE direction = 'in' AND bod_id IS NOT NULL;
  CREATE INDEX IF NOT EXISTS bod_message_created ON bod_message (created_at);
  CREATE INDEX IF NOT EXISTS bod_message_out_bod_id ON bod_message (bod_id) WHERE direction = 'out';
`;

export type LogRequest =
  | { readonly op: 'batch'; readonly seq: number; readonly calls: readonly RecordedCall[] }
  | { readonly op: 'prune'; readonly seq: number; readonly before: number; readonly limit: number }
  | { readonly op: 'reserve'; readonly seq: number; readonly count: number }
  | { readonly op: 'close'; readonly seq: number };

export type LogReply = { readonly seq: number; readonly ok: true; readonly value: number } | { readonly seq: number; readonly ok: false; readonly error: string };

type Pending = { resolve: (n: number) => void; reject: (e: Error) => void };

/** The log database's file for a main database file. */
export function messageLogPath(dbPath: string): string {
  return `${dbPath}.messages-log.db`;
}

export class MessageLog {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private reader: Database.Database | undefined;

  constructor(readonly path: string) {}

  /** Writes the calls in one transaction of the log; resolves once they are written. */
  write(calls: readonly RecordedCall[]): Promise<void> {
    return this.request((seq) => ({ op: 'batch', seq, calls })).then(() => undefined);
  }

  /**
   * Sets aside `count` rows of the log for calls written later (RecordedCall.messageRow): the log counts its rows in
   * sqlite_sequence (AUTOINCREMENT), and moving the count on keeps every insert, of any process, off them.
   */
  async reserve(count: number): Promise<number[]> {
    const top = await this.request((seq) => ({ op: 'reserve', seq, count }));
    return Array.from({ length: count }, (_, i) => top - count + 1 + i);
  }

  prune(before: number, limit: number): Promise<number> {
    return this.request((seq) => ({ op: 'prune', seq, before, limit }));
  }

  /** A read-only connection to the log, or undefined while nothing was ever written to it. */
  read(): Database.Database | undefined {
    if (this.reader) return this.reader;
    if (!existsSync(this.path)) return undefined;
    const db = new Database(this.path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // The file may exist a moment before the worker has created the table.
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bod_message'`).get()) {
      db.close();
      return undefined;
    }
    this.reader = db;
    return db;
  }

  /** Stops the worker once the writes already posted are done, and closes the reader. */
  async close(): Promise<void> {
    this.reader?.close();
    this.reader = undefined;
    const w = this.worker;
    if (!w) return;
    try {
      await this.request((seq) => ({ op: 'close', seq }));
    } catch {
      // It stopped already.
    }
    this.worker = undefined;
    await w.terminate();
  }

  private request(make: (seq: number) => LogRequest): Promise<number> {
    const w = this.worker ?? this.start();
    const seq = ++this.seq;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      // Kept alive only while a write is pending: an idle log never holds the process open.
      if (this.pending.size === 1) w.ref();
      w.postMessage(make(seq));
    });
  }

  private start(): Worker {
    const w = new Worker(new URL('./message-log.worker.js', import.meta.url), { workerData: { path: this.path } });
    w.unref();
    w.on('message', (r: LogReply) => {
      const p = this.pending.get(r.seq);
      if (!p) return;
      this.pending.delete(r.seq);
      if (this.pending.size === 0) w.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(r.error));
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the message log worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }
}
