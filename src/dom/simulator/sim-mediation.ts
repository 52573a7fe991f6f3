import { isoTime } from '../../bod/application-area.js';
import { NS } from '../../xml/namespaces.js';
import { child, childrenNamed, childText, path, type XmlElement } from '../../xml/xml-element.js';
import { escAttr, escText, leaf } from '../../xml/xml-writer.js';

/*
 * What IBM's WCToSSFS mediation reads from Commerce's inventory BODs and writes back from Sterling's answers,
 * as facts (docs/contract/dom-mediation-inventory.md has the field table). The simulator's default mode reads
 * requests and writes answers only through these functions, never through dombridge's own noun codecs, so a
 * field dombridge forgets to send is a field this simulator does not see.
 */

/** Sterling's prefix on reservation ids and line ids it keeps for Commerce. */
export const WC_PREFIX = 'WC_';
export const PICKUP_IN_STORE = 'PickupInStore';

/**
 * The mediation's view of a Get expression: the values of each `Name='value'` comparison, per parameter name, in
 * the order they appear. Path steps (`…/ExternalIdentifier[`) are not comparisons, so `ExternalIdentifier` here is
 * only the physical store's `PhysicalStoreIdentifier[(ExternalIdentifier='…')]`. A repeated value is kept at its
 * position: the map pairs parameters by index, so position i needs its own store name.
 */
