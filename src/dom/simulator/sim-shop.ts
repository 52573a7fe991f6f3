import { DEMO_DOM_STOCK } from '../../demo/demo-data.js';
import { InventorySystem, type FulfillmentCenter, type OnlineStore } from '../../inventory/inventory-model.js';
import type { Store } from '../../store/store.js';
import { shipNodeOf, type SimDirectory } from './sim-directory.js';
import { locationKeyOf, SimStock, type StockLocationKey } from './sim-stock.js';

/*
 * The built-in simulator serving whatever shop the database holds (imported with `dombridge import`, or the demo):
 * its directory is read from the store at start-up, and it holds stock of every catalog entry at every DOM
 * location, so availability and checkout work for an imported shop without stocking DOM by hand.
 */

/** Everything the simulated DOM needs to know about the shop: catalog, online and physical stores, their centers. */
export async function shopDirectory(store: Store): Promise<SimDirectory> {
  const onlineStores: OnlineStore[] = [];
  for (const id of await store.directory.allOnlineStoreIds()) {
    const s = await store.directory.onlineStoreById(id);
    if (s) onlineStores.push(s);
  }
  const fulfillmentCenters: FulfillmentCenter[] = [];
  for (const fcId of new Set(onlineStores.map((s) => s.fulfillmentCenterId).filter((x): x is string => Boolean(x)))) {
    const fc = await store.directory.fulfillmentCenterById(fcId);
    if (fc) fulfillmentCenters.push(fc);
  }
  return { catalog: await store.catalog.allCatalogEntries(), onlineStores, physicalStores: await store.directory.allPhysicalStores(), fulfillmentCenters };
}

/**
 * The locations DOM keeps stock for: every online store whose inventory system is DOM (stock at the fulfillment
 * center it ships from) and every physical store (stock at the store).
 */
export function domLocations(dir: SimDirectory): StockLocationKey[] {
  return [
    ...dir.onlineStores.filter((s) => s.inventorySystem === InventorySystem.DOM && !s.retired).map((s) => locationKeyOf('online', s.storeId)),
    ...dir.physicalStores.map((p) => locationKeyOf('physical', p.storeId)),
  ];
}

/**
 * The simulator's stock for a shop: the demo's own quantities for the demo's entries and locations that the shop
 * has (so the demo behaves as it always did), then `defaultQuantity` of every catalog entry at every DOM location's
 * ship node that has no stock yet. `/sim/stock` changes any of it afterwards.
 */
export function shopStock(dir: SimDirectory, defaultQuantity: number, clock: () => number = Date.now): SimStock {
  const stock = new SimStock(clock);
  const locations = new Set(domLocations(dir));
  const partNumbers = new Map(dir.catalog.map((c) => [c.catentryId, c.partNumber]));
  for (const loc in DEMO_DOM_STOCK) {
    if (!locations.has(loc)) continue;
    const items = DEMO_DOM_STOCK[loc]!;
    for (const cat in items) {
      const pn = partNumbers.get(cat);
      if (pn !== undefined) stock.setOnHand(pn, shipNodeOf(dir, loc), items[cat]!);
    }
  }
  for (const node of new Set([...locations].map((loc) => shipNodeOf(dir, loc)))) {
    for (const entry of dir.catalog) if (!stock.level(entry.partNumber, node)) stock.setOnHand(entry.partNumber, node, defaultQuantity);
  }
  return stock;
}
