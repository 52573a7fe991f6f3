import type { Logger } from '../log/logger.js';
import type { AnswerResult, DispatchInterceptor, InboundMessage, InterceptDecision } from '../soap/bod-operation.js';
import type { AnsweredGet, AnsweredStatus, BodMessage, MessageStore, NewInboundMessage, XmlPayload } from '../store/store.js';
import { businessKeys, contentHash, redactSecrets, soapBodyText, xmlText } from './bod-text.js';
import type { MessageContext } from './message-context.js';
import { answeredGetId, JOURNAL_ID_BASE, journalMessageId } from './message-ids.js';
import { maskCards } from './safe-text.js';
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
 * | processed or rejected (an answer)   | the stored answer       | DUPLICATE_BODID_CONFLICT |
 * | applied, no answer (crash)          | DUPLICATE_RESPONSE_LOST | DUPLICATE_RESPONSE_LOST  |
 * | received, not running (crash)       | runs again              | runs again               |
 * | received, shared store, < 60 s old  | DUPLICATE_IN_PROGRESS   | DUPLICATE_IN_PROGRESS    |
 * | applied, shared store, < 60 s ago   | waits ≤ 2 s for the other node's answer, then as above; else DUPLICATE_IN_PROGRESS |
 * | faulted or failed, never applied    | runs again              | runs again               |
 * | faulted or failed after its effect  | DUPLICATE_RESPONSE_LOST | DUPLICATE_RESPONSE_LOST  |
 *
 * "Still running" is known from this process's set of keys in flight: one SQLite node runs the requests of its
 * database, so a `received` row whose key is not in flight was left by a process that is gone. On a shared store
 * (PostgreSQL, or `serve --workers`) the row may be another node's request still running: it is taken as running
 * for {@link SHARED_IN_FLIGHT_MS} after it was received, and as left by a dead node after that (docs/several-nodes.md).
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
/**
 * On a shared store, how long a `received` BOD is taken as still running on some node, ms: far above any request's
 * run (DOM calls time out after DOM_TIMEOUT_MS, 5 s by default). After it, a repeat runs a BOD whose node died.
 */
export const SHARED_IN_FLIGHT_MS = 60_000;
/**
 * How long a repeat waits for another node to store the answer of a BOD it has applied: that node sent the answer
 * already and is writing it (one commit), so this is ample; beyond it the repeat gets DUPLICATE_IN_PROGRESS.
 */
export const OTHER_NODE_ANSWER_WAIT_MS = 2_000;

export class IdempotentReceiver implements DispatchInterceptor {
  readonly name = 'message store';
  private readonly inFlight = new Set<string>();
  private readonly recent: RecentKeys;
  /** Answers being stored after they were sent, by key: a repeat waits for its original's answer to be stored. */
  private readonly finishing = new Map<string, Promise<void>>();
  /** Every answer being stored, keyed or not: shutdown waits for them. */
  private readonly storing = new Set<Promise<void>>();

  constructor(
    private readonly messages: MessageStore, private readonly writer: MessageWriter, private readonly log: Logger, recentKeys = 20_000,
    /** Other processes receive BODs into the same store (PostgreSQL, `serve --workers`). */
    private readonly sharedStore = false,
  ) {
    this.recent = new RecentKeys(recentKeys);
  }

  before(msg: InboundMessage): InterceptDecision | Promise<InterceptDecision> {
    if (READ_ONLY_VERBS.has(msg.request.verb)) {
      // A Get whose key is new here (nearly every Get) is decided at once: nothing to wait for, nothing to look up.
      const aa = msg.request.applicationArea;
      if (aa.bodId === undefined || aa.bodId === null) return this.proceedReadOnly(msg, undefined);
      const key = messageKey(aa.senderLogicalId ?? '', aa.bodId);
      if (!this.finishing.has(key) && !this.inFlight.has(key) && this.recent.get(key) === undefined) {
        this.inFlight.add(key);
        return this.proceedReadOnly(msg, key);
      }
    }
    return this.decide(msg);
  }

