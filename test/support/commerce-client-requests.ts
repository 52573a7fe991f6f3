/**
 * Order service requests as a client generated from Commerce's own OrderServices.wsdl writes them: JAX-WS
 * (wsimport) with JAXB marshalling. Built by hand from the facts of Commerce's XSDs — never with dombridge's own
 * writers — so a test using them sees where dombridge's reading of the contract and Commerce's differ.
 *
 * What JAXB does, and these builders copy:
 * - Namespaces are declared once, on the BOD root, with generated prefixes (`ns2:`, `ns3:` …); or one namespace is
 *   the default one and the others get prefixes (style `default-namespace`). The envelope is JAX-WS's `S:`.
 * - Elements come in the order of each type's xsd:sequence (OrderType, OrderItemType, PaymentInstructionType …).
 * - The ApplicationArea element is OAGIS's `oa:ApplicationArea`; its value is Commerce's subtype, so JAXB names
 *   the type: `xsi:type="<foundation prefix>:ApplicationAreaType"`, and `_wcf:BusinessContext` follows the OAGIS
 *   children.
 * - ProtocolData is simple content named by its required `name` attribute (Order.xsd ProtocolDataType).
 * - A String property set to "" is written as an empty element (`<ns3:ExternalOrderID></ns3:ExternalOrderID>`);
 *   null properties are left out.
 * - xsi:nil is written only for nillable elements; no element of these BODs is nillable in Commerce's schemas, so
 *   JAXB writes none. `nilExternalOrderId` sends one anyway, as stacks with nillable bindings do (.NET's
 *   XmlSerializer for nullable members), to show such a request is read the same.
 */

const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  oa: 'http://www.openapplications.org/oagis/9',
  wcf: 'http://www.ibm.com/xmlns/prod/commerce/9/foundation',
  ord: 'http://www.ibm.com/xmlns/prod/commerce/9/order',
} as const;

/** `ns-prefixed`: every namespace prefixed (`ns2:` oa, `ns3:` foundation, `ns4:` order); `default-namespace`: order is the default namespace. */
export type JaxbStyle = 'ns-prefixed' | 'default-namespace';

interface Prefixes {
  readonly oa: string;
  readonly wcf: string;
  /** '' for the default namespace. */
  readonly ord: string;
  readonly declarations: string;
}

