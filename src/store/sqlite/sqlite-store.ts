import Database from 'better-sqlite3';
import { AsyncResource } from 'node:async_hooks';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CODE_TO_STATUS, STATUS_TO_CODE, type AvailabilityRecord, type CacheRule, type CatalogEntry, type FulfillmentCenter,
  type OnlineStore, type PhysicalStore,
} from '../../inventory/inventory-model.js';
import type {
  AvailabilityBatchOp, AvailabilityStore, BatchLoadResult, BulkLoadStore, CacheRuleStore, CatalogStore, DomOutboxStore, EmailOutboxStore,
  LocalInventoryStore, LocalReservationStore, MessageStore, NodeCoordination, OrderStore, StoreDirectory, Transaction, UpsertOutcome,
} from '../store.js';
import { SqliteNodeCoordination } from './sqlite-node-coordination.js';
import { sqliteDomOutbox, sqliteEmailOutbox, sqliteLocalReservations, sqliteOrderStore } from './sqlite-order-stores.js';
import { sqliteMessageStore } from './sqlite-message-store.js';
import { MIGRATIONS } from './migrations.js';
import { AsyncMutex } from './async-mutex.js';
import { availabilityRecordOf as toRecord, availabilityRowParams as recordParams } from '../availability-rows.js';

export interface SqliteOptions {
  /** File path, or ':memory:' (tests). */
  readonly path: string;
  /** PRAGMA synchronous: FULL (default) survives power loss; NORMAL survives a process crash only. */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

type Row = Record<string, unknown>;

/**
 * SQLite in WAL mode. better-sqlite3 is synchronous, so a transaction cannot span an await on one shared
 * connection without other requests' statements landing inside it. Hence two connections: a writer, used only by
 * the group committer (every write and every transaction), and a reader for reads outside transactions, which in
 * WAL mode sees only committed data and never blocks on the writer.
 *
 * Group commit: transactions that arrive while one batch is being written wait for the next batch, which runs them
 * one after the other inside a single SQLite transaction, each under its own SAVEPOINT (a failing one rolls back
 * alone), then COMMITs once. With synchronous=FULL a COMMIT is an fsync, so a batch of N costs one fsync, not N;
 * every caller is answered only after that COMMIT, so nothing is acknowledged before it is durable. A job's
 * afterCommit hooks run after that COMMIT and fsync, only for jobs whose savepoint was released.
 */
export class SqliteStore implements Transaction {
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
    private readonly writer: Database.Database,
    private readonly reader: Database.Database,
    private readonly mutex: AsyncMutex,
    private readonly inTransaction: boolean,
    private readonly group: GroupCommitQueue,
    private readonly lookups: LookupCache,
    private readonly records: RecordCache | undefined,
    /** The afterCommit hooks of the job this store is bound to (inside a transaction only). */
    private readonly hooks: (() => void)[] | undefined,
  ) {
    // Reads inside a transaction must see its own writes: use the writer there.
    const r = inTransaction ? writer : reader;
    const w = writer;
    // A write outside a transaction is a transaction of one statement: it joins the next batch.
    const write: Write = (fn) =>
      (inTransaction ? Promise.resolve(fn((h) => this.afterCommit(h))) : this.transaction(async (tx) => fn((h) => tx.afterCommit(h))));
    this.catalog = catalogStore(r, w, write, lookups);
    this.directory = directory(r, w, write, lookups);
    // Outside transactions, cached reads of availability records (see RecordCache); inside, always the writer's view.
    this.availability = availabilityStore(r, w, write, inTransaction ? undefined : records);
    this.bulk = bulkStore(r, w, write, inTransaction);
    this.cacheRules = cacheRuleStore(r, w, write);
    this.localInventory = localInventoryStore(r, w, write);
    const rp = (sql: string) => stmts(r).get(sql);
    const wp = (sql: string) => stmts(w).get(sql);
    this.orders = sqliteOrderStore(rp, wp, write);
    this.domOutbox = sqliteDomOutbox(rp, wp, write);
    this.emailOutbox = sqliteEmailOutbox(rp, wp, write);
    this.localReservations = sqliteLocalReservations(wp, write);
    this.messages = sqliteMessageStore(rp, wp, write, writer);
    this.nodes = group.nodes;
  }