  /** The table above, for anything but a new Get: a repeat, or a BOD with an effect. */
  private async decide(msg: InboundMessage): Promise<InterceptDecision> {
    const aa = msg.request.applicationArea;
    const readOnly = READ_ONLY_VERBS.has(msg.request.verb);
    const bodId = aa.bodId ?? null;
    const senderId = aa.senderLogicalId ?? '';
    if (bodId === null) {
      if (readOnly) return this.proceedReadOnly(msg, undefined);
      const row = inboundRow(msg);
      const begun = await this.messages.beginInbound(row);
      return this.proceed(begun.created ? begun.messageId : begun.existing.messageId, undefined, row.requestHash, row.receivedAt, row.orderId);
    }
    const key = messageKey(senderId, bodId);
    const params = { bodId, sender: senderId || '(no Sender LogicalID)' };
    // The original was answered and its answer is being stored: the repeat is decided once it is.
    const finishing = this.finishing.get(key);
    if (finishing) await finishing;
    // Checked and taken in one synchronous step: two copies arriving together cannot both pass.
    if (this.inFlight.has(key)) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    this.inFlight.add(key);
    let decision: InterceptDecision | undefined;
    try {
      const recent = this.recent.get(key);
      const seen = recent && (recent.responseXml === undefined
        ? await this.seenGet(recent, key, msg, params)
        : this.seenBefore(recent, contentHash(msg.text, msg.raw), params));
      if (seen) decision = seen;
      else if (readOnly) decision = this.proceedReadOnly(msg, key);
      else {
        // A failed Get under this key is still queued: write it first, so the row taken below cannot be overwritten.
        if (this.writer.unwrittenInbound(key)) await this.writer.flush();
        decision = await this.begin(inboundRow(msg), key, params);
      }
      return decision;
    } finally {
      if (!decision || !('proceed' in decision)) this.inFlight.delete(key);
    }
  }

  /** A BOD with an effect: its key is taken by the `received` row before the handler runs. */
  private async begin(row: NewInboundMessage, key: string, params: { bodId: string; sender: string }): Promise<InterceptDecision> {
    const begun = await this.messages.beginInbound(row);
    if (begun.created) return this.proceed(begun.messageId, key, row.requestHash, row.receivedAt, row.orderId);
    let stored = begun.existing;
    // Applied without an answer: on one process that is a crash (the answer would be in `finishing` otherwise); on a
    // shared store it is, for a while, another node that committed the effect and is storing its answer now. As on
    // one process, the repeat waits a moment for that answer; not there yet, the client is told to retry.
    if (this.sharedStore && this.answerPending(stored)) {
      stored = await this.otherNodesAnswer(stored, row.senderId, row.bodId ?? '');
      if (this.answerPending(stored)) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    }
    const seen = this.seenBefore(stored, row.requestHash, params);
    if (seen) return seen;
    // Not in flight here, but perhaps on another node: young enough, it is; a repeat may try again in a moment.
    if (this.sharedStore && stored.status === 'received' && Date.now() - stored.createdAt < SHARED_IN_FLIGHT_MS) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    if (!(await this.messages.restartInbound(stored.messageId, row))) return { fault: 'DUPLICATE_IN_PROGRESS', params };
    this.log.info('BOD seen before without effect; processing it again', { messageId: stored.messageId, bodId: row.bodId, previous: stored.status });
    return this.proceed(stored.messageId, key, row.requestHash, row.receivedAt, row.orderId);
  }

  /** Applied, not answered, and recently enough that its node is taken as storing the answer (shared store). */
  private answerPending(stored: BodMessage): boolean {
    return stored.status === 'applied' && Date.now() - (stored.appliedAt ?? stored.createdAt) < SHARED_IN_FLIGHT_MS;
  }

  /** The record as another node leaves it once its answer is stored, read again until then or for at most {@link OTHER_NODE_ANSWER_WAIT_MS}. */
  private async otherNodesAnswer(stored: BodMessage, senderId: string, bodId: string): Promise<BodMessage> {
    const until = Date.now() + OTHER_NODE_ANSWER_WAIT_MS;
    let latest = stored;
    while (this.answerPending(latest) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      latest = (await this.messages.findInbound(senderId, bodId)) ?? latest;
    }
    return latest;
  }

