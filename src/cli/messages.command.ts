import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { INBOUND_MACHINE, OUTBOUND_MACHINE } from '../messages/message-states.js';
import { isServerStore, openStore, type StoreLocation } from '../store/open-store.js';
import type { BodMessage, MessageStatus, Store } from '../store/store.js';

export const MESSAGES_USAGE = `Usage:
  dombridge messages list [--status S] [--since T] [--direction in|out] [--limit N]
      Recorded BODs and DOM outbox messages, newest first. T: an ISO time, or 30s, 15m, 2h, 1d ago. N: default 50.
      S: received, applied, processed, failed (inbound); queued, sent, acknowledged, failed, dead (outbound).
  dombridge messages show ID
      Every field of one message, and its raw XML.
  dombridge messages resend ID
      Puts a dead or failed DOM outbox message back in the queue, with its original BODID and payload.
`;

const STATUSES: ReadonlySet<string> = new Set<string>([...INBOUND_MACHINE.states, ...OUTBOUND_MACHINE.states]);

class UsageError extends Error {}

/** `dombridge messages …` against the database at `dbPath`. Exit codes: 0 done, 1 refused or not found, 64 usage. */
export async function runMessagesCommand(args: string[], out: NodeJS.WritableStream, db: string | StoreLocation): Promise<number> {
  const print = (s = '') => void out.write(`${s}\n`);
  const location: StoreLocation = typeof db === 'string' ? { dbPath: db, dbUrl: undefined } : db;
  const dbPath = location.dbPath;
  let store: Store | undefined;
  try {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { status: { type: 'string' }, since: { type: 'string' }, direction: { type: 'string' }, limit: { type: 'string' } },
    });
    const [sub, ...rest] = positionals;
    if (sub !== 'list' && sub !== 'show' && sub !== 'resend') throw new UsageError(sub ? `unknown messages command "${sub}"` : 'name a messages command');
    if (sub === 'list' && rest.length) throw new UsageError(`list takes no arguments, only options; got "${rest.join(' ')}"`);
    if (sub !== 'list' && (rest.length !== 1 || Object.keys(values).length)) throw new UsageError(`${sub} takes exactly one message id and no options`);
    if (!isServerStore(location) && !existsSync(dbPath)) {
      print(`No database at ${dbPath}.`);
      return 1;
    }
    store = await openStore(location);
    if (sub === 'list') return await list(store, values, print);
    if (sub === 'show') return await show(store, rest[0]!, print);
    return await resend(store, rest[0]!, print);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      print(`dombridge messages: ${(e as Error).message}`);
      print(MESSAGES_USAGE);
      return 64;
    }
    throw e;
  } finally {
    await store?.close();
  }
}

type Print = (s?: string) => void;

