/**
 * Order service requests (Commerce's OrderServices.wsdl: ChangeOrder, ProcessOrder, GetOrder, SyncOrder) as a
 * generated client builds them, from the facts of Commerce's Order.xsd and the foundation types (see bod-tree.ts
 * for the rules every builder follows). Sequence orders used here:
 * - OrderType: OrderIdentifier, StoreIdentifier, …, BuyerIdentifier, …, PromotionCode*, …, OrderPaymentInfo, …,
 *   OrderStatus, …, OrderItem*, OrderNotificationInfo, OrderShippingInfo, …, UserData.
 * - OrderItemType: OrderItemIdentifier, CatalogEntryIdentifier, …, Quantity, …, OrderItemShippingInfo,
 *   OrderItemStatus, OrderItemFulfillmentInfo, …, Comments.
 * - OrderItemShippingInfoType: ShippingAddress, ShippingMode, ShippingCarrierAccountNumber, ShippingInstruction,
 *   RequestedShipDate, …, PhysicalStoreIdentifier. OrderShippingInfoType: ShippingAddress, ShippingMode,
 *   RequestedShipDate, PhysicalStoreIdentifier.
 * - PaymentInstructionType: UniqueID, BillingAddress, Amount, PaymentMethod{PaymentMethodName}, …, ProtocolData*
 *   (simple content named by its required `name` attribute).
 * - _wcf:ContactInfoType: ContactName (PersonNameType: …, LastName, FirstName, MiddleName), Address (AddressLine
 *   ≤ 3, City, StateOrProvinceName, Country, PostalCode), …, EmailAddress1{Value}.
 * - OrderItemFulfillmentInfoType: AvailableDate, ExpectedShipDate, TimeReleased, TimeShipped.
 */
import { actionVerb, bod, catalogEntryIdentifier, el, getVerb, leaf, nil, type CommonOptions, type Content, type Node } from './bod-tree.js';

export interface ClientAddress {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly lines?: readonly string[];
  readonly city?: string;
  readonly state?: string;
  readonly country?: string;
  readonly postalCode?: string;
  readonly email?: string;
}

export const JOHN: ClientAddress = { firstName: 'John', lastName: 'Smith', lines: ['200 Main Street'], city: 'Chicago', state: 'IL', country: 'US', postalCode: '60601', email: 'john.smith@example.com' };
export const JANE: ClientAddress = { firstName: 'Jane', lastName: 'Doe', lines: ['9 Elm Road', 'Apt 4'], city: 'Boston', state: 'MA', country: 'US', postalCode: '02108', email: 'jane.doe@example.com' };

/** Shipping choices of an item or the order; each given is written, the rest left out. */
export interface ClientShipping {
  readonly address?: ClientAddress;
  readonly shipModeCode?: string;
  readonly carrier?: string;
  /** A String property set to "": written as an empty element (generated clients often carry it so). */
  readonly instruction?: string;
  readonly requestedShipDate?: Date;
  /** Physical store (pick-up), by unique id or external identifier. */
  readonly physicalStoreId?: string;
  readonly physicalStoreExternalId?: string;
}

export interface ClientOrderItem extends ClientShipping {
  readonly orderItemId?: string;
  readonly catentryId?: string;
  readonly partNumber?: string;
  readonly quantity?: number;
}

/** Card facts as ProtocolData pairs; each one given is written, in this order. */
export interface ClientCard {
  readonly account?: string;
  readonly brand?: string;
  readonly expireMonth?: string;
  readonly expireYear?: string;
  readonly cvc?: string;
}