  /** What a repeat gets from the stored message (the table above); undefined when it never took effect and runs again. */
  private seenBefore(stored: Recent, requestHash: string, params: { bodId: string; sender: string }): InterceptDecision | undefined {
    const date = new Date(stored.appliedAt ?? stored.createdAt).toISOString();
    switch (stored.status) {
      case 'processed':
      case 'rejected':
        if (stored.requestHash !== requestHash) return { fault: 'DUPLICATE_BODID_CONFLICT', params: { ...params, date } };
        return { replay: stored.responseXml ?? '', of: stored.messageId };
      case 'applied':
        return { fault: 'DUPLICATE_RESPONSE_LOST', params: { ...params, date } };
      case 'faulted':
      case 'failed':
        return stored.appliedAt !== null ? { fault: 'DUPLICATE_RESPONSE_LOST', params: { ...params, date } } : undefined;
      case 'received':
        return undefined;
      default:
        throw new Error(`an inbound message is in status ${stored.status}`);
    }
  }

  /**
   * A repeat of a recent Get, or another BOD reusing a recent Get's key. Neither the Get's answer nor its content
   * hash is kept in memory: the hash would cost every Get a SHA-256 for the rare repeat, and thousands of answers
   * held for seconds are promoted by the garbage collector. Both are taken from the recorded Get — by its message
   * id in the journal, from the write-behind queue, or from the database — and the hash of the repeat is worked
   * out now. Not found (its record could not be written), a Get simply runs again: it has no effect to repeat.
   */
  private async seenGet(recent: Recent, key: string, msg: InboundMessage, params: { bodId: string; sender: string }): Promise<InterceptDecision | undefined> {
    const requestHash = contentHash(msg.text, msg.raw);
    const aa = msg.request.applicationArea;
    const original = await this.recordedGet(recent, key, aa.senderLogicalId ?? '', aa.bodId ?? '');
    if (!original) return undefined;
    if (original.requestHash !== requestHash) return this.seenBefore({ ...recent, requestHash: original.requestHash }, requestHash, params);
    return (original.status === 'processed' || original.status === 'rejected') && original.responseXml !== null ? { replay: original.responseXml, of: original.messageId } : undefined;
  }

  private async recordedGet(recent: Recent, key: string, senderId: string, bodId: string): Promise<{ status: string; requestHash: string; responseXml: string | null; messageId?: string } | undefined> {
    if (recent.journalId !== undefined) {
      const m = await this.messages.get(journalMessageId(recent.journalId));
      // The entry was found by a hash of the key: the record must be this key's.
      if (!m || m.bodId !== bodId || m.senderId !== senderId || m.requestHash === null) return undefined;
      return { status: m.status, requestHash: m.requestHash, responseXml: m.responseXml, messageId: m.messageId };
    }
    // With a journal, a Get without a journal id was dropped (the disk fell behind): there is nothing to find, and
    // looking for it would scan the journal on the request path.
    if (this.messages.answeredGets) return undefined;
    const queued = this.writer.unwrittenInbound(key);
    if (queued) return { status: queued.status, requestHash: contentHash(xmlText(queued.requestXml)), responseXml: queued.responseXml === null ? null : xmlText(queued.responseXml) };
    const stored = await this.messages.findInbound(senderId, bodId);
    return stored && stored.requestHash !== null ? { status: stored.status, requestHash: stored.requestHash, responseXml: stored.responseXml, messageId: stored.messageId } : undefined;
  }

  /**
   * A BOD with an effect, taken: its handler runs, and once it has answered, the answer is stored. The answer is
   * sent without waiting for that write (a commit and an fsync, one more per request than the effect's own): the
   * effect is committed already, and until the answer is stored the key stays in flight, so a repeat waits for it
   * (see before()). A crash in between leaves the message applied without an answer: DUPLICATE_RESPONSE_LOST, the
   * window the table above describes.
   */
  private proceed(messageId: string, key: string | undefined, requestHash: string, receivedAt: number, requestOrderId: string | null): InterceptDecision {
    const context: MessageContext = { messageId, closed: false };
    const after = async (responseBod: string, result: AnswerResult): Promise<string> => {
      context.closed = true;
      const storing = this.storeAnswer(messageId, key, result, responseBod, requestHash, receivedAt, requestOrderId);
      if (key !== undefined) this.finishing.set(key, storing);
      this.storing.add(storing);
      void storing.finally(() => {
        this.storing.delete(storing);
        if (key !== undefined && this.finishing.get(key) === storing) this.finishing.delete(key);
      });
      return messageId;
    };
    return { proceed: true, after, context };
  }

