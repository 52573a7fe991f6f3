import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import {
  CODE_TO_STATUS, STATUS_TO_CODE, type AvailabilityRecord, type CacheRule, type CatalogEntry, type OnlineStore, type PhysicalStore,
} from '../../inventory/inventory-model.js';
import type {
  AvailabilityStore, BulkLoadStore, CacheRuleStore, CatalogStore, DomOutboxStore, EmailOutboxStore, LocalInventoryStore, LocalReservationStore,
  MessageStore, NodeCoordination, OrderStore, StoreDirectory, Transaction, UpsertOutcome,
} from '../store.js';
import { notifyChange, PgNodeCoordination } from './pg-node-coordination.js';
import { runHook } from '../sqlite/sqlite-store.js';
import { PG_MIGRATIONS } from './postgres-migrations.js';
import { pgDomOutbox, pgEmailOutbox, pgLocalReservations, pgOrderStore } from './postgres-order-stores.js';
import { pgMessageStore } from './postgres-message-store.js';
import { queryOn, type After, type Query, type Row } from './pg-query.js';
import { availabilityRecordOf as toRecord, availabilityRowParams as recordParams } from '../availability-rows.js';

export interface PostgresOptions {
  /** postgres://user:pass@host:port/db (`?sslmode=require` and the driver's other URL options honoured). */
  readonly url: string;
  /** Connections in this process's pool. Default 10. */
  readonly poolSize?: number;
  /** statement_timeout of every connection, ms; 0 = none. Default 30,000. */
  readonly statementTimeoutMs?: number;
  /** PEM CA certificate file: TLS on, the server's certificate verified against it. */
  readonly caFile?: string;
  /** Run pending migrations when opening (serve does; `dombridge migrate` is the explicit way). Default true. */
  readonly migrate?: boolean;
}

/** The advisory lock key under which migrations run: nodes starting together apply each migration once. */
const MIGRATION_LOCK = 4_242_001;

interface Shared {
  applied: (() => string | undefined) | undefined;
  readonly nodes: PgNodeCoordination;
}

/**
 * PostgreSQL behind the same interfaces as SQLite, for several dombridge processes on one database. Outside a
 * transaction every call is one statement on the pool (autocommit); `transaction` reserves a connection for
 * BEGIN … COMMIT (READ COMMITTED). The guarantees that SQLite gets from its single writer come from the
 * statements here: conditional UPDATEs and row locks for stock, `FOR UPDATE SKIP LOCKED` for outbox claims,
 * unique keys for idempotency, sequences for ids. Writes of availability records and cache rules NOTIFY the
 * other nodes in the same transaction (pg-node-coordination.ts): PostgreSQL delivers the notification at the commit,
 * never on a rollback, so no node evicts before the change is visible nor misses one that committed.
 */
export class PostgresStore implements Transaction {
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
  readonly nodes: NodeCoordination;

  private constructor(
    private readonly pool: postgres.Sql,
    /** The transaction's connection, or the pool. */
    db: postgres.Sql,
    private readonly shared: Shared,
    /** afterCommit hooks of the transaction this store is bound to; undefined outside one. */
    private readonly hooks: (() => void)[] | undefined,
  ) {
    const q = queryOn(db);
    const after: After = hooks ? (h) => hooks.push(h) : (h) => runHook(h);
    const inTx = hooks !== undefined;
    // Several statements that must be atomic: in the caller's transaction, or one of their own.
    const atomic = <T>(fn: (q: Query) => Promise<T>): Promise<T> => (inTx ? fn(q) : this.transaction((tx) => fn((tx as PostgresStore).q)));
    this.q = q;
    this.nodes = shared.nodes;
    this.catalog = pgCatalog(q);
    this.directory = pgDirectory(q);
    this.availability = pgAvailability(q, after);
    this.bulk = pgBulk(q, atomic);
    this.cacheRules = pgCacheRules(q, atomic);
    this.localInventory = pgLocalInventory(q);
    this.orders = pgOrderStore(q);
    this.domOutbox = pgDomOutbox(q);
    this.emailOutbox = pgEmailOutbox(q);
    this.localReservations = pgLocalReservations(q, atomic);
    this.messages = pgMessageStore(q, atomic);
  }

