import type { LocationKind } from '../../inventory/inventory-model.js';

/** Unit of every quantity the simulator reports: C62 = each (Sterling's EACH). */
export const SIM_UOM = 'C62';

/**
 * The simulated DOM's stock, kept the way Sterling keeps supply: by item id (Commerce's part number) and ship
 * node (a fulfillment center's name, or a physical store's external identifier). On-hand and reserved quantities
 * are stored; availability is derived (available = onHand − reserved, never below 0) and never written.
 * Reservations are kept per reservation id (`WC_<orderId>`) as lines (item, node, quantity), so a cancel can
 * release exactly the lines it names.
 *
 * `online:<storeId>` / `physical:<storeId>` location keys are Commerce's view of a location; they are still used
 * by the order book and the control API, and translated to ship nodes through the directory (sim-directory.ts).
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

/** A quantity of one item at one ship node. */
export interface StockLine {
  readonly partNumber: string;
  readonly shipNode: string;
  readonly quantity: number;
}

export interface ReservedStockLine extends StockLine {
  /** What was set aside: the full quantity, 0 when short, or what was available when `partial` is on. */
  readonly reserved: number;
}

interface StockRecord {
  onHand: number;
  /** Reserved quantity by reservation id. */
  readonly reservations: Map<string, number>;
  lastUpdate: number;
}

/** shipNode → partNumber → levels. */
export type StockSnapshot = Record<string, Record<string, { onHand: number; reserved: number; available: number }>>;
/** reservationId → the lines it holds. */
export type ReservationSnapshot = Record<string, StockLine[]>;

export class SimStock {
  /** shipNode → partNumber → record. */
  private readonly records = new Map<string, Map<string, StockRecord>>();
  /** Reservation id → the records it holds quantity in, so a cancel need not scan all stock. */
  private readonly reservationIndex = new Map<string, Set<StockRecord>>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Stock seeded from ship node → part number → on-hand quantity. */
  static seeded(seed: Readonly<Record<string, Readonly<Record<string, number>>>>, clock: () => number = Date.now): SimStock {
    const stock = new SimStock(clock);
    for (const node in seed) {
      const items = seed[node]!;
      for (const pn in items) stock.setOnHand(pn, node, items[pn]!);
    }
    return stock;
  }

  level(partNumber: string, shipNode: string): StockLevel | undefined {
    const r = this.records.get(shipNode)?.get(partNumber);
    return r ? toLevel(r) : undefined;
  }

  /** Part numbers with a record at a node, in insertion order. */
  itemsAt(shipNode: string): string[] {
    return [...(this.records.get(shipNode)?.keys() ?? [])];
  }

  /** Sets the on-hand quantity (creating the record); reservations are kept, so available may drop to 0. */
  setOnHand(partNumber: string, shipNode: string, onHand: number): StockLevel {
    if (!Number.isFinite(onHand) || onHand < 0) throw new RangeError(`onHand must be a finite number ≥ 0, not ${onHand}`);
    let byItem = this.records.get(shipNode);
    if (!byItem) this.records.set(shipNode, (byItem = new Map()));
    let r = byItem.get(partNumber);
    if (!r) byItem.set(partNumber, (r = { onHand, reservations: new Map(), lastUpdate: 0 }));
    r.onHand = onHand;
    r.lastUpdate = this.clock();
    return toLevel(r);
  }

  /**
   * Sets stock aside under `reservationId`. Sterling adds to a reservation id that already holds stock
   * (the mediation asks for AllowMultipleReservations); `replace` drops what the id held first instead. Check
   * and reserve happen in one synchronous step, so no other request can take the same units in between. Each line
   * is reserved in full or not at all unless `partial` is on. Lines for unknown items or nodes reserve nothing.
   */
  reserve(reservationId: string, lines: readonly StockLine[], opts: { partial?: boolean; replace?: boolean } = {}): ReservedStockLine[] {
    if (opts.replace) this.cancelReservation(reservationId);
    const now = this.clock();
    const result: ReservedStockLine[] = [];
    for (const line of lines) {
      const r = this.records.get(line.shipNode)?.get(line.partNumber);
      let reserved = 0;
      if (r && line.quantity > 0) {
        const available = toLevel(r).available;
        reserved = available >= line.quantity ? line.quantity : opts.partial ? available : 0;
        if (reserved > 0) {
          r.reservations.set(reservationId, (r.reservations.get(reservationId) ?? 0) + reserved);
          r.lastUpdate = now;
          let held = this.reservationIndex.get(reservationId);
          if (!held) this.reservationIndex.set(reservationId, (held = new Set()));
          held.add(r);
        }
      }
      result.push({ ...line, reserved });
    }
    return result;
  }

  /**
   * Releases what one line names (Sterling's cancelReservation: reservation id, item, node, quantity), never more
   * than the reservation holds there. An empty ship node releases from any node holding the item. Returns the
   * quantity released.
   */
  releaseLine(reservationId: string, line: StockLine): number {
    let left = line.quantity;
    const nodes = line.shipNode ? [line.shipNode] : [...this.records.keys()];
    const now = this.clock();
    for (const node of nodes) {
      if (left <= 0) break;
      const r = this.records.get(node)?.get(line.partNumber);
      const held = r?.reservations.get(reservationId);
      if (!r || held === undefined) continue;
      const take = Math.min(held, left);
      left -= take;
      if (held - take > 0) r.reservations.set(reservationId, held - take);
      else {
        r.reservations.delete(reservationId);
        const index = this.reservationIndex.get(reservationId);
        index?.delete(r);
        if (index?.size === 0) this.reservationIndex.delete(reservationId);
      }
      r.lastUpdate = now;
    }
    return line.quantity - left;
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

  /** On-hand quantity of an item summed over every node (0 for an item the stock does not know). */
  totalOnHand(partNumber: string): number {
    let total = 0;
    for (const byItem of this.records.values()) total += byItem.get(partNumber)?.onHand ?? 0;
    return total;
  }

  /** Quantity held per (node, item) by one reservation id. */
  reservation(reservationId: string): StockLine[] {
    const lines: StockLine[] = [];
    for (const [shipNode, byItem] of this.records) {
      for (const [partNumber, r] of byItem) {
        const q = r.reservations.get(reservationId);
        if (q !== undefined) lines.push({ partNumber, shipNode, quantity: q });
      }
    }
    return lines;
  }

  /** Every reservation id that holds stock now, with its lines. */
  reservations(): ReservationSnapshot {
    const out: ReservationSnapshot = {};
    for (const id of this.reservationIndex.keys()) out[id] = this.reservation(id);
    return out;
  }

  snapshot(): StockSnapshot {
    const out: StockSnapshot = {};
    for (const [node, byItem] of this.records) {
      const items: StockSnapshot[string] = {};
      for (const [pn, r] of byItem) {
        const { onHand, reserved, available } = toLevel(r);
        items[pn] = { onHand, reserved, available };
      }
      out[node] = items;
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
