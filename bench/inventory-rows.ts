/**
 * The generated world of the load-inventory benchmark, shared by the CSV writer and the bare-SQLite baseline so
 * both load exactly the same rows: the demo catalog extended to `PART_COUNT` items, the demo physical stores
 * extended to `LOCATION_COUNT` stores, and row i = (item i mod PART_COUNT, store ⌊i / PART_COUNT⌋), a file
 * that walks the catalog store by store, as a store-by-store export does.
 */
import { DEMO_CATALOG, DEMO_PHYSICAL_STORES } from '../src/demo/demo-data.js';
import type { InventoryStatus } from '../src/inventory/inventory-model.js';

export const PART_COUNT = 10_000;
export const LOCATION_COUNT = 100;
/** LastUpdate of every row: 2026-01-01T00:00:00Z. */
export const ROW_LAST_UPDATE_TEXT = '2026-01-01T00:00:00Z';
export const ROW_LAST_UPDATE = Date.UTC(2026, 0, 1);

export interface BenchPart {
  readonly catentryId: string;
  readonly partNumber: string;
  readonly name: string;
  readonly price: string;
}

export interface BenchLocation {
  readonly storeId: string;
  readonly externalId: string;
}

export function benchParts(): BenchPart[] {
  const parts: BenchPart[] = DEMO_CATALOG.map((c) => ({ catentryId: c.catentryId, partNumber: c.partNumber, name: c.name, price: c.price ?? '1.00' }));
  for (let i = parts.length; i < PART_COUNT; i++) {
    parts.push({ catentryId: String(3_000_000 + i), partNumber: `BENCH-SKU-${String(i).padStart(6, '0')}`, name: `Bench item ${i}`, price: `${(i % 90) + 9}.99` });
  }
  return parts;
}

export function benchLocations(): BenchLocation[] {
  const locations: BenchLocation[] = DEMO_PHYSICAL_STORES.map((p) => ({ storeId: p.storeId, externalId: p.externalId }));
  for (let i = locations.length; i < LOCATION_COUNT; i++) locations.push({ storeId: String(80_000 + i), externalId: `BENCH-STORE-${String(i).padStart(3, '0')}` });
  return locations;
}

export interface BenchRow {
  readonly part: number;
  readonly location: number;
  readonly status: InventoryStatus;
  readonly quantity: number;
}

/** Row i: mostly Available, every 10th Backorderable, quantities 0–499. */
export function benchRow(i: number): BenchRow {
  return {
    part: i % PART_COUNT,
    location: Math.floor(i / PART_COUNT) % LOCATION_COUNT,
    status: i % 10 === 9 ? 'Backorderable' : 'Available',
    quantity: (i * 7) % 500,
  };
}
