/**
 * Inventory service requests (Commerce's InventoryServices.wsdl: GetInventoryAvailability,
 * ProcessInventoryRequirement, ChangeInventoryAvailability, SyncInventoryAvailability) as a generated client builds
 * them, from the facts of Commerce's XSDs (see bod-tree.ts for the rules every builder follows):
 * - InventoryAvailabilityType: InventoryAvailabilityIdentifier, InventoryStatus, AvailableQuantity@uom,
 *   AvailabilityDateTime, AvailabilityOffset (xs:integer), LastUpdateDateTime, …, UserData.
 * - InventoryAvailabilityIdentifier (an _inv element of type _wcf:InventoryAvailabilityIdentifierType): UniqueID?,
 *   ExternalIdentifier{CatalogEntryIdentifier, then a choice of OnlineStoreIdentifier (StoreIdentifierType: UniqueID,
 *   ExternalIdentifier{NameIdentifier}) or PhysicalStoreIdentifier (UniqueID, ExternalIdentifier as text)}, all _wcf:.
 * - The InventoryRequirement noun is an `_ord:OrderType` in the _inv namespace: its children are _ord: elements.
 * - The DataAreas: Get then InventoryAvailability*; Process then InventoryRequirement*; Change then
 *   InventoryAvailability+; Sync then InventoryAvailability*.
 */
import { actionVerb, bod, catalogEntryIdentifier, el, getVerb, leaf, type CommonOptions, type Node } from './bod-tree.js';

/** An online store by unique id or name identifier; a physical store by unique id or external identifier. */
export type ClientLocation =
  | { readonly online: string }
  | { readonly onlineName: string }
  | { readonly physical: string }
  | { readonly physicalExternal: string };

export type ClientItemRef = { readonly catentryId: string } | { readonly partNumber: string };

const q = (v: string): string => `'${v}'`;

function itemPredicate(items: readonly ClientItemRef[]): string {
  const ids = items.filter((i): i is { catentryId: string } => 'catentryId' in i).map((i) => `UniqueID=${q(i.catentryId)}`);
  const pns = items.filter((i): i is { partNumber: string } => 'partNumber' in i).map((i) => `PartNumber=${q(i.partNumber)}`);
  if (ids.length && pns.length) throw new Error('one expression names items either by UniqueID or by PartNumber');
  return ids.length ? `CatalogEntryIdentifier[(${ids.join(' or ')})]` : `CatalogEntryIdentifier/ExternalIdentifier[(${pns.join(' or ')})]`;
}

function locationPredicate(l: ClientLocation): string {
  if ('online' in l) return `OnlineStoreIdentifier[(UniqueID=${q(l.online)})]`;
  if ('onlineName' in l) return `OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier=${q(l.onlineName)})]`;
  if ('physical' in l) return `PhysicalStoreIdentifier[(UniqueID=${q(l.physical)})]`;
  return `PhysicalStoreIdentifier[(ExternalIdentifier=${q(l.physicalExternal)})]`;
}

/**
 * GetInventoryAvailability: the items at one location, or at an online store and physical stores ("or"), in the
 * expression forms Commerce's storefront writes, with the optional access-profile prefix.
 */
export function getInventoryAvailability(items: readonly ClientItemRef[], locations: readonly ClientLocation[], o: CommonOptions & { readonly accessProfile?: string } = {}): Node {
  const loc = locations.length === 1 ? locationPredicate(locations[0]!) : `(${locations.map(locationPredicate).join(' or ')})`;
  const ap = o.accessProfile ? `{_wcf.ap=${o.accessProfile}}` : '';
  return bod('inv', 'GetInventoryAvailability', o, getVerb([`${ap}/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[${itemPredicate(items)} and ${loc}]]`]), undefined);
}

export interface ClientAvailability {
  readonly item: ClientItemRef;
  readonly location: ClientLocation;
  readonly status?: 'Available' | 'Backorderable' | 'Unavailable';
  readonly quantity?: number;
  readonly availabilityDateTime?: Date;
  readonly availabilityOffset?: number;
  readonly lastUpdate?: Date;
}

function storeIdentifier(l: ClientLocation): Node | undefined {
  if ('online' in l) return el('wcf', 'OnlineStoreIdentifier', leaf('wcf', 'UniqueID', l.online));
  if ('onlineName' in l) return el('wcf', 'OnlineStoreIdentifier', el('wcf', 'ExternalIdentifier', leaf('wcf', 'NameIdentifier', l.onlineName)));
  if ('physical' in l) return el('wcf', 'PhysicalStoreIdentifier', leaf('wcf', 'UniqueID', l.physical));
  return el('wcf', 'PhysicalStoreIdentifier', leaf('wcf', 'ExternalIdentifier', l.physicalExternal));
}

