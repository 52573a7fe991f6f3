import { DEMO_CATALOG, DEMO_FULFILLMENT_CENTERS, DEMO_ONLINE_STORES, DEMO_PHYSICAL_STORES } from '../../demo/demo-data.js';
import type { CatalogEntryRef, LocationRef } from '../../inventory/availability-expression.js';
import type { CatalogEntry, FulfillmentCenter, OnlineStore, PhysicalStore } from '../../inventory/inventory-model.js';
import { DEMO_DOM_STOCK } from '../../demo/demo-data.js';
import { locationKeyOf, parseLocationKey, SimStock, type StockLocationKey } from './sim-stock.js';

/**
 * What the simulated DOM knows about items and stores beyond unique ids: part numbers, store names and
 * external identifiers, so requests naming them that way can be answered. The demo world by default.
 */
export interface SimDirectory {
  readonly catalog: readonly CatalogEntry[];
  readonly onlineStores: readonly OnlineStore[];
  readonly physicalStores: readonly PhysicalStore[];
  /** Names reservations report as the fulfillment center of an online store's lines. */
  readonly fulfillmentCenters?: readonly FulfillmentCenter[];
}

export const DEMO_DIRECTORY: SimDirectory = {
  catalog: DEMO_CATALOG, onlineStores: DEMO_ONLINE_STORES, physicalStores: DEMO_PHYSICAL_STORES, fulfillmentCenters: DEMO_FULFILLMENT_CENTERS,
};

/** Fulfillment center named for lines shipped from an online store whose center is not in the directory. */
export const DEFAULT_FULFILLMENT_CENTER = 'DC-EAST';

/** The fulfillment center an online store ships from, by name. */
export function fulfillmentCenterName(dir: SimDirectory, onlineStoreId: string): string {
  const fcId = dir.onlineStores.find((s) => s.storeId === onlineStoreId)?.fulfillmentCenterId;
  return dir.fulfillmentCenters?.find((f) => f.fulfillmentCenterId === fcId)?.name ?? DEFAULT_FULFILLMENT_CENTER;
}

/** An item as asked for: its catentryId, and the part number when that is how it was named. */
export interface ResolvedItem {
  readonly catentryId: string;
  readonly partNumber?: string;
}

/** A location as asked for: its stock key, and the external name when that is how it was named. */
export interface ResolvedLocation {
  readonly key: StockLocationKey;
  readonly kind: 'online' | 'physical';
  readonly storeId: string;
  readonly nameIdentifier?: string;
  readonly externalId?: string;
}

/** undefined when a part number names no catalog entry: DOM does not answer for items it does not know. */
export function resolveItem(dir: SimDirectory, ref: CatalogEntryRef): ResolvedItem | undefined {
  if (ref.by === 'uniqueId') return { catentryId: ref.value };
  const entry = dir.catalog.find((c) => c.partNumber === ref.value);
  return entry ? { catentryId: entry.catentryId, partNumber: entry.partNumber } : undefined;
}

export function resolveLocation(dir: SimDirectory, ref: LocationRef): ResolvedLocation | undefined {
  if (ref.kind === 'online') {
    if (ref.by === 'uniqueId') return { key: locationKeyOf('online', ref.value), kind: 'online', storeId: ref.value };
    const store = dir.onlineStores.find((s) => s.nameIdentifier === ref.value);
    return store ? { key: locationKeyOf('online', store.storeId), kind: 'online', storeId: store.storeId, nameIdentifier: store.nameIdentifier } : undefined;
  }
  if (ref.by === 'uniqueId') return { key: locationKeyOf('physical', ref.value), kind: 'physical', storeId: ref.value };
  const store = dir.physicalStores.find((s) => s.externalId === ref.value);
  return store ? { key: locationKeyOf('physical', store.storeId), kind: 'physical', storeId: store.storeId, externalId: store.externalId } : undefined;
}

/**
 * The online store a location's BODs are sent for (BusinessContext storeId): the store itself, or the online
 * store a physical store belongs to. undefined when a physical store has none.
 */
export function contextStoreId(dir: SimDirectory, locationKey: StockLocationKey): string | undefined {
  const loc = parseLocationKey(locationKey);
  if (!loc) return undefined;
  if (loc.kind === 'online') return loc.storeId;
  return dir.physicalStores.find((s) => s.storeId === loc.storeId)?.onlineStoreId ?? undefined;
}

/** Commerce's part number of a catalog entry; an entry the directory does not know keeps its id. */
export function partNumberOf(dir: SimDirectory, catentryId: string): string {
  return dir.catalog.find((c) => c.catentryId === catentryId)?.partNumber ?? catentryId;
}

/**
 * Sterling's ship node for a Commerce location: the name of the fulfillment center an online store ships from,
 * or a physical store's external identifier (the mediation passes both through unchanged when its
 * wcShipNodeToscShipNode value map has no entry, as in the demo).
 */
export function shipNodeOf(dir: SimDirectory, locationKey: StockLocationKey): string {
  const loc = parseLocationKey(locationKey);
  if (!loc) return locationKey;
  if (loc.kind === 'online') return fulfillmentCenterName(dir, loc.storeId);
  return dir.physicalStores.find((s) => s.storeId === loc.storeId)?.externalId ?? loc.storeId;
}

/** The ship nodes that are fulfillment centers (not stores): where an online order is sourced from. */
export function fulfillmentCenterNodes(dir: SimDirectory): string[] {
  const names = (dir.fulfillmentCenters ?? []).map((f) => f.name);
  return names.length > 0 ? names : [DEFAULT_FULFILLMENT_CENTER];
}

/** Stock seeded from Commerce's view (location key → catentryId → on hand), kept by ship node and part number. */
export function seededStock(dir: SimDirectory, seed: Readonly<Record<string, Readonly<Record<string, number>>>> = DEMO_DOM_STOCK, clock: () => number = Date.now): SimStock {
  const stock = new SimStock(clock);
  for (const loc in seed) {
    const items = seed[loc]!;
    for (const cat in items) stock.setOnHand(partNumberOf(dir, cat), shipNodeOf(dir, loc), items[cat]!);
  }
  return stock;
}

/** Commerce locations whose stock a ship node holds (the inverse of shipNodeOf). */
export function locationKeysOf(dir: SimDirectory, shipNode: string): StockLocationKey[] {
  const keys: StockLocationKey[] = [];
  for (const s of dir.onlineStores) if (fulfillmentCenterName(dir, s.storeId) === shipNode) keys.push(locationKeyOf('online', s.storeId));
  for (const p of dir.physicalStores) if (p.externalId === shipNode) keys.push(locationKeyOf('physical', p.storeId));
  return keys;
}