  static open(opts: SqliteOptions): SqliteStore {
    const memory = opts.path === ':memory:';
    if (!memory) mkdirSync(dirname(opts.path), { recursive: true });
    // An in-memory database is private to its connection, so tests share one connection for both roles.
    const writer = new Database(opts.path);
    writer.pragma('journal_mode = WAL');
    // FULL durability without blocking the event loop: SQLite commits without its own fsync (NORMAL), and the
    // group committer fsyncs the WAL on libuv's thread pool before answering anyone whose transaction is in the
    // batch. What SQLite's FULL guarantees (a commit is on disk before it is acknowledged) still holds.
    const durable = (opts.synchronous ?? 'FULL') === 'FULL' && !memory;
    writer.pragma(`synchronous = ${durable ? 'NORMAL' : opts.synchronous ?? 'FULL'}`);
    writer.pragma('foreign_keys = ON');
    writer.pragma('busy_timeout = 5000');
    migrate(writer);
    const reader = memory ? writer : new Database(opts.path, { readonly: true });
    if (!memory) reader.pragma('busy_timeout = 5000');
    const lookups = new LookupCache();
    const records = memory ? undefined : new RecordCache(reader);
    // Another process committed: catalog and store lookups and cached records may all be out of date.
    const nodes = new SqliteNodeCoordination(memory ? undefined : writer, () => {
      lookups.clear();
      records?.invalidate();
    });
    return new SqliteStore(writer, reader, new AsyncMutex(), false, { jobs: [], scheduled: false, wal: durable ? new WalSync(`${opts.path}-wal`) : undefined, applied: undefined, nodes },
      lookups, records, undefined);
  }

  afterCommit(hook: () => void): void {
    if (!this.hooks) throw new Error('afterCommit outside a transaction');
    this.hooks.push(hook);
  }

  markAppliedOnCommit(current: () => string | undefined): void {
    this.group.applied = current;
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return new Promise<T>((resolve, reject) => {
      // The job runs later, inside the batch: bind it to the caller's async context, so what it reads from
      // AsyncLocalStorage (the message being processed) is its own caller's, not the batch runner's.
      const run = AsyncResource.bind(async (tx: Transaction) => {
        const result = await fn(tx);
        // The inbound BOD this transaction applies is marked applied with its effect (Store.markAppliedOnCommit).
        const applied = this.group.applied?.();
        if (applied !== undefined) await tx.messages.markApplied(applied, Date.now());
        return result;
      });
      this.group.jobs.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.group.scheduled) {
        this.group.scheduled = true;
        // Start the batch after the I/O callbacks already waiting have run: requests that have arrived meanwhile
        // add their transactions to it, and share its one fsync (a COMMIT blocks the thread, so nothing can join it
        // once it has started).
        setImmediate(() => void this.mutex.run(() => this.commitBatches()));
      }
    });
  }

  /** A transaction-control statement, prepared once: `exec` parsed its SQL every time (4 % of a checkout's CPU). */
  private control(sql: 'BEGIN IMMEDIATE' | 'SAVEPOINT job' | 'RELEASE job' | 'ROLLBACK TO job' | 'COMMIT' | 'ROLLBACK'): void {
    stmts(this.writer).get(sql).run();
  }

  /** Runs queued transactions in batches (see the class comment) until the queue is empty. */
  private async commitBatches(): Promise<void> {
    while (this.group.jobs.length > 0) {
      const batch = this.group.jobs.splice(0, MAX_BATCH);
      const outcomes: ({ ok: true; value: unknown; hooks: (() => void)[] } | { ok: false; error: unknown })[] = [];
      try {
        this.control('BEGIN IMMEDIATE');
      } catch (error) {
        for (const job of batch) job.reject(error);
        continue;
      }
      for (const job of batch) {
        this.control('SAVEPOINT job');
        const hooks: (() => void)[] = [];
        try {
          const value = await job.run(new SqliteStore(this.writer, this.reader, this.mutex, true, this.group, this.lookups, this.records, hooks));
          this.control('RELEASE job');
          outcomes.push({ ok: true, value, hooks });
        } catch (error) {
          if (this.writer.inTransaction) {
            this.control('ROLLBACK TO job');
            this.control('RELEASE job');
          }
          // A lookup cached from inside the rolled-back job may hold what never committed.
          this.lookups.clear();
          outcomes.push({ ok: false, error });
        }
      }
      try {
        this.control('COMMIT');
        this.records?.invalidate();
        // Nobody hears of the batch before it is on disk; transactions arriving meanwhile form the next batch.
        await this.group.wal?.sync();
      } catch (error) {
        if (this.writer.inTransaction) this.control('ROLLBACK');
        this.lookups.clear();
        for (const job of batch) job.reject(error);
        continue;
      }
      batch.forEach((job, i) => {
        const o = outcomes[i]!;
        if (o.ok) {
          for (const h of o.hooks) runHook(h);
          job.resolve(o.value);
        } else job.reject(o.error);
      });
    }
    this.group.scheduled = false;
  }

  async ping(): Promise<boolean> {
    try {
      return this.reader.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.group.nodes.close();
    await this.mutex.run(async () => {
      await this.group.wal?.close();
      if (this.reader !== this.writer) this.reader.close();
      this.writer.close();
    });
  }
}

