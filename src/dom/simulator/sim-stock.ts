import { DEMO_DOM_STOCK } from '../../demo/demo-data.js';
import type { LocationKind } from '../../inventory/inventory-model.js';

/**
 * The simulated DOM's stock. On-hand and reserved quantities are stored; availability is derived
 * (available = onHand − reserved, never below 0) and never written. Reservations are kept per reservation id
 * so a later ReserveInventory / CancelInventoryReservation can replace or release exactly what it made.
 *
 * A location key is `online:<storeId>` or `physical:<storeId>`, the form DEMO_DOM_STOCK and the control API use.
 */
export type StockLocationKey = string;

export function locationKeyOf(kind: LocationKind, storeId: string): StockLocationKey {
  return `${kind}:${storeId}`;
}

export function parseLocationKey(key: string): { kind: LocationKind; storeId: string } | undefined {
  const m = /^(online|physical):(\S+)$/.exec(key);
  return m ? { kind: m[1] as LocationKind, storeId: m[2]! } : undefined;
}

export interface StockLevel {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  /** Epoch ms of the last change to on-hand or reserved. */
  readonly lastUpdate: number;
}

export interface ReservationLine {
  readonly catentryId: string;
  readonly locationKey: StockLocationKey;
  readonly quantity: number;
}

export interface ReservedLine extends ReservationLine {
  /** What was set aside: the full quantity, 0 when short, or what was available when `partial` is on. */
  readonly reserved: number;
}

interface StockRecord {
  onHand: number;
  /** Reserved quantity by reservation id. */
  readonly reservations: Map<string, number>;
  lastUpdate: number;
}

export type StockSnapshot = Record<StockLocationKey, Record<string, { onHand: number; reserved: number; available: number }>>;

export class SimStock {
  private readonly records = new Map<StockLocationKey, Map<string, StockRecord>>();
  /** Reservation id → the records it holds quantity in, so a cancel need not scan all stock. */
  private readonly reservationIndex = new Map<string, Set<StockRecord>>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Stock seeded from a map of location key → catentryId → on-hand quantity (DEMO_DOM_STOCK by default). */
  static seeded(seed: Readonly<Record<string, Readonly<Record<string, number>>>> = DEMO_DOM_STOCK, clock: () => number = Date.now): SimStock {
    const stock = new SimStock(clock);
    for (const loc in seed) {
      const items = seed[loc]!;
      for (const cat in items) stock.setOnHand(cat, loc, items[cat]!);
    }
    return stock;
  }

  level(catentryId: string, locationKey: StockLocationKey): StockLevel | undefined {
    const r = this.records.get(locationKey)?.get(catentryId);
    return r ? toLevel(r) : undefined;
  }

  /** Items with a record at a location, in insertion order. */
  itemsAt(locationKey: StockLocationKey): string[] {
    return [...(this.records.get(locationKey)?.keys() ?? [])];
  }

  /** Sets the on-hand quantity (creating the record); reservations are kept, so available may drop to 0. */
  setOnHand(catentryId: string, locationKey: StockLocationKey, onHand: number): StockLevel {
    if (!Number.isFinite(onHand) || onHand < 0) throw new RangeError(`onHand must be a finite number ≥ 0, not ${onHand}`);
    let byItem = this.records.get(locationKey);
    if (!byItem) this.records.set(locationKey, (byItem = new Map()));
    let r = byItem.get(catentryId);
    if (!r) byItem.set(catentryId, (r = { onHand, reservations: new Map(), lastUpdate: 0 }));
    r.onHand = onHand;
    r.lastUpdate = this.clock();
    return toLevel(r);
  }

  /**
   * Sets stock aside under `reservationId`, replacing whatever that id held before (a re-sent reservation is
   * not counted twice). Check and reserve happen in one synchronous step, so no other request can take the
   * same units in between. Each line is reserved in full or not at all unless `partial` is on, as DOM does
   * with partial reservations off. Lines for items without a record reserve nothing.
   */
  reserve(reservationId: string, lines: readonly ReservationLine[], opts: { partial?: boolean } = {}): ReservedLine[] {
    this.cancelReservation(reservationId);
    const now = this.clock();
    const held = new Set<StockRecord>();
    const result: ReservedLine[] = [];
    for (const line of lines) {
      const r = this.records.get(line.locationKey)?.get(line.catentryId);
      let reserved = 0;
      if (r && line.quantity > 0) {
        const available = toLevel(r).available;
        reserved = available >= line.quantity ? line.quantity : opts.partial ? available : 0;
        if (reserved > 0) {
          r.reservations.set(reservationId, (r.reservations.get(reservationId) ?? 0) + reserved);
          r.lastUpdate = now;
          held.add(r);
        }
      }
      result.push({ ...line, reserved });
    }
    if (held.size > 0) this.reservationIndex.set(reservationId, held);
    return result;
  }

  /** Releases everything held under the id; safe to run twice. Returns how many records it released. */
  cancelReservation(reservationId: string): number {
    const held = this.reservationIndex.get(reservationId);
    if (!held) return 0;
    const now = this.clock();
    for (const r of held) {
      r.reservations.delete(reservationId);
      r.lastUpdate = now;
    }
    this.reservationIndex.delete(reservationId);
    return held.size;
  }

  /** The reservation became a shipment: its units leave on-hand and the hold is dropped. Safe to run twice. */
  consumeReservation(reservationId: string): number {
    const held = this.reservationIndex.get(reservationId);
    if (!held) return 0;
    const now = this.clock();
    for (const r of held) {
      r.onHand = Math.max(0, r.onHand - (r.reservations.get(reservationId) ?? 0));
      r.reservations.delete(reservationId);
      r.lastUpdate = now;
    }
    this.reservationIndex.delete(reservationId);
    return held.size;
  }

  /** On-hand quantity of an item summed over every location (0 for an item the stock does not know). */
  totalOnHand(catentryId: string): number {
    let total = 0;
    for (const byItem of this.records.values()) total += byItem.get(catentryId)?.onHand ?? 0;
    return total;
  }

  /** Quantity held per (location, item) by one reservation id. */
  reservation(reservationId: string): ReservationLine[] {
    const lines: ReservationLine[] = [];
    for (const [locationKey, byItem] of this.records) {
      for (const [catentryId, r] of byItem) {
        const q = r.reservations.get(reservationId);
        if (q !== undefined) lines.push({ catentryId, locationKey, quantity: q });
      }
    }
    return lines;
  }

  snapshot(): StockSnapshot {
    const out: StockSnapshot = {};
    for (const [loc, byItem] of this.records) {
      const items: StockSnapshot[string] = {};
      for (const [cat, r] of byItem) {
        const { onHand, reserved, available } = toLevel(r);
        items[cat] = { onHand, reserved, available };
      }
      out[loc] = items;
    }
    return out;
  }
}

function toLevel(r: StockRecord): StockLevel {
  let reserved = 0;
  for (const q of r.reservations.values()) reserved += q;
  // On-hand set below what is reserved (a stock count after the reservation) leaves nothing to sell, not a debt.
  return { onHand: r.onHand, reserved, available: Math.max(0, r.onHand - reserved), lastUpdate: r.lastUpdate };
}
