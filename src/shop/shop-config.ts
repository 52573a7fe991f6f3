import { ConfigError } from '../config/config.js';
import { nearestKey } from '../config/settings.js';
import { CacheFlag, INVENTORY_STATUSES, InventorySystem, type FulfillmentCenter, type InventoryStatus, type OnlineStore } from '../inventory/inventory-model.js';

/**
 * Your own shop's small sets, from the config file (docs/configuration.md, "Your shop"):
 * `commerce.fulfillmentCenters`, the store definitions in `commerce.stores`, and `inventory.cacheRules`
 * (Commerce's INVCNF in JSON). Checked at start-up, before anything is opened; shop-sync.ts makes the database follow.
 */
export interface ShopConfig {
  readonly fulfillmentCenters: readonly FulfillmentCenter[];
  /** Stores the file defines (those with an `identifier`); empty: the file defines none and the database keeps its own. */
  readonly stores: readonly OnlineStore[];
  /** Undefined: the file has no cache rules and the database keeps its own. */
  readonly cacheRules: readonly CacheRuleConfig[] | undefined;
}

/** One cache rule as written; `partNumber` is resolved against the catalog when the rules are applied. */
export interface CacheRuleConfig {
  readonly setting: string;
  readonly location: { kind: 'online' | 'physical'; storeId: string } | null;
  readonly partNumber: string | null;
  readonly precedence: number;
  readonly flags: number;
  readonly threshold: number;
  readonly expiryAbove: number | null;
  readonly expiryBelow: number | null;
  readonly fallbackStatus: InventoryStatus | null;
  readonly fallbackOffset: number | null;
}

type Json = Record<string, unknown>;

const STORE_KEYS = ['identifier', 'inventorySystem', 'currency', 'fulfillmentCenterId', 'inventoryFlags'];
/** Per-store selling settings read by CommerceSettings; allowed beside the definition. */
const SETTINGS_KEYS = ['shipModes', 'taxRates', 'promotions', 'allowBackorders', 'pickupStoreRegions', 'payment'];
const COMMERCE_KEYS = ['defaults', 'stores', 'fulfillmentCenters'];
const RULE_KEYS = ['storeId', 'physicalStoreId', 'partNumber', 'flags', 'threshold', 'expiryAboveS', 'expiryBelowS', 'fallbackStatus', 'fallbackOffsetDays', 'precedence'];
const SYSTEMS: Readonly<Record<string, number>> = { DOM: InventorySystem.DOM, NonATP: InventorySystem.NonATP };
const ALL_FLAGS = Object.values(CacheFlag).reduce((a, b) => a | b, 0);

export function readShopConfig(commerce: unknown, cacheRules: unknown): ShopConfig {
  const c = (commerce ?? {}) as Json;
  knownKeys('commerce', c, COMMERCE_KEYS);
  const fcs: FulfillmentCenter[] = [];
  for (const [id, v] of Object.entries(object('commerce.fulfillmentCenters', c['fulfillmentCenters']))) {
    const at = `commerce.fulfillmentCenters.${id}`;
    const fc = object(at, v);
    knownKeys(at, fc, ['name']);
    fcs.push({ fulfillmentCenterId: id, name: nonEmpty(`${at}.name`, fc['name']) });
  }
  const fcIds = new Set(fcs.map((f) => f.fulfillmentCenterId));
  const stores: OnlineStore[] = [];
  for (const [id, v] of Object.entries(object('commerce.stores', c['stores']))) {
    const at = `commerce.stores.${id}`;
    const s = object(at, v);
    knownKeys(at, s, [...STORE_KEYS, ...SETTINGS_KEYS]);
    if (s['identifier'] === undefined) {
      const stray = STORE_KEYS.find((k) => s[k] !== undefined);
      if (stray) throw new ConfigError(`${at}.identifier`, `is missing: a store defined here (it gives ${stray}) needs its identifier`);
      continue; // only selling settings for a store defined elsewhere (the demo)
    }
    const system = s['inventorySystem'];
    if (typeof system !== 'string' || SYSTEMS[system] === undefined) throw new ConfigError(`${at}.inventorySystem`, `must be DOM or NonATP, not ${JSON.stringify(system)}`);
    const currency = nonEmpty(`${at}.currency`, s['currency']);
    if (!/^[A-Z]{3}$/.test(currency)) throw new ConfigError(`${at}.currency`, `must be an ISO 4217 code such as USD, not ${JSON.stringify(currency)}`);
    const fc = s['fulfillmentCenterId'] === undefined ? null : nonEmpty(`${at}.fulfillmentCenterId`, s['fulfillmentCenterId']);
    if (fc !== null && !fcIds.has(fc)) throw new ConfigError(`${at}.fulfillmentCenterId`, `is ${fc}, which commerce.fulfillmentCenters does not define`);
    if (system === 'NonATP' && fc === null) throw new ConfigError(`${at}.fulfillmentCenterId`, 'is needed for a NonATP store: its stock is held there');
    stores.push({
      storeId: id, nameIdentifier: nonEmpty(`${at}.identifier`, s['identifier']), inventorySystem: SYSTEMS[system]!, currency,
      fulfillmentCenterId: fc, inventoryFlags: whole(`${at}.inventoryFlags`, s['inventoryFlags'] ?? 0, 0, 7),
    });
  }
  const names = new Map<string, string>();
  for (const s of stores) {
    if (names.has(s.nameIdentifier)) throw new ConfigError(`commerce.stores.${s.storeId}.identifier`, `is ${s.nameIdentifier}, already the identifier of store ${names.get(s.nameIdentifier)}`);
    names.set(s.nameIdentifier, s.storeId);
  }
  return { fulfillmentCenters: fcs, stores, cacheRules: cacheRules === undefined ? undefined : readCacheRules(cacheRules) };
}

