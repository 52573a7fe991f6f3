import { formatQuantity, parseDateTime, parseQuantity } from '../inventory/availability-noun.js';
import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, childText, type XmlElement } from '../xml/xml-element.js';
import { escAttr, escText, leaf } from '../xml/xml-writer.js';
import type { CatalogEntryRef, LocationRef } from '../inventory/availability-expression.js';
import type { Order, OrderItem, PostalAddress } from './order-model.js';

/** Shipping choices as a client sends them (item or order level); absent fields mean "unchanged". */
export interface ShippingInput {
  readonly address?: PostalAddress;
  readonly shipModeCode?: string;
  readonly carrier?: string;
  readonly physicalStore?: LocationRef;
  readonly instruction?: string;
  readonly requestedShipDate?: string;
}

export interface OrderItemInput {
  readonly orderItemId?: string;
  readonly item?: CatalogEntryRef;
  readonly quantity?: number;
  readonly uom?: string;
  readonly shipping?: ShippingInput;
}

export interface PaymentInput {
  readonly paymentId?: string;
  readonly method?: string;
  readonly amount?: string;
  readonly billingAddress?: PostalAddress;
  /** From ProtocolData `account` (or `cc_account`): used for authorization, never stored beyond its last 4 digits. */
  readonly cardNumber?: string;
  /** ProtocolData `cc_brand` (e.g. VISA), `expire_month`, `expire_year`: card facts DOM may be told. */
  readonly cardBrand?: string;
  readonly expireMonth?: string;
  readonly expireYear?: string;
  /** ProtocolData `cc_cvc`: handed to the payment provider with the number, never stored or echoed. */
  readonly cvc?: string;
}

export interface OrderInput {
  /** Undefined or "." for a new cart (Commerce's convention). */
  readonly orderId?: string;
  readonly storeId?: string;
  readonly buyerId?: string;
  readonly buyerEmail?: string;
  readonly items: readonly OrderItemInput[];
  readonly shipping?: ShippingInput;
  readonly payments: readonly PaymentInput[];
  readonly promotionCodes: readonly string[];
  readonly statusCode?: string;
}

export type OrderReadResult = { ok: true; value: OrderInput } | { ok: false; reason: string };

