/**
 * The operations read API: what the console (src/console/) and the CLI show of messages, orders and the state of
 * the service, without reaching into the stores' internals. Everything here is read-only except the two actions
 * at the end (resend, probe), which delegate to operations-actions.ts.
 *
 * Use: `const ops = new OperationsQueries({ store, probing, rates, flush, kick })` (the running app builds one:
 * `Dombridge.operations`), then
 * - `listMessages(filter)`      messages in and out and DOM outbox messages, newest first, filtered by status,
 *                               direction, operation, time range, BODID, order id, part number; paged (limit/offset)
 * - `getMessage(id)`            one message with its raw XML (request, response)
 * - `earlierRecord(id)`         for a resent BODID: the record of the same BODID (and sender) just before this one
 * - `orderTimeline(orderId)`    an order's story in time order: BODs in and out, status changes, e-mails, outbox
 *                               messages and each attempt to send them
 * - `overview()`                requests per minute by outcome, DOM circuit and last probe, outbox depth and its
 *                               oldest message, dead letters, e-mails waiting, the last errors
 * - `resend(id)` / `resendMany(ids)`  a dead or failed DOM outbox message back in the queue
 * - `probeDom()`                probes DOM now and says what it answered
 *
 * Ids are the message ids of src/messages/message-ids.ts (in-N, get-N, out-N, outbox-N). Items are shown as
 * part numbers (a record naming only a catalog entry id is resolved through the catalog). Card numbers never leave
 * this module beyond their last four digits, nor passwords, nonces or security codes (safe-text.ts), whatever the
 * record holds; every string is plain text: the caller escapes it for its output.
 */
import type { ProbeReport } from '../dom/outage/dom-circuit-gate.js';
import { safeText } from '../messages/safe-text.js';
import type { BodMessage, MessageDirection, MessageStatus, Store } from '../store/store.js';
import { resendOutboxMessage, resendOutboxMessages, type DomProbing, type ResendResult } from './operations-actions.js';
import type { MinuteCounts, RequestRates } from './request-rates.js';

export interface MessageFilter {
  /** processed, rejected, faulted, failed, received, applied (inbound); queued, sent, acknowledged, failed, dead (outbound). */
  readonly status?: MessageStatus | readonly MessageStatus[];
  readonly direction?: MessageDirection;
  readonly operation?: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  readonly bodId?: string;
  readonly orderId?: string;
  readonly partNumber?: string;
  /** Default 50, at most 500. */
  readonly limit?: number;
  /** Rows skipped (paging). Default 0. */
  readonly offset?: number;
}

/** A message as listed: no XML. Times are ISO 8601. */
export interface MessageSummary {
  readonly id: string;
  readonly direction: MessageDirection;
  /** 'message': a record of the message store; 'outbox': a DOM outbox message (resendable when dead or failed). */
  readonly source: 'message' | 'outbox';
  readonly status: MessageStatus;
  readonly operation: string;
  readonly bodId: string | null;
  readonly senderId: string | null;
  readonly orderId: string | null;
  /** The item as a part number (resolved from the catalog entry id where the record has only that). */
  readonly partNumber: string | null;
  /** The fault code or the BOD error's reason code, when the record has one. */
  readonly code: string | null;
  readonly note: string | null;
  readonly attempts: number | null;
  readonly durationMs: number | null;
  readonly causedBy: string | null;
  readonly createdAt: string;
  readonly createdAtMs: number;
}

export interface MessagePage {
  readonly items: readonly MessageSummary[];
  readonly offset: number;
  readonly limit: number;
  /** More rows follow this page. */
  readonly more: boolean;
}

export interface MessageDetail extends MessageSummary {
  readonly service: string;
  readonly requestHash: string | null;
  readonly updatedAt: string;
  readonly appliedAt: string | null;
  /** The request as recorded (the payload, for an outbox message), card numbers masked. */
  readonly requestXml: string;
  readonly responseXml: string | null;
  /** An outbox message's attempts: the calls to DOM recorded with its BODID, oldest first. */
  readonly attemptsRecorded: readonly MessageSummary[];
}

export type TimelineKind = 'bod-in' | 'bod-out' | 'outbox' | 'status' | 'email';

export interface TimelineEvent {
  readonly at: string;
  readonly atMs: number;
  readonly kind: TimelineKind;
  /** One line for a person: "ChangeOrder processed", "status P → M (Submit)", "e-mail OrderReceived sent". */
  readonly title: string;
  readonly status: string | null;
  /** The message to open for its raw XML, when the event is one. */
  readonly messageId: string | null;
  readonly bodId: string | null;
  readonly detail: string | null;
}

