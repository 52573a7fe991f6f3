import { randomUUID } from 'node:crypto';
import { writeApplicationArea } from '../bod/application-area.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import { BOD_ROOT_XMLNS } from '../xml/namespaces.js';
import { formatQuantity } from '../inventory/availability-noun.js';
import { escAttr, escText, leaf } from '../xml/xml-writer.js';
import type { DomReservationLine, Order } from './order-model.js';
import { writeOrder, writeOrderItem, type OrderWriteOptions } from './order-noun.js';

/*
 * BODs dombridge sends to DOM about an order. Ids go out as Commerce's (DOM's mediation adds and strips its WC_
 * prefix); the reservation made at Prepare is DOM's reservation for this order id.
 */

function processInventoryRequirement(order: Order, actionCode: 'ReserveInventory' | 'CancelInventoryReservation', items: string, bodId: string): string {
  return (
    `<_inv:ProcessInventoryRequirement releaseID="${RELEASE_ID}" versionID="6.0.0.4"${BOD_ROOT_XMLNS}>` +
    writeApplicationArea(bodId, undefined, { storeId: order.storeId, currency: order.currency }) +
    `<_inv:DataArea><oa:Process><oa:ActionCriteria><oa:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath">/InventoryRequirement[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
    `<_inv:InventoryRequirement shipAsComplete="${order.shipAsComplete}"><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', order.orderId)}</_ord:OrderIdentifier>` +
    `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', order.storeId)}</_ord:StoreIdentifier>${items}</_inv:InventoryRequirement></_inv:DataArea></_inv:ProcessInventoryRequirement>`
  );
}

export function reserveInventoryBod(order: Order, opts: OrderWriteOptions): string {
  const items = order.items.filter((i) => i.status !== 'X').map((i) => writeOrderItem(order, { ...i, inventoryStatus: null }, opts)).join('');
  return processInventoryRequirement(order, 'ReserveInventory', items, randomUUID());
}

/**
 * The lines a release names: what DOM acknowledged at Prepare. An order saved before those lines were kept
 * falls back to its allocated items (part number and quantity; DOM then releases from any node).
 */
export function reservationLinesOf(order: Order): readonly DomReservationLine[] {
  if (order.domReservation) return order.domReservation;
  if (!order.reserved) return [];
  return order.items
    .filter((i) => i.status !== 'X' && (i.inventoryStatus === 'Allocated' || i.inventoryStatus === 'Backordered'))
    .map((i) => ({ orderItemId: i.orderItemId || i.correlationGroup || '', partNumber: i.partNumber, quantity: i.quantity, uom: i.uom, inventoryStatus: i.inventoryStatus as 'Allocated' | 'Backordered', fulfillmentCenterName: null, expectedShipDate: i.expectedShipDate }));
}

/**
 * CancelInventoryReservation naming each line being released, the fields DOM's mediation turns into one
 * cancelReservation per line: part number, quantity and uom, fulfillment center (Sterling's ship node), expected
 * ship date (docs/contract/dom-mediation-inventory.md). Elements in Commerce's OrderItemType order.
 */
export function cancelReservationBod(order: Order, bodId: string, lines: readonly DomReservationLine[] = reservationLinesOf(order)): string {
  const items = lines.map((l) =>
    `<_ord:OrderItem>${l.orderItemId ? `<_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', l.orderItemId)}</_ord:OrderItemIdentifier>` : ''}` +
    `<_ord:CatalogEntryIdentifier><_wcf:ExternalIdentifier>${leaf('_wcf:PartNumber', l.partNumber)}</_wcf:ExternalIdentifier></_ord:CatalogEntryIdentifier>` +
    `<_ord:Quantity uom="${escAttr(l.uom || 'C62')}">${formatQuantity(Number(l.quantity))}</_ord:Quantity>` +
    `<_ord:OrderItemStatus>${leaf('_ord:InventoryStatus', l.inventoryStatus)}</_ord:OrderItemStatus>` +
    (l.expectedShipDate ? `<_ord:OrderItemFulfillmentInfo>${leaf('_ord:ExpectedShipDate', l.expectedShipDate)}</_ord:OrderItemFulfillmentInfo>` : '') +
    (l.fulfillmentCenterName ? `<_ord:FulfillmentCenter><_ord:FulfillmentCenterIdentifier>${leaf('_wcf:Name', l.fulfillmentCenterName)}</_ord:FulfillmentCenterIdentifier></_ord:FulfillmentCenter>` : '') +
    `</_ord:OrderItem>`).join('');
  return processInventoryRequirement(order, 'CancelInventoryReservation', items, bodId);
}

/** ProcessOrder TransferOrder: everything contract §4 lists, and the reservation to consume. */
export function transferOrderBod(order: Order, opts: OrderWriteOptions, bodId: string): string {
  const reservation = order.reserved ? `<_wcf:UserData><_wcf:UserDataField name="reservationId">${escText(order.orderId)}</_wcf:UserDataField></_wcf:UserData>` : '';
  const noun = writeOrder(order, { ...opts, includeShipments: false }, true).replace(/<\/_ord:Order>$/, `${reservation}</_ord:Order>`);
  return (
    `<_ord:ProcessOrder releaseID="${RELEASE_ID}" versionID="7.0.0.6"${BOD_ROOT_XMLNS}>` +
    writeApplicationArea(bodId, undefined, { storeId: order.storeId, currency: order.currency }) +
    `<_ord:DataArea><oa:Process><oa:ActionCriteria><oa:ActionExpression actionCode="TransferOrder" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
    noun + `</_ord:DataArea></_ord:ProcessOrder>`
  );
}
