import { existsSync } from 'node:fs';
import { parseCommand, synopsis, usage, UsageError, type CommandSpec } from './command-spec.js';
import { MESSAGES } from './command-table.js';
import { INBOUND_MACHINE, OUTBOUND_MACHINE } from '../messages/message-states.js';
import { OperationsQueries, type MessageSummary } from '../operations/operations-queries.js';
import { isServerStore, openStore, type StoreLocation } from '../store/open-store.js';
import type { MessageStatus, Store } from '../store/store.js';

/** `dombridge messages --help`: each subcommand's synopsis and what it does. */
export const MESSAGES_USAGE = `Usage:
${MESSAGES.map((c) => `  ${synopsis(c)}\n      ${c.summary}`).join('\n')}

\`dombridge messages list --help\` (show, resend) tells more.
`;

/** The table of `messages SUB`, or undefined when SUB is not one. */
export function messagesSubcommand(sub: string | undefined): CommandSpec | undefined {
  return MESSAGES.find((c) => c.name === `messages ${sub}`);
}

const STATUSES: ReadonlySet<string> = new Set<string>([...INBOUND_MACHINE.states, ...OUTBOUND_MACHINE.states]);

/** `dombridge messages …` against the database at `dbPath`. Exit codes: 0 done, 1 refused or not found, 64 usage. */
export async function runMessagesCommand(args: string[], out: NodeJS.WritableStream, db: string | StoreLocation): Promise<number> {
  const print = (s = '') => void out.write(`${s}\n`);
  const location: StoreLocation = typeof db === 'string' ? { dbPath: db, dbUrl: undefined } : db;
  const dbPath = location.dbPath;
  let store: Store | undefined;
  try {
    const [sub, ...subArgs] = args;
    const spec = messagesSubcommand(sub);
    if (!spec) throw new UsageError(sub ? `unknown messages command "${sub}"` : 'name a messages command');
    const parsed = parseCommand(spec, subArgs);
    if (parsed.help) {
      out.write(usage(spec));
      return 0;
    }
    // --db and --config were read by the caller, which opened `db`.
    const { db: _db, config: _config, ...values } = parsed.values as Record<string, string | undefined>;
    const rest = parsed.positionals;
    if (sub !== 'list' && (rest.length !== 1 || Object.keys(values).length)) throw new UsageError(`${sub} takes exactly one message id and no options`);
    if (!isServerStore(location) && !existsSync(dbPath)) {
      print(`No database at ${dbPath}.`);
      return 1;
    }
    store = await openStore(location);
    const ops = new OperationsQueries({ store });
    if (sub === 'list') return await list(ops, values, print);
    if (sub === 'show') return await show(ops, rest[0]!, print);
    const r = await ops.resend(rest[0]!);
    print(r.message);
    return r.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
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

type ListOptions = { status?: string | undefined; since?: string | undefined; until?: string | undefined; direction?: string | undefined; limit?: string | undefined;
  operation?: string | undefined; bodid?: string | undefined; order?: string | undefined; item?: string | undefined };

async function list(ops: OperationsQueries, o: ListOptions, print: Print): Promise<number> {
  const statuses = o.status === undefined ? undefined : o.status.split(',').map((x) => x.trim()).filter(Boolean);
  for (const st of statuses ?? []) if (!STATUSES.has(st)) throw new UsageError(`--status must be one or more of ${[...STATUSES].join(', ')}`);
  if (o.direction !== undefined && o.direction !== 'in' && o.direction !== 'out') throw new UsageError('--direction must be in or out');
  const limit = o.limit === undefined ? 50 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000');
  const now = Date.now();
  const since = o.since === undefined ? undefined : parseSince(o.since, now);
  const until = o.until === undefined ? undefined : parseSince(o.until, now);
  // Pages of 500 (the queries' largest) until the limit is reached.
  const rows: MessageSummary[] = [];
  for (let offset = 0; rows.length < limit;) {
    const page = await ops.listMessages({
      limit: Math.min(500, limit - rows.length), offset,
      ...(statuses ? { status: statuses as MessageStatus[] } : {}),
      ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
      ...(o.direction ? { direction: o.direction as 'in' | 'out' } : {}),
      ...(o.operation ? { operation: o.operation } : {}), ...(o.bodid ? { bodId: o.bodid } : {}),
      ...(o.order ? { orderId: o.order } : {}), ...(o.item ? { partNumber: o.item } : {}),
    });
    rows.push(...page.items);
    offset += page.items.length;
    if (!page.more) break;
  }
  if (rows.length === 0) {
    print('No messages.');
    return 0;
  }
  print(table(['ID', 'DIR', 'STATUS', 'OPERATION', 'BODID', 'SENDER', 'ORDER', 'ITEM', 'CREATED (UTC)', 'NOTE'], rows.map((m) => [
    m.id, m.source === 'outbox' ? 'out*' : m.direction, m.status, m.operation, m.bodId ?? '', m.senderId ?? '', m.orderId ?? '',
    m.partNumber ?? '', time(m.createdAtMs), note(m),
  ])));
  print();
  print(`${rows.length} message${rows.length === 1 ? '' : 's'}${rows.length === limit ? ` (the newest ${limit}; --limit for more)` : ''}. out*: a DOM outbox message (messages resend ID).`);
  return 0;
}

function note(m: MessageSummary): string {
  const parts: string[] = [];
  if (m.attempts !== null) parts.push(`${m.attempts} attempt${m.attempts === 1 ? '' : 's'}`);
  if (m.note) parts.push(m.note.length > 60 ? `${m.note.slice(0, 57)}...` : m.note);
  return parts.join('; ');
}

async function show(ops: OperationsQueries, id: string, print: Print): Promise<number> {
  const m = await ops.getMessage(id);
  if (!m) {
    print(`No message ${id}.`);
    return 1;
  }
  const fields: [string, string | number | null][] = [
    ['id', m.id], ['source', m.source === 'outbox' ? 'DOM outbox' : 'message store'], ['direction', m.direction], ['service', m.service],
    ['operation', m.operation], ['BODID', m.bodId], ['sender', m.senderId], ['order id', m.orderId],
    ['part number', m.partNumber], ['status', m.status], ['code', m.code], ['attempts', m.attempts], ['content hash', m.requestHash],
    ['note', m.note], ['duration ms', m.durationMs], ['caused by', m.causedBy], ['created', m.createdAt], ['updated', m.updatedAt],
    ['applied', m.appliedAt],
  ];
  for (const [k, v] of fields) if (v !== null && v !== '') print(`${`${k}:`.padEnd(15)}${v}`);
  if (m.source === 'outbox') {
    print();
    print(m.attemptsRecorded.length ? `Attempts recorded (${m.attemptsRecorded.length}):` : 'No attempt recorded yet.');
    for (const c of m.attemptsRecorded) print(`  ${c.id}  ${c.createdAt}  ${c.status}${c.note ? `  ${c.note}` : ''}`);
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
