import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Store, Transaction } from '../store/store.js';
import type { DomAvailabilityPair, DomInventoryPort } from '../dom/dom-inventory.client.js';
import type { CatalogEntryRef, LocationRef } from './availability-expression.js';
import type { AvailabilityNoun, AvailabilitySource, ReceivedAvailabilityNoun } from './availability-noun.js';
import { CachePolicy, hasFlag, isFresh } from './cache-policy.js';
import {
  CacheFlag, InventorySystem, type AvailabilityRecord, type CacheRule, type CatalogEntry, type InventoryStatus, type LocationKey, type OnlineStore,
} from './inventory-model.js';
import { MemoryAvailabilityCache } from './memory-availability-cache.js';

export interface ResolvedLocation {
  readonly key: LocationKey;
  /** The online store whose inventory system governs this location (for a physical store: its owner). */
  readonly governingStore: OnlineStore;
  readonly nameIdentifier?: string;
  readonly externalId?: string;
}

/** Told where each answer came from (metrics: cache hit ratio). */
export interface AvailabilityObserver {
  onAnswer(source: AvailabilitySource): void;
}

export interface InventorySettings {
  readonly outageTolerance: boolean;
  readonly zeroQuantityStatus: InventoryStatus;
  readonly memoryCacheEntries: number;
}

export interface AvailabilityQuestion {
  readonly item: CatalogEntry;
  readonly location: ResolvedLocation;
  readonly requested: number;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; error: BodError };

interface Pending {
  readonly index: number;
  readonly item: CatalogEntry;
  readonly location: ResolvedLocation;
  readonly rule: CacheRule;
  readonly cached: AvailabilityRecord | undefined;
}

/**
 * Answers "how many of item X at location Y" the way Commerce's DOM inventory model does (docs/contract/wire.md, inventory cache rules): from the
 * cache while a record is fresh by its rule, otherwise from DOM (one call for every stale pair of a request),
 * writing DOM's answer back; while DOM cannot answer, from the stale record or the rule's fallback values.
 */
export class AvailabilityService {
  private policy: CachePolicy = new CachePolicy([]);
  readonly memory: MemoryAvailabilityCache;
  private readonly observers: AvailabilityObserver[] = [];

  observe(o: AvailabilityObserver): void {
    this.observers.push(o);
  }

  constructor(
    private readonly store: Store,
    private readonly dom: DomInventoryPort,
    private readonly settings: InventorySettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.memory = new MemoryAvailabilityCache(settings.memoryCacheEntries);
  }

  /**
   * Bumped by every eviction: a record read from the database while an eviction happened may be the row from
   * before that change, so it is answered but not kept in memory.
   */
  private evictions = 0;

  /**
   * Keeps the memory cache in step with what other processes commit (store.nodes.watch: LISTEN/NOTIFY on
   * PostgreSQL, data_version on SQLite), within CHANGE_STALENESS_MS; cache rules are reloaded when another process
   * replaced them. Returns the unsubscribe.
   */
  followChanges(): () => void {
    return this.store.nodes.watch((c) => {
      // News of DOM, not of data.
      if (c.kind === 'domUp') return;
      this.evictions++;
      if (c.kind === 'availability') this.memory.delete(c.catentryId, c.location);
      else this.memory.clear();
      if (c.kind === 'cacheRules') {
        this.reloadRules().catch((e: unknown) => this.log.warn('cache rules changed by another process could not be reloaded', { error: String(e) }));
      }
    });
  }

  /** Compiles the rule table; call at start-up and whenever rules change. */
  async reloadRules(): Promise<void> {
    this.policy = new CachePolicy(await this.store.cacheRules.allRules());
  }

  async resolveItem(ref: CatalogEntryRef): Promise<Resolved<CatalogEntry>> {
    const entry = ref.by === 'uniqueId' ? await this.store.catalog.catalogEntryById(ref.value) : await this.store.catalog.catalogEntryByPartNumber(ref.value);
    return entry ? { ok: true, value: entry } : { ok: false, error: bodError('CATALOG_ENTRY_NOT_FOUND', { ref: describeItem(ref) }) };
  }

