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
 * A Get has no effect, so nothing is taken before it runs: its key is looked up (the store's reader, and the
 * records not yet written), and the answered message is written behind (MessageWriter). Repeats are answered by
 * the same table.
 */
export class IdempotentReceiver implements DispatchInterceptor {
  readonly name = 'message store';
  private readonly inFlight = new Set<string>();

  constructor(private readonly messages: MessageStore, private readonly writer: MessageWriter, private readonly log: Logger) {}

  async before(msg: InboundMessage): Promise<InterceptDecision> {
    const row = inboundRow(msg);
    const readOnly = READ_ONLY_VERBS.has(row.verb);
    if (row.bodId === null) {
      if (readOnly) return this.proceedReadOnly(row, undefined);
      const begun = await this.messages.beginInbound(row);
      return this.proceed(begun.created ? begun.messageId : begun.existing.messageId, undefined);
    }
    const key = messageKey(row.senderId, row.bodId);
    const params = { bodId: row.bodId, sender: row.senderId || '(no Sender LogicalID)' };
    // Checked and taken in one synchronous step: two copies arriving together cannot both pass.
    if (this.inFlight.has(key)) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    this.inFlight.add(key);
    let decision: InterceptDecision | undefined;
    try {
      const unwritten = this.writer.unwrittenInbound(key);
      const seen = unwritten && this.seenBefore({ ...unwritten, createdAt: unwritten.receivedAt, appliedAt: null }, row, params);
      if (seen) decision = seen;
      else if (readOnly) {
        const stored = unwritten ? undefined : await this.messages.findInbound(row.senderId, row.bodId);
        decision = (stored && this.seenBefore(stored, row, params)) ?? this.proceedReadOnly(row, key);
      } else {
        // A failed Get under this key is still queued: write it first, so the row taken below cannot be overwritten.
        if (unwritten) await this.writer.flush();
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
    if (begun.created) return this.proceed(begun.messageId, key);
    const stored = begun.existing;
    const seen = this.seenBefore(stored, row, params);
    if (seen) return seen;
    if (!(await this.messages.restartInbound(stored.messageId, row))) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    this.log.info('BOD seen before without effect; processing it again', { messageId: stored.messageId, bodId: row.bodId, previous: stored.status });
    return this.proceed(stored.messageId, key);
  }

  /** What a repeat gets from the stored message (the table above); undefined when it never took effect and runs again. */
  private seenBefore(stored: Stored, row: NewInboundMessage, params: { bodId: string; sender: string }): InterceptDecision | undefined {
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

  private proceed(messageId: string, key: string | undefined): InterceptDecision {
    const context: MessageContext = { messageId, closed: false };
    const after = async (responseBod: string, failed: boolean): Promise<void> => {
      context.closed = true;
      try {
        await this.messages.finishInbound(messageId, failed
          ? { status: 'failed', responseXml: null, error: FAULT_NOTE, at: Date.now() }
          : { status: 'processed', responseXml: responseBod, error: null, at: Date.now() });
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
      this.writer.addInbound(key, failed ? completed(row, 'failed', null, FAULT_NOTE) : completed(row, 'processed', responseBod, null));
      if (key !== undefined) this.inFlight.delete(key);
    };
    return { proceed: true, after };
  }
}

type Stored = Pick<BodMessage, 'status' | 'requestHash' | 'responseXml' | 'createdAt' | 'appliedAt'>;

/** Verbs without an effect: their messages are recorded write-behind, and a repeat is answered from the record. */
const READ_ONLY_VERBS: ReadonlySet<string> = new Set(['Get']);
const FAULT_NOTE = 'answered with a SOAP fault (not stored: the caller must fix and resend)';

function inboundRow(msg: InboundMessage): NewInboundMessage {
  const raw = msg.raw;
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
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
