import { randomUUID } from 'node:crypto';
import { writeApplicationArea } from '../bod/application-area.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import { BOD_ROOT_XMLNS } from '../xml/namespaces.js';
import { escText, leaf } from '../xml/xml-writer.js';
import type { Order } from './order-model.js';
import { writeOrder, writeOrderItem, type OrderWriteOptions } from './order-noun.js';

/*
 * BODs dombridge sends to DOM about an order. Ids go out as Commerce's (DOM's mediation adds and strips its WC_
 * prefix); the reservation made at Prepare is DOM's reservation for this order id.
 */

function processInventoryRequirement(order: Order, actionCode: 'ReserveInventory' | 'CancelInventoryReservation', opts: OrderWriteOptions, bodId: string): string {
  const items = actionCode === 'ReserveInventory' ? order.items.filter((i) => i.status !== 'X').map((i) => writeOrderItem(order, { ...i, inventoryStatus: null }, opts)).join('') : '';
  return (
    `<_inv:ProcessInventoryRequirement releaseID="${RELEASE_ID}" versionID="6.0.0.4"${BOD_ROOT_XMLNS}>` +
    writeApplicationArea(bodId, undefined, { storeId: order.storeId, currency: order.currency }) +
    `<_inv:DataArea><oa:Process><oa:ActionCriteria><oa:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath">/InventoryRequirement[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
    `<_inv:InventoryRequirement shipAsComplete="${order.shipAsComplete}"><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', order.orderId)}</_ord:OrderIdentifier>` +
    `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', order.storeId)}</_ord:StoreIdentifier>${items}</_inv:InventoryRequirement></_inv:DataArea></_inv:ProcessInventoryRequirement>`
  );
}

export function reserveInventoryBod(order: Order, opts: OrderWriteOptions): string {
  return processInventoryRequirement(order, 'ReserveInventory', opts, randomUUID());
}

export function cancelReservationBod(order: Order, bodId: string): string {
  return processInventoryRequirement(order, 'CancelInventoryReservation', {}, bodId);
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
