import type { Order, OrderStatus } from '../order/order-model.js';
import type {
  AvailabilityRecord, CacheRule, CatalogEntry, FulfillmentCenter, LocationKey, OnlineStore, PhysicalStore,
} from '../inventory/inventory-model.js';

/*
 * Every store is an async interface so the SQLite implementation (one node) and the PostgreSQL one (several
 * nodes) run the same test suite (test/store/store-contract.test.ts). Transactions are explicit:
 * `transaction(fn)` hands `fn` a {@link Transaction} (a Store bound to the transaction, and nothing else is inside
 * it); what must wait until the commit is durable — evicting a cache, kicking a relay — is registered with its
 * `afterCommit`. Nothing outside src/store knows which database it is: src/store/open-store.ts picks it.
 */

export interface CatalogStore {
  catalogEntryById(catentryId: string): Promise<CatalogEntry | undefined>;
  catalogEntryByPartNumber(partNumber: string): Promise<CatalogEntry | undefined>;
  upsertCatalogEntry(entry: CatalogEntry): Promise<void>;
  /** False when there was none. */
  deleteCatalogEntry(catentryId: string): Promise<boolean>;
  /** Every catalog entry, by catentryId (the built-in DOM simulator stocks them all at start-up). */
  allCatalogEntries(): Promise<CatalogEntry[]>;
}

export interface StoreDirectory {
  onlineStoreById(storeId: string): Promise<OnlineStore | undefined>;
  onlineStoreByName(nameIdentifier: string): Promise<OnlineStore | undefined>;
  physicalStoreById(storeId: string): Promise<PhysicalStore | undefined>;
  physicalStoreByExternalId(externalId: string): Promise<PhysicalStore | undefined>;
  fulfillmentCenterById(id: string): Promise<FulfillmentCenter | undefined>;
  fulfillmentCenterByName(name: string): Promise<FulfillmentCenter | undefined>;
  upsertOnlineStore(store: OnlineStore): Promise<void>;
  upsertPhysicalStore(store: PhysicalStore): Promise<void>;
  upsertFulfillmentCenter(fc: FulfillmentCenter): Promise<void>;
  /** Stores in use (not retired). */
  countOnlineStores(): Promise<number>;
  /** Every online store id, retired ones too. */
  allOnlineStoreIds(): Promise<string[]>;
  /** Keeps the row for the orders that reference it; an upsert brings it back. */
  retireOnlineStore(storeId: string, at: number): Promise<void>;
  deletePhysicalStore(storeId: string): Promise<boolean>;
  /** Every physical store, by store id. */
  allPhysicalStores(): Promise<PhysicalStore[]>;
}

export type UpsertOutcome = 'inserted' | 'updated' | 'stale';

export interface AvailabilityStore {
  get(catentryId: string, location: LocationKey): Promise<AvailabilityRecord | undefined>;
  /**
   * Inserts or replaces a record. With `ifNotOlder`, a record whose lastUpdate is older than the stored one is
   * not applied and 'stale' is returned (DOM's messages may arrive out of order).
   */
  upsert(record: AvailabilityRecord, opts: { ifNotOlder: boolean }): Promise<UpsertOutcome>;
  remove(catentryId: string, location: LocationKey): Promise<boolean>;
  /** Subtracts from a finite cached quantity (never below 0); returns the new quantity or undefined if absent. */
  decrement(catentryId: string, location: LocationKey, quantity: number): Promise<number | null | undefined>;
}

/** One row of a batch load, already validated and resolved to ids. */
export type AvailabilityBatchOp =
  | { readonly op: 'upsert'; readonly line: number; readonly record: AvailabilityRecord }
  | { readonly op: 'delete'; readonly line: number; readonly catentryId: string; readonly location: LocationKey };

export interface BatchLoadResult {
  readonly upserted: number;
  readonly deleted: number;
  /** Deletes of records that did not exist: counted, not errors. */
  readonly missing: number;
}