  private readonly q: Query;

  static async open(opts: PostgresOptions): Promise<PostgresStore> {
    const pool = connect(opts);
    const nodes = new PgNodeCoordination((extra) => connect(opts, extra));
    try {
      if (opts.migrate !== false) await migratePostgres(pool);
      else await pool`SELECT 1`;
    } catch (e) {
      await pool.end({ timeout: 1 }).catch(() => undefined);
      throw e;
    }
    return new PostgresStore(pool, pool, { applied: undefined, nodes }, undefined);
  }

  afterCommit(hook: () => void): void {
    if (!this.hooks) throw new Error('afterCommit outside a transaction');
    this.hooks.push(hook);
  }

  markAppliedOnCommit(current: () => string | undefined): void {
    this.shared.applied = current;
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.hooks) return fn(this);
    const hooks: (() => void)[] = [];
    const result = await this.pool.begin(async (t) => {
      const tx = new PostgresStore(this.pool, t as unknown as postgres.Sql, this.shared, hooks);
      const value = await fn(tx);
      // The inbound BOD this transaction applies is marked applied with its effect (Store.markAppliedOnCommit).
      const applied = this.shared.applied?.();
      if (applied !== undefined) await tx.messages.markApplied(applied, Date.now());
      // Boxed: begin() would await an array's elements.
      return { value };
    });
    for (const h of hooks) runHook(h);
    return result.value as T;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.q('SELECT 1 AS ok')).length === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.shared.nodes.close();
    await this.pool.end({ timeout: 5 });
  }
}

/** The pool, or (with `extra`) a connection of its own with the same server, TLS and timeouts. */
function connect(opts: PostgresOptions, extra: postgres.Options<Record<string, never>> = {}): postgres.Sql {
  const timeout = opts.statementTimeoutMs ?? 30_000;
  return postgres(opts.url, {
    max: opts.poolSize ?? 10,
    ...(opts.caFile ? { ssl: { ca: readFileSync(opts.caFile, 'utf8'), rejectUnauthorized: true } } : {}),
    ...(timeout > 0 ? { connection: { statement_timeout: timeout } } : {}),
    // Epoch ms and counts are BIGINT: read them as numbers (exact up to 2^53, far beyond any of ours).
    types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    onnotice: () => undefined,
    connect_timeout: 10,
    ...extra,
  }) as unknown as postgres.Sql;
}

/** Applies pending migrations under an advisory lock; returns the versions applied. */
export async function migratePostgres(pool: postgres.Sql): Promise<number[]> {
  const applied: number[] = [];
  await pool.begin(async (t) => {
    // Transaction-scoped: released at COMMIT, also if the process dies. A second node waits here, then finds
    // everything applied.
    await t`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await t`CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;
    const done = new Set((await t`SELECT version FROM schema_migration`).map((r) => Number(r['version'])));
    for (const m of PG_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await t.unsafe(m.sql);
      await t`INSERT INTO schema_migration (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${Date.now()})`;
      applied.push(m.version);
    }
  });
  return applied;
}

/** `dombridge migrate` on PostgreSQL: connects, migrates, disconnects. */
export async function migratePostgresUrl(opts: PostgresOptions): Promise<number[]> {
  const pool = connect(opts);
  try {
    return await migratePostgres(pool);
  } finally {
    await pool.end({ timeout: 5 });
  }
}