function readAddress(el: XmlElement | undefined): PostalAddress | undefined {
  if (!el) return undefined;
  const name = child(el, NS.wcf, 'ContactName');
  const a = child(el, NS.wcf, 'Address');
  const email = childText(child(el, NS.wcf, 'EmailAddress1'), NS.wcf, 'Value');
  const opt = (k: string, v: string | undefined) => (v ? { [k]: v } : {});
  return {
    ...opt('firstName', childText(name, NS.wcf, 'FirstName')),
    ...opt('lastName', childText(name, NS.wcf, 'LastName')),
    lines: childrenNamed(a, NS.wcf, 'AddressLine').map((l) => l.text).filter((t) => t !== ''),
    ...opt('city', childText(a, NS.wcf, 'City')),
    ...opt('state', childText(a, NS.wcf, 'StateOrProvinceName')),
    ...opt('country', childText(a, NS.wcf, 'Country')),
    ...opt('postalCode', childText(a, NS.wcf, 'PostalCode')),
    ...opt('email', email),
  };
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

function readShipping(el: XmlElement | undefined): ShippingInput | string | undefined {
  if (!el) return undefined;
  const address = readAddress(child(el, NS.ord, 'ShippingAddress'));
  if (address?.email && (!EMAIL.test(address.email) || address.email.length > 254)) return `the e-mail address "${address.email.slice(0, 60)}" is not valid`;
  const ext = child(child(child(el, NS.ord, 'ShippingMode'), NS.ord, 'ShippingModeIdentifier'), NS.ord, 'ExternalIdentifier');
  const ps = child(el, NS.ord, 'PhysicalStoreIdentifier');
  const psId = childText(ps, NS.wcf, 'UniqueID');
  const psExt = childText(ps, NS.wcf, 'ExternalIdentifier');
  const date = childText(el, NS.ord, 'RequestedShipDate');
  if (date && parseDateTime(date) === undefined) return `RequestedShipDate "${date.slice(0, 40)}" is not a date-time`;
  const opt = <T>(k: string, v: T | undefined) => (v !== undefined && v !== '' ? { [k]: v } : {});
  return {
    ...opt('address', address),
    ...opt('shipModeCode', childText(ext, NS.ord, 'ShipModeCode')),
    ...opt('carrier', childText(ext, NS.ord, 'Carrier')),
    ...opt('physicalStore', psId ? { kind: 'physical', by: 'uniqueId', value: psId } : psExt ? { kind: 'physical', by: 'externalId', value: psExt } : undefined),
    ...opt('instruction', childText(el, NS.ord, 'ShippingInstruction')),
    ...opt('requestedShipDate', date ? new Date(parseDateTime(date)!).toISOString() : undefined),
  };
}

/**
 * ProtocolData as Commerce's Order.xsd defines it: simple content named by a required `name` attribute,
 * `<_ord:ProtocolData name="account">4111111111111111</_ord:ProtocolData>`. Returns the pairs by name, or why the
 * element cannot be read. The `<_ord:Name>/<_ord:Value>` child form is not Commerce's: it is refused by name rather
 * than read as "no card" (which would authorize nothing and approve the order).
 */
function readProtocolData(pi: XmlElement): Record<string, string> | string {
  const proto: Record<string, string> = {};
  for (const pd of childrenNamed(pi, NS.ord, 'ProtocolData')) {
    if (pd.children.length > 0) {
      const names = [...new Set(pd.children.map((c) => `<${c.name}>`))].join(', ');
      return `ProtocolData holds child elements (${names}); Commerce's form is simple content named by an attribute: <_ord:ProtocolData name="account">card number</_ord:ProtocolData>`;
    }
    const name = pd.attrs['name'];
    if (!name) return 'ProtocolData needs its name attribute, as in <_ord:ProtocolData name="account">card number</_ord:ProtocolData>';
    proto[name] = pd.text;
  }
  return proto;
}

/** One PaymentInstruction: method, amount, billing address and the card facts from its ProtocolData. */
function readPaymentInstruction(pi: XmlElement): PaymentInput | string {
  const proto = readProtocolData(pi);
  if (typeof proto === 'string') return proto;
  const rawCard = (proto['account'] ?? proto['cc_account'] ?? '').replace(/[\s-]/g, '');
  // A masked number ("************1111", as we and Commerce echo it) names no card to charge.
  const card = /^[*xX]+\d{0,4}$/.test(rawCard) ? '' : rawCard;
  if (card && !/^\d{12,19}$/.test(card)) return 'the card number (ProtocolData account) must be 12 to 19 digits';
  const month = proto['expire_month']?.trim();
  if (month && !(/^\d{1,2}$/.test(month) && Number(month) >= 1 && Number(month) <= 12)) return 'ProtocolData expire_month must be a month from 1 to 12';
  const year = proto['expire_year']?.trim();
  if (year && !/^(\d{2}|\d{4})$/.test(year)) return 'ProtocolData expire_year must be a year of 2 or 4 digits';
  const cvc = proto['cc_cvc']?.trim();
  if (cvc && !/^\d{3,4}$/.test(cvc)) return 'ProtocolData cc_cvc must be 3 or 4 digits';
  const brand = proto['cc_brand']?.trim();
  if (brand && brand.length > 64) return 'ProtocolData cc_brand is longer than 64 characters';
  const amountEl = child(pi, NS.ord, 'Amount');
  if (amountEl && amountEl.text !== '' && !/^\d{1,12}(\.\d{1,6})?$/.test(amountEl.text)) return `Amount "${amountEl.text.slice(0, 40)}" is not a decimal amount`;
  const id = childText(pi, NS.ord, 'UniqueID');
  const method = childText(child(pi, NS.ord, 'PaymentMethod'), NS.ord, 'PaymentMethodName');
  const billing = readAddress(child(pi, NS.ord, 'BillingAddress'));
  return {
    ...(id ? { paymentId: id } : {}), ...(method ? { method } : {}), ...(amountEl?.text ? { amount: amountEl.text } : {}),
    ...(billing ? { billingAddress: billing } : {}), ...(card ? { cardNumber: card } : {}), ...(brand ? { cardBrand: brand } : {}),
    ...(month ? { expireMonth: month.padStart(2, '0') } : {}), ...(year ? { expireYear: year } : {}), ...(cvc ? { cvc } : {}),
  };
}

/** Reads an `_ord:Order` a client sent, checking every value dombridge will act on. */
export function readOrderInput(el: XmlElement): OrderReadResult {
  const items: OrderItemInput[] = [];
  for (const [i, it] of childrenNamed(el, NS.ord, 'OrderItem').entries()) {
    const where = `OrderItem ${i + 1}`;
    const cat = child(it, NS.ord, 'CatalogEntryIdentifier');
    const catId = childText(cat, NS.wcf, 'UniqueID');
    const pn = childText(child(cat, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber');
    const qEl = child(it, NS.ord, 'Quantity');
    let quantity: number | undefined;
    if (qEl && qEl.text !== '') {
      quantity = parseQuantity(qEl.text);
      if (quantity === undefined || quantity > 1_000_000) return { ok: false, reason: `${where}: Quantity "${qEl.text.slice(0, 40)}" must be a number from 0 to 1,000,000` };
    }
    const shipping = readShipping(child(it, NS.ord, 'OrderItemShippingInfo'));
    if (typeof shipping === 'string') return { ok: false, reason: `${where}: ${shipping}` };
    const id = childText(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID');
    items.push({
      ...(id ? { orderItemId: id } : {}),
      ...(catId ? { item: { by: 'uniqueId', value: catId } as CatalogEntryRef } : pn ? { item: { by: 'partNumber', value: pn } as CatalogEntryRef } : {}),
      ...(quantity !== undefined ? { quantity } : {}),
      ...(qEl?.attrs['uom'] ? { uom: qEl.attrs['uom'] } : {}),
      ...(shipping ? { shipping } : {}),
    });
  }
  const orderShipping = readShipping(child(el, NS.ord, 'OrderShippingInfo'));
  if (typeof orderShipping === 'string') return { ok: false, reason: `OrderShippingInfo: ${orderShipping}` };
  const payments: PaymentInput[] = [];
  for (const pi of childrenNamed(child(el, NS.ord, 'OrderPaymentInfo'), NS.ord, 'PaymentInstruction')) {
    const read = readPaymentInstruction(pi);
    if (typeof read === 'string') return { ok: false, reason: `PaymentInstruction: ${read}` };
    payments.push(read);
  }
  // Commerce's OrderType carries codes as _ord:PromotionCode/_ord:Code (PromotionCodeType), which is what a client
  // generated from its WSDL sends; UserDataField name="promotionCode" is dombridge's earlier form, still read.
  const promotionCodes = [
    ...childrenNamed(el, NS.ord, 'PromotionCode').map((p) => childText(p, NS.ord, 'Code')?.trim() ?? ''),
    ...childrenNamed(child(el, NS.wcf, 'UserData'), NS.wcf, 'UserDataField').filter((f) => f.attrs['name'] === 'promotionCode').map((f) => f.text.trim()),
  ].filter((c) => c !== '');
  const orderId = childText(child(el, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID');
  const buyer = child(el, NS.ord, 'BuyerIdentifier');
  const buyerId = childText(buyer, NS.wcf, 'UniqueID');
  const buyerEmail = childText(child(buyer, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'Identifier');
  const storeId = childText(child(el, NS.ord, 'StoreIdentifier'), NS.wcf, 'UniqueID');
  const statusCode = childText(child(el, NS.ord, 'OrderStatus'), NS.ord, 'Status');
  return {
    ok: true,
    value: {
      ...(orderId && orderId !== '.' ? { orderId } : {}),
      ...(storeId ? { storeId } : {}),
      ...(buyerId ? { buyerId } : {}),
      ...(buyerEmail && EMAIL.test(buyerEmail) ? { buyerEmail } : {}),
      ...(orderShipping ? { shipping: orderShipping } : {}),
      ...(statusCode ? { statusCode } : {}),
      items, payments, promotionCodes,
    },
  };
}

function money(qname: string, amount: string | null | undefined, currency: string): string {
  return amount === null || amount === undefined ? '' : `<${qname} currency="${escAttr(currency)}">${amount}</${qname}>`;
}

export function writeContact(qname: string, a: PostalAddress | null): string {
  if (!a) return '';
  const name = a.firstName || a.lastName ? `<_wcf:ContactName>${leaf('_wcf:LastName', a.lastName)}${leaf('_wcf:FirstName', a.firstName)}</_wcf:ContactName>` : '';
  // Commerce's AddressType holds at most three AddressLine: further lines are kept, joined into the third.
  const lines = a.lines.length > 3 ? [...a.lines.slice(0, 2), a.lines.slice(2).join(', ')] : a.lines;
  const addr = `<_wcf:Address>${lines.map((l) => leaf('_wcf:AddressLine', l)).join('')}${leaf('_wcf:City', a.city)}${leaf('_wcf:StateOrProvinceName', a.state)}${leaf('_wcf:Country', a.country)}${leaf('_wcf:PostalCode', a.postalCode)}</_wcf:Address>`;
  const email = a.email ? `<_wcf:EmailAddress1>${leaf('_wcf:Value', a.email)}</_wcf:EmailAddress1>` : '';
  return `<${qname}>${name}${addr}${email}</${qname}>`;
}

export interface OrderWriteOptions {
  /** External identifiers DOM needs: part numbers are always written; physical store external ids by id. */
  readonly physicalStoreExternalIds?: ReadonlyMap<string, string>;
  readonly fulfillmentCenterNames?: ReadonlyMap<string, string>;
  /** Ship mode unique ids by code. */
  readonly shipModeIds?: ReadonlyMap<string, string>;
  /** Whether items carry the shipments DOM reported (user data of their fulfillment info); false for BODs to DOM. */
  readonly includeShipments?: boolean;
  /** What only a transfer to DOM carries (its mediation map reads it), each written at its place in Commerce's schema. */
  readonly transfer?: TransferExtras;
}

export interface TransferExtras {
  /** `_ord:BuyerBillInfo`, after BuyerIdentifier. */
  readonly buyerBillInfo: string;
  /** `_wcf:Adjustment` elements of OrderAmount, after TotalAdjustment. */
  readonly orderAdjustments: string;
  /** The whole `_ord:OrderPaymentInfo`, in place of the one the storefront sees. */
  readonly paymentInfo: string;
  /** `_wcf:Adjustment` elements of an item's OrderItemAmount, after TotalAdjustment. */
  readonly itemAdjustments: (i: OrderItem) => string;
  /** An `_ord:FulfillmentCenter` for an item that has none of its own (a pick-up line: its store); '' for none. */
  readonly itemFulfillmentCenter: (i: OrderItem) => string;
}

/**
 * The shipments DOM reported for one item, as user data of the item's fulfillment info: Commerce's OrderType has no
 * shipment element (see docs/contract/commerce-reconciliation.md). The first shipment holding the item gives
 * shipmentId, carrier, trackingNumber, shipDate and shippedQuantity; a further one the same names suffixed ".2",
 * ".3" … (a generated client reads UserData as a map, so a name may appear only once).
 */
function shipmentFields(o: Order, orderItemId: string): string {
  let out = '';
  let n = 0;
  for (const s of o.shipments) {
    const line = s.items.find((si) => si.orderItemId === orderItemId);
    if (!line) continue;
    const suffix = ++n === 1 ? '' : `.${n}`;
    const field = (name: string, value: string) => (value ? `<_wcf:UserDataField name="${name}${suffix}">${escText(value)}</_wcf:UserDataField>` : '');
    out += field('shipmentId', s.shipmentId) + field('carrier', s.carrier) + field('trackingNumber', s.trackingNumber) + field('shipDate', s.shipDate) + field('shippedQuantity', formatQuantity(Number(line.quantity)));
  }
  return out;
}

export function writeOrderItem(o: Order, i: OrderItem, opts: OrderWriteOptions = {}): string {
  const c = o.currency;
  const pickup = i.shipModeCode === 'PickupInStore';
  // Commerce's OrderItemChargesType order: UnitPrice, OrderItemPrice, TotalAdjustment, (Adjustment*, GenericTotal*),
  // ShippingCharge, SalesTax, ShippingTax.
  const amount = i.unitPrice
    ? `<_ord:OrderItemAmount><_wcf:UnitPrice>${money('_wcf:Price', i.unitPrice, c)}</_wcf:UnitPrice>${money('_wcf:OrderItemPrice', i.itemPrice, c)}${money('_wcf:TotalAdjustment', i.adjustment, c)}${opts.transfer?.itemAdjustments(i) ?? ''}${money('_wcf:ShippingCharge', i.shippingCharge, c)}${money('_wcf:SalesTax', i.salesTax, c)}${money('_wcf:ShippingTax', i.shippingTax, c)}</_ord:OrderItemAmount>`
    : '';
  const modeId = opts.shipModeIds?.get(i.shipModeCode);
  const shipping =
    `<_ord:OrderItemShippingInfo>${pickup ? '' : writeContact('_ord:ShippingAddress', i.shippingAddress)}` +
    `<_ord:ShippingMode><_ord:ShippingModeIdentifier>${leaf('_ord:UniqueID', modeId)}<_ord:ExternalIdentifier>${leaf('_ord:ShipModeCode', i.shipModeCode)}${leaf('_ord:Carrier', i.carrier)}</_ord:ExternalIdentifier></_ord:ShippingModeIdentifier></_ord:ShippingMode>` +
    `${leaf('_ord:ShippingInstruction', i.shippingInstruction)}${leaf('_ord:RequestedShipDate', i.requestedShipDate)}` +
    (i.physicalStoreId ? `<_ord:PhysicalStoreIdentifier>${leaf('_wcf:UniqueID', i.physicalStoreId)}${leaf('_wcf:ExternalIdentifier', opts.physicalStoreExternalIds?.get(i.physicalStoreId))}</_ord:PhysicalStoreIdentifier>` : '') +
    `</_ord:OrderItemShippingInfo>`;
  const shipped = opts.includeShipments === false ? '' : shipmentFields(o, i.orderItemId);
  const fulfillment = i.availableDate || i.expectedShipDate || i.timeReleased || i.timeShipped || shipped
    ? `<_ord:OrderItemFulfillmentInfo>${leaf('_ord:AvailableDate', i.availableDate)}${leaf('_ord:ExpectedShipDate', i.expectedShipDate)}${leaf('_ord:TimeReleased', i.timeReleased)}${leaf('_ord:TimeShipped', i.timeShipped)}${shipped ? `<_wcf:UserData>${shipped}</_wcf:UserData>` : ''}</_ord:OrderItemFulfillmentInfo>`
    : '';
  const fc = i.fulfillmentCenter
    ? `<_ord:FulfillmentCenter><_ord:FulfillmentCenterIdentifier>${leaf('_wcf:UniqueID', i.fulfillmentCenter)}${leaf('_wcf:Name', opts.fulfillmentCenterNames?.get(i.fulfillmentCenter))}</_ord:FulfillmentCenterIdentifier></_ord:FulfillmentCenter>`
    : opts.transfer?.itemFulfillmentCenter(i) ?? '';
  return (
    `<_ord:OrderItem><_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', i.orderItemId)}</_ord:OrderItemIdentifier>` +
    `<_ord:CatalogEntryIdentifier>${leaf('_wcf:UniqueID', i.catentryId)}<_wcf:ExternalIdentifier>${leaf('_wcf:PartNumber', i.partNumber)}</_wcf:ExternalIdentifier></_ord:CatalogEntryIdentifier>` +
    `<_ord:Quantity uom="${escAttr(i.uom)}">${formatQuantity(Number(i.quantity))}</_ord:Quantity>` +
    amount + shipping +
    `<_ord:OrderItemStatus>${leaf('_ord:Status', i.status)}${leaf('_ord:InventoryStatus', i.inventoryStatus)}</_ord:OrderItemStatus>` +
    fulfillment + fc + leaf('_ord:CorrelationGroup', i.correlationGroup) +
    `</_ord:OrderItem>`
  );
}

/** The order as it now stands, in schema order. */
export function writeOrder(o: Order, opts: OrderWriteOptions = {}, shipAsComplete = false): string {
  const c = o.currency;
  const t = o.totals;
  const amount = t
    ? `<_ord:OrderAmount>${money('_wcf:GrandTotal', t.grandTotal, c)}${money('_wcf:TotalProductPrice', t.totalProductPrice, c)}${money('_wcf:TotalAdjustment', t.totalAdjustment, c)}${opts.transfer?.orderAdjustments ?? ''}${money('_wcf:TotalShippingCharge', t.totalShippingCharge, c)}${money('_wcf:TotalSalesTax', t.totalSalesTax, c)}${money('_wcf:TotalShippingTax', t.totalShippingTax, c)}</_ord:OrderAmount>`
    : '';
  const payments = opts.transfer ? opts.transfer.paymentInfo : o.payments.length
    ? `<_ord:OrderPaymentInfo>${o.payments.map((p) =>
      `<_ord:PaymentInstruction>${leaf('_ord:UniqueID', p.paymentId)}${writeContact('_ord:BillingAddress', p.billingAddress)}${money('_ord:Amount', p.amount, c)}<_ord:PaymentMethod>${leaf('_ord:PaymentMethodName', p.method)}</_ord:PaymentMethod>` +
      // Commerce's ProtocolData form, the number masked to its last four digits (the only ones ever stored).
      (p.cardLast4 ? `<_ord:ProtocolData name="account">************${p.cardLast4}</_ord:ProtocolData>` : '') +
      `</_ord:PaymentInstruction>`).join('')}</_ord:OrderPaymentInfo>`
    : '';
  const buyer = o.buyerId || o.buyerEmail
    ? `<_ord:BuyerIdentifier>${leaf('_wcf:UniqueID', o.buyerId)}${o.buyerEmail ? `<_wcf:ExternalIdentifier>${leaf('_wcf:Identifier', o.buyerEmail)}</_wcf:ExternalIdentifier>` : ''}</_ord:BuyerIdentifier>`
    : '';
  return (
    `<_ord:Order${shipAsComplete ? ` shipAsComplete="${o.shipAsComplete}"` : ''}><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}${leaf('_wcf:ExternalOrderID', o.externalOrderId)}</_ord:OrderIdentifier>` +
    `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', o.storeId)}</_ord:StoreIdentifier>` +
    buyer + (opts.transfer?.buyerBillInfo ?? '') + amount + payments +
    `<_ord:OrderStatus prepareIndicator="${o.prepared}" locked="${o.locked}">${leaf('_ord:Status', o.status)}</_ord:OrderStatus>` +
    leaf('_ord:PlacedDate', o.placedAt) +
    o.items.map((i) => writeOrderItem(o, i, opts)).join('') +
    `</_ord:Order>`
  );
}