export interface Overview {
  readonly at: string;
  /** Oldest first, the current minute last. */
  readonly requestsPerMinute: readonly MinuteCounts[];
  readonly dom: { readonly state: 'up' | 'down' | 'unknown'; readonly since: string | null; readonly lastProbe: ProbeReport | null } | null;
  readonly outbox: { readonly pending: number; readonly oldestCreatedAt: string | null; readonly oldestAgeS: number | null; readonly deadLetters: number };
  readonly emailsWaiting: number;
  readonly lastErrors: readonly MessageSummary[];
}

export interface OperationsDeps {
  readonly store: Store;
  readonly probing?: DomProbing | undefined;
  readonly rates?: RequestRates | undefined;
  /** Writes the records still queued before a read (the message store's write-behind). */
  readonly flush?: (() => Promise<void>) | undefined;
  /** Makes the DOM outbox relay run now (after a resend). */
  readonly kick?: (() => void) | undefined;
  readonly now?: () => number;
}

const ERROR_STATUSES: readonly MessageStatus[] = ['failed', 'faulted', 'rejected', 'dead'];
const CODE = /^([A-Z][A-Z0-9_]{2,})(?::|$)|\(([A-Z][A-Z0-9_]{2,})\)$/;
const EMAIL_CAP = 10_000;

export class OperationsQueries {
  private readonly now: () => number;

  constructor(private readonly deps: OperationsDeps) {
    this.now = deps.now ?? Date.now;
  }

  async listMessages(f: MessageFilter = {}): Promise<MessagePage> {
    await this.deps.flush?.();
    const limit = Math.min(500, Math.max(1, Math.floor(f.limit ?? 50)));
    const offset = Math.max(0, Math.floor(f.offset ?? 0));
    const items = f.partNumber === undefined ? undefined : await this.itemKeys(f.partNumber);
    const rows = await this.deps.store.messages.list({
      limit: offset + limit + 1,
      ...(f.status !== undefined ? { status: f.status } : {}),
      ...(f.direction ? { direction: f.direction } : {}),
      ...(f.operation ? { operation: f.operation } : {}),
      ...(f.since !== undefined ? { since: f.since } : {}),
      ...(f.until !== undefined ? { until: f.until } : {}),
      ...(f.bodId ? { bodId: f.bodId } : {}),
      ...(f.orderId ? { orderId: f.orderId } : {}),
      ...(items ? { items } : {}),
    });
    const page = rows.slice(offset, offset + limit);
    return { items: await this.summaries(page), offset, limit, more: rows.length > offset + limit };
  }

  async getMessage(id: string): Promise<MessageDetail | undefined> {
    await this.deps.flush?.();
    const m = await this.deps.store.messages.get(id);
    if (!m) return undefined;
    const [summary] = await this.summaries([m]);
    const attempts = m.source === 'outbox' && m.bodId ? await this.deps.store.messages.callsWithBodId(m.bodId) : [];
    return {
      ...summary!, service: m.service, requestHash: m.requestHash, updatedAt: iso(m.updatedAt), appliedAt: m.appliedAt === null ? null : iso(m.appliedAt),
      requestXml: safeText(m.requestXml), responseXml: m.responseXml === null ? null : safeText(m.responseXml), attemptsRecorded: await this.summaries(attempts),
    };
  }

  /** For a resend of a BODID: the inbound record of the same BODID and sender received just before `id`, with its XML. */
  async earlierRecord(id: string): Promise<MessageDetail | undefined> {
    await this.deps.flush?.();
    const m = await this.deps.store.messages.get(id);
    if (!m || m.direction !== 'in' || !m.bodId) return undefined;
    const same = await this.deps.store.messages.list({ direction: 'in', bodId: m.bodId, until: m.createdAt + 1, limit: 200 });
    const earlier = same.find((x) => x.messageId !== m.messageId && (x.senderId ?? '') === (m.senderId ?? '') && (x.createdAt < m.createdAt || (x.createdAt === m.createdAt && x.messageId < m.messageId)));
    return earlier ? this.getMessage(earlier.messageId) : undefined;
  }