export interface BulkLoadStore {
  /** Applies one batch in one transaction: all of it or none of it. */
  applyAvailabilityBatch(ops: readonly AvailabilityBatchOp[]): Promise<BatchLoadResult>;
  /** Resolvers the loader calls per row; implementations cache prepared statements. */
  catentryIdForPartNumber(partNumber: string): Promise<string | undefined>;
  physicalStoreIdFor(identifier: string): Promise<string | undefined>;
  onlineStoreExists(storeId: string): Promise<boolean>;
}

export interface CacheRuleStore {
  allRules(): Promise<CacheRule[]>;
  replaceRules(rules: readonly CacheRule[]): Promise<void>;
}

export interface LocalInventoryStore {
  /** Non-ATP stock on hand minus reserved, per item and fulfillment center; undefined when never stocked. */
  available(catentryId: string, fulfillmentCenterId: string): Promise<number | undefined>;
  setOnHand(catentryId: string, fulfillmentCenterId: string, onHand: number): Promise<void>;
  /** Stock on hand (before reservations); undefined when never stocked. */
  onHand(catentryId: string, fulfillmentCenterId: string): Promise<number | undefined>;
}

export type IdKind = 'order' | 'orderItem' | 'payment' | 'shipment';

export interface StatusChange {
  readonly fromStatus: string | null;
  readonly toStatus: string;
  readonly cause: string;
  readonly at: number;
}

export interface OrderStore {
  nextId(kind: IdKind): Promise<string>;
  get(orderId: string): Promise<Order | undefined>;
  insert(order: Order): Promise<void>;
  /** Writes the order if its stored version is `order.version - 1`; false when someone else wrote first. */
  update(order: Order): Promise<boolean>;
  appendHistory(orderId: string, change: StatusChange): Promise<void>;
  history(orderId: string): Promise<StatusChange[]>;
  /** The order DOM keys by this id (Sterling's OrderHeaderKey, stored as externalOrderId); undefined when none or several. */
  findByExternalOrderId(externalOrderId: string): Promise<string | undefined>;
  /** Orders in these statuses whose last transfer attempt is older than `before` (ms), oldest first. */
  findForRetransfer(statuses: readonly OrderStatus[], before: number, limit: number): Promise<string[]>;
}

export type OutboxStatus = 'queued' | 'sent' | 'acknowledged' | 'failed' | 'dead';

export interface OutboxMessage {
  readonly messageId: string;
  /** What it asks of DOM: TransferOrder, CancelInventoryReservation … */
  readonly kind: string;
  readonly orderId: string;
  /** The BODID, the same on every attempt so DOM can recognise a resend. */
  readonly bodId: string;
  readonly payload: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  /** Epoch ms until which a claim holds it; null when nobody does. */
  readonly leaseUntil: number | null;
}

/** What a settle may change beside the status; left out = unchanged. */
export interface SettleFields {
  readonly attempts?: number;
  readonly nextAttemptAt?: number;
  readonly lastError?: string | null;
}

/**
 * The DOM outbox is a claimable queue. A relay `claim`s what is due: each message comes with a lease (until
 * `now + leaseMs`) during which no other claim returns it, on this node or another; `settle` moves it through the
 * outbound machine (src/messages/message-states.ts, OUTBOUND_MACHINE: the single source of allowed moves) and
 * frees the lease once it leaves `sent`. A message left `sent` by a process that died mid-send is claimable again
 * once its lease has expired: lease expiry is how interrupted sends are recovered.
 */
export interface DomOutboxStore {
  enqueue(msg: Omit<OutboxMessage, 'status' | 'attempts' | 'lastError' | 'leaseUntil'>): Promise<void>;
  /** Queued or failed messages due at `now`, oldest first, leased or not (a look, not a claim). */
  due(now: number, limit: number): Promise<OutboxMessage[]>;
  /**
   * Takes up to `limit` messages, oldest due first: queued or failed ones due at `now`, and sent ones whose lease has
   * expired (their sender died), none whose lease is held. Each is leased until `now + leaseMs`, atomically: two
   * claims at once never return the same message.
   */
  claim(limit: number, leaseMs: number, now: number): Promise<OutboxMessage[]>;
  get(messageId: string): Promise<OutboxMessage | undefined>;
  forOrder(orderId: string): Promise<OutboxMessage[]>;
  /**
   * Moves a message to `to` if OUTBOUND_MACHINE allows it from the stored status (staying put is allowed); false,
   * and nothing written, when it does not. Leaving `sent` frees the lease.
   */
  settle(messageId: string, to: OutboxStatus, fields?: SettleFields): Promise<boolean>;
  depth(): Promise<{ pending: number; oldestCreatedAt: number | null; dead: number }>;
  /** DOM is back: every queued or failed message not yet due becomes due at `now`; returns how many moved. */
  rescheduleWaiting(now: number): Promise<number>;
}

