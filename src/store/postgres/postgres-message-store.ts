import type { BodMessage, CompletedInbound, InboundBegin, MessageStore, NewInboundMessage, RecordedCall } from '../store.js';
import {
  BY_ID, BY_KEY, FINISH_FAILED, FINISH_PROCESSED, INSERT_CALL, INSERT_COMPLETED, INSERT_INBOUND, INSERT_INBOUND_KEYED, LOG_CALLS, OUTBOX_COLUMNS,
  SUMMARY_COLUMNS, TO_APPLIED, TO_RECEIVED, isRowId, toMessage,
} from '../sqlite/sqlite-message-store.js';
import type { Query } from './pg-query.js';

type Atomic = <T>(fn: (q: Query) => Promise<T>) => Promise<T>;

/**
 * The message store on PostgreSQL: one bod_message table shared by every node, the same statements as SQLite's main
 * database. The idempotency key (sender_id, bod_id) is a unique index, taken by the insert itself: two nodes
 * receiving the same BODID at once insert one row, the other gets the first one's record. There is no Get journal
 * and no separate log database here: answered Gets and calls to DOM are recorded write-behind into bod_message
 * (MessageWriter batches them), so `messages` and the console see every node's messages.
 */
export function pgMessageStore(q: Query, atomic: Atomic): MessageStore {
  const inboundParams = (m: NewInboundMessage) =>
    [m.service, m.operation, m.verb, m.noun, m.bodId, m.senderId, m.orderId, m.partNumber, m.catentryId, m.requestHash, m.requestXml, m.receivedAt, m.receivedAt];
  const one = async (sql: string, params: readonly unknown[]): Promise<BodMessage | undefined> => {
    const x = (await q(sql, params))[0];
    return x && toMessage(x);
  };
  return {
    answeredGets: undefined,
    async beginInbound(m): Promise<InboundBegin> {
      if (m.bodId === null) return { created: true, messageId: String((await q(`${INSERT_INBOUND} RETURNING message_id`, inboundParams(m)))[0]!['message_id']) };
      for (;;) {
        const ins = await q(`${INSERT_INBOUND_KEYED} RETURNING message_id`, inboundParams(m));
        if (ins.length === 1) return { created: true, messageId: String(ins[0]!['message_id']) };
        const existing = await one(BY_KEY, [m.senderId, m.bodId]);
        // Pruned between the two statements: take the key again.
        if (existing) return { created: false, existing };
      }
    },
    restartInbound: async (id, m) => (await q(`UPDATE bod_message SET status = 'received', request_hash = ?, request_xml = ?, order_id = ?, part_number = ?, catentry_id = ?,
         response_xml = NULL, error = NULL, created_at = ?, updated_at = ? WHERE message_id = ? AND status IN (${TO_RECEIVED}) AND applied_at IS NULL`,
    [m.requestHash, m.requestXml, m.orderId, m.partNumber, m.catentryId, m.receivedAt, m.receivedAt, Number(id)])).count === 1,
    markApplied: async (id, at) =>
      (await q(`UPDATE bod_message SET status = 'applied', applied_at = ?, updated_at = ? WHERE message_id = ? AND status IN (${TO_APPLIED})`, [at, at, Number(id)])).count === 1,
    finishInbound: async (id, o) =>
      (await q(o.status === 'processed' ? FINISH_PROCESSED : FINISH_FAILED, [o.status, o.responseXml, o.error, o.at, Number(id)])).count === 1,
    findInbound: (senderId, bodId) => one(BY_KEY, [senderId, bodId]),
    recordBatch: ({ inbound, calls }) => atomic(async (t) => {
      for (const m of inbound) await t(INSERT_COMPLETED, completedParams(m));
      for (const c of calls) await t(INSERT_CALL, callParams(c));
    }),
    async get(id) {
      if (isRowId(id)) {
        const m = await one(BY_ID, [Number(id)]);
        if (m) return m;
      }
      return one(`SELECT ${OUTBOX_COLUMNS}, payload AS request_xml FROM dom_outbox WHERE message_id = ?`, [id]);
    },
    async list(q2) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q2.status) { where.push('status = ?'); params.push(q2.status); }
      if (q2.since !== undefined) { where.push('created_at >= ?'); params.push(q2.since); }
      const cond = where.length ? ` AND ${where.join(' AND ')}` : '';
      const parts = [`SELECT ${SUMMARY_COLUMNS} FROM bod_message WHERE ${q2.direction ? `direction = '${q2.direction === 'in' ? 'in' : 'out'}'` : '1 = 1'}${cond}`];
      const all = [...params];
      if (q2.direction !== 'in') { parts.push(`SELECT ${OUTBOX_COLUMNS} FROM dom_outbox WHERE 1 = 1${cond}`); all.push(...params); }
      const sql = `SELECT * FROM (${parts.join(' UNION ALL ')}) AS m ORDER BY created_at DESC, LENGTH(message_id) DESC, message_id DESC LIMIT ?`;
      return (await q(sql, [...all, q2.limit])).map(toMessage);
    },
    callsWithBodId: async (bodId) => (await q(`${LOG_CALLS} ORDER BY created_at, message_id`, [bodId])).map(toMessage),
    prune: async (before, limit) =>
      (await q('DELETE FROM bod_message WHERE message_id IN (SELECT message_id FROM bod_message WHERE created_at < ? ORDER BY created_at LIMIT ?)', [before, limit])).count,
  };
}

const completedParams = (m: CompletedInbound) =>
  [m.service, m.operation, m.verb, m.noun, m.bodId, m.senderId, m.orderId, m.partNumber, m.catentryId, m.status, m.requestHash, m.requestXml, m.responseXml, m.error, m.receivedAt, m.answeredAt];

const callParams = (c: RecordedCall) =>
  [c.service, c.operation, c.verb, c.noun, c.bodId, c.orderId, c.partNumber, c.catentryId, c.status, c.requestXml, c.responseXml, c.error,
    c.durationMs, c.causedBy === null ? null : Number(c.causedBy), c.sentAt, c.answeredAt];