/** _wcf:ContactInfoType under an _ord element (ShippingAddress, BillingAddress). */
function contact(name: string, a: ClientAddress | undefined): Node | undefined {
  if (!a) return undefined;
  return el('ord', name, [
    el('wcf', 'ContactName', [leaf('wcf', 'LastName', a.lastName), leaf('wcf', 'FirstName', a.firstName), leaf('wcf', 'MiddleName', '')]),
    el('wcf', 'Address', [(a.lines ?? []).map((l) => leaf('wcf', 'AddressLine', l)), leaf('wcf', 'City', a.city), leaf('wcf', 'StateOrProvinceName', a.state), leaf('wcf', 'Country', a.country), leaf('wcf', 'PostalCode', a.postalCode)]),
    el('wcf', 'EmailAddress1', leaf('wcf', 'Value', a.email)),
  ]);
}

/** _ord:ShippingMode/ShippingModeIdentifier/ExternalIdentifier{ShipModeCode, Carrier} (all _ord: local elements of _ord types). */
function shippingMode(s: ClientShipping): Node | undefined {
  return el('ord', 'ShippingMode', el('ord', 'ShippingModeIdentifier', el('ord', 'ExternalIdentifier', [leaf('ord', 'ShipModeCode', s.shipModeCode), leaf('ord', 'Carrier', s.carrier)])));
}

/** PhysicalStoreIdentifier is an _ord element of type _wcf:PhysicalStoreIdentifierType (UniqueID, ExternalIdentifier as text). */
function physicalStore(s: ClientShipping): Node | undefined {
  return el('ord', 'PhysicalStoreIdentifier', [leaf('wcf', 'UniqueID', s.physicalStoreId), leaf('wcf', 'ExternalIdentifier', s.physicalStoreExternalId)]);
}

function itemShippingInfo(s: ClientShipping): Node | undefined {
  return el('ord', 'OrderItemShippingInfo', [
    contact('ShippingAddress', s.address), shippingMode(s), leaf('ord', 'ShippingInstruction', s.instruction),
    leaf('ord', 'RequestedShipDate', s.requestedShipDate ? { dateTime: s.requestedShipDate } : undefined), physicalStore(s),
  ]);
}

function orderShippingInfo(s: ClientShipping): Node | undefined {
  return el('ord', 'OrderShippingInfo', [
    contact('ShippingAddress', s.address), shippingMode(s),
    leaf('ord', 'RequestedShipDate', s.requestedShipDate ? { dateTime: s.requestedShipDate } : undefined), physicalStore(s),
  ]);
}

function orderItem(i: ClientOrderItem, comments = true): Node {
  return el('ord', 'OrderItem', [
    el('ord', 'OrderItemIdentifier', leaf('wcf', 'UniqueID', i.orderItemId)),
    catalogEntryIdentifier('ord', i),
    leaf('ord', 'Quantity', i.quantity === undefined ? undefined : { double: i.quantity }, { uom: 'C62' }),
    itemShippingInfo(i),
    comments ? leaf('ord', 'Comments', '') : undefined,
  ], {}, { keepEmpty: true })!;
}

/** _wcf:OrderIdentifierType: UniqueID, ExternalOrderID (a generated client often carries "" there). */
function orderIdentifier(orderId: string | undefined, nilExternalOrderId = false): Node | undefined {
  if (orderId === undefined) return undefined;
  return el('ord', 'OrderIdentifier', [leaf('wcf', 'UniqueID', orderId), nilExternalOrderId ? nil('wcf', 'ExternalOrderID') : leaf('wcf', 'ExternalOrderID', '')]);
}

const storeIdentifier = (storeId: string | undefined): Node | undefined => el('ord', 'StoreIdentifier', leaf('wcf', 'UniqueID', storeId ?? '10201'));

interface OrderParts {
  readonly orderId?: string;
  readonly storeId?: string;
  readonly promotionCodes?: readonly string[];
  readonly payment?: Node;
  readonly status?: string;
  readonly items?: readonly Node[];
  readonly shipping?: Node;
  readonly nilExternalOrderId?: boolean;
}

