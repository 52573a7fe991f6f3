import { CacheFlag, InventorySystem, type CacheRule, type CatalogEntry, type FulfillmentCenter, type OnlineStore, type PhysicalStore } from '../inventory/inventory-model.js';

/**
 * The demo world of interface.md: ids match the shared samples, so a sample can be replayed against a fresh
 * demo server. The DOM simulator stocks the same items at the same locations.
 */
export const DEMO_FULFILLMENT_CENTERS: readonly FulfillmentCenter[] = [
  { fulfillmentCenterId: '10101', name: 'DC-EAST' },
  { fulfillmentCenterId: '10102', name: 'DC-WEST' },
];

export const DEMO_ONLINE_STORES: readonly OnlineStore[] = [
  { storeId: '10201', nameIdentifier: 'DemoDOMStore', inventorySystem: InventorySystem.DOM, currency: 'USD', fulfillmentCenterId: '10101', inventoryFlags: 0 },
  // INVENTORYFLAGS 4: report the actual local quantity in availability answers.
  { storeId: '10202', nameIdentifier: 'DemoNonATPStore', inventorySystem: InventorySystem.NonATP, currency: 'USD', fulfillmentCenterId: '10102', inventoryFlags: 4 },
];

export const DEMO_PHYSICAL_STORES: readonly PhysicalStore[] = [
  { storeId: '7101', externalId: 'STORE-7101', onlineStoreId: '10201', name: 'Springfield Downtown' },
  { storeId: '7102', externalId: 'STORE-7102', onlineStoreId: '10201', name: 'Springfield Mall' },
];

export const DEMO_CATALOG: readonly CatalogEntry[] = [
  { catentryId: '20311', partNumber: 'TEST-SKU-0001', name: 'Trail Running Shoe', price: '24.99' },
  { catentryId: '20312', partNumber: 'TEST-SKU-0002', name: 'Merino Wool Socks', price: '12.50' },
  { catentryId: '20313', partNumber: 'TEST-SKU-0003', name: 'Insulated Water Bottle', price: '18.00' },
  { catentryId: '20314', partNumber: 'TEST-SKU-0004', name: 'Headlamp 300 lm', price: '39.95' },
  { catentryId: '20315', partNumber: '000123', name: 'Replacement Laces (leading-zero part number)', price: '3.99' },
  { catentryId: '20316', partNumber: 'TEST-SKU-0006', name: 'Rain Shell (scarce)', price: '129.00' },
];

/**
 * Interface.md's demo rule for store 10201: database cache, ask DOM on a miss, write DOM's answer back; fresh for
 * 600 s while at least 5 would remain after the request, 30 s below that. When DOM cannot answer and nothing is
 * cached, the store reports Backorderable, available in 7 days.
 */
export const DEMO_CACHE_RULES: readonly CacheRule[] = [
  {
    id: 'demo-10201', catentryId: null, location: { kind: 'online', storeId: '10201' }, precedence: 0,
    flags: CacheFlag.DatabaseCache | CacheFlag.AskDom | CacheFlag.WriteBack | CacheFlag.DecrementOnSubmit,
    threshold: 5, expiryAbove: 600, expiryBelow: 30, fallbackStatus: 'Backorderable', fallbackTime: null, fallbackOffset: 7 * 86_400,
  },
  ...['7101', '7102'].map((storeId): CacheRule => ({
    id: `demo-${storeId}`, catentryId: null, location: { kind: 'physical', storeId }, precedence: 0,
    flags: CacheFlag.DatabaseCache | CacheFlag.AskDom | CacheFlag.WriteBack | CacheFlag.DecrementOnSubmit,
    threshold: 5, expiryAbove: 600, expiryBelow: 30, fallbackStatus: 'Unavailable', fallbackTime: null, fallbackOffset: null,
  })),
];

/** Non-ATP store 10202's local stock, per item, in its fulfillment center 10102. */
export const DEMO_LOCAL_STOCK: Readonly<Record<string, number>> = {
  '20311': 50, '20312': 200, '20313': 25, '20314': 10, '20315': 500, '20316': 3,
};

/** What the DOM simulator holds: quantity per item per location key (`online:<id>` or `physical:<id>`). */
export const DEMO_DOM_STOCK: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'online:10201': { '20311': 42, '20312': 300, '20313': 60, '20314': 15, '20315': 1000, '20316': 4 },
  'physical:7101': { '20311': 6, '20312': 40, '20313': 8, '20314': 2, '20315': 100, '20316': 0 },
  'physical:7102': { '20311': 3, '20312': 12, '20313': 0, '20314': 5, '20315': 50, '20316': 1 },
};
