import type { CacheRule } from '../inventory/inventory-model.js';
import type { Store } from '../store/store.js';
import type { ShopConfig } from './shop-config.js';

export interface ShopSyncResult {
  readonly storesUpserted: number;
  readonly storesRetired: readonly string[];
  readonly cacheRules: number | undefined;
  /** Rules naming a part number the catalog does not hold yet: left out until it does. */
  readonly warnings: readonly string[];
}

/**
 * Makes the database follow the config file, in one transaction: fulfillment centers and stores it defines are
 * added or changed; online stores it no longer lists are retired (kept for the orders that reference them,
 * refused for new carts and availability); cache rules are replaced when the file has them. Running it again with
 * the same file changes nothing. A file that defines no store leaves the database's stores alone (the demo).
 */
export async function syncShop(store: Store, shop: ShopConfig, now: number = Date.now()): Promise<ShopSyncResult> {
  const warnings: string[] = [];
  const rules: CacheRule[] = [];
  for (const r of shop.cacheRules ?? []) {
    let catentryId: string | null = null;
    if (r.partNumber !== null) {
      const entry = await store.catalog.catalogEntryByPartNumber(r.partNumber);
      if (!entry) {
        warnings.push(`${r.setting}: part number ${r.partNumber} is not in the catalog (yet); the rule is left out until it is`);
        continue;
      }
      catentryId = entry.catentryId;
    }
    rules.push({
      id: `config-${rules.length + 1}`, catentryId, location: r.location, precedence: r.precedence, flags: r.flags, threshold: r.threshold,
      expiryAbove: r.expiryAbove, expiryBelow: r.expiryBelow, fallbackStatus: r.fallbackStatus, fallbackTime: null, fallbackOffset: r.fallbackOffset,
    });
  }
  const retired: string[] = [];
  await store.transaction(async (tx) => {
    for (const fc of shop.fulfillmentCenters) await tx.directory.upsertFulfillmentCenter(fc);
    for (const s of shop.stores) await tx.directory.upsertOnlineStore(s);
    if (shop.stores.length > 0) {
      const listed = new Set(shop.stores.map((s) => s.storeId));
      for (const id of await tx.directory.allOnlineStoreIds()) {
        const s = await tx.directory.onlineStoreById(id);
        if (!listed.has(id) && s && !s.retired) {
          await tx.directory.retireOnlineStore(id, now);
          retired.push(id);
        }
      }
    }
    if (shop.cacheRules !== undefined) await tx.cacheRules.replaceRules(rules);
  });
  return { storesUpserted: shop.stores.length, storesRetired: retired, cacheRules: shop.cacheRules === undefined ? undefined : rules.length, warnings };
}