export interface PendingEmail {
  readonly emailId: string;
  readonly orderId: string;
  readonly type: string;
  readonly recipient: string;
  /** JSON of the template data, fixed when the e-mail was decided. */
  readonly data: string;
  readonly attempts: number;
}

export interface EmailOutboxStore {
  enqueue(email: Omit<PendingEmail, 'attempts'>, at: number): Promise<void>;
  /** Pending e-mails due at `now` (a look, not a claim). */
  due(now: number, limit: number): Promise<PendingEmail[]>;
  /** Pending e-mails due at `now` whose lease is free, each leased until `now + leaseMs` (as DomOutboxStore.claim). */
  claim(limit: number, leaseMs: number, now: number): Promise<PendingEmail[]>;
  markSent(emailId: string, at: number): Promise<void>;
  markFailed(emailId: string, error: string, retryAt: number | null): Promise<void>;
  /** An order's e-mails, oldest first: when each was decided (createdAt) and sent (sentAt, null until then), epoch ms. */
  list(orderId: string): Promise<{ type: string; recipient: string; status: string; createdAt?: number; sentAt?: number | null }[]>;
}

export interface LocalReservationStore {
  /** Check and take in one statement: false (nothing taken) when on hand − reserved < quantity. */
  reserve(orderItemId: string, orderId: string, catentryId: string, fulfillmentCenterId: string, quantity: number, check: boolean): Promise<boolean>;
  /** Gives back every reservation of an order; returns how many lines were released. Safe to run twice. */
  release(orderId: string): Promise<number>;
  /** Submit: the reserved quantities leave stock (on hand and reserved both drop). Safe to run twice. */
  consume(orderId: string): Promise<number>;
}

export type MessageDirection = 'in' | 'out';
/** Inbound BODs: received → applied → processed | rejected | faulted | failed (machines in src/messages/message-states.ts). */
export type InboundStatus = 'received' | 'applied' | 'processed' | 'rejected' | 'faulted' | 'failed';
/** How an answered inbound request ended (docs/operations.md). */
export type AnsweredStatus = Exclude<InboundStatus, 'received' | 'applied'>;
/** Outbound BODs: queued → sent → acknowledged | failed | dead; direct calls enter at sent. */
export type OutboundStatus = OutboxStatus;
export type MessageStatus = InboundStatus | OutboundStatus;

/** What the message store keeps of a BOD; list rows leave the XML out (empty request, null response). */
export interface BodMessage {
  /** The message id as people see it (src/messages/message-ids.ts): in-N, get-N, out-N, outbox-N. */
  readonly messageId: string;
  /** A DOM outbox message's own id (what DomOutboxStore takes), when `source` is 'outbox'. */
  readonly outboxMessageId?: string;
  /** 'message': recorded by the message store; 'outbox': a DOM outbox row, shown beside them. */
  readonly source: 'message' | 'outbox';
  readonly direction: MessageDirection;
  /** WSDL service name inbound, DOM service path outbound. */
  readonly service: string;
  /** The operation (root element), or the outbox message kind (TransferOrder …). */
  readonly operation: string;
  readonly verb: string | null;
  readonly noun: string | null;
  readonly bodId: string | null;
  /** Sender/LogicalID of an inbound BOD, '' when it had none. */
  readonly senderId: string | null;
  readonly orderId: string | null;
  readonly partNumber: string | null;
  readonly catentryId: string | null;
  readonly status: MessageStatus;
  /** SHA-256 (hex) of the SOAP Body's text: what decides whether a repeated BODID is the same message. */
  readonly requestHash: string | null;
  readonly requestXml: string;
  readonly responseXml: string | null;
  readonly error: string | null;
  readonly attempts: number | null;
  readonly durationMs: number | null;
  /** The inbound message whose handling made this outbound call. */
  readonly causedBy: string | null;
  /** Epoch ms: received (inbound), created or sent (outbound). */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When the effect of an inbound BOD was committed. */
  readonly appliedAt: number | null;
}

