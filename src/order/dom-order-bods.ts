import { randomUUID } from 'node:crypto';
import { writeApplicationArea } from '../bod/application-area.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import { BOD_ROOT_XMLNS } from '../xml/namespaces.js';
import { formatQuantity } from '../inventory/availability-noun.js';
import { escAttr, escText, leaf } from '../xml/xml-writer.js';
import type { DomReservationLine, Order } from './order-model.js';
import { writeContact, writeOrder, writeOrderItem, type OrderWriteOptions, type TransferExtras } from './order-noun.js';

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

/**
 * ProcessOrder TransferOrder: everything docs/contract/wire.md (checkout) lists, the reservation to consume, and what Sterling needs to
 * charge and total the order, where DOM's mediation map (ProcessOrder → createOrder) reads it: the bill-to
 * (BuyerBillInfo), one Adjustment per promotion on each item (Sterling totals a line from its unit price, quantity,
 * charges, these discount lines and taxes; TotalAdjustment alone is not read), the card facts by ProtocolData name
 * (never the number), the authorization as a FinancialTransaction, and every line's fulfillment center (for a
 * pick-up line its store, so the line's reservation is the store's). docs/contract/dom-mediation-orders.md has the
 * field table.
 */
export function transferOrderBod(order: Order, opts: OrderWriteOptions, bodId: string): string {
  const reservation = order.reserved ? `<_wcf:UserData><_wcf:UserDataField name="reservationId">${escText(order.orderId)}</_wcf:UserDataField></_wcf:UserData>` : '';
  const noun = writeOrder(order, { ...opts, includeShipments: false, transfer: transferExtras(order, opts) }, true).replace(/<\/_ord:Order>$/, `${reservation}</_ord:Order>`);
  return (
    `<_ord:ProcessOrder releaseID="${RELEASE_ID}" versionID="7.0.0.6"${BOD_ROOT_XMLNS}>` +
    writeApplicationArea(bodId, undefined, { storeId: order.storeId, currency: order.currency }) +
    `<_ord:DataArea><oa:Process><oa:ActionCriteria><oa:ActionExpression actionCode="TransferOrder" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
    noun + `</_ord:DataArea></_ord:ProcessOrder>`
  );
}

/** Commerce's promotion type names for the kinds dombridge prices (the map keys its charge category on them). */
const PROMOTION_TYPES: Readonly<Record<NonNullable<Order['appliedPromotions'][number]['kind']>, string>> = {
  'item-amount-off': 'ProductLevelPerItemValueDiscount',
  'order-percent-off': 'OrderLevelPercentDiscount',
  'order-amount-off': 'OrderLevelValueDiscount',
};

function adjustment(order: Order, promotionId: string, amount: string): string {
  const p = order.appliedPromotions.find((x) => x.id === promotionId);
  return (
    `<_wcf:Adjustment>${leaf('_wcf:Usage', 'Discount')}<_wcf:CalculationCodeID>${leaf('_wcf:UniqueID', promotionId)}</_wcf:CalculationCodeID>` +
    `${leaf('_wcf:Code', p?.code)}${leaf('_wcf:Description', p?.description)}<_wcf:Amount currency="${escAttr(order.currency)}">${escText(amount)}</_wcf:Amount>` +
    `${leaf('_wcf:IsPromotionCodeRequired', p ? String(p.code !== undefined) : undefined)}${leaf('_wcf:PromotionType', p?.kind ? PROMOTION_TYPES[p.kind] : undefined)}</_wcf:Adjustment>`
  );
}

/** A masked card number as Commerce displays it: asterisks and the last four digits. */
export function cardDisplayValue(last4: string): string {
  return `************${last4}`;
}

function protocolData(name: string, value: string | null | undefined): string {
  return value ? `<_ord:ProtocolData name="${escAttr(name)}">${escText(value)}</_ord:ProtocolData>` : '';
}

function transferExtras(order: Order, opts: OrderWriteOptions): TransferExtras {
  const c = order.currency;
  const payments = order.payments.map((p) => {
    const card = p.token !== null || p.cardLast4 !== null;
    return (
      `<_ord:PaymentInstruction>${leaf('_ord:UniqueID', p.paymentId)}${writeContact('_ord:BillingAddress', p.billingAddress)}` +
      (p.amount ? `<_ord:Amount currency="${escAttr(c)}">${escText(p.amount)}</_ord:Amount>` : '') +
      `<_ord:PaymentMethod>${leaf('_ord:PaymentMethodName', p.method)}</_ord:PaymentMethod>` +
      (card ? protocolData('cc_brand', p.cardBrand ?? p.method) + protocolData('_token', p.token) + protocolData('_display_value', p.cardLast4 ? cardDisplayValue(p.cardLast4) : null) +
        protocolData('expire_month', p.expireMonth) + protocolData('expire_year', p.expireYear) : '') +
      `</_ord:PaymentInstruction>`
    );
  }).join('');
  // The authorization Submit took: the map turns it into Sterling's PaymentDetails (AuthCode, ProcessedAmount …).
  const at = order.placedAt ?? undefined;
  const transactions = order.payments.filter((p) => p.status === 'authorized' && p.authorizationCode).map((p) =>
    `<_ord:FinancialTransaction>${leaf('_ord:TransactionType', 'Approve')}` +
    (p.amount ? `<_ord:RequestAmount currency="${escAttr(c)}">${escText(p.amount)}</_ord:RequestAmount>` : '') +
    `${leaf('_ord:Status', 'Success')}${leaf('_ord:ReferenceNumber', p.authorizationCode)}${leaf('_ord:MerchantOrderNumber', order.orderId)}` +
    `${leaf('_ord:PaymentInstructionID', p.paymentId)}${leaf('_ord:RequestTime', at)}${leaf('_ord:LastUpdate', at)}</_ord:FinancialTransaction>`).join('');
  const billTo = order.payments.find((p) => p.billingAddress)?.billingAddress ?? null;
  return {
    buyerBillInfo: writeContact('_ord:BuyerBillInfo', billTo),
    orderAdjustments: order.appliedPromotions.map((p) => adjustment(order, p.id, p.amount)).join(''),
    paymentInfo: payments || transactions ? `<_ord:OrderPaymentInfo>${payments}${transactions}</_ord:OrderPaymentInfo>` : '',
    itemAdjustments: (i) => (i.promotionAdjustments ?? []).map((a) => adjustment(order, a.id, a.amount)).join(''),
    itemFulfillmentCenter: (i) => {
      const store = i.shipModeCode === 'PickupInStore' && i.physicalStoreId ? opts.physicalStoreExternalIds?.get(i.physicalStoreId) : undefined;
      return store ? `<_ord:FulfillmentCenter><_ord:FulfillmentCenterIdentifier>${leaf('_wcf:Name', store)}</_ord:FulfillmentCenterIdentifier></_ord:FulfillmentCenter>` : '';
    },
  };
}