  /** Never rejects: the caller has its answer whatever happens here. */
  private async storeAnswer(messageId: string, key: string | undefined, result: AnswerResult, responseBod: string, requestHash: string, receivedAt: number, requestOrderId: string | null): Promise<void> {
    const answered = result.status === 'processed' || result.status === 'rejected';
    try {
      // A new cart's request names no order: its record takes the one the answer names (off the Get path).
      const orderId = answered && isUnnamedOrder(requestOrderId) ? businessKeys(responseBod).orderId : null;
      const stored = await this.messages.finishInbound(messageId, answered
        ? { status: result.status, responseXml: responseBod, error: result.error, at: Date.now(), orderId }
        : { status: result.status, responseXml: null, error: result.error ?? FAULT_NOTE, at: Date.now() });
      if (stored && key !== undefined && answered) this.recent.set(key, { status: result.status, requestHash, responseXml: responseBod, createdAt: receivedAt, appliedAt: null, messageId });
    } catch (e) {
      // The caller has its answer; a repeat of this BODID will be told the answer was lost.
      this.log.error('message store could not store the answer', { messageId, error: e instanceof Error ? e.message : String(e) });
    } finally {
      if (key !== undefined) this.inFlight.delete(key);
    }
  }

  /** Resolves once every answer already sent is stored (shutdown, before the store closes). */
  async drain(): Promise<void> {
    while (this.storing.size > 0) await Promise.all([...this.storing]);
  }

  /**
   * A Get: nothing to take before it runs. The answered message is written behind (MessageWriter: the Get
   * journal on a file database), and its key is remembered with the message id the record got.
   */
  private proceedReadOnly(msg: InboundMessage, key: string | undefined): InterceptDecision {
    // Synchronous: the record is encoded into the journal's batch now, and written behind.
    const after = (responseBod: string, result: AnswerResult, responseBytes?: Uint8Array): string | undefined => {
      const answered = result.status === 'processed' || result.status === 'rejected';
      const entry = answeredGet(msg, result.status, answered ? responseBytes ?? responseBod : null, result.error);
      const recorded = this.writer.addAnswered(key, entry);
      // A journal number finds the record again; a reserved row of the database is found by its key (recordedGet).
      const journalId = recorded !== undefined && recorded >= JOURNAL_ID_BASE ? recorded : undefined;
      if (key !== undefined) {
        // A fault is not kept: a repeat runs again (the table's "faulted, never applied").
        if (!answered) this.recent.delete(key);
        else if (result.status === 'processed') this.recent.set(key, { status: 'processed', requestHash: undefined, responseXml: undefined, createdAt: entry.receivedAt, appliedAt: null, journalId });
        else this.recent.set(key, { status: result.status, requestHash: undefined, responseXml: undefined, createdAt: entry.receivedAt, appliedAt: null, journalId });
        this.inFlight.delete(key);
      }
      return recorded === undefined ? undefined : answeredGetId(recorded);
    };
    return { proceed: true, after };
  }
}

type Stored = Pick<BodMessage, 'status' | 'requestHash' | 'responseXml' | 'createdAt' | 'appliedAt'> & { readonly messageId?: string | undefined };

/**
 * What {@link RecentKeys} holds of an answered key. Of a Get, neither answer nor hash (`undefined`, see seenGet),
 * but the message id its record got (undefined where the record waits in the write-behind queue instead).
 */
type Recent = Omit<Stored, 'responseXml' | 'requestHash'> & {
  readonly requestHash: string | null | undefined;
  readonly responseXml: string | null | undefined;
  /** The journal's message id of a recorded Get, as the number the journal handed out. */
  readonly journalId?: number | undefined;
};

/**
 * The answered keys of this process; beyond `capacity` the oldest answered is forgotten. Keys live in a ring of
 * slots in answer order, so eviction is one slot. At thousands of Gets a second the entries live long enough to be
 * promoted to the old generation, and keeping strings and objects per entry made its collections a measurable share
 * of every request; so a Get's entry is numbers only: the map goes from a 30-bit hash of the key (a small integer,
 * stored inline) to the slot, and the slot holds the Get's journal id and time in typed arrays. A hash names a key
 * only probably: whoever acts on a Get's entry checks the recorded Get's own sender and BODID (seenGet), and two
 * live keys with one hash just forget the older early. The rare entries of effectful BODs are kept whole, key
 * included, and checked here.
 */
