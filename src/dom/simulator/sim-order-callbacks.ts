import { createHash } from 'node:crypto';
import { writeBusinessContext } from '../../bod/application-area.js';
import { formatQuantity } from '../../inventory/availability-noun.js';
import { NS } from '../../xml/namespaces.js';
import { escText, leaf } from '../../xml/xml-writer.js';
import type { SimOrder, SimOrderLine } from './sim-orders.js';

/*
 * The BODs DOM sends Commerce about an order after its transfer, as IBM's WCToSSFS mediation maps write them
 * (docs/contract/dom-mediation-orders.md): the createOrder-success ChangeOrder and FinalizePromotionCalUsage, the
 * older map set's SyncOrder for an order's status (released R, backordered B) and for a shipment (S, its lines D by
 * PrimeLineNo), and the changeOrder-on-cancel CancelPromotionCalUsage. None of these carries a carrier, a tracking
 * number or a shipment element. The `detailed` form (writeDetailedSyncOrder) is what dombridge's own simulator used to
 * send, kept behind an explicit option.
 */

export const SHIPMENT_CARRIER = 'UPS';

/** How the simulator writes its SyncOrder callbacks: as the mediation's maps do (default), or dombridge's older form. */
export type SyncOrderForm = 'mediation' | 'detailed';

const XMLNS = ` xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}"`;
const XMLNS_TYPED = `${XMLNS} xmlns:xsi="${NS.xsi}" xmlns:udt="http://www.openapplications.org/oagis/9/unqualifieddatatypes/1.1"`;

/** Sterling's header: the `_wcf:ApplicationArea` substitution form, a creation time and the store, no BODID. */
function applicationArea(storeId: string, created: string, typed = false): string {
  const type = typed ? ' xsi:type="udt:DateTimeType"' : '';
  return `<_wcf:ApplicationArea><oa:CreationDateTime${type}>${escText(created)}</oa:CreationDateTime>${writeBusinessContext({ storeId })}</_wcf:ApplicationArea>`;
}

function actionCriteria(verb: 'Change' | 'Sync' | 'Process', expression: string, actionCode = 'Change'): string {
  return `<oa:${verb}><oa:ActionCriteria><oa:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath">${expression}</oa:ActionExpression></oa:ActionCriteria></oa:${verb}>`;
}

function buyer(o: SimOrder): string {
  return `<_ord:BuyerIdentifier><_wcf:ExternalIdentifier>${leaf('_wcf:Identifier', o.buyerEmail ?? '')}</_wcf:ExternalIdentifier></_ord:BuyerIdentifier>`;
}

const orderId = (o: SimOrder): string => `<_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}</_ord:OrderIdentifier>`;
const orderStatus = (status: string): string => `<_ord:OrderStatus>${leaf('_ord:Status', status)}</_ord:OrderStatus>`;
const lineRef = (l: SimOrderLine): string => `<_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', String(l.lineNo))}</_ord:OrderItemIdentifier>`;

/** Lines a carrier ships to the customer; pick-up lines wait at their store instead. */
export function deliveryLines(o: SimOrder): SimOrderLine[] {
  return o.lines.filter((l) => !l.pickupStore);
}

export function pickupLines(o: SimOrder): SimOrderLine[] {
  return o.lines.filter((l) => l.pickupStore);
}

/**
 * The createOrder-success ChangeOrder, as the mediation's map (createOrder ON_SUCCESS → ChangeOrder) writes it: Change
 * on /Order/OrderStatus, the order named by Commerce's id (WC_ stripped) with Sterling's OrderHeaderKey as
 * ExternalOrderID, and the buyer; no status, no store noun (the store is in the ApplicationArea's context only).
 * It is the transfer's only confirmation.
 */
export function writeOrderStatusChange(o: SimOrder, created: string): string {
  return (
    `<_ord:ChangeOrder releaseID=""${XMLNS}>${applicationArea(o.storeId, created)}` +
    `<_ord:DataArea>${actionCriteria('Change', '/Order/OrderStatus')}<_ord:Order>` +
    `<_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}${leaf('_wcf:ExternalOrderID', o.orderHeaderKey)}</_ord:OrderIdentifier>${buyer(o)}` +
    `</_ord:Order></_ord:DataArea></_ord:ChangeOrder>`
  );
}

/**
 * ProcessOrder FinalizePromotionCalUsage, as the mediation's other createOrder ON_SUCCESS map writes it: the order is
 * named only by Sterling's OrderHeaderKey (ExternalOrderID), then the store and the buyer.
 */
export function writeFinalizePromotionUsage(o: SimOrder, created: string): string {
  return (
    `<_ord:ProcessOrder releaseID=""${XMLNS}>${applicationArea(o.storeId, created)}` +
    `<_ord:DataArea>${actionCriteria('Process', '/Order[1]', 'FinalizePromotionCalUsage')}` +
    `<_ord:Order><_ord:OrderIdentifier>${leaf('_wcf:ExternalOrderID', o.orderHeaderKey)}</_ord:OrderIdentifier>` +
    `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', o.storeId)}</_ord:StoreIdentifier>${buyer(o)}</_ord:Order></_ord:DataArea></_ord:ProcessOrder>`
  );
}