function pgCatalog(q: Query): CatalogStore {
  const toEntry = (row: Row | undefined): CatalogEntry | undefined =>
    row && { catentryId: row['catentry_id'] as string, partNumber: row['part_number'] as string, name: row['name'] as string, price: (row['price'] as string | null) ?? null };
  return {
    catalogEntryById: async (id) => toEntry((await q('SELECT * FROM catalog_entry WHERE catentry_id = ?', [id]))[0]),
    catalogEntryByPartNumber: async (pn) => toEntry((await q('SELECT * FROM catalog_entry WHERE part_number = ?', [pn]))[0]),
    async upsertCatalogEntry(e) {
      await q(`INSERT INTO catalog_entry (catentry_id, part_number, name, price) VALUES (?, ?, ?, ?)
               ON CONFLICT (catentry_id) DO UPDATE SET part_number = excluded.part_number, name = excluded.name, price = excluded.price`, [e.catentryId, e.partNumber, e.name, e.price]);
    },
    deleteCatalogEntry: async (id) => (await q('DELETE FROM catalog_entry WHERE catentry_id = ?', [id])).count > 0,
    allCatalogEntries: async () => (await q('SELECT * FROM catalog_entry ORDER BY catentry_id')).map((row) => toEntry(row)!),
  };
}

function pgDirectory(q: Query): StoreDirectory {
  const online = (row: Row | undefined): OnlineStore | undefined =>
    row && {
      storeId: row['store_id'] as string, nameIdentifier: row['name_identifier'] as string, inventorySystem: row['inventory_system'] as number,
      currency: row['currency'] as string, fulfillmentCenterId: (row['fulfillment_center_id'] as string | null) ?? null, inventoryFlags: row['inventory_flags'] as number,
      ...(row['retired_at'] != null ? { retired: true } : {}),
    };
  const physical = (row: Row | undefined): PhysicalStore | undefined =>
    row && { storeId: row['store_id'] as string, externalId: row['external_id'] as string, onlineStoreId: (row['online_store_id'] as string | null) ?? null, name: (row['name'] as string | null) ?? null };
  const fc = (row: Row | undefined) => row && { fulfillmentCenterId: row['fulfillment_center_id'] as string, name: row['name'] as string };
  return {
    onlineStoreById: async (id) => online((await q('SELECT * FROM online_store WHERE store_id = ?', [id]))[0]),
    onlineStoreByName: async (n) => online((await q('SELECT * FROM online_store WHERE name_identifier = ?', [n]))[0]),
    physicalStoreById: async (id) => physical((await q('SELECT * FROM physical_store WHERE store_id = ?', [id]))[0]),
    physicalStoreByExternalId: async (x) => physical((await q('SELECT * FROM physical_store WHERE external_id = ?', [x]))[0]),
    fulfillmentCenterByName: async (name) => fc((await q('SELECT * FROM fulfillment_center WHERE name = ?', [name]))[0]),
    fulfillmentCenterById: async (id) => fc((await q('SELECT * FROM fulfillment_center WHERE fulfillment_center_id = ?', [id]))[0]),
    countOnlineStores: async () => Number((await q('SELECT COUNT(*) AS n FROM online_store WHERE retired_at IS NULL'))[0]!['n']),
    allOnlineStoreIds: async () => (await q('SELECT store_id FROM online_store ORDER BY store_id')).map((x) => x['store_id'] as string),
    async retireOnlineStore(id, at) {
      await q('UPDATE online_store SET retired_at = ? WHERE store_id = ? AND retired_at IS NULL', [at, id]);
    },
    allPhysicalStores: async () => (await q('SELECT * FROM physical_store ORDER BY store_id')).map((row) => physical(row)!),
    deletePhysicalStore: async (id) => (await q('DELETE FROM physical_store WHERE store_id = ?', [id])).count > 0,
    async upsertOnlineStore(s) {
      await q(`INSERT INTO online_store (store_id, name_identifier, inventory_system, currency, fulfillment_center_id, inventory_flags) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (store_id) DO UPDATE SET name_identifier = excluded.name_identifier, inventory_system = excluded.inventory_system,
             currency = excluded.currency, fulfillment_center_id = excluded.fulfillment_center_id, inventory_flags = excluded.inventory_flags, retired_at = NULL`,
      [s.storeId, s.nameIdentifier, s.inventorySystem, s.currency, s.fulfillmentCenterId, s.inventoryFlags]);
    },
    async upsertPhysicalStore(s) {
      await q(`INSERT INTO physical_store (store_id, external_id, online_store_id, name) VALUES (?, ?, ?, ?)
             ON CONFLICT (store_id) DO UPDATE SET external_id = excluded.external_id, online_store_id = excluded.online_store_id, name = excluded.name`,
      [s.storeId, s.externalId, s.onlineStoreId, s.name]);
    },
    async upsertFulfillmentCenter(f) {
      await q(`INSERT INTO fulfillment_center (fulfillment_center_id, name) VALUES (?, ?) ON CONFLICT (fulfillment_center_id) DO UPDATE SET name = excluded.name`,
        [f.fulfillmentCenterId, f.name]);
    },
  };
}

