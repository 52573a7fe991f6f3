/**
 * The message log's writer thread (see message-log.ts): owns the only write connection to the log database
 * `<dbPath>.messages-log.db` and writes each batch the main thread posts in one transaction, so neither the
 * inserts nor the COMMITs nor the WAL checkpoints run on the event loop that answers requests.
 *
 * synchronous = NORMAL: the log holds only records without an effect to protect (calls to DOM).
 * A power cut may lose its last few milliseconds of rows; it never loses an effect or a message that must be
 * delivered (the effectful inbound rows and the DOM outbox live in the main database, synchronous FULL).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { LOG_ID_BASE, LOG_SCHEMA, type LogReply, type LogRequest } from './message-log.js';
import { callParams, INSERT_CALL } from '../store/sqlite/call-rows.js';

const PRUNE = 'DELETE FROM bod_message WHERE message_id IN (SELECT message_id FROM bod_message WHERE created_at < ? ORDER BY created_at LIMIT ?)';

const port = parentPort;
if (!port) throw new Error('message-log.worker.js runs only as a worker thread');
const { path } = workerData as { path: string };

const db = new Database(path);
// Rows are a few KB of raw XML each and only ever appended: 64 KiB pages take a sixteenth of the page writes of
// SQLite's 4 KiB (measured: 23 → 15 µs of CPU per row). page_size only applies to a new file, so it comes before
// WAL mode, which fixes it; a log created by an older version keeps its pages. The checkpoint threshold is in
// pages: 256 of them keep the WAL near 16 MiB, as SQLite's default of 1,000 small pages would.
db.pragma('page_size = 65536');
db.pragma('journal_mode = WAL');
db.pragma('wal_autocheckpoint = 256');
db.pragma('cache_size = -16384');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.exec(LOG_SCHEMA);
// Log ids start at LOG_ID_BASE, so they never collide with the main database's message ids.
db.prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT 'bod_message', ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'bod_message')`)
  .run(LOG_ID_BASE - 1);

const insCall = db.prepare(INSERT_CALL);
const prune = db.prepare(PRUNE);
const reserve = db.prepare(`UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'bod_message' RETURNING seq`);

const writeBatch = db.transaction((req: Extract<LogRequest, { op: 'batch' }>) => {
  for (const c of req.calls) insCall.run(...callParams(c));
});

port.on('message', (req: LogRequest) => {
  let reply: LogReply;
  try {
    if (req.op === 'batch') {
      writeBatch(req);
      reply = { seq: req.seq, ok: true, value: req.calls.length };
    } else if (req.op === 'reserve') {
      // The highest row set aside; the caller counts down from it.
      reply = { seq: req.seq, ok: true, value: Number((reserve.get(req.count) as { seq: number }).seq) };
    } else if (req.op === 'prune') {
      reply = { seq: req.seq, ok: true, value: prune.run(req.before, req.limit).changes };
    } else {
      db.close();
      port.postMessage({ seq: req.seq, ok: true, value: 0 } satisfies LogReply);
      port.close();
      return;
    }
  } catch (e) {
    reply = { seq: req.seq, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