export interface NewInboundMessage {
  readonly service: string;
  readonly operation: string;
  readonly verb: string;
  readonly noun: string;
  readonly bodId: string | null;
  readonly senderId: string;
  readonly orderId: string | null;
  readonly partNumber: string | null;
  readonly catentryId: string | null;
  readonly requestHash: string;
  readonly requestXml: string;
  readonly receivedAt: number;
}

export type InboundBegin = { readonly created: true; readonly messageId: string } | { readonly created: false; readonly existing: BodMessage };

/** An inbound BOD recorded once answered, write-behind: a read-only operation (Get) has no effect to be idempotent with. */
export interface CompletedInbound extends NewInboundMessage {
  /** The row reserved for it (reserveInboundRows): its id was told when it was answered. Absent: any free row. */
  readonly messageRow?: number | undefined;
  readonly status: AnsweredStatus;
  readonly responseXml: string | null;
  readonly error: string | null;
  readonly answeredAt: number;
}

/**
 * An answered Get as recorded write-behind: what was sent and answered. Its content hash and business keys are
 * derived from `requestXml` when the record is read (see src/messages/get-journal.ts for why).
 */
export interface AnsweredGet<X extends XmlPayload = XmlPayload>
  extends Pick<CompletedInbound, 'service' | 'operation' | 'verb' | 'noun' | 'bodId' | 'senderId' | 'status' | 'error' | 'receivedAt' | 'answeredAt'> {
  /** The envelope as received, WS-Security passwords blanked. */
  readonly requestXml: X;
  /** The response BOD (no envelope). */
  readonly responseXml: X | null;
  /** Written behind into the database: the row reserved for it (see CompletedInbound). */
  readonly messageRow?: number | undefined;
}

/**
 * XML as text, or as its UTF-8 bytes — as received, or as about to be sent — so that a record can copy them
 * without encoding the text again.
 */
export type XmlPayload = string | Uint8Array;

/** Where a store keeps answered Gets outside its transactions (a file database's journal). */
export interface AnsweredGetJournal {
  /**
   * Queues the record and returns its message id at once, as a number (`String(id)` is the message id); undefined
   * when it was dropped (the journal fell behind).
   */
  append(entry: AnsweredGet): number | undefined;
  /** Resolves once everything queued is written. */
  flush(): Promise<void>;
  /** Writes what is queued and lets go of its files (shutdown). */
  close(): Promise<void>;
  /** Told when records are lost (a failed write, a full queue): the message writer logs it. */
  onProblem: (what: string, fields: Record<string, unknown>) => void;
}

/**
 * An inbound request recorded in its final status at once, without the idempotency key: refused before its
 * handler ran (its text cut to a safe excerpt), or answered from an earlier message's record.
 */
export interface UnkeptInbound {
  /** The row reserved for it (reserveInboundRows), whose id the access log and the metrics named. */
  readonly messageRow?: number | undefined;
  readonly service: string;
  readonly operation: string;
  readonly verb: string | null;
  readonly noun: string | null;
  readonly bodId: string | null;
  readonly senderId: string;
  readonly orderId: string | null;
  readonly partNumber: string | null;
  readonly catentryId: string | null;
  readonly status: AnsweredStatus;
  readonly requestXml: string;
  readonly error: string | null;
  readonly receivedAt: number;
  readonly answeredAt: number;
}