  async resolveLocation(ref: LocationRef): Promise<Resolved<ResolvedLocation>> {
    const d = this.store.directory;
    if (ref.kind === 'online') {
      const s = ref.by === 'uniqueId' ? await d.onlineStoreById(ref.value) : await d.onlineStoreByName(ref.value);
      if (!s || s.retired) return { ok: false, error: bodError('STORE_NOT_FOUND', { ref: `online store ${ref.value}` }) };
      return { ok: true, value: { key: { kind: 'online', storeId: s.storeId }, governingStore: s, nameIdentifier: s.nameIdentifier } };
    }
    const p = ref.by === 'uniqueId' ? await d.physicalStoreById(ref.value) : await d.physicalStoreByExternalId(ref.value);
    if (!p) return { ok: false, error: bodError('STORE_NOT_FOUND', { ref: `physical store ${ref.value}` }) };
    const owner = p.onlineStoreId ? await d.onlineStoreById(p.onlineStoreId) : undefined;
    if (!owner) return { ok: false, error: bodError('STORE_NOT_FOUND', { ref: `online store owning physical store ${p.storeId}` }) };
    return { ok: true, value: { key: { kind: 'physical', storeId: p.storeId }, governingStore: owner, externalId: p.externalId } };
  }

  /**
   * One answer per (item, location), items outermost, in the order asked. `requested` is the quantity the
   * caller wants (0 for a plain Get), which decides the expiry through the rule's threshold.
   */
  async availability(items: readonly CatalogEntry[], locations: readonly ResolvedLocation[], requested: number): Promise<Resolved<AvailabilityNoun[]>> {
    const pairs: AvailabilityQuestion[] = [];
    for (const item of items) for (const location of locations) pairs.push({ item, location, requested });
    return this.answer(pairs);
  }

  /** One answer per question, in order; every question that needs DOM goes into one call per governing store. */
  async answer(questions: readonly AvailabilityQuestion[]): Promise<Resolved<AvailabilityNoun[]>> {
    const now = this.now();
    const answers: (AvailabilityNoun | undefined)[] = new Array(questions.length);
    const askDom: Pending[] = [];
    for (const [index, { item, location, requested }] of questions.entries()) {
      const sys = location.governingStore.inventorySystem;
      if (sys !== InventorySystem.DOM) {
        answers[index] = await this.localAnswer(item, location, sys);
        continue;
      }
      const rule = this.policy.ruleFor(item.catentryId, location.key);
      const cached = await this.cachedRecord(rule, item.catentryId, location.key);
      if (cached && isFresh(rule, cached.quantity, cached.lastUpdate, requested, now)) {
        answers[index] = this.noun(item, location, cached, 'cache');
      } else if (hasFlag(rule, CacheFlag.AskDom)) {
        askDom.push({ index, item, location, rule, cached });
      } else if (cached) {
        answers[index] = this.noun(item, location, cached, 'stale-cache');
      } else {
        const fb = this.fallback(item, location, rule, now);
        if (!fb) return { ok: false, error: bodError('DOM_UNAVAILABLE', { outcome: 'not asked: the cache rule does not ask DOM', ref: `${item.partNumber} at ${location.key.storeId}` }) };
        answers[index] = fb;
      }
    }
    if (askDom.length > 0) {
      const err = await this.answerFromDom(askDom, answers, now);
      if (err) return { ok: false, error: err };
    }
    return { ok: true, value: answers as AvailabilityNoun[] };
  }

  /** The cache rule for a pair (flag 8 decides whether a submit decrements the cache). */
  ruleFor(catentryId: string, key: LocationKey): CacheRule {
    return this.policy.ruleFor(catentryId, key);
  }

  private async cachedRecord(rule: CacheRule, catentryId: string, key: LocationKey): Promise<AvailabilityRecord | undefined> {
    if (hasFlag(rule, CacheFlag.MemoryCache)) {
      const hit = this.memory.get(catentryId, key);
      if (hit) return hit;
    }
    if (!hasFlag(rule, CacheFlag.DatabaseCache)) return undefined;
    const seen = this.evictions;
    const rec = await this.store.availability.get(catentryId, key);
    if (rec && hasFlag(rule, CacheFlag.MemoryCache) && seen === this.evictions) this.memory.set(rec);
    return rec;
  }