/** An _ord:Order in OrderType's sequence order. */
function order(p: OrderParts): Node {
  return el('ord', 'Order', [
    orderIdentifier(p.orderId, p.nilExternalOrderId), storeIdentifier(p.storeId),
    (p.promotionCodes ?? []).map((c) => el('ord', 'PromotionCode', leaf('ord', 'Code', c))),
    p.payment, el('ord', 'OrderStatus', leaf('ord', 'Status', p.status)), p.items, p.shipping,
  ], {}, { keepEmpty: true })!;
}

function changeOrder(o: CommonOptions, actionCode: string, path: string, noun: Node): Node {
  return bod('ord', 'ChangeOrder', o, actionVerb('Change', actionCode, path), noun);
}

/** ChangeOrder Create on /Order/OrderItem: a new cart (no order id) or items added to one. */
export function changeOrderAddItems(items: readonly ClientOrderItem[], o: CommonOptions & { readonly orderId?: string } = {}): Node {
  return changeOrder(o, 'Create', '/Order/OrderItem', order({ ...o, items: items.map((i) => orderItem(i)) }));
}

/** ChangeOrder Update on /Order/OrderItem: each item named by its id, with its new quantity and/or shipping. */
export function changeOrderUpdateItems(orderId: string, items: readonly ClientOrderItem[], o: CommonOptions = {}): Node {
  return changeOrder(o, 'Update', '/Order/OrderItem', order({ ...o, orderId, items: items.map((i) => orderItem(i)) }));
}

/** ChangeOrder Delete on /Order/OrderItem: the items named by id. */
export function changeOrderDeleteItems(orderId: string, orderItemIds: readonly string[], o: CommonOptions = {}): Node {
  return changeOrder(o, 'Delete', '/Order/OrderItem', order({ ...o, orderId, items: orderItemIds.map((id) => orderItem({ orderItemId: id }, false)) }));
}

/** ChangeOrder on /Order/OrderShippingInfo: the order's shipping choices, applied to every line. */
export function changeOrderShippingInfo(orderId: string, s: ClientShipping, o: CommonOptions & { readonly actionCode?: string } = {}): Node {
  return changeOrder(o, o.actionCode ?? 'Update', '/Order/OrderShippingInfo', order({ ...o, orderId, shipping: orderShippingInfo(s) }));
}

/** ChangeOrder on /Order/OrderItem/OrderItemShippingInfo: one line's shipping choices. */
export function changeOrderItemShippingInfo(orderId: string, items: readonly ClientOrderItem[], o: CommonOptions & { readonly actionCode?: string } = {}): Node {
  return changeOrder(o, o.actionCode ?? 'Update', '/Order/OrderItem/OrderItemShippingInfo', order({ ...o, orderId, items: items.map((i) => orderItem(i, false)) }));
}

export interface PaymentOptions extends CommonOptions {
  readonly orderId: string;
  readonly method?: string;
  readonly paymentId?: string;
  readonly card?: ClientCard;
  readonly billing?: ClientAddress;
  /** Write ProtocolData in the `<Name>/<Value>` child form, which is not Commerce's (for the refusal test). */
  readonly childFormProtocolData?: boolean;
  readonly nilExternalOrderId?: boolean;
  readonly actionCode?: 'Create' | 'Update' | 'Delete';
}

/** ChangeOrder on /Order/OrderPaymentInfo/PaymentInstruction (Create by default; Delete names the instruction). */
export function changeOrderSetPayment(o: PaymentOptions): Node {
  const pairs: Array<[string, string | undefined]> = [
    ['account', o.card?.account], ['cc_brand', o.card?.brand], ['expire_month', o.card?.expireMonth], ['expire_year', o.card?.expireYear], ['cc_cvc', o.card?.cvc],
  ];
  const protocol: Content = pairs.filter(([, v]) => v !== undefined).map(([name, v]) =>
    o.childFormProtocolData ? el('ord', 'ProtocolData', [leaf('ord', 'Name', name), leaf('ord', 'Value', v)]) : leaf('ord', 'ProtocolData', v, { name }));
  const instruction = el('ord', 'PaymentInstruction', [
    leaf('ord', 'UniqueID', o.paymentId), contact('BillingAddress', o.billing),
    el('ord', 'PaymentMethod', leaf('ord', 'PaymentMethodName', o.method)), protocol,
  ], {}, { keepEmpty: true });
  return changeOrder(o, o.actionCode ?? 'Create', '/Order/OrderPaymentInfo/PaymentInstruction', order({ ...o, payment: el('ord', 'OrderPaymentInfo', instruction) }));
}