/** One call to DOM, recorded after it returned. */
export interface RecordedCall {
  readonly service: string;
  readonly operation: string;
  readonly verb: string | null;
  readonly noun: string | null;
  readonly bodId: string | null;
  readonly orderId: string | null;
  readonly partNumber: string | null;
  readonly catentryId: string | null;
  readonly status: 'acknowledged' | 'failed';
  readonly requestXml: string;
  readonly responseXml: string | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly causedBy: string | null;
  /** The row reserved for it (reserveCallRows), whose id (callMessageId) the metrics named. Absent: any free row. */
  readonly messageRow?: number | undefined;
  /** Epoch ms. */
  readonly sentAt: number;
  readonly answeredAt: number;
}

export interface MessageQuery {
  /** One status, or any of several. */
  readonly status?: MessageStatus | readonly MessageStatus[];
  /** Epoch ms: only messages created at or after it. */
  readonly since?: number;
  /** Epoch ms: only messages created before it. */
  readonly until?: number;
  readonly direction?: MessageDirection;
  readonly operation?: string;
  readonly bodId?: string;
  readonly orderId?: string;
  /** Messages naming any of these items (part numbers or catalog entry ids). */
  readonly items?: readonly string[];
  readonly limit: number;
}

/** The message store: every BOD in and out, and the idempotency keys of inbound BODs. */
export interface MessageStore {
  /**
   * Records an inbound BOD as received, in one statement. With a BODID, the key (sender, BODID) is taken in the
   * same statement; when it is already taken nothing is written and the existing message is returned.
   */
  beginInbound(m: NewInboundMessage): Promise<InboundBegin>;
  /** A repeat of a message that never took effect (left received by a crash, or answered with a fault) runs again. */
  restartInbound(messageId: string, m: NewInboundMessage): Promise<boolean>;
  /** received → applied; run by the store inside the transaction that applies the effect (Store.markAppliedOnCommit). */
  markApplied(messageId: string, at: number): Promise<boolean>;
  /**
   * received | applied → processed or rejected (with the response BOD), faulted or failed (no response kept).
   * `orderId`: the order the answer names, kept where the request named none (a new cart).
   */
  finishInbound(messageId: string, outcome: { status: AnsweredStatus; responseXml: string | null; error: string | null; at: number; orderId?: string | null }): Promise<boolean>;
  /**
   * Answered Gets go here when the store has a journal for them (a file database); without one (in memory) they
   * are recorded through {@link recordBatch}. get, list, findInbound and prune cover the journal's records too.
   */
  readonly answeredGets: AnsweredGetJournal | undefined;
  /** The inbound message holding a key, if any (read outside the writer: the Get path never waits for it). */
  findInbound(senderId: string, bodId: string): Promise<BodMessage | undefined>;
  /**
   * Records answered inbound BODs and calls to DOM, all in one transaction. An inbound row whose key is taken by
   * a message that never took effect (received or failed, not applied) replaces it; any other holder is kept.
   */
  recordBatch(batch: { readonly inbound: readonly CompletedInbound[]; readonly calls: readonly RecordedCall[]; readonly unkept?: readonly UnkeptInbound[] }): Promise<void>;
  /**
   * Sets aside `count` rows for inbound records written behind (recordBatch), so that a request's id (in-N) is known
   * when it is answered, before its record is written: the access log and the metrics' exemplars name it. A row is
   * never handed out twice, by this call or by an insert, whether it is used or not (unused ones leave gaps).
   */
  reserveInboundRows(count: number): Promise<readonly number[]>;
  /**
   * The same for calls to DOM (recordBatch's `calls`): rows of the table the calls are written to (the message log's
   * on a database file, else the main one), named by callMessageId. The DOM-call metrics' exemplars name them.
   */
  reserveCallRows(count: number): Promise<readonly number[]>;
  /** A recorded message (digits) or a DOM outbox row (its message id), with the XML. */
  get(messageId: string): Promise<BodMessage | undefined>;
  /** Recorded messages and DOM outbox rows, merged, newest first, without the XML. */
  list(q: MessageQuery): Promise<BodMessage[]>;
  /** Recorded outbound calls carrying this BODID (the attempts of an outbox message), oldest first. */
  callsWithBodId(bodId: string): Promise<BodMessage[]>;
  /** Deletes recorded messages created before `before` (epoch ms), at most `limit`; returns how many. */
  prune(before: number, limit: number): Promise<number>;
}

