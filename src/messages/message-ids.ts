/**
 * Message ids as people see them: one scheme across the CLI, the logs, the console and the operations queries
 * (docs/operations.md, "Message ids"). The prefix says what a message is and where its record lives:
 *
 * - `in-N`     an inbound request, recorded in the main database (row N): everything the message store keeps
 *              inbound except answered Gets on a file database;
 * - `get-N`    an answered Get in the Get journal (src/messages/get-journal.ts; N: its position in the journal);
 * - `out-N`    a call dombridge made to DOM (on a file database: row N of the message log; in memory: row N of
 *              the main database, where the calls are kept);
 * - `outbox-N` a DOM outbox message (row N of the outbox), the thing `messages resend` takes.
 *
 * The stores speak these ids; internally each prefix maps back to its row. Ids written by earlier versions
 * (bare digits, outbox UUIDs) are still accepted where an id is read.
 */

/** The message log's row ids start here (message-log.ts), so a bare id of version 0.1 tells its database. */
export const LOG_ID_BASE = 100_000_000_000_000;
/** The Get journal's numbers start here (get-journal.ts). */
export const JOURNAL_ID_BASE = 200_000_000_000_000;

export type MessageIdKind = 'in' | 'get' | 'out' | 'outbox';

export interface ParsedMessageId {
  readonly kind: MessageIdKind;
  readonly n: number;
}

const PATTERN = /^(in|get|out|outbox)-(\d{1,16})$/;

export function parseMessageId(id: string): ParsedMessageId | undefined {
  const m = PATTERN.exec(id.trim());
  if (!m) return undefined;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) && n >= 0 ? { kind: m[1] as MessageIdKind, n } : undefined;
}

export const inboundId = (row: number | bigint | string): string => `in-${row}`;
export const outboxId = (row: number | bigint): string => `outbox-${row}`;
/**
 * The id of an answered Get from what the message writer hands out: a journal number (from JOURNAL_ID_BASE up) or a
 * reserved row of the main database (far below it).
 */
export const answeredGetId = (n: number): string => (n >= JOURNAL_ID_BASE ? journalMessageId(n) : inboundId(n));
/** A journal message id (the number the journal hands out) as people see it. */
export const journalMessageId = (journalNumber: number): string => `get-${journalNumber - JOURNAL_ID_BASE}`;
export const journalNumberOf = (n: number): number => JOURNAL_ID_BASE + n;
/** A message log row (ids from LOG_ID_BASE) as people see it: numbered from 1. */
export const logMessageId = (row: number): string => `out-${row - LOG_ID_BASE + 1}`;
export const logRowOf = (n: number): number => LOG_ID_BASE + n - 1;
/** The id of a call to DOM from the row reserved for it: a message log row (from LOG_ID_BASE up) or a main database row. */
export const callMessageId = (row: number): string => (row >= LOG_ID_BASE ? logMessageId(row) : `out-${row}`);

/** The row of an `in-N` id, for the store's updates; undefined for any other id. */
export function inboundRowOf(id: string): number | undefined {
  const p = parseMessageId(id);
  return p?.kind === 'in' ? p.n : undefined;
}