/** One _inv:InventoryAvailability noun in InventoryAvailabilityType order. */
export function availabilityNoun(a: ClientAvailability): Node {
  return el('inv', 'InventoryAvailability', [
    el('inv', 'InventoryAvailabilityIdentifier', el('wcf', 'ExternalIdentifier', [catalogEntryIdentifier('wcf', a.item as { catentryId?: string; partNumber?: string }), storeIdentifier(a.location)])),
    leaf('inv', 'InventoryStatus', a.status),
    leaf('inv', 'AvailableQuantity', a.quantity === undefined ? undefined : { double: a.quantity }, { uom: 'C62' }),
    leaf('inv', 'AvailabilityDateTime', a.availabilityDateTime ? { dateTime: a.availabilityDateTime } : undefined),
    leaf('inv', 'AvailabilityOffset', a.availabilityOffset === undefined ? undefined : { integer: a.availabilityOffset }),
    leaf('inv', 'LastUpdateDateTime', a.lastUpdate ? { dateTime: a.lastUpdate } : undefined),
  ])!;
}

/** ChangeInventoryAvailability (Change, Add, Create, Delete) on /InventoryAvailability: an administrator's edit. */
export function changeInventoryAvailability(actionCode: string, nouns: readonly ClientAvailability[], o: CommonOptions = {}): Node {
  return bod('inv', 'ChangeInventoryAvailability', o, actionVerb('Change', actionCode, '/InventoryAvailability'), nouns.map(availabilityNoun));
}

/** SyncInventoryAvailability (Change by default) on /InventoryAvailability: DOM's update of the cache. */
export function syncInventoryAvailability(nouns: readonly ClientAvailability[], o: CommonOptions & { readonly actionCode?: string } = {}): Node {
  return bod('inv', 'SyncInventoryAvailability', o, actionVerb('Sync', o.actionCode ?? 'Change', '/InventoryAvailability'), nouns.map(availabilityNoun));
}

export interface RequirementLine {
  readonly orderItemId?: string;
  readonly item: ClientItemRef;
  readonly quantity: number;
  /** Pick-up store: the line is wanted there rather than at the order's online store. */
  readonly physicalStoreId?: string;
  /** The fulfillment center (ship node) by name, as DOM's reservation answer gave it: a cancel names it. */
  readonly fulfillmentCenterName?: string;
  /** The fulfillment center by Commerce's unique id alone (FulfillmentCenterIdentifierType allows either or both). */
  readonly fulfillmentCenterId?: string;
}

/**
 * ProcessInventoryRequirement (CheckInventory, ReserveInventory, CancelInventoryReservation, DecrementCache) on
 * /InventoryRequirement[1]: the noun is an Order, its lines OrderItems.
 */
export function processInventoryRequirement(actionCode: string, r: { readonly orderId?: string; readonly storeId?: string; readonly lines: readonly RequirementLine[] }, o: CommonOptions = {}): Node {
  const noun = el('inv', 'InventoryRequirement', [
    el('ord', 'OrderIdentifier', [leaf('wcf', 'UniqueID', r.orderId), r.orderId === undefined ? undefined : leaf('wcf', 'ExternalOrderID', '')]),
    el('ord', 'StoreIdentifier', leaf('wcf', 'UniqueID', r.storeId ?? o.storeId ?? '10201')),
    r.lines.map((l) => el('ord', 'OrderItem', [
      el('ord', 'OrderItemIdentifier', leaf('wcf', 'UniqueID', l.orderItemId)),
      catalogEntryIdentifier('ord', l.item as { catentryId?: string; partNumber?: string }),
      leaf('ord', 'Quantity', { double: l.quantity }, { uom: 'C62' }),
      el('ord', 'OrderItemShippingInfo', el('ord', 'PhysicalStoreIdentifier', leaf('wcf', 'UniqueID', l.physicalStoreId))),
      // FulfillmentCenterType: FulfillmentCenterIdentifier (an _ord element of _wcf:FulfillmentCenterIdentifierType: UniqueID, Name).
      el('ord', 'FulfillmentCenter', el('ord', 'FulfillmentCenterIdentifier', [leaf('wcf', 'UniqueID', l.fulfillmentCenterId), leaf('wcf', 'Name', l.fulfillmentCenterName)])),
    ])),
  ])!;
  return bod('inv', 'ProcessInventoryRequirement', { ...o, storeId: o.storeId ?? r.storeId }, actionVerb('Process', actionCode, '/InventoryRequirement[1]'), noun);
}