async function list(store: Store, o: { status?: string | undefined; since?: string | undefined; direction?: string | undefined; limit?: string | undefined }, print: Print): Promise<number> {
  if (o.status !== undefined && !STATUSES.has(o.status)) throw new UsageError(`--status must be one of ${[...STATUSES].join(', ')}`);
  if (o.direction !== undefined && o.direction !== 'in' && o.direction !== 'out') throw new UsageError('--direction must be in or out');
  const limit = o.limit === undefined ? 50 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000');
  const since = o.since === undefined ? undefined : parseSince(o.since, Date.now());
  const rows = await store.messages.list({
    limit,
    ...(o.status ? { status: o.status as MessageStatus } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(o.direction ? { direction: o.direction as 'in' | 'out' } : {}),
  });
  if (rows.length === 0) {
    print('No messages.');
    return 0;
  }
  print(table(['ID', 'DIR', 'STATUS', 'OPERATION', 'BODID', 'SENDER', 'ORDER', 'ITEM', 'CREATED (UTC)', 'NOTE'], rows.map((m) => [
    m.messageId, m.source === 'outbox' ? 'out*' : m.direction, m.status, m.operation, m.bodId ?? '', m.senderId ?? '', m.orderId ?? '',
    m.partNumber ?? m.catentryId ?? '', time(m.createdAt), note(m),
  ])));
  print();
  print(`${rows.length} message${rows.length === 1 ? '' : 's'}${rows.length === limit ? ` (the newest ${limit}; --limit for more)` : ''}. out*: a DOM outbox message (messages resend ID).`);
  return 0;
}

function note(m: BodMessage): string {
  const parts: string[] = [];
  if (m.attempts !== null) parts.push(`${m.attempts} attempt${m.attempts === 1 ? '' : 's'}`);
  if (m.error) parts.push(m.error.length > 60 ? `${m.error.slice(0, 57)}...` : m.error);
  return parts.join('; ');
}

async function show(store: Store, id: string, print: Print): Promise<number> {
  const m = await store.messages.get(id);
  if (!m) {
    print(`No message ${id}.`);
    return 1;
  }
  const fields: [string, string | number | null][] = [
    ['id', m.messageId], ['source', m.source === 'outbox' ? 'DOM outbox' : 'message store'], ['direction', m.direction], ['service', m.service],
    ['operation', m.operation], ['verb', m.verb], ['noun', m.noun], ['BODID', m.bodId], ['sender', m.senderId], ['order id', m.orderId],
    ['part number', m.partNumber], ['catalog entry', m.catentryId], ['status', m.status], ['attempts', m.attempts], ['content hash', m.requestHash],
    ['error', m.error], ['duration ms', m.durationMs], ['caused by', m.causedBy], ['created', time(m.createdAt)], ['updated', time(m.updatedAt)],
    ['applied', m.appliedAt === null ? null : time(m.appliedAt)],
  ];
  for (const [k, v] of fields) if (v !== null && v !== '') print(`${`${k}:`.padEnd(15)}${v}`);
  if (m.source === 'outbox' && m.bodId) {
    const calls = await store.messages.callsWithBodId(m.bodId);
    print();
    print(calls.length ? `Attempts recorded (${calls.length}):` : 'No attempt recorded yet.');
    for (const c of calls) print(`  ${c.messageId}  ${time(c.createdAt)}  ${c.status}${c.error ? `  ${c.error}` : ''}`);
  }
  print();
  print(m.source === 'outbox' ? '--- payload (the BOD sent on every attempt) ---' : '--- request ---');
  print(m.requestXml);
  if (m.source === 'message') {
    print('--- response ---');
    print(m.responseXml ?? '(none)');
  }
  return 0;
}

async function resend(store: Store, id: string, print: Print): Promise<number> {
  const m = await store.messages.get(id);
  if (!m) {
    print(`No message ${id}.`);
    return 1;
  }
  if (m.direction === 'in') {
    print(`Message ${id} is an inbound ${m.operation}: dombridge does not resend what it received. Its sender resends it; with the same BODID and content it gets the stored answer.`);
    return 1;
  }
  if (m.source === 'message') {
    print(`Message ${id} is a recorded call to DOM (${m.operation}${m.bodId ? `, BODID ${m.bodId}` : ''}); only DOM outbox messages can be resent (they are marked out* in messages list).`);
    return 1;
  }
  const now = Date.now();
  const outcome = await store.transaction(async (tx) => {
    const cur = await tx.domOutbox.get(id);
    if (!cur) return 'gone';
    if (cur.status !== 'dead' && cur.status !== 'failed') return cur.status;
    const check = OUTBOUND_MACHINE.check(cur.status, 'queued');
    if (!check.ok) return cur.status;
    return (await tx.domOutbox.settle(id, 'queued', { attempts: 0, nextAttemptAt: now, lastError: null })) ? 'requeued' : cur.status;
  });
  if (outcome === 'requeued') {
    print(`Requeued ${m.operation} ${id} for order ${m.orderId ?? '?'} with its original BODID ${m.bodId ?? '?'}; a running dombridge sends it within its poll interval.`);
    return 0;
  }
  print(outcome === 'gone' ? `No message ${id}.` : `Message ${id} is ${outcome}, not dead or failed: ${outcome === 'acknowledged' ? 'DOM acknowledged it, nothing to resend' : 'it is already on its way'}.`);
  return 1;
}

const RELATIVE = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: an ISO time, or a span back from `now` (30s, 15m, 2h, 1d). Epoch ms. */
export function parseSince(value: string, now: number): number {
  const v = value.trim();
  const rel = RELATIVE.exec(v);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`--since must be an ISO time (2026-05-01T08:00:00Z) or a span such as 30s, 15m, 2h, 1d; not "${value}"`);
  return t;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
