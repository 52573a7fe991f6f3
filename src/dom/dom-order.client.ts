import { writeApplicationArea } from '../bod/application-area.js';
import { readBod } from '../bod/bod-request.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import { BOD_ROOT_XMLNS, NS } from '../xml/namespaces.js';
import { child, childText, type XmlElement } from '../xml/xml-element.js';
import { escText } from '../xml/xml-writer.js';
import { ACCEPTED_WITHOUT_ANSWER, type DomResult, type DomTransport } from './dom-transport.js';

export const DOM_ORDER_PATH = '/dom/services/OrderServices';

export interface DomOrderPort {
  /**
   * Sends a ProcessOrder TransferOrder. Success means DOM took it in; `confirmed` says whether the answer already
   * confirms the order exists at DOM (an AcknowledgeOrder naming DOM's ExternalOrderID). Behind IBM's mediation the
   * synchronous answer only says "accepted" (an AcknowledgeOrder without it, or an empty 200/202): the confirmation
   * comes later as DOM's createOrder-success ChangeOrder.
   */
  transferOrder(bodXml: string): Promise<DomResult<TransferAnswer>>;
  /** Asks DOM whether it holds the order (before a re-transfer): the store and buyer are what DOM's query selects on. */
  hasOrder(orderId: string, storeId: string, buyerLogonId?: string | null): Promise<DomResult<boolean>>;
  /**
   * The same question, answered with what DOM reports of the order: undefined when it does not hold it, else its
   * key (Sterling's OrderHeaderKey, which getOrderList's map writes as ExternalOrderID), for DOM's later callbacks.
   */
  findOrder(orderId: string, storeId: string, buyerLogonId?: string | null): Promise<DomResult<OrderAtDom | undefined>>;
}

export interface OrderAtDom {
  readonly externalOrderId: string | undefined;
}

export interface TransferAnswer {
  readonly externalOrderId: string | undefined;
  readonly confirmed: boolean;
}

/** Quotes a value for an expression: the values here are ids and logon ids, so quotes are dropped rather than escaped. */
function quoted(v: string): string {
  return `'${v.replace(/'/g, '')}'`;
}

/**
 * The GetOrder asked before a re-transfer. DOM's mediation (GetOrder → getOrderList) takes parameters of the
 * expression by name and position: `UniqueID.1` the order number, `UniqueID.2` the store (its organization),
 * `LogOnID.1` the buyer (Sterling's BuyerUserId, which the transfer set from the buyer's external identifier), and
 * `oa:Get/@maxItems` the page size. docs/contract/dom-mediation-orders.md has the table.
 */
export function retransferGetOrderBod(orderId: string, storeId: string, buyerLogonId?: string | null): string {
  const buyer = buyerLogonId ? ` and BuyerIdentifier[(LogOnID=${quoted(buyerLogonId)})]` : '';
  const expr = `{_wcf.ap=IBM_External_Details}/Order[OrderIdentifier[(UniqueID=${quoted(orderId)})] and StoreIdentifier[(UniqueID=${quoted(storeId)})]${buyer}]`;
  return (
    `<_ord:GetOrder releaseID="${RELEASE_ID}"${BOD_ROOT_XMLNS}>${writeApplicationArea(undefined, undefined, { storeId })}` +
    `<_ord:DataArea><oa:Get maxItems="1"><oa:Expression expressionLanguage="_wcf:XPath">${escText(expr)}</oa:Expression></oa:Get></_ord:DataArea></_ord:GetOrder>`
  );
}

/** DOM's answer is of the expected kind and readable. (A refusal in its ChangeStatus is a bod-error of the transport.) */
function errorOf(root: XmlElement, expected: string): DomResult<never> | undefined {
  if (root.name !== expected) return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered ${root.name} instead of ${expected}` } };
  try {
    readBod(root);
  } catch {
    return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered a ${expected} without a readable DataArea` } };
  }
  return undefined;
}

export class SoapDomOrderClient implements DomOrderPort {
  constructor(private readonly transport: DomTransport) {}

  async transferOrder(bodXml: string): Promise<DomResult<TransferAnswer>> {
    const answer = await this.transport.call(DOM_ORDER_PATH, 'ProcessOrder', bodXml);
    if (!answer.ok) return answer;
    if (answer.value === ACCEPTED_WITHOUT_ANSWER) return { ok: true, value: { externalOrderId: undefined, confirmed: false } };
    const err = errorOf(answer.value, 'AcknowledgeOrder');
    if (err) return err;
    const order = readBod(answer.value).nouns.find((n) => n.ns === NS.ord && n.name === 'Order');
    const externalOrderId = childText(child(order, NS.ord, 'OrderIdentifier'), NS.wcf, 'ExternalOrderID');
    return { ok: true, value: { externalOrderId, confirmed: externalOrderId !== undefined } };
  }

  async hasOrder(orderId: string, storeId: string, buyerLogonId?: string | null): Promise<DomResult<boolean>> {
    const found = await this.findOrder(orderId, storeId, buyerLogonId);
    return found.ok ? { ok: true, value: found.value !== undefined } : found;
  }

  async findOrder(orderId: string, storeId: string, buyerLogonId?: string | null): Promise<DomResult<OrderAtDom | undefined>> {
    const answer = await this.transport.call(DOM_ORDER_PATH, 'GetOrder', retransferGetOrderBod(orderId, storeId, buyerLogonId));
    if (!answer.ok) return answer;
    if (answer.value.name !== 'ShowOrder') return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered ${answer.value.name} instead of ShowOrder` } };
    const nouns = readBod(answer.value).nouns.filter((n) => n.ns === NS.ord && n.name === 'Order');
    // The map strips DOM's WC_ prefix from the order number; tolerate it left on.
    const ids = nouns.map((n) => child(n, NS.ord, 'OrderIdentifier')).find((id) => childText(id, NS.wcf, 'UniqueID')?.replace(/^WC_/, '') === orderId);
    if (!ids) return { ok: true, value: undefined };
    const key = childText(ids, NS.wcf, 'ExternalOrderID')?.trim();
    return { ok: true, value: { externalOrderId: key ? key : undefined } };
  }
}
