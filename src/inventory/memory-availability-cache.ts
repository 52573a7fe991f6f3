import type { AvailabilityRecord, LocationKey } from './inventory-model.js';

/**
 * Cache rule flag 1: availability records held in process memory. Bounded; when full, the oldest inserted
 * entry goes (Map keeps insertion order). One node only: with several nodes, use the database cache (flag 2).
 */
export class MemoryAvailabilityCache {
  private readonly map = new Map<string, AvailabilityRecord>();
  constructor(private readonly capacity: number) {}

  private static key(catentryId: string, loc: LocationKey): string {
    return `${loc.kind}\u0000${loc.storeId}\u0000${catentryId}`;
  }

  get(catentryId: string, loc: LocationKey): AvailabilityRecord | undefined {
    return this.map.get(MemoryAvailabilityCache.key(catentryId, loc));
  }

  set(rec: AvailabilityRecord): void {
    if (this.capacity === 0) return;
    const k = MemoryAvailabilityCache.key(rec.catentryId, rec.location);
    this.map.delete(k);
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(k, rec);
  }

  delete(catentryId: string, loc: LocationKey): void {
    this.map.delete(MemoryAvailabilityCache.key(catentryId, loc));
  }

  clear(): void {
    this.map.clear();
  }
}
