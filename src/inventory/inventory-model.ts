/** Inventory domain types shared by the cache, the handlers, the loader and the DOM client. */

export type InventoryStatus = 'Available' | 'Backorderable' | 'Unavailable';
export const INVENTORY_STATUSES: readonly InventoryStatus[] = ['Available', 'Backorderable', 'Unavailable'];

/** Commerce's INVAVL.INVENTORYSTATUS column codes. */
export const STATUS_TO_CODE: Readonly<Record<InventoryStatus, string>> = { Available: 'AVL', Backorderable: 'BA', Unavailable: 'UAVL' };
export const CODE_TO_STATUS: Readonly<Record<string, InventoryStatus>> = { AVL: 'Available', BA: 'Backorderable', UAVL: 'Unavailable' };

export type LocationKind = 'online' | 'physical';

/** A resolved location: the unique id of an online store or of a physical store. */
export interface LocationKey {
  readonly kind: LocationKind;
  readonly storeId: string;
}

export function locationLabel(l: LocationKey): string {
  return `${l.kind === 'online' ? 'online store' : 'physical store'} ${l.storeId}`;
}

/** One cached availability record (Commerce's INVAVL row). Times are epoch milliseconds. */
export interface AvailabilityRecord {
  readonly catentryId: string;
  readonly location: LocationKey;
  readonly status: InventoryStatus;
  /** NULL with Available means unlimited. */
  readonly quantity: number | null;
  readonly uom: string;
  readonly availabilityTime: number | null;
  /** Seconds until the item is available, counted from availabilityTime. */
  readonly availabilityOffset: number | null;
  readonly lastUpdate: number;
  readonly contextStoreId?: string | null;
  readonly field1?: string | null;
  readonly field2?: string | null;
  readonly field3?: string | null;
}

/** Bits of a cache rule's flags (Commerce INVCNF.FLAGS). */
export const CacheFlag = {
  MemoryCache: 1,
  DatabaseCache: 2,
  AskDom: 4,
  DecrementOnSubmit: 8,
  WriteBack: 16,
} as const;

/** A cache rule (Commerce's INVCNF row). Expiries in seconds: 0 = always stale, null = never stale. */
export interface CacheRule {
  readonly id: string;
  readonly catentryId: string | null;
  readonly location: LocationKey | null;
  readonly precedence: number;
  readonly flags: number;
  readonly threshold: number;
  readonly expiryAbove: number | null;
  readonly expiryBelow: number | null;
  readonly fallbackStatus: InventoryStatus | null;
  readonly fallbackTime: number | null;
  readonly fallbackOffset: number | null;
}

export interface CatalogEntry {
  readonly catentryId: string;
  readonly partNumber: string;
  readonly name: string;
  /** Decimal string in the store currency, e.g. "24.99". */
  readonly price: string | null;
}

/** Store inventory systems (Commerce STORE.INVENTORYSYSTEM). */
export const InventorySystem = { ATP: -1, NonATP: -2, NoInventory: -3, DOM: -5 } as const;

export interface OnlineStore {
  readonly storeId: string;
  readonly nameIdentifier: string;
  readonly inventorySystem: number;
  readonly currency: string;
  readonly fulfillmentCenterId: string | null;
  /** Non-ATP INVENTORYFLAGS: 1 do not update, 2 do not check, 4 report the actual quantity. */
  readonly inventoryFlags: number;
  /** Removed from the config file: orders that reference it keep working, new carts and availability are refused. */
  readonly retired?: boolean;
}

export interface PhysicalStore {
  readonly storeId: string;
  readonly externalId: string;
  readonly onlineStoreId: string | null;
  readonly name: string | null;
}

export interface FulfillmentCenter {
  readonly fulfillmentCenterId: string;
  readonly name: string;
}
