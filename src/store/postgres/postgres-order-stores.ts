import type { Order, OrderStatus } from '../../order/order-model.js';
import type { DomOutboxStore, EmailOutboxStore, IdKind, LocalReservationStore, OrderStore, OutboxMessage, OutboxStatus, StatusChange } from '../store.js';
import { SETTLE_FROM, toEmail } from '../sqlite/sqlite-order-stores.js';
import type { Query, Row } from './pg-query.js';

type Atomic = <T>(fn: (q: Query) => Promise<T>) => Promise<T>;

const SEQUENCE: Readonly<Record<IdKind, string>> = { order: 'order_id_seq', orderItem: 'order_item_id_seq', payment: 'payment_id_seq', shipment: 'shipment_id_seq' };

const ms = (iso: string | null): number | null => (iso ? Date.parse(iso) : null);

export function pgOrderStore(q: Query): OrderStore {
  return {
    // A sequence: two nodes never get the same id, and nobody waits for another's commit.
    async nextId(kind) {
      const seq = SEQUENCE[kind];
      if (!seq) throw new Error(`no id sequence ${kind}`);
      return String((await q(`SELECT nextval('${seq}') AS id`))[0]!['id']);
    },
    async get(orderId) {
      const row = (await q('SELECT doc FROM customer_order WHERE order_id = ?', [orderId]))[0];
      return row ? (JSON.parse(row['doc'] as string) as Order) : undefined;
    },
    async insert(o) {
      await q(`INSERT INTO customer_order (order_id, store_id, status, version, placed_at, last_transfer_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [o.orderId, o.storeId, o.status, o.version, ms(o.placedAt), ms(o.lastTransferAt), Date.now(), JSON.stringify(o)]);
    },
    // The version guard is re-checked on the locked row (READ COMMITTED): of two concurrent writers one wins.
    update: async (o) => (await q(`UPDATE customer_order SET status = ?, version = ?, placed_at = ?, last_transfer_at = ?, updated_at = ?, doc = ? WHERE order_id = ? AND version = ?`,
      [o.status, o.version, ms(o.placedAt), ms(o.lastTransferAt), Date.now(), JSON.stringify(o), o.orderId, o.version - 1])).count === 1,
    async appendHistory(orderId, c) {
      await q('INSERT INTO order_status_history (order_id, from_status, to_status, cause, at) VALUES (?, ?, ?, ?, ?)', [orderId, c.fromStatus, c.toStatus, c.cause, c.at]);
    },
    history: async (orderId) => (await q('SELECT from_status, to_status, cause, at FROM order_status_history WHERE order_id = ? ORDER BY history_id', [orderId])).map((x): StatusChange => ({
      fromStatus: (x['from_status'] as string | null) ?? null, toStatus: x['to_status'] as string, cause: x['cause'] as string, at: x['at'] as number,
    })),
    async findByExternalOrderId(externalOrderId) {
      const rows = await q(`SELECT order_id FROM customer_order WHERE ((doc::jsonb) ->> 'externalOrderId') = ? LIMIT 2`, [externalOrderId]);
      return rows.length === 1 ? (rows[0]!['order_id'] as string) : undefined;
    },
    async findForRetransfer(statuses: readonly OrderStatus[], before, limit) {
      const marks = statuses.map(() => '?').join(', ');
      return (await q(`SELECT order_id FROM customer_order WHERE status IN (${marks}) AND COALESCE(last_transfer_at, 0) <= ? ORDER BY last_transfer_at LIMIT ?`,
        [...statuses, before, limit])).map((x) => x['order_id'] as string);
    },
  };
}

function toOutbox(x: Row): OutboxMessage {
  return {
    messageId: x['message_id'] as string, kind: x['kind'] as string, orderId: x['order_id'] as string, bodId: x['bod_id'] as string,
    payload: x['payload'] as string, status: x['status'] as OutboxStatus, attempts: x['attempts'] as number,
    nextAttemptAt: x['next_attempt_at'] as number, lastError: (x['last_error'] as string | null) ?? null, createdAt: x['created_at'] as number,
    leaseUntil: (x['lease_until'] as number | null) ?? null,
  };
}

const inList = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');
const SETTLE_SQL = Object.fromEntries((Object.keys(SETTLE_FROM) as OutboxStatus[]).map((to) => [to,
  `UPDATE dom_outbox SET status = '${to}', attempts = COALESCE(?::integer, attempts), next_attempt_at = COALESCE(?::bigint, next_attempt_at),
   last_error = CASE WHEN ? THEN ?::text ELSE last_error END, updated_at = ?${to === 'sent' ? '' : ', lease_until = NULL'}
   WHERE message_id = ? AND status IN (${inList(SETTLE_FROM[to])})`])) as Record<OutboxStatus, string>;

export function pgDomOutbox(q: Query): DomOutboxStore {
  return {
    async enqueue(m) {
      await q(`INSERT INTO dom_outbox (message_id, kind, order_id, bod_id, payload, status, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)`, [m.messageId, m.kind, m.orderId, m.bodId, m.payload, m.nextAttemptAt, m.createdAt, m.createdAt]);
    },
    due: async (now, limit) =>
      (await q(`SELECT * FROM dom_outbox WHERE status IN ('queued', 'failed') AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`, [now, limit])).map(toOutbox),
    // One statement: the rows are locked as they are picked, and rows another claim has locked are skipped, so two
    // nodes claiming at once never get the same message.
    claim: async (limit, leaseMs, now) => (await q(`UPDATE dom_outbox SET lease_until = ? WHERE message_id IN (
        SELECT message_id FROM dom_outbox
        WHERE ((status IN ('queued', 'failed') AND next_attempt_at <= ?) OR status = 'sent') AND COALESCE(lease_until, 0) <= ?
        ORDER BY next_attempt_at, created_at LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING *`, [now + leaseMs, now, now, limit])).map(toOutbox).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt),
    async get(id) {
      const x = (await q('SELECT * FROM dom_outbox WHERE message_id = ?', [id]))[0];
      return x && toOutbox(x);
    },
    forOrder: async (orderId) => (await q('SELECT * FROM dom_outbox WHERE order_id = ? ORDER BY created_at, message_id', [orderId])).map(toOutbox),
    settle: async (id, to, f = {}) =>
      (await q(SETTLE_SQL[to], [f.attempts ?? null, f.nextAttemptAt ?? null, f.lastError !== undefined, f.lastError ?? null, Date.now(), id])).count === 1,
    async depth() {
      const x = (await q(`SELECT COUNT(*) FILTER (WHERE status IN ('queued', 'sent', 'failed')) AS pending,
                  MIN(created_at) FILTER (WHERE status IN ('queued', 'sent', 'failed')) AS oldest,
                  COUNT(*) FILTER (WHERE status = 'dead') AS dead FROM dom_outbox`))[0]!;
      return { pending: Number(x['pending']), oldestCreatedAt: (x['oldest'] as number | null) ?? null, dead: Number(x['dead']) };
    },
    rescheduleWaiting: async (now) =>
      (await q(`UPDATE dom_outbox SET next_attempt_at = ?, updated_at = ? WHERE status IN ('queued', 'failed') AND next_attempt_at > ?`, [now, Date.now(), now])).count,
  };
}

export function pgEmailOutbox(q: Query): EmailOutboxStore {
  return {
    async enqueue(e, at) {
      await q(`INSERT INTO email_outbox (email_id, order_id, type, recipient, data, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
        [e.emailId, e.orderId, e.type, e.recipient, e.data, at, at]);
    },
    due: async (now, limit) =>
      (await q(`SELECT email_id, order_id, type, recipient, data, attempts FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`, [now, limit])).map(toEmail),
    claim: async (limit, leaseMs, now) => (await q(`UPDATE email_outbox SET lease_until = ? WHERE email_id IN (
        SELECT email_id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ? AND COALESCE(lease_until, 0) <= ?
        ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING email_id, order_id, type, recipient, data, attempts, next_attempt_at`, [now + leaseMs, now, now, limit]))
      .sort((a, b) => (a['next_attempt_at'] as number) - (b['next_attempt_at'] as number)).map(toEmail),
    async markSent(id, at) {
      await q(`UPDATE email_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, lease_until = NULL WHERE email_id = ?`, [at, id]);
    },
    async markFailed(id, error, retryAt) {
      await q(`UPDATE email_outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = COALESCE(?::bigint, next_attempt_at), lease_until = NULL WHERE email_id = ?`,
        [retryAt === null ? 'failed' : 'pending', error, retryAt, id]);
    },
    list: async (orderId) => (await q('SELECT type, recipient, status, created_at, sent_at FROM email_outbox WHERE order_id = ? ORDER BY created_at', [orderId]))
      .map((x) => ({ type: x['type'] as string, recipient: x['recipient'] as string, status: x['status'] as string, createdAt: Number(x['created_at']), sentAt: x['sent_at'] === null ? null : Number(x['sent_at']) })),
  };
}

export function pgLocalReservations(q: Query, atomic: Atomic): LocalReservationStore {
  return {
    // The availability check and the reservation are one conditional UPDATE. PostgreSQL re-checks the condition on
    // the row after waiting for its lock (READ COMMITTED), so two nodes can never both take the last unit.
    reserve: (itemId, orderId, catentryId, fc, qty, check) => atomic(async (t) => {
      const taken = (await t(`UPDATE local_inventory SET reserved = reserved + ? WHERE catentry_id = ? AND fulfillment_center_id = ? ${check ? 'AND on_hand - reserved >= ?' : ''}`,
        check ? [qty, catentryId, fc, qty] : [qty, catentryId, fc])).count === 1;
      if (!taken && check) return false;
      if (!taken) {
        await t(`INSERT INTO local_inventory (catentry_id, fulfillment_center_id, on_hand, reserved) VALUES (?, ?, 0, ?)
                 ON CONFLICT (catentry_id, fulfillment_center_id) DO UPDATE SET reserved = local_inventory.reserved + excluded.reserved`, [catentryId, fc, qty]);
      }
      await t(`INSERT INTO local_reservation (order_item_id, order_id, catentry_id, fulfillment_center_id, quantity) VALUES (?, ?, ?, ?, ?)`, [itemId, orderId, catentryId, fc, qty]);
      return true;
    }),
    // DELETE … RETURNING first: the rows are locked and gone, so a concurrent second release finds none to give back.
    release: (orderId) => atomic(async (t) => {
      const rows = await t('DELETE FROM local_reservation WHERE order_id = ? RETURNING catentry_id, fulfillment_center_id, quantity', [orderId]);
      for (const x of rows) {
        await t('UPDATE local_inventory SET reserved = GREATEST(reserved - ?, 0) WHERE catentry_id = ? AND fulfillment_center_id = ?', [x['quantity'], x['catentry_id'], x['fulfillment_center_id']]);
      }
      return rows.length;
    }),
    consume: (orderId) => atomic(async (t) => {
      const rows = await t('DELETE FROM local_reservation WHERE order_id = ? RETURNING catentry_id, fulfillment_center_id, quantity', [orderId]);
      for (const x of rows) {
        await t(`UPDATE local_inventory SET reserved = GREATEST(reserved - ?, 0), on_hand = GREATEST(on_hand - ?, 0) WHERE catentry_id = ? AND fulfillment_center_id = ?`,
          [x['quantity'], x['quantity'], x['catentry_id'], x['fulfillment_center_id']]);
      }
      return rows.length;
    }),
  };
}