const AVAILABILITY_COLUMNS =
  'catentry_id, location_kind, location_id, status, quantity, uom, availability_time, availability_offset, last_update, context_store_id, field1, field2, field3';
const UPSERT_ALWAYS = `INSERT INTO inventory_availability (${AVAILABILITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (catentry_id, location_kind, location_id) DO UPDATE SET status = excluded.status, quantity = excluded.quantity, uom = excluded.uom,
  availability_time = excluded.availability_time, availability_offset = excluded.availability_offset, last_update = excluded.last_update,
  context_store_id = excluded.context_store_id, field1 = excluded.field1, field2 = excluded.field2, field3 = excluded.field3`;
// xmax = 0 on the returned row: it was inserted, not updated. The ordering guard is in the statement: one atomic step.
const UPSERT_IF_NOT_OLDER = `${UPSERT_ALWAYS} WHERE excluded.last_update >= inventory_availability.last_update RETURNING (xmax = 0) AS inserted`;
const UPSERT_RETURNING = `${UPSERT_ALWAYS} RETURNING (xmax = 0) AS inserted`;

const KEY = 'catentry_id = ? AND location_kind = ? AND location_id = ?';

// Every change NOTIFYs the other nodes' memory caches, in the writing transaction (delivered at its commit).
function pgAvailability(q: Query, _after: After): AvailabilityStore {
  const changed = (catentryId: string, location: AvailabilityRecord['location']) => notifyChange(q, { kind: 'availability', catentryId, location });
  return {
    async get(catentryId, loc) {
      const row = (await q(`SELECT ${AVAILABILITY_COLUMNS} FROM inventory_availability WHERE ${KEY}`, [catentryId, loc.kind, loc.storeId]))[0];
      return row && toRecord(row);
    },
    async upsert(rec, { ifNotOlder }): Promise<UpsertOutcome> {
      const rows = await q(ifNotOlder ? UPSERT_IF_NOT_OLDER : UPSERT_RETURNING, recordParams(rec));
      if (rows.length === 0) return 'stale';
      await changed(rec.catentryId, rec.location);
      return rows[0]!['inserted'] ? 'inserted' : 'updated';
    },
    async remove(catentryId, loc) {
      const removed = (await q(`DELETE FROM inventory_availability WHERE ${KEY}`, [catentryId, loc.kind, loc.storeId])).count > 0;
      if (removed) await changed(catentryId, loc);
      return removed;
    },
    async decrement(catentryId, loc, qty) {
      const rows = await q(`UPDATE inventory_availability SET quantity = GREATEST(quantity - ?, 0) WHERE ${KEY} AND quantity IS NOT NULL RETURNING quantity`,
        [qty, catentryId, loc.kind, loc.storeId]);
      if (rows.length) {
        await changed(catentryId, loc);
        return rows[0]!['quantity'] as number;
      }
      const exists = await q(`SELECT quantity FROM inventory_availability WHERE ${KEY}`, [catentryId, loc.kind, loc.storeId]);
      return exists.length ? null : undefined;
    },
  };
}

type Atomic = <T>(fn: (q: Query) => Promise<T>) => Promise<T>;

