import type { Logger } from '../log/logger.js';
import type { DispatchInterceptor, InboundMessage, InterceptDecision } from '../soap/bod-operation.js';
import type { BodMessage, CompletedInbound, MessageStore, NewInboundMessage } from '../store/store.js';
import { businessKeys, contentHash, redactSecrets, soapBodyText } from './bod-text.js';
import type { MessageContext } from './message-context.js';
import { messageKey, type MessageWriter } from './message-writer.js';

/**
 * The idempotent receiver (Camel's idempotent consumer, the message store as its repository). The key of an
 * inbound BOD is (Sender/LogicalID or '', BODID); a BOD without a BODID (DOM sends none) has no key and always
 * runs: the handlers' ordering guards protect those.
 *
 * The key is taken by the `received` row, written in its own statement before the handler runs; the handler's
 * effect transaction marks it `applied` (markAppliedOnCommit); the answer is stored with `processed`. A repeat of
 * the key then gets, by the stored row:
 *
 * | stored                              | same content            | other content            |
 * |-------------------------------------|-------------------------|--------------------------|
 * | still running here                  | DUPLICATE_IN_PROGRESS   | DUPLICATE_IN_PROGRESS    |
 * | processed (an answer, errors too)   | the stored answer       | DUPLICATE_BODID_CONFLICT |
 * | applied, no answer (crash)          | DUPLICATE_RESPONSE_LOST | DUPLICATE_RESPONSE_LOST  |
 * | received, not running (crash)       | runs again              | runs again               |
 * | failed (a fault), never applied     | runs again              | runs again               |
 * | failed after its effect applied     | DUPLICATE_RESPONSE_LOST | DUPLICATE_RESPONSE_LOST  |
 *
 * "Still running" is known from this process's set of keys in flight: one SQLite node runs the requests of its
 * database, so a `received` row whose key is not in flight was left by a process that is gone.
 *
 * A Get has no effect, so nothing is taken before it runs and its key is not looked up in the database: the
 * answered Get is written behind (MessageWriter, to the message log), and its key, request hash and answer are
 * kept in a bounded in-memory map of recent keys ({@link RecentKeys}, 20,000 by default, oldest evicted). A
 * repeat within that window is answered by the same table (the stored answer, or DUPLICATE_BODID_CONFLICT when
 * its content differs). A repeat of a Get older than the window, or one that reaches another node or a
 * restarted process, simply runs again: harmless for a read, it answers with the availability of now. The
 * answers of effectful BODs are kept in the same map, so a Get reusing their BODID is refused without a lookup
 * (within the window; the database's unique key protects the effectful ones themselves at any age).
 */
export class IdempotentReceiver implements DispatchInterceptor {
  readonly name = 'message store';
  private readonly inFlight = new Set<string>();
  private readonly recent: RecentKeys;

  constructor(private readonly messages: MessageStore, private readonly writer: MessageWriter, private readonly log: Logger, recentKeys = 20_000) {
    this.recent = new RecentKeys(recentKeys);
  }

  async before(msg: InboundMessage): Promise<InterceptDecision> {
    const row = inboundRow(msg);
    const readOnly = READ_ONLY_VERBS.has(row.verb);
    if (row.bodId === null) {
      if (readOnly) return this.proceedReadOnly(row, undefined);
      const begun = await this.messages.beginInbound(row);
      return this.proceed(begun.created ? begun.messageId : begun.existing.messageId, undefined, row.requestHash, row.receivedAt);
    }
    const key = messageKey(row.senderId, row.bodId);
    const params = { bodId: row.bodId, sender: row.senderId || '(no Sender LogicalID)' };
    // Checked and taken in one synchronous step: two copies arriving together cannot both pass.
    if (this.inFlight.has(key)) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    this.inFlight.add(key);
    let decision: InterceptDecision | undefined;
    try {
      const recent = this.recent.get(key);
      const seen = recent && (recent.responseXml === undefined ? await this.seenGet(recent, key, row, params) : this.seenBefore(recent, row, params));
      if (seen) decision = seen;
      else if (readOnly) decision = this.proceedReadOnly(row, key);
      else {
        // A failed Get under this key is still queued: write it first, so the row taken below cannot be overwritten.
        if (this.writer.unwrittenInbound(key)) await this.writer.flush();
        decision = await this.begin(row, key, params);
      }
      return decision;
    } finally {
      if (!decision || !('proceed' in decision)) this.inFlight.delete(key);
    }
  }

  /** A BOD with an effect: its key is taken by the `received` row before the handler runs. */
  private async begin(row: NewInboundMessage, key: string, params: { bodId: string; sender: string }): Promise<InterceptDecision> {
    const begun = await this.messages.beginInbound(row);
    if (begun.created) return this.proceed(begun.messageId, key, row.requestHash, row.receivedAt);
    const stored = begun.existing;
    const seen = this.seenBefore(stored, row, params);
    if (seen) return seen;
    if (!(await this.messages.restartInbound(stored.messageId, row))) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    this.log.info('BOD seen before without effect; processing it again', { messageId: stored.messageId, bodId: row.bodId, previous: stored.status });
    return this.proceed(stored.messageId, key, row.requestHash, row.receivedAt);
  }

  /** What a repeat gets from the stored message (the table above); undefined when it never took effect and runs again. */
  private seenBefore(stored: Recent, row: NewInboundMessage, params: { bodId: string; sender: string }): InterceptDecision | undefined {
    const date = new Date(stored.appliedAt ?? stored.createdAt).toISOString();
    switch (stored.status) {
      case 'processed':
        if (stored.requestHash !== row.requestHash) return { fault: 'DUPLICATE_BODID_CONFLICT', params: { ...params, date } };
        return { replay: stored.responseXml ?? '' };
      case 'applied':
        return { fault: 'DUPLICATE_RESPONSE_LOST', params: { ...params, date } };
      case 'failed':
        return stored.appliedAt !== null ? { fault: 'DUPLICATE_RESPONSE_LOST', params: { ...params, date } } : undefined;
      case 'received':
        return undefined;
      default:
        throw new Error(`an inbound message is in status ${stored.status}`);
    }
  }