/** Transactions in one batch at most: bounds how long one batch holds the writer. */
const MAX_BATCH = 256;

/** An afterCommit hook must not undo what is committed, nor stop the hooks after it. */
export function runHook(h: () => void): void {
  try {
    h();
  } catch {
    // Hooks evict caches and kick relays: a failure there is a missed optimisation, never lost data.
  }
}

interface GroupCommitQueue {
  jobs: { run: (tx: Transaction) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }[];
  /** Which inbound BOD the running transaction applies (Store.markAppliedOnCommit). */
  applied: (() => string | undefined) | undefined;
  scheduled: boolean;
  /** Set when the database is durable (synchronous FULL on a file): the WAL fsync after each COMMIT. */
  readonly wal: WalSync | undefined;
  /** Other processes' commits, and singleton jobs. */
  readonly nodes: SqliteNodeCoordination;
}

/**
 * fsync of the WAL file through an open handle, off the event loop. The handle is reopened when the file on disk
 * is no longer the one it points at (SQLite removes the WAL when the last connection closes).
 */
class WalSync {
  private handle: FileHandle | undefined;
  private ino: number | undefined;
  private checkedAt = 0;
  constructor(private readonly path: string) {}

  async sync(): Promise<void> {
    // Which file the path names is checked at most once a second: it only changes when connections close.
    const now = Date.now();
    if (!this.handle || now - this.checkedAt > 1000) {
      this.checkedAt = now;
      const onDisk = await stat(this.path).catch(() => undefined);
      if (!onDisk) return; // no WAL yet: nothing was written through it
      if (!this.handle || this.ino !== onDisk.ino) {
        await this.handle?.close().catch(() => undefined);
        this.handle = await open(this.path, 'r+');
        this.ino = onDisk.ino;
      }
    }
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }
}

/**
 * Catalog entries, stores and fulfillment centers read on every request change rarely and only through this store:
 * they are kept in memory after the first read, and every write to them clears the cache (also when that write is
 * later rolled back: a spurious miss is harmless). Bounded: cleared when it reaches `limit` entries.
 * With several nodes (PostgreSQL), this cache needs the store's change notifications instead.
 */
class LookupCache {
  private readonly map = new Map<string, unknown>();
  constructor(private readonly limit = 50_000) {}
  async get<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.map.get(key) as T | undefined;
    if (hit !== undefined) return hit;
    const value = await load();
    if (value !== undefined) {
      if (this.map.size >= this.limit) this.map.clear();
      this.map.set(key, value);
    }
    return value;
  }
  clear(): void {
    this.map.clear();
  }
}

