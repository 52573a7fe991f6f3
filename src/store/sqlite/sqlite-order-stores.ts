import type Database from 'better-sqlite3';
import type { Order, OrderStatus } from '../../order/order-model.js';
import { OUTBOUND_MACHINE, sourcesOf } from '../../messages/message-states.js';
import type { DomOutboxStore, EmailOutboxStore, LocalReservationStore, OrderStore, OutboxMessage, OutboxStatus, PendingEmail, StatusChange } from '../store.js';

type Prepare = (sql: string) => Database.Statement;
type Write = <T>(fn: () => T) => Promise<T>;
type Row = Record<string, unknown>;

export function sqliteOrderStore(r: Prepare, w: Prepare, write: Write): OrderStore {
  return {
    nextId: (kind) => write(() => {
      const row = w('UPDATE id_sequence SET next_value = next_value + 1 WHERE name = ? RETURNING next_value - 1 AS id').get(kind) as { id: number } | undefined;
      if (!row) throw new Error(`no id sequence ${kind}`);
      return String(row.id);
    }),
    async get(orderId) {
      const row = r('SELECT doc FROM customer_order WHERE order_id = ?').get(orderId) as { doc: string } | undefined;
      return row ? (JSON.parse(row.doc) as Order) : undefined;
    },
    insert: (o) => write(() => {
      w(`INSERT INTO customer_order (order_id, store_id, status, version, placed_at, last_transfer_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(o.orderId, o.storeId, o.status, o.version, ms(o.placedAt), ms(o.lastTransferAt), Date.now(), JSON.stringify(o));
    }),
    update: (o) => write(() =>
      w(`UPDATE customer_order SET status = ?, version = ?, placed_at = ?, last_transfer_at = ?, updated_at = ?, doc = ? WHERE order_id = ? AND version = ?`)
        .run(o.status, o.version, ms(o.placedAt), ms(o.lastTransferAt), Date.now(), JSON.stringify(o), o.orderId, o.version - 1).changes === 1),
    appendHistory: (orderId, c) => write(() => {
      w('INSERT INTO order_status_history (order_id, from_status, to_status, cause, at) VALUES (?, ?, ?, ?, ?)').run(orderId, c.fromStatus, c.toStatus, c.cause, c.at);
    }),
    async history(orderId) {
      return (r('SELECT from_status, to_status, cause, at FROM order_status_history WHERE order_id = ? ORDER BY history_id').all(orderId) as Row[]).map((x): StatusChange => ({
        fromStatus: (x['from_status'] as string | null) ?? null, toStatus: x['to_status'] as string, cause: x['cause'] as string, at: x['at'] as number,
      }));
    },
    async findByExternalOrderId(externalOrderId) {
      const rows = r(`SELECT order_id FROM customer_order WHERE json_extract(doc, '$.externalOrderId') = ? LIMIT 2`).all(externalOrderId) as { order_id: string }[];
      return rows.length === 1 ? rows[0]!.order_id : undefined;
    },
    async findForRetransfer(statuses: readonly OrderStatus[], before, limit) {
      const marks = statuses.map(() => '?').join(', ');
      return (r(`SELECT order_id FROM customer_order WHERE status IN (${marks}) AND COALESCE(last_transfer_at, 0) <= ? ORDER BY last_transfer_at LIMIT ?`)
        .all(...statuses, before, limit) as { order_id: string }[]).map((x) => x.order_id);
    },
  };
}

function ms(iso: string | null): number | null {
  return iso ? Date.parse(iso) : null;
}

function toOutbox(x: Row): OutboxMessage {
  return {
    messageId: x['message_id'] as string, kind: x['kind'] as string, orderId: x['order_id'] as string, bodId: x['bod_id'] as string,
    payload: x['payload'] as string, status: x['status'] as OutboxStatus, attempts: x['attempts'] as number,
    nextAttemptAt: x['next_attempt_at'] as number, lastError: (x['last_error'] as string | null) ?? null, createdAt: x['created_at'] as number,
    leaseUntil: (x['lease_until'] as number | null) ?? null,
  };
}

/**
 * The guard of each settle, from the outbound machine's table: the statuses a message may leave for `to`, plus `to`
 * itself (staying put is allowed). Shared with the PostgreSQL store.
 */
export const SETTLE_FROM: Readonly<Record<OutboxStatus, readonly OutboxStatus[]>> = Object.fromEntries(
  OUTBOUND_MACHINE.states.map((to) => [to, [to, ...sourcesOf(OUTBOUND_MACHINE, to)]]),
) as unknown as Record<OutboxStatus, readonly OutboxStatus[]>;

const inList = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');

/** Settle statements by target status, built once from the table (prepared statements are cached by their text). */
const SETTLE_SQL = Object.fromEntries(OUTBOUND_MACHINE.states.map((to) => [to,
  `UPDATE dom_outbox SET status = '${to}', attempts = COALESCE(?, attempts), next_attempt_at = COALESCE(?, next_attempt_at),
   last_error = CASE WHEN ? THEN ? ELSE last_error END, updated_at = ?${to === 'sent' ? '' : ', lease_until = NULL'}
   WHERE message_id = ? AND status IN (${inList(SETTLE_FROM[to])})`])) as Record<OutboxStatus, string>;

/** Due and free: queued or failed and due, or sent with an expired lease (its sender died mid-send). */
export const CLAIMABLE = `((status IN ('queued', 'failed') AND next_attempt_at <= ?) OR status = 'sent') AND COALESCE(lease_until, 0) <= ?`;

export function sqliteDomOutbox(r: Prepare, w: Prepare, write: Write): DomOutboxStore {
  return {
    enqueue: (m) => write(() => {
      w(`INSERT INTO dom_outbox (message_id, kind, order_id, bod_id, payload, status, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)`).run(m.messageId, m.kind, m.orderId, m.bodId, m.payload, m.nextAttemptAt, m.createdAt, m.createdAt);
    }),
    async due(now, limit) {
      return (r(`SELECT * FROM dom_outbox WHERE status IN ('queued', 'failed') AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`).all(now, limit) as Row[]).map(toOutbox);
    },
    async get(id) {
      const x = r('SELECT * FROM dom_outbox WHERE message_id = ?').get(id) as Row | undefined;
      return x && toOutbox(x);
    },
    async forOrder(orderId) {
      return (r('SELECT * FROM dom_outbox WHERE order_id = ? ORDER BY created_at').all(orderId) as Row[]).map(toOutbox);
    },
    // One writer: the SELECT and the UPDATE run in one transaction, so no other claim can slip between them.
    claim: (limit, leaseMs, now) => write(() => {
      const rows = w(`SELECT * FROM dom_outbox WHERE ${CLAIMABLE} ORDER BY next_attempt_at, created_at LIMIT ?`).all(now, now, limit) as Row[];
      const lease = w('UPDATE dom_outbox SET lease_until = ? WHERE message_id = ?');
      for (const x of rows) lease.run(now + leaseMs, x['message_id']);
      return rows.map((x) => toOutbox({ ...x, lease_until: now + leaseMs }));
    }),
    settle: (id, to, f = {}) => write(() =>
      w(SETTLE_SQL[to]).run(f.attempts ?? null, f.nextAttemptAt ?? null, f.lastError !== undefined ? 1 : 0, f.lastError ?? null, Date.now(), id).changes === 1),
    async depth() {
      const x = r(`SELECT COUNT(*) FILTER (WHERE status IN ('queued', 'sent', 'failed')) AS pending,
                  MIN(created_at) FILTER (WHERE status IN ('queued', 'sent', 'failed')) AS oldest,
                  COUNT(*) FILTER (WHERE status = 'dead') AS dead FROM dom_outbox`).get() as { pending: number; oldest: number | null; dead: number };
      return { pending: x.pending, oldestCreatedAt: x.oldest, dead: x.dead };
    },
    rescheduleWaiting: (now) => write(() =>
      w(`UPDATE dom_outbox SET next_attempt_at = ?, updated_at = ? WHERE status IN ('queued', 'failed') AND next_attempt_at > ?`).run(now, Date.now(), now).changes),
  };
}

export function toEmail(x: Row): PendingEmail {
  return {
    emailId: x['email_id'] as string, orderId: x['order_id'] as string, type: x['type'] as string, recipient: x['recipient'] as string, data: x['data'] as string, attempts: x['attempts'] as number,
  };
}

export function sqliteEmailOutbox(r: Prepare, w: Prepare, write: Write): EmailOutboxStore {
  return {
    enqueue: (e, at) => write(() => {
      w(`INSERT INTO email_outbox (email_id, order_id, type, recipient, data, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`)
        .run(e.emailId, e.orderId, e.type, e.recipient, e.data, at, at);
    }),
    async due(now, limit) {
      return (r(`SELECT email_id, order_id, type, recipient, data, attempts FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`)
        .all(now, limit) as Row[]).map(toEmail);
    },
    claim: (limit, leaseMs, now) => write(() => {
      const rows = w(`SELECT email_id, order_id, type, recipient, data, attempts FROM email_outbox
                      WHERE status = 'pending' AND next_attempt_at <= ? AND COALESCE(lease_until, 0) <= ? ORDER BY next_attempt_at LIMIT ?`).all(now, now, limit) as Row[];
      const lease = w('UPDATE email_outbox SET lease_until = ? WHERE email_id = ?');
      for (const x of rows) lease.run(now + leaseMs, x['email_id']);
      return rows.map(toEmail);
    }),
    markSent: (id, at) => write(() => {
      w(`UPDATE email_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, lease_until = NULL WHERE email_id = ?`).run(at, id);
    }),
    markFailed: (id, error, retryAt) => write(() => {
      w(`UPDATE email_outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL WHERE email_id = ?`)
        .run(retryAt === null ? 'failed' : 'pending', error, retryAt, id);
    }),
    async list(orderId) {
      return r('SELECT type, recipient, status, created_at AS createdAt, sent_at AS sentAt FROM email_outbox WHERE order_id = ? ORDER BY created_at')
        .all(orderId) as { type: string; recipient: string; status: string; createdAt: number; sentAt: number | null }[];
    },
  };
}

export function sqliteLocalReservations(w: Prepare, write: Write): LocalReservationStore {
  return {
    reserve: (itemId, orderId, catentryId, fc, qty, check) => write(() => {
      // The availability check and the reservation are one UPDATE: two checkouts can never both take the last unit.
      const taken = w(`UPDATE local_inventory SET reserved = reserved + ? WHERE catentry_id = ? AND fulfillment_center_id = ? ${check ? 'AND on_hand - reserved >= ?' : ''}`)
        .run(...(check ? [qty, catentryId, fc, qty] : [qty, catentryId, fc])).changes === 1;
      if (!taken && check) return false;
      if (!taken) w(`INSERT INTO local_inventory (catentry_id, fulfillment_center_id, on_hand, reserved) VALUES (?, ?, 0, ?)`).run(catentryId, fc, qty);
      w(`INSERT INTO local_reservation (order_item_id, order_id, catentry_id, fulfillment_center_id, quantity) VALUES (?, ?, ?, ?, ?)`).run(itemId, orderId, catentryId, fc, qty);
      return true;
    }),
    release: (orderId) => write(() => {
      const rows = w('SELECT catentry_id, fulfillment_center_id, quantity FROM local_reservation WHERE order_id = ?').all(orderId) as Row[];
      for (const x of rows) {
        w('UPDATE local_inventory SET reserved = MAX(reserved - ?, 0) WHERE catentry_id = ? AND fulfillment_center_id = ?').run(x['quantity'], x['catentry_id'], x['fulfillment_center_id']);
      }
      w('DELETE FROM local_reservation WHERE order_id = ?').run(orderId);
      return rows.length;
    }),
    consume: (orderId) => write(() => {
      const rows = w('SELECT catentry_id, fulfillment_center_id, quantity FROM local_reservation WHERE order_id = ?').all(orderId) as Row[];
      for (const x of rows) {
        w(`UPDATE local_inventory SET reserved = MAX(reserved - ?, 0), on_hand = MAX(on_hand - ?, 0) WHERE catentry_id = ? AND fulfillment_center_id = ?`)
          .run(x['quantity'], x['quantity'], x['catentry_id'], x['fulfillment_center_id']);
      }
      w('DELETE FROM local_reservation WHERE order_id = ?').run(orderId);
      return rows.length;
    }),
  };
}