function pgBulk(q: Query, atomic: Atomic): BulkLoadStore {
  return {
    applyAvailabilityBatch: (ops) => atomic(async (t) => {
      let upserted = 0, deleted = 0, missing = 0;
      for (const op of ops) {
        if (op.op === 'upsert') { await t(UPSERT_ALWAYS, recordParams(op.record)); upserted++; }
        else if ((await t(`DELETE FROM inventory_availability WHERE ${KEY}`, [op.catentryId, op.location.kind, op.location.storeId])).count > 0) deleted++;
        else missing++;
      }
      await notifyChange(t, { kind: 'all' });
      return { upserted, deleted, missing };
    }),
    catentryIdForPartNumber: async (pn) => (await q('SELECT catentry_id FROM catalog_entry WHERE part_number = ?', [pn]))[0]?.['catentry_id'] as string | undefined,
    physicalStoreIdFor: async (id) =>
      (await q('SELECT store_id FROM physical_store WHERE external_id = ? OR store_id = ? ORDER BY (external_id = ?) DESC LIMIT 1', [id, id, id]))[0]?.['store_id'] as string | undefined,
    onlineStoreExists: async (id) => (await q('SELECT 1 FROM online_store WHERE store_id = ?', [id])).length > 0,
  };
}

function pgCacheRules(q: Query, atomic: Atomic): CacheRuleStore {
  return {
    async allRules() {
      return (await q('SELECT * FROM inventory_cache_rule ORDER BY rule_id')).map((row): CacheRule => ({
        id: row['rule_id'] as string,
        catentryId: (row['catentry_id'] as string | null) ?? null,
        location: row['location_kind'] ? { kind: row['location_kind'] as 'online' | 'physical', storeId: row['location_id'] as string } : null,
        precedence: row['precedence'] as number,
        flags: row['flags'] as number,
        threshold: row['threshold'] as number,
        expiryAbove: (row['expiry_above'] as number | null) ?? null,
        expiryBelow: (row['expiry_below'] as number | null) ?? null,
        fallbackStatus: row['fallback_status'] ? CODE_TO_STATUS[row['fallback_status'] as string]! : null,
        fallbackTime: (row['fallback_time'] as number | null) ?? null,
        fallbackOffset: (row['fallback_offset'] as number | null) ?? null,
      }));
    },
    replaceRules: (rules) => atomic(async (t) => {
      await t('DELETE FROM inventory_cache_rule');
      for (const x of rules) {
        await t(`INSERT INTO inventory_cache_rule (rule_id, catentry_id, location_kind, location_id, precedence, flags, threshold,
          expiry_above, expiry_below, fallback_status, fallback_time, fallback_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [x.id, x.catentryId, x.location?.kind ?? null, x.location?.storeId ?? null, x.precedence, x.flags, x.threshold,
          x.expiryAbove, x.expiryBelow, x.fallbackStatus ? STATUS_TO_CODE[x.fallbackStatus] : null, x.fallbackTime, x.fallbackOffset]);
      }
      await notifyChange(t, { kind: 'cacheRules' });
    }),
  };
}

function pgLocalInventory(q: Query): LocalInventoryStore {
  const KEY2 = 'catentry_id = ? AND fulfillment_center_id = ?';
  return {
    onHand: async (c, fc) => (await q(`SELECT on_hand FROM local_inventory WHERE ${KEY2}`, [c, fc]))[0]?.['on_hand'] as number | undefined,
    available: async (c, fc) => (await q(`SELECT on_hand - reserved AS available FROM local_inventory WHERE ${KEY2}`, [c, fc]))[0]?.['available'] as number | undefined,
    async setOnHand(c, fc, onHand) {
      await q(`INSERT INTO local_inventory (catentry_id, fulfillment_center_id, on_hand) VALUES (?, ?, ?)
             ON CONFLICT (catentry_id, fulfillment_center_id) DO UPDATE SET on_hand = excluded.on_hand`, [c, fc, onHand]);
    },
  };
}
