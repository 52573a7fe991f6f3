import { inboundId, inboundRowOf, parseMessageId } from '../../messages/message-ids.js';
import type { BodMessage, CompletedInbound, InboundBegin, MessageStore, NewInboundMessage, UnkeptInbound } from '../store.js';
import {
  BY_ID, BY_KEY, callParams, FINISH_TO, INSERT_CALL, INSERT_COMPLETED, INSERT_INBOUND, INSERT_INBOUND_KEYED, INSERT_UNKEPT, MAIN_CALLS, outboxColumns,
  SUMMARY_COLUMNS, TO_APPLIED, TO_RECEIVED, conditions, isRowId, toMessage,
} from '../sqlite/sqlite-message-store.js';

/** Rows come from the identity's sequence: reserved ones (reserveInboundRows) and any other insert's alike. */
const ROW_SEQUENCE = `pg_get_serial_sequence('bod_message', 'message_id')`;
/** SQLite's statement, but a NULL row (none reserved) takes the next of the sequence: an identity column takes no NULL. */
const anyFreeRow = (sql: string) => sql.replace(/VALUES \(\?, /, `VALUES (COALESCE(?::bigint, nextval(${ROW_SEQUENCE})), `);
const PG_INSERT_COMPLETED = anyFreeRow(INSERT_COMPLETED);
const PG_INSERT_UNKEPT = anyFreeRow(INSERT_UNKEPT);
const PG_INSERT_CALL = anyFreeRow(INSERT_CALL);

/** The outbox's rows are numbered by row_no (migration 2): its messages are outbox-N, as on SQLite. */
const OUTBOX_COLUMNS = outboxColumns('row_no');
import type { Query } from './pg-query.js';

type Atomic = <T>(fn: (q: Query) => Promise<T>) => Promise<T>;

/**
 * The message store on PostgreSQL: one bod_message table shared by every node, the same statements as SQLite's main
 * database. The idempotency key (sender_id, bod_id) is a unique index, taken by the insert itself: two nodes
 * receiving the same BODID at once insert one row, the other gets the first one's record. There is no Get journal
 * and no separate log database here: answered Gets and calls to DOM are recorded write-behind into bod_message
 * (MessageWriter batches them), so `messages` and the console see every node's messages. Ids are those of
 * src/messages/message-ids.ts: in-N inbound, out-N calls to DOM (rows of the same table), outbox-N.
 */
export function pgMessageStore(q: Query, atomic: Atomic): MessageStore {
  const inboundParams = (m: NewInboundMessage) =>
    [m.service, m.operation, m.verb, m.noun, m.bodId, m.senderId, m.orderId, m.partNumber, m.catentryId, m.requestHash, m.requestXml, m.receivedAt, m.receivedAt];
  const one = async (sql: string, params: readonly unknown[]): Promise<BodMessage | undefined> => {
    const x = (await q(sql, params))[0];
    return x && toMessage(x);
  };
  const reserveRows = async (count: number): Promise<number[]> =>
    (await q(`SELECT nextval(${ROW_SEQUENCE}) AS row FROM generate_series(1, ?::int)`, [count])).map((r) => Number(r['row']));
  return {
    answeredGets: undefined,
    async beginInbound(m): Promise<InboundBegin> {
      if (m.bodId === null) return { created: true, messageId: inboundId(String((await q(`${INSERT_INBOUND} RETURNING message_id`, inboundParams(m)))[0]!['message_id'])) };
      for (;;) {
        const ins = await q(`${INSERT_INBOUND_KEYED} RETURNING message_id`, inboundParams(m));
        if (ins.length === 1) return { created: true, messageId: inboundId(String(ins[0]!['message_id'])) };
        const existing = await one(BY_KEY, [m.senderId, m.bodId]);
        // Pruned between the two statements: take the key again.
        if (existing) return { created: false, existing };
      }
    },
    restartInbound: async (id, m) => (await q(`UPDATE bod_message SET status = 'received', request_hash = ?, request_xml = ?, order_id = ?, part_number = ?, catentry_id = ?,
         response_xml = NULL, error = NULL, created_at = ?, updated_at = ? WHERE message_id = ? AND status IN (${TO_RECEIVED}) AND applied_at IS NULL`,
    [m.requestHash, m.requestXml, m.orderId, m.partNumber, m.catentryId, m.receivedAt, m.receivedAt, inboundRowOf(id) ?? -1])).count === 1,
    markApplied: async (id, at) =>
      (await q(`UPDATE bod_message SET status = 'applied', applied_at = ?, updated_at = ? WHERE message_id = ? AND status IN (${TO_APPLIED})`, [at, at, inboundRowOf(id) ?? -1])).count === 1,
    finishInbound: async (id, o) =>
      (await q(FINISH_TO[o.status]!, [o.status, o.responseXml, o.error, o.at, o.orderId ?? null, inboundRowOf(id) ?? -1])).count === 1,
    findInbound: (senderId, bodId) => one(BY_KEY, [senderId, bodId]),
    recordBatch: ({ inbound, calls, unkept = [] }) => atomic(async (t) => {
      for (const m of inbound) await t(PG_INSERT_COMPLETED, completedParams(m));
      for (const c of calls) await t(PG_INSERT_CALL, callParams(c));
      for (const u of unkept) await t(PG_INSERT_UNKEPT, unkeptParams(u));
    }),
    reserveInboundRows: (count) => reserveRows(count),
    // Calls are rows of the same table: out-N, N from the same sequence.
    reserveCallRows: (count) => reserveRows(count),
    async get(id) {
      const p = parseMessageId(id);
      if (p) {
        if (p.kind === 'get') return undefined;
        if (p.kind === 'outbox') return one(`SELECT ${OUTBOX_COLUMNS}, payload AS request_xml FROM dom_outbox WHERE row_no = ?`, [p.n]);
        const m = await one(BY_ID, [p.n]);
        return m && m.direction === (p.kind === 'in' ? 'in' : 'out') ? m : undefined;
      }
      // Ids of earlier versions: bare digits, outbox UUIDs.
      if (isRowId(id)) {
        const m = await one(BY_ID, [Number(id)]);
        if (m) return m;
      }
      return one(`SELECT ${OUTBOX_COLUMNS}, payload AS request_xml FROM dom_outbox WHERE message_id = ?`, [id]);
    },
    async list(q2) {
      const main = conditions(q2, false);
      const parts = [`SELECT ${SUMMARY_COLUMNS}, message_id AS seq FROM bod_message WHERE ${q2.direction ? `direction = '${q2.direction === 'in' ? 'in' : 'out'}'` : '1 = 1'}${main.sql}`];
      const all = [...main.params];
      if (q2.direction !== 'in' && !q2.items?.length) {
        const ob = conditions(q2, true);
        parts.push(`SELECT ${OUTBOX_COLUMNS}, row_no AS seq FROM dom_outbox WHERE 1 = 1${ob.sql}`);
        all.push(...ob.params);
      }
      const sql = `SELECT * FROM (${parts.join(' UNION ALL ')}) AS m ORDER BY created_at DESC, seq DESC LIMIT ?`;
      return (await q(sql, [...all, q2.limit])).map(toMessage);
    },
    callsWithBodId: async (bodId) => (await q(`${MAIN_CALLS} ORDER BY created_at, message_id`, [bodId])).map(toMessage),
    prune: async (before, limit) =>
      (await q('DELETE FROM bod_message WHERE message_id IN (SELECT message_id FROM bod_message WHERE created_at < ? ORDER BY created_at LIMIT ?)', [before, limit])).count,
  };
}

const completedParams = (m: CompletedInbound) =>
  [m.messageRow ?? null, m.service, m.operation, m.verb, m.noun, m.bodId, m.senderId, m.orderId, m.partNumber, m.catentryId, m.status, m.requestHash, m.requestXml, m.responseXml, m.error, m.receivedAt, m.answeredAt];


const unkeptParams = (u: UnkeptInbound) =>
  [u.messageRow ?? null, u.service, u.operation, u.verb, u.noun, u.bodId, u.senderId, u.orderId, u.partNumber, u.catentryId, u.status, u.requestXml, u.error, u.receivedAt, u.answeredAt];