/**
 * Availability records read outside transactions, kept in memory while the database has not changed — the
 * cache-hit path of GetInventoryAvailability then runs no SQL at all.
 *
 * Two ways the database changes under it: our own writer commits (every write of this process goes through
 * {@link SqliteStore.commitBatches}, which calls {@link invalidate} after each COMMIT, so our own changes are seen
 * at once), and another connection commits — `dombridge load-inventory` in another process, or an operator's SQL.
 * Those are found by `PRAGMA data_version` on the reader connection, which changes whenever any other connection
 * commits. The pragma takes and drops a WAL read lock (two fcntl calls) and was 6 % of the cache-hit path when
 * run on every read, so it runs at most once per {@link EXTERNAL_CHANGE_CHECK_MS}: another process's commit is
 * seen within that time. (Not for `:memory:` databases, where reader and writer are one connection.)
 */
class RecordCache {
  private readonly map = new Map<string, AvailabilityRecord>();
  private version: unknown;
  private checkedAt = -Infinity;
  private readonly dataVersion: Database.Statement;

  constructor(reader: Database.Database, private readonly limit = 100_000) {
    this.dataVersion = reader.prepare('PRAGMA data_version').pluck();
  }

  get(key: string): AvailabilityRecord | undefined {
    const now = performance.now();
    if (now - this.checkedAt >= EXTERNAL_CHANGE_CHECK_MS) {
      this.checkedAt = now;
      const v = this.dataVersion.get();
      if (v !== this.version) {
        this.version = v;
        this.map.clear();
        return undefined;
      }
    }
    return this.map.get(key);
  }

  set(key: string, rec: AvailabilityRecord): void {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, rec);
  }

  /** Our writer committed: anything cached may be out of date. */
  invalidate(): void {
    if (this.map.size) this.map.clear();
  }
}

/** How stale the availability cache may be after another process commits to the database, ms. */
export const EXTERNAL_CHANGE_CHECK_MS = 100;