/**
 * ProcessOrder CancelPromotionCalUsage, as the changeOrder ON_CANCEL map writes it when Sterling cancels the order:
 * the order by Commerce's id and Sterling's key, then the store. It is the only thing the maps send about a
 * cancellation: the order's status is not reported.
 */
export function writeCancelPromotionUsage(o: SimOrder, created: string): string {
  return (
    `<_ord:ProcessOrder releaseID=""${XMLNS}>${applicationArea(o.storeId, created)}` +
    `<_ord:DataArea>${actionCriteria('Process', '/Order[1]', 'CancelPromotionCalUsage')}` +
    `<_ord:Order><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}${leaf('_wcf:ExternalOrderID', o.orderHeaderKey)}</_ord:OrderIdentifier>` +
    `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', o.storeId)}</_ord:StoreIdentifier></_ord:Order></_ord:DataArea></_ord:ProcessOrder>`
  );
}

/**
 * The older map set's SyncOrder for an order's status (from Sterling's order, MaxOrderStatus 3200–3699 → R,
 * 1300/1400 → B): Sync Change /Order[1], the order by Commerce's id and its status; no items, no times.
 */
export function writeOrderStatusSync(o: SimOrder, status: 'R' | 'B', at: string): string {
  return (
    `<_ord:SyncOrder releaseID=""${XMLNS_TYPED}>${applicationArea(o.storeId, at, true)}` +
    `<_ord:DataArea>${actionCriteria('Sync', '/Order[1]')}<_ord:Order>${orderId(o)}${orderStatus(status)}</_ord:Order></_ord:DataArea></_ord:SyncOrder>`
  );
}

/**
 * The older map set's SyncOrder for a confirmed shipment (a carrier's, or a pick-up the customer collected): per
 * order in it, the order by Commerce's id with status S, and each shipped line by its PrimeLineNo with status D.
 * Nothing else: no carrier, no tracking number, no ship date, no quantities.
 */
export function writeShipmentSync(o: SimOrder, lines: readonly SimOrderLine[], at: string): string {
  const items = lines.map((l) => `<_ord:OrderItem>${lineRef(l)}<_ord:OrderItemStatus>${leaf('_ord:Status', 'D')}</_ord:OrderItemStatus></_ord:OrderItem>`).join('');
  return (
    `<_ord:SyncOrder releaseID=""${XMLNS_TYPED}>${applicationArea(o.storeId, at, true)}` +
    `<_ord:DataArea>${actionCriteria('Sync', '/Order[1]')}<_ord:Order>${orderId(o)}${orderStatus('S')}${items}</_ord:Order></_ord:DataArea></_ord:SyncOrder>`
  );
}

/** '1Z' and 16 digits, the same for the same order every time. */
export function trackingNumber(orderNo: string): string {
  const n = BigInt('0x' + createHash('sha256').update(orderNo).digest('hex')) % 10n ** 16n;
  return '1Z' + n.toString().padStart(16, '0');
}

/**
 * The `detailed` form (dombridge's own simulator before it followed the maps): order and every named line with the
 * status, release/ship times, and for a carrier shipment one `_ord:Shipment` (carrier, tracking number, ship date,
 * shipped lines with quantities) after the items, an element Commerce's OrderType lacks. Canceled: X. A pick-up
 * (`lines` are pick-up lines) is S with those lines D and no Shipment: no carrier takes it.
 */
export function writeDetailedSyncOrder(o: SimOrder, status: 'R' | 'S' | 'X' | 'B', at: string, lines: readonly SimOrderLine[] = o.lines): string {
  const lineStatus = status === 'S' ? 'D' : status;
  const items = lines.map((l) => {
    const times = status === 'R' ? leaf('_ord:TimeReleased', at) : status === 'S' ? leaf('_ord:TimeShipped', at) : '';
    return (
      `<_ord:OrderItem>${lineRef(l)}<_ord:OrderItemStatus>${leaf('_ord:Status', lineStatus)}</_ord:OrderItemStatus>` +
      (times ? `<_ord:OrderItemFulfillmentInfo>${times}</_ord:OrderItemFulfillmentInfo>` : '') +
      `</_ord:OrderItem>`
    );
  }).join('');
  const shipped = lines.filter((l) => !l.pickupStore);
  const shipment = status !== 'S' || shipped.length === 0 ? '' :
    `<_ord:Shipment>${leaf('_ord:ShipmentIdentifier', `${o.orderNo}-1`)}${leaf('_ord:Carrier', SHIPMENT_CARRIER)}${leaf('_ord:TrackingNumber', trackingNumber(o.orderNo))}${leaf('_ord:ShipDate', at)}` +
    shipped.map((l) => `<_ord:ShippedItem>${lineRef(l)}<_ord:Quantity uom="C62">${formatQuantity(l.quantity)}</_ord:Quantity></_ord:ShippedItem>`).join('') +
    `</_ord:Shipment>`;
  return (
    `<_ord:SyncOrder releaseID=""${XMLNS}>${applicationArea(o.storeId, at)}` +
    `<_ord:DataArea>${actionCriteria('Sync', '/Order[1]')}<_ord:Order>` +
    `${orderId(o)}<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', o.storeId)}</_ord:StoreIdentifier>${orderStatus(status)}` +
    `${items}${shipment}</_ord:Order></_ord:DataArea></_ord:SyncOrder>`
  );
}