export class RecentKeys {
  private readonly slotOf = new Map<number, number>();
  private readonly hashes: Int32Array;
  private readonly records: (Recent & { readonly key: string } | undefined)[];
  private readonly journalIds: Float64Array;
  private readonly createdAts: Float64Array;
  private next = 0;

  constructor(private readonly capacity: number) {
    this.hashes = new Int32Array(capacity).fill(-1);
    this.records = new Array<(Recent & { readonly key: string }) | undefined>(capacity);
    this.journalIds = new Float64Array(capacity);
    this.createdAts = new Float64Array(capacity);
  }

  get(key: string): Recent | undefined {
    const slot = this.slotOf.get(keyHash(key));
    if (slot === undefined) return undefined;
    const r = this.records[slot];
    if (r) return r.key === key ? r : undefined;
    const journalId = this.journalIds[slot]!;
    return { status: 'processed', requestHash: undefined, responseXml: undefined, createdAt: this.createdAts[slot]!, appliedAt: null, journalId: Number.isNaN(journalId) ? undefined : journalId };
  }

  set(key: string, value: Recent): void {
    const h = keyHash(key);
    let slot = this.slotOf.get(h);
    if (slot === undefined) {
      slot = this.next;
      this.next = (this.next + 1) % this.capacity;
      const old = this.hashes[slot]!;
      if (old !== -1 && this.slotOf.get(old) === slot) this.slotOf.delete(old);
      this.hashes[slot] = h;
      this.slotOf.set(h, slot);
    }
    // A Get's entry (no answer, no hash kept) is numbers only; anything else is kept whole.
    const getLike = value.status === 'processed' && value.responseXml === undefined && value.requestHash === undefined && value.appliedAt === null;
    this.records[slot] = getLike ? undefined : { ...value, key };
    this.journalIds[slot] = value.journalId ?? NaN;
    this.createdAts[slot] = value.createdAt;
  }

  delete(key: string): void {
    const h = keyHash(key);
    const slot = this.slotOf.get(h);
    if (slot === undefined) return;
    this.slotOf.delete(h);
    this.hashes[slot] = -1;
    this.records[slot] = undefined;
  }

  get size(): number {
    return this.slotOf.size;
  }
}

/** FNV-1a over the UTF-16 code units, folded to 30 bits: always a small integer, which V8 keeps without allocating. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fffffff;
}

/** Verbs without an effect: their messages are recorded write-behind, and a repeat is answered from the record. */
const READ_ONLY_VERBS: ReadonlySet<string> = new Set(['Get']);
const FAULT_NOTE = 'answered with a SOAP fault (not stored: the caller must fix and resend)';

/** A request that names no order yet: none, or Commerce's "." (the current cart) and "*" / "**" (all of them). */
function isUnnamedOrder(orderId: string | null): boolean {
  return orderId === null || orderId === '.' || orderId === '*' || orderId === '**';
}

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
    // The envelope as received; a WS-Security header's password is blanked, card numbers cut to their last four.
    requestXml: maskCards(msg.soapHeader ? redactSecrets(text) : text),
    receivedAt: msg.receivedAtMs,
  };
}

/** What is recorded of an answered Get: no hash, no business keys (derived from the XML when it is read). */
function answeredGet(msg: InboundMessage, status: AnsweredStatus, responseXml: XmlPayload | null, error: string | null): AnsweredGet {
  const aa = msg.request.applicationArea;
  const op = msg.operation.name;
  const verb = msg.request.verb;
  return {
    service: msg.service.name, operation: op, verb, noun: op.startsWith(verb) ? op.slice(verb.length) : op, bodId: aa.bodId ?? null,
    senderId: aa.senderLogicalId ?? '', status,
    // The envelope as received (its bytes, copied without encoding); a WS-Security header's password is blanked first.
    requestXml: msg.soapHeader ? redactSecrets(msg.text) : msg.raw,
    responseXml, error, receivedAt: msg.receivedAtMs, answeredAt: Date.now(),
  };
}
