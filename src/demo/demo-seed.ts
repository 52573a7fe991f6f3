import type { Store } from '../store/store.js';
import { DEMO_CACHE_RULES, DEMO_CATALOG, DEMO_FULFILLMENT_CENTERS, DEMO_LOCAL_STOCK, DEMO_ONLINE_STORES, DEMO_PHYSICAL_STORES } from './demo-data.js';

/** Seeds the demo world into an empty database, in one transaction. Returns false when data was already there. */
export async function seedDemo(store: Store): Promise<boolean> {
  if ((await store.directory.countOnlineStores()) > 0) return false;
  await store.transaction(async (tx) => {
    for (const fc of DEMO_FULFILLMENT_CENTERS) await tx.directory.upsertFulfillmentCenter(fc);
    for (const s of DEMO_ONLINE_STORES) await tx.directory.upsertOnlineStore(s);
    for (const p of DEMO_PHYSICAL_STORES) await tx.directory.upsertPhysicalStore(p);
    for (const c of DEMO_CATALOG) await tx.catalog.upsertCatalogEntry(c);
    await tx.cacheRules.replaceRules(DEMO_CACHE_RULES);
    const fc = DEMO_ONLINE_STORES.find((s) => s.storeId === '10202')!.fulfillmentCenterId!;
    for (const [catentryId, qty] of Object.entries(DEMO_LOCAL_STOCK)) await tx.localInventory.setOnHand(catentryId, fc, qty);
  });
  return true;
}
