import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, type XmlElement } from '../../src/xml/xml-element.js';

/** Request BODs a storefront sends to the Order service, built the way a generated client would. */

const XMLNS = `xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}"`;
let seq = 0;

function appArea(storeId: string): string {
  return `<oa:ApplicationArea><oa:CreationDateTime>${new Date().toISOString()}</oa:CreationDateTime><oa:BODID>test-${process.pid}-${++seq}</oa:BODID>` +
    `<_wcf:BusinessContext><_wcf:ContextData name="storeId">${storeId}</_wcf:ContextData></_wcf:BusinessContext></oa:ApplicationArea>`;
}

export interface Address { first?: string; last?: string; line?: string; city?: string; state?: string; country?: string; zip?: string; email?: string }

export const JANE: Address = { first: 'Jane', last: 'Doe', line: '1 Example Street', city: 'Springfield', state: 'IL', country: 'US', zip: '62701', email: 'jane@example.com' };

function address(qname: string, a: Address): string {
  return `<${qname}><_wcf:ContactName><_wcf:LastName>${a.last ?? ''}</_wcf:LastName><_wcf:FirstName>${a.first ?? ''}</_wcf:FirstName></_wcf:ContactName>` +
    `<_wcf:Address><_wcf:AddressLine>${a.line ?? ''}</_wcf:AddressLine><_wcf:City>${a.city ?? ''}</_wcf:City><_wcf:StateOrProvinceName>${a.state ?? ''}</_wcf:StateOrProvinceName><_wcf:Country>${a.country ?? ''}</_wcf:Country><_wcf:PostalCode>${a.zip ?? ''}</_wcf:PostalCode></_wcf:Address>` +
    (a.email ? `<_wcf:EmailAddress1><_wcf:Value>${a.email}</_wcf:Value></_wcf:EmailAddress1>` : '') + `</${qname}>`;
}

export interface ItemSpec {
  catentryId?: string;
  partNumber?: string;
  orderItemId?: string;
  quantity?: number | string;
  shipMode?: string;
  pickupStore?: string;
  address?: Address;
}

function item(i: ItemSpec): string {
  const cat = i.catentryId || i.partNumber
    ? `<_ord:CatalogEntryIdentifier>${i.catentryId ? `<_wcf:UniqueID>${i.catentryId}</_wcf:UniqueID>` : ''}${i.partNumber ? `<_wcf:ExternalIdentifier><_wcf:PartNumber>${i.partNumber}</_wcf:PartNumber></_wcf:ExternalIdentifier>` : ''}</_ord:CatalogEntryIdentifier>`
    : '';
  const ship = i.shipMode || i.pickupStore || i.address
    ? `<_ord:OrderItemShippingInfo>${i.address ? address('_ord:ShippingAddress', i.address) : ''}` +
      (i.shipMode ? `<_ord:ShippingMode><_ord:ShippingModeIdentifier><_ord:ExternalIdentifier><_ord:ShipModeCode>${i.shipMode}</_ord:ShipModeCode></_ord:ExternalIdentifier></_ord:ShippingModeIdentifier></_ord:ShippingMode>` : '') +
      (i.pickupStore ? `<_ord:PhysicalStoreIdentifier><_wcf:UniqueID>${i.pickupStore}</_wcf:UniqueID></_ord:PhysicalStoreIdentifier>` : '') + `</_ord:OrderItemShippingInfo>`
    : '';
  return `<_ord:OrderItem>${i.orderItemId ? `<_ord:OrderItemIdentifier><_wcf:UniqueID>${i.orderItemId}</_wcf:UniqueID></_ord:OrderItemIdentifier>` : ''}${cat}` +
    (i.quantity !== undefined ? `<_ord:Quantity uom="C62">${i.quantity}</_ord:Quantity>` : '') + ship + `</_ord:OrderItem>`;
}

function orderId(id: string | undefined): string {
  return id ? `<_ord:OrderIdentifier><_wcf:UniqueID>${id}</_wcf:UniqueID></_ord:OrderIdentifier>` : '';
}

export function changeOrder(actionCode: string, xpath: string, opts: { orderId?: string; storeId?: string; items?: ItemSpec[]; extra?: string }): string {
  const storeId = opts.storeId ?? '10201';
  return `<_ord:ChangeOrder releaseID="9.0" versionID="7.0.0.6" ${XMLNS}>${appArea(storeId)}<_ord:DataArea><oa:Change><oa:ActionCriteria>` +
    `<oa:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath">${xpath}</oa:ActionExpression></oa:ActionCriteria></oa:Change>` +
    `<_ord:Order>${orderId(opts.orderId)}${(opts.items ?? []).map(item).join('')}${opts.extra ?? ''}</_ord:Order></_ord:DataArea></_ord:ChangeOrder>`;
}

export function addItems(items: ItemSpec[], orderIdValue?: string, storeId = '10201'): string {
  return changeOrder('Create', '/Order/OrderItem', { ...(orderIdValue ? { orderId: orderIdValue } : {}), storeId, items });
}