  /**
   * A repeat of a recent Get. Its answer is not kept in memory (thousands of answers held for seconds would be
   * promoted by the garbage collector and cost every request a share of old-generation collections): it is taken
   * from the write-behind queue or, once written, from the message log. Not found there (the log could not be
   * written), the Get simply runs again: it has no effect to repeat.
   */
  private async seenGet(recent: Recent, key: string, row: NewInboundMessage, params: { bodId: string; sender: string }): Promise<InterceptDecision | undefined> {
    if (recent.requestHash !== row.requestHash) return this.seenBefore(recent, row, params);
    const queued = this.writer.unwrittenInbound(key);
    if (queued) return queued.responseXml === null ? undefined : { replay: queued.responseXml };
    const stored = await this.messages.findInbound(row.senderId, row.bodId ?? '');
    return stored && stored.status === 'processed' && stored.requestHash === row.requestHash && stored.responseXml !== null ? { replay: stored.responseXml } : undefined;
  }

  private proceed(messageId: string, key: string | undefined, requestHash: string, receivedAt: number): InterceptDecision {
    const context: MessageContext = { messageId, closed: false };
    const after = async (responseBod: string, failed: boolean): Promise<void> => {
      context.closed = true;
      try {
        const stored = await this.messages.finishInbound(messageId, failed
          ? { status: 'failed', responseXml: null, error: FAULT_NOTE, at: Date.now() }
          : { status: 'processed', responseXml: responseBod, error: null, at: Date.now() });
        if (stored && key !== undefined && !failed) this.recent.set(key, { status: 'processed', requestHash, responseXml: responseBod, createdAt: receivedAt, appliedAt: null });
      } catch (e) {
        // The caller still gets its answer; a repeat of this BODID will be told the answer was lost.
        this.log.error('message store could not store the answer', { messageId, error: e instanceof Error ? e.message : String(e) });
      } finally {
        if (key !== undefined) this.inFlight.delete(key);
      }
    };
    return { proceed: true, after, context };
  }

  /** A Get: nothing to take before it runs; the answered message is written behind, findable by its key meanwhile. */
  private proceedReadOnly(row: NewInboundMessage, key: string | undefined): InterceptDecision {
    const after = async (responseBod: string, failed: boolean): Promise<void> => {
      const done = failed ? completed(row, 'failed', null, FAULT_NOTE) : completed(row, 'processed', responseBod, null);
      this.writer.addInbound(key, done);
      if (key !== undefined) {
        // A fault is not kept: a repeat runs again (the table's "failed, never applied").
        if (failed) this.recent.delete(key);
        else this.recent.set(key, { status: 'processed', requestHash: row.requestHash, responseXml: undefined, createdAt: row.receivedAt, appliedAt: null });
        this.inFlight.delete(key);
      }
    };
    return { proceed: true, after };
  }
}

type Stored = Pick<BodMessage, 'status' | 'requestHash' | 'responseXml' | 'createdAt' | 'appliedAt'>;

/** What {@link RecentKeys} holds of an answered key; a Get's answer is left out (`undefined`, see seenGet). */
type Recent = Omit<Stored, 'responseXml'> & { readonly responseXml: string | null | undefined };

/** The answered keys of this process, most recent last; beyond `capacity` the oldest is forgotten. */
export class RecentKeys {
  private readonly map = new Map<string, Recent>();

  constructor(private readonly capacity: number) {}

  get(key: string): Recent | undefined {
    return this.map.get(key);
  }

  set(key: string, value: Recent): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

/** Verbs without an effect: their messages are recorded write-behind, and a repeat is answered from the record. */
const READ_ONLY_VERBS: ReadonlySet<string> = new Set(['Get']);
const FAULT_NOTE = 'answered with a SOAP fault (not stored: the caller must fix and resend)';

function inboundRow(msg: InboundMessage): NewInboundMessage {
  const raw = msg.raw;
  const text = msg.text;
  const body = soapBodyText(text);
  const aa = msg.request.applicationArea;
  const op = msg.operation.name;
  const verb = msg.request.verb;
  const keys = businessKeys(body);
  // Every field named, no spreads: one object shape on the hot path.
  return {
    service: msg.service.name, operation: op, verb, noun: op.startsWith(verb) ? op.slice(verb.length) : op,
    bodId: aa.bodId ?? null, senderId: aa.senderLogicalId ?? '', orderId: keys.orderId, partNumber: keys.partNumber, catentryId: keys.catentryId,
    requestHash: contentHash(text, raw),
    // The envelope as received; a WS-Security header's password is blanked first.
    requestXml: msg.soapHeader ? redactSecrets(text) : text,
    receivedAt: msg.receivedAtMs,
  };
}

function completed(row: NewInboundMessage, status: 'processed' | 'failed', responseXml: string | null, error: string | null): CompletedInbound {
  return {
    service: row.service, operation: row.operation, verb: row.verb, noun: row.noun, bodId: row.bodId, senderId: row.senderId, orderId: row.orderId,
    partNumber: row.partNumber, catentryId: row.catentryId, requestHash: row.requestHash, requestXml: row.requestXml, receivedAt: row.receivedAt,
    status, responseXml, error, answeredAt: Date.now(),
  };
}
