import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { GetJournal, isJournalId, journalDir } from '../../messages/get-journal.js';
import { LOG_ID_BASE, MessageLog, messageLogPath } from '../../messages/message-log.js';
import { inboundId, inboundRowOf, journalNumberOf, logRowOf, parseMessageId } from '../../messages/message-ids.js';
import { INBOUND_MACHINE, sourcesOf } from '../../messages/message-states.js';
import { callParams, INSERT_CALL } from './call-rows.js';
import type { BodMessage, CompletedInbound, InboundBegin, MessageQuery, MessageStatus, MessageStore, NewInboundMessage, RecordedCall, UnkeptInbound } from '../store.js';

type Prepare = (sql: string) => Database.Statement;
type Write = <T>(fn: () => T) => Promise<T>;
type Row = Record<string, unknown>;

// The guards of the status updates (shared with the PostgreSQL store), read from the machine's table once: an update that the table does not allow
// changes no row, and the caller learns it from the `false` it gets back.
const inList = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');
export const TO_APPLIED = inList(sourcesOf(INBOUND_MACHINE, 'applied'));
export const TO_PROCESSED = inList(sourcesOf(INBOUND_MACHINE, 'processed'));
export const TO_FAILED = inList(sourcesOf(INBOUND_MACHINE, 'failed'));
// received → received as well: a message a crash left received (never applied) runs again.
export const TO_RECEIVED = inList([...sourcesOf(INBOUND_MACHINE, 'received'), 'received']);

// A new cart's request names no order (or Commerce's "." for the current cart): its record takes the order its answer names.
const FINISH = `UPDATE bod_message SET status = ?, response_xml = ?, error = ?, updated_at = ?,
  order_id = CASE WHEN order_id IS NULL OR order_id IN ('.', '*', '**') THEN COALESCE(?, order_id) ELSE order_id END WHERE message_id = ? AND status IN`;
