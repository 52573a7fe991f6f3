import { inboundRowOf } from '../../messages/message-ids.js';
import type { RecordedCall } from '../store.js';

/**
 * A call to DOM as a row of bod_message: the one statement of the main database, of the message log's writer thread
 * (a module it loads on its own, hence this small one) and, with a NULL row taken from the sequence, of PostgreSQL.
 * The row reserved for the call (reserveCallRows) comes first, NULL for any free row.
 */
export const INSERT_CALL = `INSERT INTO bod_message (message_id, direction, service, operation, verb, noun, bod_id, order_id, part_number, catentry_id, status,
  request_xml, response_xml, error, duration_ms, caused_by, created_at, updated_at) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/** A call to DOM as INSERT_CALL's parameters (main database, message log and PostgreSQL alike). */
export const callParams = (c: RecordedCall) =>
  [c.messageRow ?? null, c.service, c.operation, c.verb, c.noun, c.bodId, c.orderId, c.partNumber, c.catentryId, c.status, c.requestXml, c.responseXml, c.error,
    c.durationMs, c.causedBy === null ? null : inboundRowOf(c.causedBy) ?? null, c.sentAt, c.answeredAt];