  private async answerFromDom(pending: readonly Pending[], answers: (AvailabilityNoun | undefined)[], now: number): Promise<BodError | undefined> {
    // One ask per governing store (DOM's mediation takes the organization from the store context), covering all
    // its pairs by part number and store name; the client splits it into the requests that pair correctly.
    const byStore = new Map<string, Pending[]>();
    for (const p of pending) {
      const list = byStore.get(p.location.governingStore.storeId) ?? [];
      list.push(p);
      byStore.set(p.location.governingStore.storeId, list);
    }
    for (const [storeId, list] of byStore) {
      const result = await this.dom.getInventoryAvailability(list.map(domPair), storeId);
      if (!result.ok) {
        this.log.warn('DOM availability call failed', { storeId, outcome: result.failure.kind, detail: result.failure.detail });
        for (const p of list) {
          const a = this.outageAnswer(p, now);
          if (!a) return bodError('DOM_UNAVAILABLE', { outcome: result.failure.kind, ref: `${p.item.partNumber} at ${p.location.key.storeId}` });
          answers[p.index] = a;
        }
        continue;
      }
      for (const p of list) {
        const noun = result.value.find((n) => matches(n, p.item, p.location));
        // DOM answering without a pair means it holds no stock there.
        const record: AvailabilityRecord = {
          catentryId: p.item.catentryId,
          location: p.location.key,
          status: noun?.status ?? 'Unavailable',
          quantity: noun ? noun.quantity : 0,
          uom: noun?.uom ?? 'C62',
          availabilityTime: noun?.availabilityTime ?? null,
          availabilityOffset: noun?.availabilityOffset ?? null,
          lastUpdate: noun?.lastUpdate ?? now,
          field1: noun?.userData['customField1'] ?? p.cached?.field1 ?? null,
          field2: noun?.userData['customField2'] ?? p.cached?.field2 ?? null,
          field3: noun?.userData['customField3'] ?? p.cached?.field3 ?? null,
        };
        if (hasFlag(p.rule, CacheFlag.WriteBack)) {
          // The ordering guard keeps a newer SyncInventoryAvailability that raced this call.
          const outcome = await this.store.availability.upsert(record, { ifNotOlder: true });
          // 'stale': a newer record is stored (another node's Sync); the memory keeps neither.
          if (hasFlag(p.rule, CacheFlag.MemoryCache) && outcome !== 'stale') this.memory.set(record);
        }
        answers[p.index] = this.noun(p.item, p.location, record, 'dom');
      }
    }
    return undefined;
  }

  /** DOM could not answer: with outage tolerance, the stale record, else the rule's fallback values. */
  private outageAnswer(p: Pending, now: number): AvailabilityNoun | undefined {
    if (!this.settings.outageTolerance) return undefined;
    if (p.cached) return this.noun(p.item, p.location, p.cached, 'stale-cache');
    return this.fallback(p.item, p.location, p.rule, now);
  }

  private fallback(item: CatalogEntry, location: ResolvedLocation, rule: CacheRule, now: number): AvailabilityNoun | undefined {
    if (!rule.fallbackStatus) return undefined;
    return this.noun(item, location, {
      catentryId: item.catentryId, location: location.key, status: rule.fallbackStatus, quantity: null, uom: 'C62',
      availabilityTime: rule.fallbackTime ?? now, availabilityOffset: rule.fallbackOffset, lastUpdate: now,
    }, 'fallback');
  }

  private async localAnswer(item: CatalogEntry, location: ResolvedLocation, sys: number): Promise<AvailabilityNoun> {
    const base = { catentryId: item.catentryId, location: location.key, uom: 'C62', availabilityTime: null, availabilityOffset: null, lastUpdate: this.now() };
    if (sys === InventorySystem.NoInventory) return this.noun(item, location, { ...base, status: 'Available', quantity: null }, 'local');
    const fc = location.key.kind === 'online' ? location.governingStore.fulfillmentCenterId : null;
    const qty = fc ? (await this.store.localInventory.available(item.catentryId, fc)) ?? 0 : 0;
    // INVENTORYFLAGS bit 4: report the actual quantity; without it a non-ATP store tells only whether it has stock.
    const reportQuantity = (location.governingStore.inventoryFlags & 4) !== 0;
    return this.noun(item, location, { ...base, status: qty > 0 ? 'Available' : 'Unavailable', quantity: reportQuantity ? Math.max(qty, 0) : null }, 'local');
  }