/**
 * A change some process committed that copies held in memory must follow: one availability record, the cache rules,
 * or anything at all (a batch load, or a moment in which this process could not hear about changes).
 */
export type StoreChange =
  | { readonly kind: 'availability'; readonly catentryId: string; readonly location: LocationKey }
  | { readonly kind: 'cacheRules' }
  | { readonly kind: 'all' }
  /** Not a change of data: a node found DOM answering again (NodeCoordination.announce). */
  | { readonly kind: 'domUp' };

/** Background jobs that run on one node at a time (docs/several-nodes.md). */
export type SingletonJob = 'retransfer' | 'dom-heartbeat';

/**
 * What several processes on one store need from it (docs/several-nodes.md). PostgreSQL: changes arrive by
 * LISTEN/NOTIFY, sent in the writing transaction (delivered at its commit, never on rollback); singleton jobs are
 * session advisory locks on a connection of their own, so a node that dies loses them with its connection. SQLite:
 * another process's commit is found by `PRAGMA data_version` (reported as 'all'); singleton jobs are always held
 * (one process per file, or `serve --workers`, whose primary gives them to one worker).
 */
export interface NodeCoordination {
  /**
   * Tells `listener` of every change committed to the store — by other processes within {@link CHANGE_STALENESS_MS},
   * and possibly this process's own too (evicting twice is harmless). Returns the unsubscribe.
   */
  watch(listener: (change: StoreChange) => void): () => void;
  /** Takes the job's lock, or confirms this process still holds it; false while another process does. */
  hold(job: SingletonJob): Promise<boolean>;
  /** Lets the job's lock go (no-op when not held). */
  release(job: SingletonJob): Promise<void>;
  /**
   * Tells the other processes' watchers now, outside any transaction (a node's probe found DOM back). Where every
   * process probes DOM itself (SQLite: the heartbeat is never held by another), nothing is sent. Never rejects.
   */
  announce(change: StoreChange): Promise<void>;
}

/** The longest another process's committed change to availability goes unnoticed by a watcher, ms (docs/several-nodes.md). */
export const CHANGE_STALENESS_MS = 1_000;

export interface Store {
  readonly catalog: CatalogStore;
  readonly directory: StoreDirectory;
  readonly availability: AvailabilityStore;
  readonly bulk: BulkLoadStore;
  readonly cacheRules: CacheRuleStore;
  readonly localInventory: LocalInventoryStore;
  readonly orders: OrderStore;
  readonly domOutbox: DomOutboxStore;
  readonly emailOutbox: EmailOutboxStore;
  readonly localReservations: LocalReservationStore;
  readonly messages: MessageStore;
  /** Changes committed by other processes, and jobs for one node at a time. */
  readonly nodes: NodeCoordination;
  /**
   * Runs `fn` in one transaction: all of its writes commit or none do. Inside a transaction, `transaction` runs
   * `fn` in the same one. Rejects with what `fn` threw (rolled back), or with the commit's error.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Marking an inbound BOD applied commits with its effect: right before every commit the store asks `current`
   * which inbound message the transaction applies (src/messages/message-context.ts: the request being handled)
   * and marks it applied in that same transaction. Set once per store by the message store's installation.
   */
  markAppliedOnCommit(current: () => string | undefined): void;
  /** Cheap liveness probe for /healthz and /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** A Store bound to one transaction. */
export interface Transaction extends Store {
  /**
   * Runs `hook` once the transaction has committed and is durable; never when it rolls back. For what must not
   * happen before the commit: evicting a cache entry (a reader could load the old row back before the commit),
   * kicking a relay (it would not see the message yet). A hook that throws is logged by nobody: keep them trivial.
   * Other nodes hear of the change through {@link NodeCoordination.watch}, at the same commit.
   */
  afterCommit(hook: () => void): void;
}