  async orderTimeline(orderId: string): Promise<TimelineEvent[]> {
    await this.deps.flush?.();
    const store = this.deps.store;
    const [messages, history, emails] = await Promise.all([
      store.messages.list({ orderId, limit: 5000 }), store.orders.history(orderId), store.emailOutbox.list(orderId),
    ]);
    const seen = new Set(messages.map((m) => m.messageId));
    // Each outbox message's attempts are the calls with its BODID, which may not name the order themselves.
    for (const m of messages.filter((x) => x.source === 'outbox' && x.bodId)) {
      for (const c of await store.messages.callsWithBodId(m.bodId!)) if (!seen.has(c.messageId)) { seen.add(c.messageId); messages.push(c); }
    }
    const events: TimelineEvent[] = [];
    for (const s of await this.summaries(messages)) {
      const kind: TimelineKind = s.source === 'outbox' ? 'outbox' : s.direction === 'in' ? 'bod-in' : 'bod-out';
      const title = kind === 'outbox' ? `${s.operation} queued for DOM (${s.status}${s.attempts ? `, ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}` : ''})`
        : kind === 'bod-in' ? `${s.operation} received: ${s.status}${s.code ? ` ${s.code}` : ''}` : `${s.operation} sent to DOM: ${s.status}`;
      events.push({ at: s.createdAt, atMs: s.createdAtMs, kind, title, status: s.status, messageId: s.id, bodId: s.bodId, detail: s.note });
    }
    for (const h of history) {
      events.push({ at: iso(h.at), atMs: h.at, kind: 'status', title: `status ${h.fromStatus ?? '(new)'} → ${h.toStatus}`, status: h.toStatus, messageId: null, bodId: null, detail: h.cause });
    }
    for (const e of emails) {
      const at = e.sentAt ?? e.createdAt ?? 0;
      events.push({ at: iso(at), atMs: at, kind: 'email', title: `e-mail ${e.type} ${e.status}`, status: e.status, messageId: null, bodId: null, detail: `to ${maskEmail(e.recipient)}` });
    }
    return events.sort((a, b) => a.atMs - b.atMs);
  }

  async overview(): Promise<Overview> {
    await this.deps.flush?.();
    const store = this.deps.store;
    const now = this.now();
    const [depth, emails, errors] = await Promise.all([
      store.domOutbox.depth(), store.emailOutbox.due(Number.MAX_SAFE_INTEGER, EMAIL_CAP), store.messages.list({ status: ERROR_STATUSES, limit: 10 }),
    ]);
    const p = this.deps.probing;
    return {
      at: iso(now),
      requestsPerMinute: this.deps.rates?.lastMinutes(15) ?? [],
      dom: p ? { ...p.domState(), lastProbe: p.lastProbe() ?? null } : null,
      outbox: {
        pending: depth.pending, deadLetters: depth.dead, oldestCreatedAt: depth.oldestCreatedAt === null ? null : iso(depth.oldestCreatedAt),
        oldestAgeS: depth.oldestCreatedAt === null ? null : Math.max(0, Math.round((now - depth.oldestCreatedAt) / 1000)),
      },
      emailsWaiting: emails.length,
      lastErrors: await this.summaries(errors),
    };
  }

  resend(id: string): Promise<ResendResult> {
    return resendOutboxMessage(this.deps.store, id, this.deps.kick);
  }

  resendMany(ids: readonly string[]): Promise<ResendResult[]> {
    return resendOutboxMessages(this.deps.store, ids, this.deps.kick);
  }

  /** Probes DOM now; undefined when this process has no DOM outage handling (a test app without it). */
  async probeDom(): Promise<ProbeReport | undefined> {
    return this.deps.probing?.probeNow();
  }

  /** A part number and the catalog entry it names: records carry one or the other. */
  private async itemKeys(partNumber: string): Promise<string[]> {
    const entry = await this.deps.store.catalog.catalogEntryByPartNumber(partNumber);
    return entry ? [partNumber, entry.catentryId] : [partNumber];
  }

  private async summaries(rows: readonly BodMessage[]): Promise<MessageSummary[]> {
    const parts = new Map<string, string | null>();
    for (const m of rows) {
      if (m.partNumber !== null || m.catentryId === null || parts.has(m.catentryId)) continue;
      parts.set(m.catentryId, (await this.deps.store.catalog.catalogEntryById(m.catentryId))?.partNumber ?? null);
    }
    return rows.map((m) => {
      const note = m.error === null ? null : safeText(m.error);
      const code = note === null ? null : (CODE.exec(note)?.slice(1).find((x) => x !== undefined) ?? null);
      return {
        id: m.messageId, direction: m.direction, source: m.source, status: m.status, operation: m.operation, bodId: m.bodId, senderId: m.senderId,
        orderId: m.orderId, partNumber: m.partNumber ?? (m.catentryId === null ? null : parts.get(m.catentryId) ?? null), code, note,
        attempts: m.attempts, durationMs: m.durationMs, causedBy: m.causedBy, createdAt: iso(m.createdAt), createdAtMs: m.createdAt,
      };
    });
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** j***@example.com: enough to tell e-mails apart, not a list of customers' addresses. */
function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address[0]}***${address.slice(at)}`;
}