function prefixes(style: JaxbStyle): Prefixes {
  return style === 'ns-prefixed'
    ? { oa: 'ns2', wcf: 'ns3', ord: 'ns4', declarations: `xmlns:ns2="${NS.oa}" xmlns:ns3="${NS.wcf}" xmlns:ns4="${NS.ord}" xmlns:xsi="${NS.xsi}"` }
    : { oa: 'ns2', wcf: 'ns3', ord: '', declarations: `xmlns="${NS.ord}" xmlns:ns2="${NS.oa}" xmlns:ns3="${NS.wcf}" xmlns:xsi="${NS.xsi}"` };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A small writer bound to one style's prefixes: `o` order, `w` foundation, `a` OAGIS elements. */
class Writer {
  constructor(readonly p: Prefixes) {}
  private q(prefix: string, name: string): string {
    return prefix ? `${prefix}:${name}` : name;
  }
  private el(prefix: string, name: string, content: string | undefined, attrs = ''): string {
    if (content === undefined) return '';
    const n = this.q(prefix, name);
    return `<${n}${attrs}>${content}</${n}>`;
  }
  o(name: string, content: string | undefined, attrs = ''): string {
    return this.el(this.p.ord, name, content, attrs);
  }
  w(name: string, content: string | undefined, attrs = ''): string {
    return this.el(this.p.wcf, name, content, attrs);
  }
  a(name: string, content: string | undefined, attrs = ''): string {
    return this.el(this.p.oa, name, content, attrs);
  }
  /** Text content, escaped; undefined stays undefined (JAXB leaves null properties out). */
  t(v: string | number | undefined): string | undefined {
    return v === undefined ? undefined : esc(String(v));
  }
  qname(prefix: 'wcf' | 'ord' | 'oa', local: string): string {
    return this.q(this.p[prefix], local);
  }
}

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

export interface ClientOrderItem {
  readonly catentryId?: string;
  readonly partNumber?: string;
  readonly quantity: number;
  readonly shipModeCode?: string;
  readonly address?: ClientAddress;
  /** Physical store (pick-up), by unique id. */
  readonly physicalStoreId?: string;
}

/** Card facts as ProtocolData pairs; each one given is written, in this order. */
export interface ClientCard {
  readonly account?: string;
  readonly brand?: string;
  readonly expireMonth?: string;
  readonly expireYear?: string;
  readonly cvc?: string;
}

export interface CommonOptions {
  readonly style?: JaxbStyle;
  readonly storeId?: string;
  readonly bodId?: string;
}

let seq = 0;

/** _wcf:ContactInfoType: ContactName (PersonNameType: LastName, FirstName, MiddleName), Address, EmailAddress1. */
function contact(x: Writer, qname: string, a: ClientAddress): string {
  const name = x.w('ContactName', x.w('LastName', x.t(a.lastName)) + x.w('FirstName', x.t(a.firstName)) + x.w('MiddleName', ''));
  const addr = x.w('Address', (a.lines ?? []).map((l) => x.w('AddressLine', x.t(l))).join('') + x.w('City', x.t(a.city)) + x.w('StateOrProvinceName', x.t(a.state)) + x.w('Country', x.t(a.country)) + x.w('PostalCode', x.t(a.postalCode)));
  const email = a.email ? x.w('EmailAddress1', x.w('Value', x.t(a.email))) : '';
  return x.o(qname, name + addr + email);
}

/** oa:ApplicationArea with Commerce's subtype named by xsi:type: CreationDateTime, BODID, then _wcf:BusinessContext. */
function applicationArea(x: Writer, storeId: string, bodId: string): string {
  return x.a('ApplicationArea',
    x.a('CreationDateTime', new Date().toISOString()) + x.a('BODID', x.t(bodId)) +
    x.w('BusinessContext', x.w('ContextData', x.t(storeId), ' name="storeId"') + x.w('ContextData', '-1', ' name="langId"')),
    ` xsi:type="${x.qname('wcf', 'ApplicationAreaType')}"`);
}

function bod(root: 'ChangeOrder' | 'ProcessOrder' | 'GetOrder', o: CommonOptions, dataArea: (x: Writer) => string): string {
  const x = new Writer(prefixes(o.style ?? 'ns-prefixed'));
  const bodId = o.bodId ?? `jaxb-${process.pid}-${++seq}`;
  const body = `<${x.qname('ord', root)} ${x.p.declarations} releaseID="9.0" versionID="7.0.0.0">${applicationArea(x, o.storeId ?? '10201', bodId)}${x.o('DataArea', dataArea(x))}</${x.qname('ord', root)}>`;
  return `<?xml version="1.0" ?><S:Envelope xmlns:S="${NS.soap}"><S:Body>${body}</S:Body></S:Envelope>`;
}

/** _wcf:OrderIdentifierType: UniqueID, ExternalOrderID (a generated client often carries it as an empty string). */
function orderIdentifier(x: Writer, orderId: string | undefined, nilExternalOrderId = false): string {
  if (orderId === undefined) return '';
  const ext = nilExternalOrderId ? `<${x.qname('wcf', 'ExternalOrderID')} xsi:nil="true"/>` : x.w('ExternalOrderID', '');
  return x.o('OrderIdentifier', x.w('UniqueID', x.t(orderId)) + ext);
}

function actionCriteria(x: Writer, verb: 'Change' | 'Process', actionCode: string, path: string): string {
  return x.a(verb, x.a('ActionCriteria', x.a('ActionExpression', x.t(path), ` actionCode="${actionCode}" expressionLanguage="_wcf:XPath"`)));
}

/** OrderItemType order: OrderItemIdentifier, CatalogEntryIdentifier, Quantity, OrderItemShippingInfo, Comments. */
function orderItem(x: Writer, i: ClientOrderItem): string {
  const cat = x.o('CatalogEntryIdentifier', x.w('UniqueID', x.t(i.catentryId)) + (i.partNumber ? x.w('ExternalIdentifier', x.w('PartNumber', x.t(i.partNumber))) : ''));
  const mode = i.shipModeCode ? x.o('ShippingMode', x.o('ShippingModeIdentifier', x.o('ExternalIdentifier', x.o('ShipModeCode', x.t(i.shipModeCode))))) : '';
  // OrderItemShippingInfoType: ShippingAddress, ShippingMode, ShippingInstruction, PhysicalStoreIdentifier.
  const shipping = x.o('OrderItemShippingInfo',
    (i.address ? contact(x, 'ShippingAddress', i.address) : '') + mode + x.o('ShippingInstruction', '') +
    (i.physicalStoreId ? x.o('PhysicalStoreIdentifier', x.w('UniqueID', x.t(i.physicalStoreId))) : ''));
  return x.o('OrderItem', cat + x.o('Quantity', x.t(i.quantity), ' uom="C62"') + shipping + x.o('Comments', ''));
}

/** ChangeOrder Create on /Order/OrderItem: a new cart (no order id) or items added to one. */
export function changeOrderAddItems(items: readonly ClientOrderItem[], o: CommonOptions & { readonly orderId?: string } = {}): string {
  return bod('ChangeOrder', o, (x) =>
    actionCriteria(x, 'Change', 'Create', '/Order/OrderItem') +
    x.o('Order', orderIdentifier(x, o.orderId) + x.o('StoreIdentifier', x.w('UniqueID', x.t(o.storeId ?? '10201'))) + items.map((i) => orderItem(x, i)).join('')));
}

export interface PaymentOptions extends CommonOptions {
  readonly orderId: string;
  readonly method: string;
  readonly card?: ClientCard;
  readonly billing?: ClientAddress;
  /** Write ProtocolData in the `<Name>/<Value>` child form, which is not Commerce's (for the refusal test). */
  readonly childFormProtocolData?: boolean;
  readonly nilExternalOrderId?: boolean;
}

/**
 * ChangeOrder Create on /Order/OrderPaymentInfo/PaymentInstruction. PaymentInstructionType order: UniqueID,
 * BillingAddress, Amount, PaymentMethod{PaymentMethodName}, …, ProtocolData*, Status, UserData.
 */
export function changeOrderSetPayment(o: PaymentOptions): string {
  return bod('ChangeOrder', o, (x) => {
    const pairs: Array<[string, string | undefined]> = [
      ['account', o.card?.account], ['cc_brand', o.card?.brand], ['expire_month', o.card?.expireMonth], ['expire_year', o.card?.expireYear], ['cc_cvc', o.card?.cvc],
    ];
    const protocol = pairs.filter(([, v]) => v !== undefined).map(([name, v]) =>
      o.childFormProtocolData ? x.o('ProtocolData', x.o('Name', name) + x.o('Value', x.t(v))) : x.o('ProtocolData', x.t(v), ` name="${name}"`)).join('');
    const instruction = x.o('PaymentInstruction',
      (o.billing ? contact(x, 'BillingAddress', o.billing) : '') + x.o('PaymentMethod', x.o('PaymentMethodName', x.t(o.method))) + protocol);
    return actionCriteria(x, 'Change', 'Create', '/Order/OrderPaymentInfo/PaymentInstruction') +
      x.o('Order', orderIdentifier(x, o.orderId, o.nilExternalOrderId) + x.o('StoreIdentifier', x.w('UniqueID', x.t(o.storeId ?? '10201'))) + x.o('OrderPaymentInfo', instruction));
  });
}

/** ProcessOrder on /Order[1] (Prepare, Submit, Cancel, Lock, Unlock). */
export function processOrder(actionCode: string, o: CommonOptions & { readonly orderId: string }): string {
  return bod('ProcessOrder', o, (x) => actionCriteria(x, 'Process', actionCode, '/Order[1]') + x.o('Order', orderIdentifier(x, o.orderId)));
}

/** GetOrder by order id, with an access profile. */
export function getOrder(o: CommonOptions & { readonly orderId: string; readonly accessProfile?: string }): string {
  return bod('GetOrder', o, (x) => x.a('Get', x.a('Expression', x.t(`{_wcf.ap=${o.accessProfile ?? 'IBM_Details'}}/Order[OrderIdentifier[(UniqueID='${o.orderId}')]]`), ' expressionLanguage="_wcf:XPath"')));
}
