import { writeApplicationArea } from '../bod/application-area.js';
import { readBod } from '../bod/bod-request.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import { BOD_ROOT_XMLNS, NS } from '../xml/namespaces.js';
import { child, childText, type XmlElement } from '../xml/xml-element.js';
import { escText } from '../xml/xml-writer.js';
import type { DomResult, DomTransport } from './dom-transport.js';

export const DOM_ORDER_PATH = '/dom/services/OrderServices';

export interface DomOrderPort {
  /** Sends a ProcessOrder TransferOrder; returns DOM's external order id when it gives one. */
  transferOrder(bodXml: string): Promise<DomResult<{ externalOrderId: string | undefined }>>;
  /** Asks DOM whether it holds the order (before a re-transfer). */
  hasOrder(orderId: string, storeId: string): Promise<DomResult<boolean>>;
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

  async transferOrder(bodXml: string): Promise<DomResult<{ externalOrderId: string | undefined }>> {
    const answer = await this.transport.call(DOM_ORDER_PATH, 'ProcessOrder', bodXml);
    if (!answer.ok) return answer;
    const err = errorOf(answer.value, 'AcknowledgeOrder');
    if (err) return err;
    const order = readBod(answer.value).nouns.find((n) => n.ns === NS.ord && n.name === 'Order');
    return { ok: true, value: { externalOrderId: childText(child(order, NS.ord, 'OrderIdentifier'), NS.wcf, 'ExternalOrderID') } };
  }

  async hasOrder(orderId: string, storeId: string): Promise<DomResult<boolean>> {
    const expr = `{_wcf.ap=IBM_External_Details}/Order[OrderIdentifier[(UniqueID='${orderId.replace(/'/g, '')}')]]`;
    const bod =
      `<_ord:GetOrder releaseID="${RELEASE_ID}"${BOD_ROOT_XMLNS}>${writeApplicationArea(undefined, undefined, { storeId })}` +
      `<_ord:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">${escText(expr)}</oa:Expression></oa:Get></_ord:DataArea></_ord:GetOrder>`;
    const answer = await this.transport.call(DOM_ORDER_PATH, 'GetOrder', bod);
    if (!answer.ok) return answer;
    if (answer.value.name !== 'ShowOrder') return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered ${answer.value.name} instead of ShowOrder` } };
    const nouns = readBod(answer.value).nouns.filter((n) => n.ns === NS.ord && n.name === 'Order');
    return { ok: true, value: nouns.some((n) => childText(child(n, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID') === orderId) };
  }
}