/**
 * ProcessOrder on /Order[1] (Prepare, Submit, Cancel, Lock, Unlock, ApplyPromotionCode, RemovePromotionCode). A
 * promotion code goes where Commerce's OrderType has room for it: `_ord:PromotionCode/_ord:Code`.
 */
export function processOrder(actionCode: string, o: CommonOptions & { readonly orderId: string; readonly promotionCodes?: readonly string[] }): Node {
  return bod('ord', 'ProcessOrder', o, actionVerb('Process', actionCode, '/Order[1]'), order({ orderId: o.orderId, ...(o.promotionCodes ? { promotionCodes: o.promotionCodes } : {}), storeId: o.storeId }));
}

/** GetOrder by order id, with an access profile (IBM_Details by default; IBM_External_Details as DOM asks). */
export function getOrder(o: CommonOptions & { readonly orderId: string; readonly accessProfile?: string }): Node {
  return bod('ord', 'GetOrder', o, getVerb([`{_wcf.ap=${o.accessProfile ?? 'IBM_Details'}}/Order[OrderIdentifier[(UniqueID='${o.orderId}')]]`]), undefined);
}

export interface SyncOrderItem {
  /** Our item id, or DOM's line number (PrimeLineNo). */
  readonly orderItemId: string;
  readonly status?: string;
  readonly inventoryStatus?: string;
  readonly timeReleased?: Date;
  readonly timeShipped?: Date;
}

/**
 * SyncOrder Change on /Order[1] as DOM sends it through Commerce's WSDL: the order's status and each item's status
 * and fulfillment times, in OrderType / OrderItemType order. Commerce's OrderType has no shipment element, so a
 * client of that WSDL has nowhere to put a tracking number but user data.
 */
export function syncOrder(o: CommonOptions & { readonly orderId: string; readonly status?: string; readonly items?: readonly SyncOrderItem[]; readonly actionCode?: string }): Node {
  const items = (o.items ?? []).map((i) => el('ord', 'OrderItem', [
    el('ord', 'OrderItemIdentifier', leaf('wcf', 'UniqueID', i.orderItemId)),
    el('ord', 'OrderItemStatus', [leaf('ord', 'Status', i.status), leaf('ord', 'InventoryStatus', i.inventoryStatus)]),
    el('ord', 'OrderItemFulfillmentInfo', [
      leaf('ord', 'TimeReleased', i.timeReleased ? { dateTime: i.timeReleased } : undefined),
      leaf('ord', 'TimeShipped', i.timeShipped ? { dateTime: i.timeShipped } : undefined),
    ]),
  ])!);
  return bod('ord', 'SyncOrder', o, actionVerb('Sync', o.actionCode ?? 'Change', '/Order[1]'), order({ orderId: o.orderId, storeId: o.storeId, ...(o.status ? { status: o.status } : {}), items }));
}

/** ChangeOrder Change on /Order/OrderStatus: DOM's word that the transfer arrived, with its own order number. */
export function changeOrderStatusFromDom(o: CommonOptions & { readonly orderId: string; readonly externalOrderId: string; readonly status?: string }): Node {
  const noun = el('ord', 'Order', [
    el('ord', 'OrderIdentifier', [leaf('wcf', 'UniqueID', o.orderId), leaf('wcf', 'ExternalOrderID', o.externalOrderId)]),
    storeIdentifier(o.storeId), el('ord', 'OrderStatus', leaf('ord', 'Status', o.status ?? 'G')),
  ])!;
  return changeOrder(o, 'Change', '/Order/OrderStatus', noun);
}