export const FINISH_TO: Record<string, string> = {
  processed: `${FINISH} (${TO_PROCESSED})`,
  rejected: `${FINISH} (${inList(sourcesOf(INBOUND_MACHINE, 'rejected'))})`,
  faulted: `${FINISH} (${inList(sourcesOf(INBOUND_MACHINE, 'faulted'))})`,
  failed: `${FINISH} (${TO_FAILED})`,
};
// Refused requests and replays: their final status at once, no request hash, so they never hold the key.
// Records written behind name the row reserved for them (reserveInboundRows) first, NULL for any free row.
export const INSERT_UNKEPT = `INSERT INTO bod_message (message_id, direction, service, operation, verb, noun, bod_id, sender_id, order_id, part_number, catentry_id,
  status, request_xml, error, created_at, updated_at) VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const INSERT_INBOUND = `INSERT INTO bod_message (direction, service, operation, verb, noun, bod_id, sender_id, order_id, part_number, catentry_id,
  status, request_hash, request_xml, created_at, updated_at) VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?)`;
// The key is taken by the insert itself: of two racing inserts one writes, the other finds the first.
const KEY_TARGET = `(sender_id, bod_id) WHERE direction = 'in' AND bod_id IS NOT NULL AND request_hash IS NOT NULL`;
export const INSERT_INBOUND_KEYED = `${INSERT_INBOUND} ON CONFLICT ${KEY_TARGET} DO NOTHING`;
// A Get recorded once answered; it replaces only a holder of its key that never took effect (which keeps its own
// row: the reserved one is then left unused, a gap).
export const INSERT_COMPLETED = `INSERT INTO bod_message (message_id, direction, service, operation, verb, noun, bod_id, sender_id, order_id, part_number, catentry_id,
  status, request_hash, request_xml, response_xml, error, created_at, updated_at) VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT ${KEY_TARGET} DO UPDATE SET service = excluded.service, operation = excluded.operation,
  verb = excluded.verb, noun = excluded.noun, order_id = excluded.order_id, part_number = excluded.part_number, catentry_id = excluded.catentry_id,
  status = excluded.status, request_hash = excluded.request_hash, request_xml = excluded.request_xml, response_xml = excluded.response_xml,
  error = excluded.error, created_at = excluded.created_at, updated_at = excluded.updated_at
  WHERE bod_message.status IN (${TO_RECEIVED}) AND bod_message.applied_at IS NULL`;
/** bod_message's row count in sqlite_sequence, made when the table has never had a row. */
const SEQUENCE_ROW = `INSERT INTO sqlite_sequence (name, seq) SELECT 'bod_message', COALESCE((SELECT MAX(message_id) FROM bod_message), 0)
  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'bod_message')`;
const RESERVE_ROWS = `UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'bod_message' RETURNING seq`;
export { callParams, INSERT_CALL } from './call-rows.js';

// Ids as people see them (src/messages/message-ids.ts), made in SQL: in-N and out-N in the main database, out-N
// (from 1) in the message log, outbox-N by the outbox's row.
const summaryColumns = (id: string) => `${id} AS message_id, NULL AS outbox_message_id, 'message' AS source, direction, service, operation, verb, noun, bod_id, sender_id,
  order_id, part_number, catentry_id, status, request_hash, error, NULL AS attempts, duration_ms, 'in-' || caused_by AS caused_by, created_at, updated_at, applied_at`;
export const SUMMARY_COLUMNS = summaryColumns(`(CASE direction WHEN 'in' THEN 'in-' ELSE 'out-' END || message_id)`);
const LOG_SUMMARY_COLUMNS = summaryColumns(`('out-' || (message_id - ${LOG_ID_BASE - 1}))`);
/** The outbox's columns as messages; `row` numbers its rows (SQLite's rowid, PostgreSQL's row_no). */
export const outboxColumns = (row: string) => `'outbox-' || ${row} AS message_id, message_id AS outbox_message_id, 'outbox' AS source, 'out' AS direction, 'DOM outbox' AS service,
  kind AS operation, NULL AS verb, NULL AS noun, bod_id, NULL AS sender_id, order_id, NULL AS part_number, NULL AS catentry_id, status, NULL AS request_hash,
  last_error AS error, attempts, NULL AS duration_ms, NULL AS caused_by, created_at, updated_at, NULL AS applied_at`;
const OUTBOX_COLUMNS = outboxColumns('rowid');
// Prepared statements are cached by their text: the hot path passes these constants, never a freshly built string.
export const BY_KEY = `SELECT ${SUMMARY_COLUMNS}, response_xml FROM bod_message WHERE direction = 'in' AND bod_id IS NOT NULL AND request_hash IS NOT NULL AND sender_id = ? AND bod_id = ?`;
export const BY_ID = `SELECT ${SUMMARY_COLUMNS}, request_xml, response_xml FROM bod_message WHERE message_id = ?`;
const LOG_BY_ID = `SELECT ${LOG_SUMMARY_COLUMNS}, request_xml, response_xml FROM bod_message WHERE message_id = ?`;

export function toMessage(x: Row): BodMessage {
  const s = (k: string) => (x[k] as string | null | undefined) ?? null;
  const n = (k: string) => (x[k] as number | null | undefined) ?? null;
  return {
    messageId: String(x['message_id']), ...(x['outbox_message_id'] ? { outboxMessageId: String(x['outbox_message_id']) } : {}), source: x['source'] === 'outbox' ? 'outbox' : 'message', direction: x['direction'] as 'in' | 'out',
    service: x['service'] as string, operation: x['operation'] as string, verb: s('verb'), noun: s('noun'), bodId: s('bod_id'), senderId: s('sender_id'),
    orderId: s('order_id'), partNumber: s('part_number'), catentryId: s('catentry_id'), status: x['status'] as MessageStatus, requestHash: s('request_hash'),
    requestXml: s('request_xml') ?? '', responseXml: s('response_xml'), error: s('error'), attempts: n('attempts'), durationMs: n('duration_ms'),
    causedBy: s('caused_by'), createdAt: x['created_at'] as number, updatedAt: x['updated_at'] as number, appliedAt: n('applied_at'),
  };
}

export const isRowId = (id: string) => /^\d{1,15}$/.test(id);

// The log database's lookups: it has no unique key (a Get repeated after the receiver's window is recorded again).
const LOG_BY_KEY = `SELECT ${LOG_SUMMARY_COLUMNS}, response_xml FROM bod_message WHERE direction = 'in' AND bod_id IS NOT NULL AND request_hash IS NOT NULL
  AND sender_id = ? AND bod_id = ? ORDER BY message_id DESC LIMIT 1`;
export const MAIN_CALLS = `SELECT ${SUMMARY_COLUMNS}, request_xml, response_xml FROM bod_message WHERE direction = 'out' AND bod_id = ?`;
const LOG_CALLS = `SELECT ${LOG_SUMMARY_COLUMNS}, request_xml, response_xml FROM bod_message WHERE direction = 'out' AND bod_id = ?`;

/** The WHERE of a message query over bod_message (and the outbox, whose columns the union renames alike). */
export function conditions(q: MessageQuery, outbox: boolean): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const statuses = q.status === undefined ? [] : typeof q.status === 'string' ? [q.status] : [...q.status];
  if (statuses.length) { where.push(`status IN (${statuses.map(() => '?').join(', ')})`); params.push(...statuses); }
  if (q.since !== undefined) { where.push('created_at >= ?'); params.push(q.since); }
  if (q.until !== undefined) { where.push('created_at < ?'); params.push(q.until); }
  if (q.operation !== undefined) { where.push(outbox ? 'kind = ?' : 'operation = ?'); params.push(q.operation); }
  if (q.bodId !== undefined) { where.push('bod_id = ?'); params.push(q.bodId); }
  if (q.orderId !== undefined) { where.push('order_id = ?'); params.push(q.orderId); }
  if (q.items?.length) {
    if (outbox) where.push('1 = 0');
    else {
      const marks = q.items.map(() => '?').join(', ');
      where.push(`(part_number IN (${marks}) OR catentry_id IN (${marks}))`);
      params.push(...q.items, ...q.items);
    }
  }
  return { sql: where.length ? ` AND ${where.join(' AND ')}` : '', params };
}

/** One message log per main database file (src/messages/message-log.ts); an in-memory database keeps its records in itself. */
const logs = new WeakMap<Database.Database, MessageLog>();
const logOfStore = new WeakMap<MessageStore, MessageLog>();

function logFor(wdb: Database.Database): MessageLog | undefined {
  if (wdb.memory) return undefined;
  let log = logs.get(wdb);
  if (!log) {
    log = new MessageLog(messageLogPath(wdb.name));
    logs.set(wdb, log);
  }
  return log;
}

/** One Get journal per main database file (src/messages/get-journal.ts); an in-memory database keeps its Gets in itself. */
const journals = new WeakMap<Database.Database, GetJournal>();

function journalFor(wdb: Database.Database): GetJournal | undefined {
  if (wdb.memory || wdb.readonly) return undefined;
  let j = journals.get(wdb);
  if (!j) {
    j = new GetJournal(journalDir(wdb.name));
    journals.set(wdb, j);
  }
  return j;
}

/**
 * Stops the message log's writer of this store (after the writes already posted) and writes and closes the Get
 * journal; a later write starts them again.
 */
export async function closeMessageLog(messages: MessageStore): Promise<void> {
  await logOfStore.get(messages)?.close();
  await messages.answeredGets?.close();
}

/** Newest first, as the main database's list orders them. */
function newestFirst(a: BodMessage, b: BodMessage): number {
  return b.createdAt - a.createdAt || b.messageId.length - a.messageId.length || (a.messageId < b.messageId ? 1 : a.messageId > b.messageId ? -1 : 0);
}

export function sqliteMessageStore(r: Prepare, w: Prepare, write: Write, wdb: Database.Database): MessageStore {
  const log = logFor(wdb);
  const logDb = () => log?.read();
  const journal = journalFor(wdb);
  const inboundParams = (m: NewInboundMessage) =>
    [m.service, m.operation, m.verb, m.noun, m.bodId, m.senderId, m.orderId, m.partNumber, m.catentryId, m.requestHash, m.requestXml, m.receivedAt, m.receivedAt];
  /** Answered Gets and calls to DOM, into the main database, in one transaction (or the caller's). */
  const record = (inbound: readonly CompletedInbound[], calls: readonly RecordedCall[], unkept: readonly UnkeptInbound[] = []): void => {
    const run = () => {
      if (unkept.length) {
        const ins = w(INSERT_UNKEPT);
        for (const m of unkept) {
          ins.run(m.messageRow ?? null, m.service, m.operation, m.verb, m.noun, m.bodId, m.senderId, m.orderId, m.partNumber, m.catentryId, m.status, m.requestXml, m.error,
            m.receivedAt, m.answeredAt);
        }
      }
      if (inbound.length) {
        const ins = w(INSERT_COMPLETED);
        for (const m of inbound) {
          ins.run(m.messageRow ?? null, m.service, m.operation, m.verb, m.noun, m.bodId, m.senderId, m.orderId, m.partNumber, m.catentryId, m.status, m.requestHash, m.requestXml,
            m.responseXml, m.error, m.receivedAt, m.answeredAt);
        }
      }
      if (calls.length) {
        const ins = w(INSERT_CALL);
        for (const c of calls) ins.run(...callParams(c));
      }
    };
    if (wdb.inTransaction) run(); else wdb.transaction(run)();
  };
  // bod_message counts its rows in sqlite_sequence (AUTOINCREMENT, migration 8): moving the count on sets rows
  // aside that no insert takes, in this process or another on the same file (serve --workers).
  const reserveMainRows = (count: number): Promise<number[]> => write(() => wdb.transaction(() => {
    w(SEQUENCE_ROW).run();
    const top = Number((w(RESERVE_ROWS).get(count) as { seq: number }).seq);
    return Array.from({ length: count }, (_, i) => top - count + 1 + i);
  }).immediate());
  const store: MessageStore = {
    answeredGets: journal,
    beginInbound: (m) => write((): InboundBegin => {
      if (m.bodId === null) return { created: true, messageId: inboundId(w(INSERT_INBOUND).run(...inboundParams(m)).lastInsertRowid) };
      const info = w(INSERT_INBOUND_KEYED).run(...inboundParams(m));
      if (info.changes === 1) return { created: true, messageId: inboundId(info.lastInsertRowid) };
      return { created: false, existing: toMessage(w(BY_KEY).get(m.senderId, m.bodId) as Row) };
    }),
    restartInbound: (id, m) => write(() =>
      w(`UPDATE bod_message SET status = 'received', request_hash = ?, request_xml = ?, order_id = ?, part_number = ?, catentry_id = ?,
         response_xml = NULL, error = NULL, created_at = ?, updated_at = ? WHERE message_id = ? AND status IN (${TO_RECEIVED}) AND applied_at IS NULL`)
        .run(m.requestHash, m.requestXml, m.orderId, m.partNumber, m.catentryId, m.receivedAt, m.receivedAt, inboundRowOf(id) ?? -1).changes === 1),
    markApplied: (id, at) => write(() =>
      w(`UPDATE bod_message SET status = 'applied', applied_at = ?, updated_at = ? WHERE message_id = ? AND status IN (${TO_APPLIED})`).run(at, at, inboundRowOf(id) ?? -1).changes === 1),
    finishInbound: (id, o) => write(() =>
      w(FINISH_TO[o.status]!).run(o.status, o.responseXml, o.error, o.at, o.orderId ?? null, inboundRowOf(id) ?? -1).changes === 1),
    async findInbound(senderId, bodId) {
      const x = (r(BY_KEY).get(senderId, bodId) ?? logDb()?.prepare(LOG_BY_KEY).get(senderId, bodId)) as Row | undefined;
      return x ? toMessage(x) : journal?.findByKey(senderId, bodId);
    },
    reserveInboundRows: (count) => reserveMainRows(count),
    // On a database file the calls live in the message log, which reserves its own rows (its writer thread).
    reserveCallRows: (count) => (log ? log.reserve(count) : reserveMainRows(count)),
    // Calls to DOM go to the log database's writer thread where there is one; the main database's writer never sees
    // them. Answered Gets arrive here only where there is no Get journal (an in-memory database): written in place.
    recordBatch: async ({ inbound, calls, unkept = [] }) => {
      if (log && calls.length) await log.write(calls);
      const here = log ? [] : calls;
      if (inbound.length || here.length || unkept.length) await write(() => record(inbound, here, unkept));
    },
    async get(id) {
      const p = parseMessageId(id);
      if (p) {
        const x = (p.kind === 'in' ? r(BY_ID).get(p.n)
          : p.kind === 'out' ? (log ? logDb()?.prepare(LOG_BY_ID).get(logRowOf(p.n)) : r(BY_ID).get(p.n))
          : p.kind === 'outbox' ? r(`SELECT ${OUTBOX_COLUMNS}, payload AS request_xml FROM dom_outbox WHERE rowid = ?`).get(p.n)
          : undefined) as Row | undefined;
        if (p.kind === 'get') return journal?.read(String(journalNumberOf(p.n)));
        if (p.kind === 'in' || (p.kind === 'out' && !log)) return x && x['direction'] === (p.kind === 'in' ? 'in' : 'out') ? toMessage(x) : undefined;
        return x && toMessage(x);
      }
      // Ids of earlier versions: bare digits (either database, the journal), outbox UUIDs.
      if (journal && isJournalId(id)) return journal.read(id);
      if (isRowId(id)) {
        const x = (Number(id) >= LOG_ID_BASE ? logDb()?.prepare(LOG_BY_ID).get(Number(id)) : r(BY_ID).get(Number(id))) as Row | undefined;
        if (x) return toMessage(x);
      }
      const o = r(`SELECT ${OUTBOX_COLUMNS}, payload AS request_xml FROM dom_outbox WHERE message_id = ?`).get(id) as Row | undefined;
      return o && toMessage(o);
    },
    async list(q) {
      const main = conditions(q, false);
      const dir = q.direction ? `direction = '${q.direction === 'in' ? 'in' : 'out'}'` : '1 = 1';
      const parts = [`SELECT ${SUMMARY_COLUMNS}, message_id AS seq FROM bod_message WHERE ${dir}${main.sql}`];
      const all = [...main.params];
      if (q.direction !== 'in' && !q.items?.length) {
        const ob = conditions(q, true);
        parts.push(`SELECT ${OUTBOX_COLUMNS}, rowid AS seq FROM dom_outbox WHERE 1 = 1${ob.sql}`);
        all.push(...ob.params);
      }
      const sql = `SELECT * FROM (${parts.join(' UNION ALL ')}) ORDER BY created_at DESC, seq DESC LIMIT ?`;
      const rows = (r(sql).all(...all, q.limit) as Row[]).map(toMessage);
      const ldb = q.direction === 'in' ? undefined : logDb();
      const logged = ldb ? (ldb.prepare(`SELECT ${LOG_SUMMARY_COLUMNS} FROM bod_message WHERE direction = 'out'${main.sql} ORDER BY created_at DESC, message_id DESC LIMIT ?`)
        .all(...main.params, q.limit) as Row[]).map(toMessage) : [];
      const journaled = journal?.list(q) ?? [];
      if (!logged.length && !journaled.length) return rows;
      return [...rows, ...logged, ...journaled].sort(newestFirst).slice(0, q.limit);
    },
    async callsWithBodId(bodId) {
      const main = (r(`${MAIN_CALLS} ORDER BY created_at, message_id`).all(bodId) as Row[]).map(toMessage);
      const logged = ((logDb()?.prepare(LOG_CALLS).all(bodId) ?? []) as Row[]).map(toMessage);
      return logged.length ? [...main, ...logged].sort((a, b) => -newestFirst(a, b)) : main;
    },
    prune: async (before, limit) => {
      const n = await write(() =>
        w('DELETE FROM bod_message WHERE message_id IN (SELECT message_id FROM bod_message WHERE created_at < ? ORDER BY created_at LIMIT ?)').run(before, limit).changes);
      // Both databases pruned; the caller repeats while a full batch's worth went, so each side ends up pruned.
      const logged = log && existsSync(log.path) ? await log.prune(before, limit) : 0;
      // The journal goes by whole segments; called again while the database side still has work, it finds none.
      return n + logged + (journal?.prune(before) ?? 0);
    },
  };
  if (log) logOfStore.set(store, log);
  return store;
}