/** Applies pending migrations; returns the versions applied. Each runs under BEGIN IMMEDIATE: one process at a time. */
function migrate(db: Database.Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    db.transaction(() => {
      // Read inside the write transaction: a process that migrated meanwhile is seen, and nothing runs twice.
      if (db.prepare('SELECT 1 FROM schema_migration WHERE version = ?').get(m.version)) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}

/** `dombridge migrate` on a SQLite file (opening a store migrates too). */
export function migrateSqliteFile(path: string): number[] {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    return migrate(db);
  } finally {
    db.close();
  }
}

/** Prepared once per connection, shared by every Store bound to it: the hot path never compiles SQL. */
class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(readonly db: Database.Database) {}
  get(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}

const statementCaches = new WeakMap<Database.Database, Statements>();
function stmts(db: Database.Database): Statements {
  let s = statementCaches.get(db);
  if (!s) {
    s = new Statements(db);
    statementCaches.set(db, s);
  }
  return s;
}

/** A write: inside a transaction it runs there, outside it is a transaction of its own; `after` is afterCommit. */
type Write = <T>(fn: (after: (hook: () => void) => void) => T) => Promise<T>;

function catalogStore(rdb: Database.Database, wdb: Database.Database, write: Write, cache: LookupCache): CatalogStore {
  const r = stmts(rdb), w = stmts(wdb);
  const toEntry = (row: Row | undefined): CatalogEntry | undefined =>
    row && { catentryId: row['catentry_id'] as string, partNumber: row['part_number'] as string, name: row['name'] as string, price: (row['price'] as string | null) ?? null };
  return {
    catalogEntryById: (id) => cache.get(`c:${id}`, async () => toEntry(r.get('SELECT * FROM catalog_entry WHERE catentry_id = ?').get(id) as Row | undefined)),
    catalogEntryByPartNumber: (pn) => cache.get(`p:${pn}`, async () => toEntry(r.get('SELECT * FROM catalog_entry WHERE part_number = ?').get(pn) as Row | undefined)),
    upsertCatalogEntry: (e) =>
      write((after) => {
        after(() => cache.clear());
        w.get(`INSERT INTO catalog_entry (catentry_id, part_number, name, price) VALUES (?, ?, ?, ?)
               ON CONFLICT(catentry_id) DO UPDATE SET part_number = excluded.part_number, name = excluded.name, price = excluded.price`)
          .run(e.catentryId, e.partNumber, e.name, e.price);
      }),
    deleteCatalogEntry: (id) =>
      write((after) => {
        after(() => cache.clear());
        return w.get('DELETE FROM catalog_entry WHERE catentry_id = ?').run(id).changes > 0;
      }),
    async allCatalogEntries() { return (r.get('SELECT * FROM catalog_entry ORDER BY catentry_id').all() as Row[]).map((row) => toEntry(row)!); },
  };
}

function directory(rdb: Database.Database, wdb: Database.Database, write: Write, cache: LookupCache): StoreDirectory {
  const r = stmts(rdb), w = stmts(wdb);
  const online = (row: Row | undefined): OnlineStore | undefined =>
    row && {
      storeId: row['store_id'] as string, nameIdentifier: row['name_identifier'] as string, inventorySystem: row['inventory_system'] as number,
      currency: row['currency'] as string, fulfillmentCenterId: (row['fulfillment_center_id'] as string | null) ?? null, inventoryFlags: row['inventory_flags'] as number,
      ...(row['retired_at'] != null ? { retired: true } : {}),
    };
  const physical = (row: Row | undefined): PhysicalStore | undefined =>
    row && { storeId: row['store_id'] as string, externalId: row['external_id'] as string, onlineStoreId: (row['online_store_id'] as string | null) ?? null, name: (row['name'] as string | null) ?? null };
  return {
    onlineStoreById: (id) => cache.get(`o:${id}`, async () => online(r.get('SELECT * FROM online_store WHERE store_id = ?').get(id) as Row | undefined)),
    onlineStoreByName: (n) => cache.get(`on:${n}`, async () => online(r.get('SELECT * FROM online_store WHERE name_identifier = ?').get(n) as Row | undefined)),
    physicalStoreById: (id) => cache.get(`s:${id}`, async () => physical(r.get('SELECT * FROM physical_store WHERE store_id = ?').get(id) as Row | undefined)),
    physicalStoreByExternalId: (x) => cache.get(`sx:${x}`, async () => physical(r.get('SELECT * FROM physical_store WHERE external_id = ?').get(x) as Row | undefined)),
    fulfillmentCenterByName: (name) => cache.get(`fn:${name}`, async () => {
      const row = r.get('SELECT * FROM fulfillment_center WHERE name = ?').get(name) as Row | undefined;
      return row && { fulfillmentCenterId: row['fulfillment_center_id'] as string, name: row['name'] as string };
    }),
    fulfillmentCenterById: (id) => cache.get(`f:${id}`, async () => {
      const row = r.get('SELECT * FROM fulfillment_center WHERE fulfillment_center_id = ?').get(id) as Row | undefined;
      return row && ({ fulfillmentCenterId: row['fulfillment_center_id'] as string, name: row['name'] as string } satisfies FulfillmentCenter);
    }),
    async countOnlineStores() { return (r.get('SELECT COUNT(*) AS n FROM online_store WHERE retired_at IS NULL').get() as { n: number }).n; },
    async allOnlineStoreIds() { return (r.get('SELECT store_id FROM online_store ORDER BY store_id').all() as { store_id: string }[]).map((x) => x.store_id); },
    retireOnlineStore: (id, at) => write((after) => {
      after(() => cache.clear());
      w.get('UPDATE online_store SET retired_at = ? WHERE store_id = ? AND retired_at IS NULL').run(at, id);
    }),
    deletePhysicalStore: (id) => write((after) => {
      after(() => cache.clear());
      return w.get('DELETE FROM physical_store WHERE store_id = ?').run(id).changes > 0;
    }),
    async allPhysicalStores() { return (r.get('SELECT * FROM physical_store ORDER BY store_id').all() as Row[]).map((row) => physical(row)!); },
    upsertOnlineStore: (s) => write((after) => {
      after(() => cache.clear());
      w.get(`INSERT INTO online_store (store_id, name_identifier, inventory_system, currency, fulfillment_center_id, inventory_flags) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT(store_id) DO UPDATE SET name_identifier = excluded.name_identifier, inventory_system = excluded.inventory_system,
             currency = excluded.currency, fulfillment_center_id = excluded.fulfillment_center_id, inventory_flags = excluded.inventory_flags, retired_at = NULL`)
        .run(s.storeId, s.nameIdentifier, s.inventorySystem, s.currency, s.fulfillmentCenterId, s.inventoryFlags);
    }),
    upsertPhysicalStore: (s) => write((after) => {
      after(() => cache.clear());
      w.get(`INSERT INTO physical_store (store_id, external_id, online_store_id, name) VALUES (?, ?, ?, ?)
             ON CONFLICT(store_id) DO UPDATE SET external_id = excluded.external_id, online_store_id = excluded.online_store_id, name = excluded.name`)
        .run(s.storeId, s.externalId, s.onlineStoreId, s.name);
    }),
    upsertFulfillmentCenter: (fc) => write((after) => {
      after(() => cache.clear());
      w.get(`INSERT INTO fulfillment_center (fulfillment_center_id, name) VALUES (?, ?) ON CONFLICT(fulfillment_center_id) DO UPDATE SET name = excluded.name`)
        .run(fc.fulfillmentCenterId, fc.name);
    }),
  };
}

const AVAILABILITY_COLUMNS =
  'catentry_id, location_kind, location_id, status, quantity, uom, availability_time, availability_offset, last_update, context_store_id, field1, field2, field3';
const UPSERT_ALWAYS = `INSERT INTO inventory_availability (${AVAILABILITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(catentry_id, location_kind, location_id) DO UPDATE SET status = excluded.status, quantity = excluded.quantity, uom = excluded.uom,
  availability_time = excluded.availability_time, availability_offset = excluded.availability_offset, last_update = excluded.last_update,
  context_store_id = excluded.context_store_id, field1 = excluded.field1, field2 = excluded.field2, field3 = excluded.field3`;
// The ordering guard lives in the statement itself, so check and write are one atomic step.
const UPSERT_IF_NOT_OLDER = `${UPSERT_ALWAYS} WHERE excluded.last_update >= inventory_availability.last_update`;

function availabilityStore(rdb: Database.Database, wdb: Database.Database, write: Write, records: RecordCache | undefined): AvailabilityStore {
  const r = stmts(rdb), w = stmts(wdb);
  const SELECT = `SELECT ${AVAILABILITY_COLUMNS} FROM inventory_availability WHERE catentry_id = ? AND location_kind = ? AND location_id = ?`;
  return {
    async get(catentryId, loc) {
      const key = `${loc.kind}\u0000${loc.storeId}\u0000${catentryId}`;
      const hit = records?.get(key);
      if (hit) return hit;
      const row = r.get(SELECT).get(catentryId, loc.kind, loc.storeId) as Row | undefined;
      const rec = row && toRecord(row);
      if (rec) records?.set(key, rec);
      return rec;
    },
    upsert: (rec, { ifNotOlder }) => write((): UpsertOutcome => {
      const existed = w.get('SELECT 1 FROM inventory_availability WHERE catentry_id = ? AND location_kind = ? AND location_id = ?')
        .get(rec.catentryId, rec.location.kind, rec.location.storeId) !== undefined;
      const info = w.get(ifNotOlder ? UPSERT_IF_NOT_OLDER : UPSERT_ALWAYS).run(...recordParams(rec));
      if (info.changes === 0) return 'stale';
      return existed ? 'updated' : 'inserted';
    }),
    remove: (catentryId, loc) => write(() =>
      w.get('DELETE FROM inventory_availability WHERE catentry_id = ? AND location_kind = ? AND location_id = ?').run(catentryId, loc.kind, loc.storeId).changes > 0),
    // last_update is left alone: a decrement is our estimate, not news from DOM, so it must not extend freshness.
    decrement: (catentryId, loc, qty) => write(() => {
      const row = w.get(`UPDATE inventory_availability SET quantity = MAX(quantity - ?, 0)
                         WHERE catentry_id = ? AND location_kind = ? AND location_id = ? AND quantity IS NOT NULL RETURNING quantity`)
        .get(qty, catentryId, loc.kind, loc.storeId) as { quantity: number } | undefined;
      if (row) return row.quantity;
      const exists = w.get('SELECT quantity FROM inventory_availability WHERE catentry_id = ? AND location_kind = ? AND location_id = ?')
        .get(catentryId, loc.kind, loc.storeId) as { quantity: number | null } | undefined;
      return exists ? null : undefined;
    }),
  };
}

function bulkStore(rdb: Database.Database, wdb: Database.Database, write: Write, inTransaction: boolean): BulkLoadStore {
  const r = stmts(rdb), w = stmts(wdb);
  const apply = (ops: readonly AvailabilityBatchOp[]): BatchLoadResult => {
    let upserted = 0, deleted = 0, missing = 0;
    const up = w.get(UPSERT_ALWAYS);
    const del = w.get('DELETE FROM inventory_availability WHERE catentry_id = ? AND location_kind = ? AND location_id = ?');
    for (const op of ops) {
      if (op.op === 'upsert') { up.run(...recordParams(op.record)); upserted++; }
      else if (del.run(op.catentryId, op.location.kind, op.location.storeId).changes > 0) deleted++;
      else missing++;
    }
    return { upserted, deleted, missing };
  };
  return {
    applyAvailabilityBatch: (ops) => write(() => (inTransaction ? apply(ops) : wdb.transaction(apply)(ops))),
    async catentryIdForPartNumber(pn) {
      return (r.get('SELECT catentry_id FROM catalog_entry WHERE part_number = ?').get(pn) as { catentry_id: string } | undefined)?.catentry_id;
    },
    async physicalStoreIdFor(identifier) {
      const row = r.get('SELECT store_id FROM physical_store WHERE external_id = ? OR store_id = ? ORDER BY external_id = ? DESC LIMIT 1')
        .get(identifier, identifier, identifier) as { store_id: string } | undefined;
      return row?.store_id;
    },
    async onlineStoreExists(id) {
      return r.get('SELECT 1 FROM online_store WHERE store_id = ?').get(id) !== undefined;
    },
  };
}

function cacheRuleStore(rdb: Database.Database, wdb: Database.Database, write: Write): CacheRuleStore {
  const r = stmts(rdb), w = stmts(wdb);
  return {
    async allRules() {
      return (r.get('SELECT * FROM inventory_cache_rule').all() as Row[]).map((row): CacheRule => ({
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
    replaceRules: (rules) => write(() => {
      const run = () => {
        w.get('DELETE FROM inventory_cache_rule').run();
        const ins = w.get(`INSERT INTO inventory_cache_rule (rule_id, catentry_id, location_kind, location_id, precedence, flags, threshold,
          expiry_above, expiry_below, fallback_status, fallback_time, fallback_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        for (const x of rules) {
          ins.run(x.id, x.catentryId, x.location?.kind ?? null, x.location?.storeId ?? null, x.precedence, x.flags, x.threshold,
            x.expiryAbove, x.expiryBelow, x.fallbackStatus ? STATUS_TO_CODE[x.fallbackStatus] : null, x.fallbackTime, x.fallbackOffset);
        }
      };
      if (wdb.inTransaction) run(); else wdb.transaction(run)();
    }),
  };
}

function localInventoryStore(rdb: Database.Database, wdb: Database.Database, write: Write): LocalInventoryStore {
  const r = stmts(rdb), w = stmts(wdb);
  return {
    async onHand(catentryId, fc) {
      const row = r.get('SELECT on_hand FROM local_inventory WHERE catentry_id = ? AND fulfillment_center_id = ?').get(catentryId, fc) as { on_hand: number } | undefined;
      return row?.on_hand;
    },
    async available(catentryId, fc) {
      const row = r.get('SELECT on_hand - reserved AS available FROM local_inventory WHERE catentry_id = ? AND fulfillment_center_id = ?')
        .get(catentryId, fc) as { available: number } | undefined;
      return row?.available;
    },
    setOnHand: (catentryId, fc, onHand) => write(() => {
      w.get(`INSERT INTO local_inventory (catentry_id, fulfillment_center_id, on_hand) VALUES (?, ?, ?)
             ON CONFLICT(catentry_id, fulfillment_center_id) DO UPDATE SET on_hand = excluded.on_hand`).run(catentryId, fc, onHand);
    }),
  };
}