  private noun(item: CatalogEntry, location: ResolvedLocation, rec: AvailabilityRecord, source: AvailabilitySource): AvailabilityNoun {
    for (const o of this.observers) o.onAnswer(source);
    const status = rec.quantity === 0 && rec.status === 'Available' ? this.settings.zeroQuantityStatus : rec.status;
    const userData: Record<string, string> = {};
    if (rec.field1) userData['customField1'] = rec.field1;
    if (rec.field2) userData['customField2'] = rec.field2;
    if (rec.field3) userData['customField3'] = rec.field3;
    userData['availabilitySource'] = source;
    return {
      catentryId: item.catentryId,
      partNumber: item.partNumber,
      location: location.key.kind === 'online'
        ? { kind: 'online', storeId: location.key.storeId, ...(location.nameIdentifier ? { nameIdentifier: location.nameIdentifier } : {}) }
        : { kind: 'physical', storeId: location.key.storeId, ...(location.externalId ? { externalId: location.externalId } : {}) },
      status,
      quantity: rec.quantity,
      uom: rec.uom,
      availabilityTime: rec.availabilityTime,
      availabilityOffset: rec.availabilityOffset,
      lastUpdate: rec.lastUpdate,
      userData,
    };
  }

  /** Applies a record DOM pushed (Sync) or an administrator set (Change), keeping the memory cache in step. */
  async applyRecord(tx: Transaction, record: AvailabilityRecord, ifNotOlder: boolean): Promise<'inserted' | 'updated' | 'stale'> {
    const outcome = await tx.availability.upsert(record, { ifNotOlder });
    // After the commit: evicted earlier, a Get could load the old record back before the new one is visible.
    if (outcome !== 'stale') this.forget(tx, record.catentryId, record.location);
    return outcome;
  }

  /** Flag 8: the submitted quantity leaves the cached record (never below 0); memory copy dropped. */
  async decrementCache(catentryId: string, key: LocationKey, quantity: number): Promise<number | null | undefined> {
    const left = await this.store.availability.decrement(catentryId, key, quantity);
    this.evict(catentryId, key);
    return left;
  }

  /** Drops the memory copy once `tx` has committed (its change is visible by then). */
  forget(tx: Transaction, catentryId: string, key: LocationKey): void {
    tx.afterCommit(() => this.evict(catentryId, key));
  }

  private evict(catentryId: string, key: LocationKey): void {
    this.evictions++;
    this.memory.delete(catentryId, key);
  }

  /** Converts a received noun to a record once its identifiers are resolved. */
  static toRecord(n: ReceivedAvailabilityNoun, catentryId: string, key: LocationKey, receivedAt: number): AvailabilityRecord {
    return {
      catentryId, location: key, status: n.status, quantity: n.quantity, uom: n.uom, availabilityTime: n.availabilityTime,
      availabilityOffset: n.availabilityOffset, lastUpdate: n.lastUpdate ?? receivedAt,
      field1: n.userData['customField1'] ?? null, field2: n.userData['customField2'] ?? null, field3: n.userData['customField3'] ?? null,
    };
  }
}

function describeItem(ref: CatalogEntryRef): string {
  return ref.by === 'uniqueId' ? `UniqueID ${ref.value}` : `PartNumber ${ref.value}`;
}

/** A pending pair as DOM's mediation can ask it: part number, and the store's name or external identifier. */
function domPair(p: Pending): DomAvailabilityPair {
  const loc = p.location;
  return {
    partNumber: p.item.partNumber,
    location: loc.key.kind === 'online'
      ? { kind: 'online', nameIdentifier: loc.nameIdentifier ?? loc.governingStore.nameIdentifier }
      : { kind: 'physical', externalId: loc.externalId ?? loc.key.storeId },
  };
}

function matches(n: ReceivedAvailabilityNoun, item: CatalogEntry, loc: ResolvedLocation): boolean {
  const itemOk = n.item.by === 'uniqueId' ? n.item.value === item.catentryId : n.item.value === item.partNumber;
  if (!itemOk || n.location.kind !== loc.key.kind) return false;
  if (n.location.by === 'uniqueId') return n.location.value === loc.key.storeId;
  return n.location.value === (loc.key.kind === 'online' ? loc.nameIdentifier : loc.externalId);
}