function readCacheRules(v: unknown): CacheRuleConfig[] {
  if (!Array.isArray(v)) throw new ConfigError('inventory.cacheRules', 'must be a list of rules');
  return v.map((raw, i) => {
    const at = `inventory.cacheRules[${i}]`;
    const r = object(at, raw);
    knownKeys(at, r, RULE_KEYS);
    if (r['storeId'] !== undefined && r['physicalStoreId'] !== undefined) throw new ConfigError(at, 'gives both storeId and physicalStoreId; give one (or neither, for every location)');
    const location = r['storeId'] !== undefined ? { kind: 'online' as const, storeId: nonEmpty(`${at}.storeId`, r['storeId']) }
      : r['physicalStoreId'] !== undefined ? { kind: 'physical' as const, storeId: nonEmpty(`${at}.physicalStoreId`, r['physicalStoreId']) } : null;
    const status = r['fallbackStatus'];
    if (status !== undefined && !(INVENTORY_STATUSES as readonly unknown[]).includes(status)) throw new ConfigError(`${at}.fallbackStatus`, `must be one of ${INVENTORY_STATUSES.join(', ')}, not ${JSON.stringify(status)}`);
    const optWhole = (k: string, max: number) => (r[k] === undefined || r[k] === null ? null : whole(`${at}.${k}`, r[k], 0, max));
    const days = optWhole('fallbackOffsetDays', 3650);
    return {
      setting: at, location, partNumber: r['partNumber'] === undefined ? null : nonEmpty(`${at}.partNumber`, r['partNumber']),
      precedence: whole(`${at}.precedence`, r['precedence'] ?? 0, 0, 1_000_000), flags: whole(`${at}.flags`, r['flags'], 0, ALL_FLAGS),
      threshold: whole(`${at}.threshold`, r['threshold'] ?? 0, 0, 1_000_000_000), expiryAbove: optWhole('expiryAboveS', 10 * 365 * 86_400),
      expiryBelow: optWhole('expiryBelowS', 10 * 365 * 86_400), fallbackStatus: (status as InventoryStatus | undefined) ?? null, fallbackOffset: days === null ? null : days * 86_400,
    };
  });
}

function object(at: string, v: unknown): Json {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(at, 'must be a JSON object');
  return v as Json;
}

function knownKeys(at: string, o: Json, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const near = nearestKey(k, known);
    throw new ConfigError(`${at}.${k}`, `is not a known setting${near ? `; did you mean ${at}.${near}?` : `; known: ${known.join(', ')}`}`);
  }
}

function nonEmpty(at: string, v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(at, `must be a non-empty string, not ${JSON.stringify(v)}`);
  return v;
}

function whole(at: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(at, `must be a whole number, not ${JSON.stringify(v)}`);
  if (v < min || v > max) throw new ConfigError(at, `must be between ${min} and ${max}, not ${v}`);
  return v;
}