export function setPayment(orderIdValue: string, card: string, storeId = '10201', billing: Address = JANE, method = 'VISA'): string {
  const pi = `<_ord:OrderPaymentInfo><_ord:PaymentInstruction>${address('_ord:BillingAddress', billing)}<_ord:PaymentMethod><_ord:PaymentMethodName>${method}</_ord:PaymentMethodName></_ord:PaymentMethod>` +
    (card ? `<_ord:ProtocolData name="account">${card}</_ord:ProtocolData>` : '') + `</_ord:PaymentInstruction></_ord:OrderPaymentInfo>`;
  return changeOrder('Create', '/Order/OrderPaymentInfo/PaymentInstruction', { orderId: orderIdValue, storeId, extra: pi });
}

export function processOrder(actionCode: string, orderIdValue: string, storeId = '10201', extra = ''): string {
  return `<_ord:ProcessOrder releaseID="9.0" versionID="7.0.0.6" ${XMLNS}>${appArea(storeId)}<_ord:DataArea><oa:Process><oa:ActionCriteria>` +
    `<oa:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
    `<_ord:Order>${orderId(orderIdValue)}${extra}</_ord:Order></_ord:DataArea></_ord:ProcessOrder>`;
}

export function getOrder(orderIdValue: string, storeId = '10201'): string {
  return `<_ord:GetOrder releaseID="9.0" ${XMLNS}>${appArea(storeId)}<_ord:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">{_wcf.ap=IBM_Details}/Order[OrderIdentifier[(UniqueID='${orderIdValue}')]]</oa:Expression></oa:Get></_ord:DataArea></_ord:GetOrder>`;
}

/** The order a Respond/Acknowledge/Show carries, read into a plain object for assertions. */
export interface OrderView {
  orderId: string;
  status: string;
  prepared: string | undefined;
  totals: Record<string, string>;
  items: { orderItemId: string; catentryId: string; quantity: string; status: string; inventoryStatus: string; shipMode: string; correlationGroup: string }[];
  shipments: { carrier: string; trackingNumber: string }[];
}

export function orderOf(bod: XmlElement): OrderView | undefined {
  const o = child(child(bod, NS.ord, 'DataArea'), NS.ord, 'Order');
  if (!o) return undefined;
  const t = (el: XmlElement | undefined, ns: string, name: string) => child(el, ns, name)?.text ?? '';
  const amount = child(o, NS.ord, 'OrderAmount');
  const totals: Record<string, string> = {};
  for (const c of amount?.children ?? []) totals[c.name] = c.text;
  return {
    orderId: t(child(o, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID'),
    status: t(child(o, NS.ord, 'OrderStatus'), NS.ord, 'Status'),
    prepared: child(o, NS.ord, 'OrderStatus')?.attrs['prepareIndicator'],
    totals,
    items: childrenNamed(o, NS.ord, 'OrderItem').map((i) => ({
      orderItemId: t(child(i, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID'),
      catentryId: t(child(i, NS.ord, 'CatalogEntryIdentifier'), NS.wcf, 'UniqueID'),
      quantity: t(i, NS.ord, 'Quantity'),
      status: t(child(i, NS.ord, 'OrderItemStatus'), NS.ord, 'Status'),
      inventoryStatus: t(child(i, NS.ord, 'OrderItemStatus'), NS.ord, 'InventoryStatus'),
      shipMode: t(child(child(child(child(i, NS.ord, 'OrderItemShippingInfo'), NS.ord, 'ShippingMode'), NS.ord, 'ShippingModeIdentifier'), NS.ord, 'ExternalIdentifier'), NS.ord, 'ShipModeCode'),
      correlationGroup: t(i, NS.ord, 'CorrelationGroup'),
    })),
    shipments: shipmentsOf(o),
  };
}

/**
 * The shipments an order answer reports: each item's fulfillment info carries them as user data (shipmentId,
 * carrier, trackingNumber …, further shipments of the same item suffixed ".2", ".3"); one entry per shipment id.
 */
function shipmentsOf(o: XmlElement): { carrier: string; trackingNumber: string }[] {
  const byId = new Map<string, { carrier: string; trackingNumber: string }>();
  for (const i of childrenNamed(o, NS.ord, 'OrderItem')) {
    const fields = new Map(childrenNamed(child(child(i, NS.ord, 'OrderItemFulfillmentInfo'), NS.wcf, 'UserData'), NS.wcf, 'UserDataField').map((f) => [f.attrs['name'] ?? '', f.text]));
    for (const [name, id] of fields) {
      const m = /^shipmentId(\.\d+)?$/.exec(name);
      if (!m || byId.has(id)) continue;
      const suffix = m[1] ?? '';
      byId.set(id, { carrier: fields.get(`carrier${suffix}`) ?? '', trackingNumber: fields.get(`trackingNumber${suffix}`) ?? '' });
    }
  }
  return [...byId.values()];
}

/** Polls until `check` passes or `timeoutMs` runs out; the last failure is rethrown so the test says what was missing. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
