import type {
  AvailabilityRecord, CacheRule, CatalogEntry, FulfillmentCenter, LocationKey, OnlineStore, PhysicalStore,
} from '../inventory/inventory-model.js';

/*
 * Every store is an async interface so the SQLite implementation (one node) and a PostgreSQL one (several
 * nodes) run the same test suite. Transactions are explicit: `transaction(fn)` hands `fn` a Store bound to
 * the transaction, and nothing else is inside it.
 */

export interface CatalogStore {
  catalogEntryById(catentryId: string): Promise<CatalogEntry | undefined>;
  catalogEntryByPartNumber(partNumber: string): Promise<CatalogEntry | undefined>;
  upsertCatalogEntry(entry: CatalogEntry): Promise<void>;
}

export interface StoreDirectory {
  onlineStoreById(storeId: string): Promise<OnlineStore | undefined>;
  onlineStoreByName(nameIdentifier: string): Promise<OnlineStore | undefined>;
  physicalStoreById(storeId: string): Promise<PhysicalStore | undefined>;
  physicalStoreByExternalId(externalId: string): Promise<PhysicalStore | undefined>;
  fulfillmentCenterById(id: string): Promise<FulfillmentCenter | undefined>;
  upsertOnlineStore(store: OnlineStore): Promise<void>;
  upsertPhysicalStore(store: PhysicalStore): Promise<void>;
  upsertFulfillmentCenter(fc: FulfillmentCenter): Promise<void>;
  countOnlineStores(): Promise<number>;
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
  decrement(catentryId: string, location: LocationKey, quantity: number, at: number): Promise<number | null | undefined>;
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
}

export interface Store {
  readonly catalog: CatalogStore;
  readonly directory: StoreDirectory;
  readonly availability: AvailabilityStore;
  readonly bulk: BulkLoadStore;
  readonly cacheRules: CacheRuleStore;
  readonly localInventory: LocalInventoryStore;
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Cheap liveness probe for /healthz and /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