export function xpathParameterValues(expression: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const re = /([A-Za-z_][\w.]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/g;
  for (let m = re.exec(expression); m; m = re.exec(expression)) {
    const name = m[1]!;
    (out[name] ??= []).push(m[2] ?? m[3] ?? '');
  }
  return out;
}

/** One position of an availability request as the map builds it: physical store first, else online store. */
export type AvailabilityPosition =
  | { readonly kind: 'online'; readonly partNumber: string; readonly uom: string; readonly nameIdentifier: string; readonly onlineIndex: number }
  | { readonly kind: 'physical'; readonly partNumber: string; readonly uom: string; readonly externalId: string };

/**
 * Pairs PartNumber[i] with uom[i], ExternalIdentifier[i] (physical store) and NameIdentifier[i] (online store), for
 * i over the part numbers. A position with a physical store is a physical question even if it also has a store
 * name; a position with neither asks nothing. Online positions are numbered in order (the n-th
 * monitorItemAvailability call answers the n-th online position).
 */
export function availabilityPositions(expression: string): AvailabilityPosition[] {
  const p = xpathParameterValues(expression);
  const parts = p['PartNumber'] ?? [];
  const out: AvailabilityPosition[] = [];
  let onlineIndex = 0;
  for (const [i, partNumber] of parts.entries()) {
    const uom = (p['uom']?.[i] ?? '').trim() || 'C62';
    const physical = (p['ExternalIdentifier']?.[i] ?? '').trim();
    const online = (p['NameIdentifier']?.[i] ?? '').trim();
    if (physical) out.push({ kind: 'physical', partNumber, uom, externalId: physical });
    else if (online) out.push({ kind: 'online', partNumber, uom, nameIdentifier: online, onlineIndex: ++onlineIndex });
  }
  return out;
}

/** What Sterling found for one position. `futureDate`: the first date with supply, when none is on hand. */
export interface AvailabilityFinding {
  readonly position: AvailabilityPosition;
  readonly available: number;
  readonly futureDate?: string;
}

const CREATION = (now: number): string => `<_wcf:ApplicationArea><oa:CreationDateTime xsi:type="udt:DateTimeType">${isoTime(now).replace(/\.\d{3}Z$/, 'Z')}</oa:CreationDateTime></_wcf:ApplicationArea>`;
const ROOT_XMLNS = ` xmlns:_inv="${NS.inv}" xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}" xmlns:xsi="${NS.xsi}" xmlns:udt="http://www.openapplications.org/oagis/9/unqualifieddatatypes/1.1"`;

/** Sterling's date (yyyy-MM-dd) as the mediation turns it into a dateTime. */
export function dateToDateTime(date: string): string {
  return `${date}T00:00:00`;
}

/**
 * ShowInventoryAvailability as the map writes it: `_wcf:ApplicationArea` with only a creation time, a DataArea
 * without a verb, one noun per position; items by part number, stores by name or physical external id, no
 * LastUpdateDateTime. Online: Available with the on-hand quantity, Backorderable with a date, else Unavailable
 * with quantity 0 (written with the map's surrounding whitespace). Physical: Available with the quantity,
 * Backorderable with a date, else Unavailable without a quantity.
 */
export function writeMediationShowAvailability(findings: readonly AvailabilityFinding[], now: number): string {
  const nouns = findings.map(({ position: p, available, futureDate }) => {
    const where = p.kind === 'online'
      ? `<_wcf:OnlineStoreIdentifier><_wcf:ExternalIdentifier>${leaf('_wcf:NameIdentifier', p.nameIdentifier)}</_wcf:ExternalIdentifier></_wcf:OnlineStoreIdentifier>`
      : `<_wcf:PhysicalStoreIdentifier>${leaf('_wcf:ExternalIdentifier', p.externalId)}</_wcf:PhysicalStoreIdentifier>`;
    let body: string;
    if (available > 0) body = `<_inv:InventoryStatus>Available</_inv:InventoryStatus><_inv:AvailableQuantity uom="${escAttr(p.uom)}">${available}</_inv:AvailableQuantity>`;
    else if (futureDate) body = `<_inv:InventoryStatus>Backorderable</_inv:InventoryStatus>${leaf('_inv:AvailabilityDateTime', dateToDateTime(futureDate))}`;
    else if (p.kind === 'online') body = `<_inv:InventoryStatus>Unavailable</_inv:InventoryStatus><_inv:AvailableQuantity uom="C62">\n\t\t\t\t0\n\t\t\t</_inv:AvailableQuantity>`;
    else body = `<_inv:InventoryStatus>Unavailable</_inv:InventoryStatus>`;
    return `<_inv:InventoryAvailability><_inv:InventoryAvailabilityIdentifier><_wcf:ExternalIdentifier><_wcf:CatalogEntryIdentifier><_wcf:ExternalIdentifier>` +
      `${leaf('_wcf:PartNumber', p.partNumber)}</_wcf:ExternalIdentifier></_wcf:CatalogEntryIdentifier>${where}</_wcf:ExternalIdentifier></_inv:InventoryAvailabilityIdentifier>${body}</_inv:InventoryAvailability>`;
  });
  return `<_inv:ShowInventoryAvailability${ROOT_XMLNS}>${CREATION(now)}<_inv:DataArea>${nouns.join('')}</_inv:DataArea></_inv:ShowInventoryAvailability>`;
}

/** One PromiseLine the reserve map builds from an `_ord:OrderItem`. */
export interface ReserveRequestLine {
  /** The order item id (the map sends `WC_<id>` as LineId). */
  readonly orderItemId: string;
  readonly partNumber: string;
  readonly quantity: number;
  readonly uom: string;
  readonly shipModeCode: string;
  /** Set only for PickupInStore lines naming the store's external identifier; otherwise Sterling picks the node. */
  readonly shipNode: string;
  readonly requestedShipDate: string | undefined;
}

export interface ReserveRequest {
  readonly storeId: string;
  /** Commerce's order id; the reservation is `WC_<orderId>`. */
  readonly orderId: string;
  readonly allowPartial: boolean;
  readonly lines: readonly ReserveRequestLine[];
}

function storeIdOf(bod: XmlElement): string {
  const aa = child(bod, NS.oa, 'ApplicationArea') ?? child(bod, NS.wcf, 'ApplicationArea');
  return childrenNamed(child(aa, NS.wcf, 'BusinessContext'), NS.wcf, 'ContextData').find((c) => c.attrs['name'] === 'storeId')?.text ?? '';
}

function requirementOf(bod: XmlElement): XmlElement | undefined {
  return path(bod, [NS.inv, 'DataArea'], [NS.inv, 'InventoryRequirement']);
}

function partNumberOf(item: XmlElement): string {
  return childText(path(item, [NS.ord, 'CatalogEntryIdentifier'], [NS.wcf, 'ExternalIdentifier']), NS.wcf, 'PartNumber') ?? '';
}

/** The reserve map's reading of a ProcessInventoryRequirement ReserveInventory. Only these fields reach Sterling. */
export function readReserveRequest(bod: XmlElement): ReserveRequest {
  const req = requirementOf(bod);
  const partial = childrenNamed(child(req, NS.wcf, 'UserData'), NS.wcf, 'UserDataField').find((f) => f.attrs['name'] === 'IBM_AllowPartialReservation')?.text;
  const lines = childrenNamed(req, NS.ord, 'OrderItem').map((it): ReserveRequestLine => {
    const ship = child(it, NS.ord, 'OrderItemShippingInfo');
    const shipModeCode = childText(path(ship, [NS.ord, 'ShippingMode'], [NS.ord, 'ShippingModeIdentifier'], [NS.ord, 'ExternalIdentifier']), NS.ord, 'ShipModeCode') ?? '';
    const store = childText(child(ship, NS.ord, 'PhysicalStoreIdentifier'), NS.wcf, 'ExternalIdentifier') ?? '';
    const q = child(it, NS.ord, 'Quantity');
    return {
      orderItemId: childText(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID') ?? '',
      partNumber: partNumberOf(it),
      quantity: Number(q?.text ?? ''),
      uom: q?.attrs['uom'] || 'C62',
      shipModeCode,
      shipNode: shipModeCode === PICKUP_IN_STORE ? store : '',
      requestedShipDate: childText(ship, NS.ord, 'RequestedShipDate'),
    };
  });
  return {
    storeId: storeIdOf(bod),
    orderId: childText(child(req, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID') ?? '',
    allowPartial: (partial ?? '').trim() === 'Y',
    lines,
  };
}

/** One Reservation element of Sterling's answer to one PromiseLine. */
export interface SterlingReservation {
  readonly quantity: number;
  readonly shipNode: string;
  /** yyyy-MM-dd: today or earlier means Allocated, later Backordered. */
  readonly productAvailabilityDate: string;
  readonly shipDate?: string;
}

export interface ReserveAnswerLine {
  readonly orderItemId: string;
  readonly requested: number;
  readonly reservations: readonly SterlingReservation[];
}

/**
 * AcknowledgeInventoryRequirement as the reserve answer map writes it: no verb, `releaseID=""`, the order id
 * taken from the first line's reservation (empty when nothing was reserved). Per line: without reservations, only
 * the line id and `Unallocated` (no Quantity); with reservations short of the requested quantity, first an
 * Unallocated remainder (CorrelationGroup, Quantity); then one item per reservation, the first named by the line
 * id, the others by CorrelationGroup, each with Quantity, status, dates and the ship node as fulfillment center.
 */
export function writeReserveAcknowledgement(orderId: string, lines: readonly ReserveAnswerLine[], today: string, now: number): string {
  const anyReserved = lines.some((l) => l.reservations.length > 0);
  const items = lines.map((l) => {
    if (l.reservations.length === 0) {
      return `<_ord:OrderItem><_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', l.orderItemId)}</_ord:OrderItemIdentifier>` +
        `<_ord:OrderItemStatus><_ord:InventoryStatus xsi:type="_ord:InventoryStatusEnumerationType">Unallocated</_ord:InventoryStatus></_ord:OrderItemStatus></_ord:OrderItem>`;
    }
    const total = l.reservations.reduce((s, r) => s + r.quantity, 0);
    const remainder = total !== l.requested
      ? `<_ord:OrderItem>${leaf('_ord:CorrelationGroup', l.orderItemId)}<_ord:OrderItemStatus><_ord:InventoryStatus xsi:type="_ord:InventoryStatusEnumerationType">Unallocated</_ord:InventoryStatus></_ord:OrderItemStatus>` +
        `<_ord:Quantity uom="C62">${l.requested - total}</_ord:Quantity></_ord:OrderItem>`
      : '';
    const reserved = l.reservations.map((r, k) => {
      const id = k === 0 ? `<_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', l.orderItemId)}</_ord:OrderItemIdentifier>` : leaf('_ord:CorrelationGroup', l.orderItemId);
      const status = r.productAvailabilityDate <= today ? 'Allocated' : 'Backordered';
      return `<_ord:OrderItem>${id}<_ord:Quantity uom="C62">${r.quantity.toFixed(2)}</_ord:Quantity>` +
        `<_ord:OrderItemStatus><_ord:InventoryStatus xsi:type="_ord:InventoryStatusEnumerationType">${status}</_ord:InventoryStatus></_ord:OrderItemStatus>` +
        `<_ord:OrderItemFulfillmentInfo>${leaf('_ord:AvailableDate', dateToDateTime(r.productAvailabilityDate))}${r.shipDate ? leaf('_ord:ExpectedShipDate', dateToDateTime(r.shipDate)) : ''}</_ord:OrderItemFulfillmentInfo>` +
        `<_ord:FulfillmentCenter><_ord:FulfillmentCenterIdentifier>${leaf('_wcf:Name', r.shipNode)}</_ord:FulfillmentCenterIdentifier></_ord:FulfillmentCenter></_ord:OrderItem>`;
    }).join('');
    return remainder + reserved;
  }).join('');
  return `<_inv:AcknowledgeInventoryRequirement releaseID=""${ROOT_XMLNS}>${CREATION(now)}<_inv:DataArea><_inv:InventoryRequirement>` +
    `<_ord:OrderIdentifier><_wcf:UniqueID>${anyReserved ? escText(orderId) : ''}</_wcf:UniqueID></_ord:OrderIdentifier>${items}</_inv:InventoryRequirement></_inv:DataArea></_inv:AcknowledgeInventoryRequirement>`;
}

/** One cancelReservation call the cancel map builds from an `_ord:OrderItem`. */
export interface CancelRequestLine {
  readonly partNumber: string;
  readonly quantity: number;
  readonly uom: string;
  /** The line's FulfillmentCenter name (Sterling's ship node); empty when the line names none. */
  readonly shipNode: string;
  /** The date part of the line's ExpectedShipDate, when given. */
  readonly shipDate: string | undefined;
}

export interface CancelRequest {
  readonly storeId: string;
  readonly orderId: string;
  readonly lines: readonly CancelRequestLine[];
}

/** The cancel map's reading of a CancelInventoryReservation: one call per OrderItem not marked Unallocated. */
export function readCancelRequest(bod: XmlElement): CancelRequest {
  const req = requirementOf(bod);
  const lines: CancelRequestLine[] = [];
  for (const it of childrenNamed(req, NS.ord, 'OrderItem')) {
    if (childText(child(it, NS.ord, 'OrderItemStatus'), NS.ord, 'InventoryStatus') === 'Unallocated') continue;
    const q = child(it, NS.ord, 'Quantity');
    const shipDate = childText(child(it, NS.ord, 'OrderItemFulfillmentInfo'), NS.ord, 'ExpectedShipDate');
    lines.push({
      partNumber: partNumberOf(it),
      quantity: Number(q?.text ?? ''),
      uom: q?.attrs['uom'] || 'C62',
      shipNode: childText(path(it, [NS.ord, 'FulfillmentCenter'], [NS.ord, 'FulfillmentCenterIdentifier']), NS.wcf, 'Name') ?? '',
      shipDate: shipDate ? shipDate.slice(0, 10) : undefined,
    });
  }
  return { storeId: storeIdOf(bod), orderId: childText(child(req, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID') ?? '', lines };
}

/**
 * The cancel acknowledgement as its map writes it: an `oa:Acknowledge` verb with nothing in it, and the order id
 * taken from the first cancelReservation's reservation id — empty when the request named no line to cancel.
 */
export function writeCancelAcknowledgement(orderId: string, now: number): string {
  return `<_inv:AcknowledgeInventoryRequirement releaseID=""${ROOT_XMLNS}>${CREATION(now)}<_inv:DataArea><oa:Acknowledge/><_inv:InventoryRequirement>` +
    `<_ord:OrderIdentifier><_wcf:UniqueID>${escText(orderId)}</_wcf:UniqueID></_ord:OrderIdentifier></_inv:InventoryRequirement></_inv:DataArea></_inv:AcknowledgeInventoryRequirement>`;
}

/**
 * How the simulator speaks. `sterling` (the default): as Sterling behind IBM's mediation, reading and writing
 * only what the maps do. `dombridge`: the older convenience behaviour (answers by unique id, an Acknowledge verb,
 * a reservation replaced as a whole and released by order id), kept for tools that relied on it.
 */
export type SimMode = 'sterling' | 'dombridge';
