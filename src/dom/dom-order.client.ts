import { writeApplicationArea } from '../bod/application-area.js';
import { readBod } from '../bod/bod-request.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import { parseDateTime, parseQuantity } from '../inventory/availability-noun.js';
import { BOD_ROOT_XMLNS, NS } from '../xml/namespaces.js';
import { child, childrenNamed, childText, type XmlElement } from '../xml/xml-element.js';
import { escText } from '../xml/xml-writer.js';
import { DOM_INVENTORY_PATH } from './dom-inventory.client.js';
import type { DomResult, DomTransport } from './dom-transport.js';

export const DOM_ORDER_PATH = '/dom/services/OrderServices';

/** One line of DOM's answer to ReserveInventory. A split line has no orderItemId and names its origin in correlationGroup. */
export interface ReservedLine {
  readonly orderItemId: string | undefined;
  readonly correlationGroup: string | undefined;
  readonly quantity: number;
  readonly inventoryStatus: 'Allocated' | 'Backordered' | 'Unallocated';
  readonly availableDate: string | undefined;
  readonly expectedShipDate: string | undefined;
  readonly fulfillmentCenterName: string | undefined;
}

export interface DomOrderPort {
  /** Sends any ProcessInventoryRequirement and returns the InventoryRequirement noun of DOM's Acknowledge (pass-through). */
  processInventoryRequirement(bodXml: string): Promise<DomResult<XmlElement | undefined>>;
  /** Sends a ProcessInventoryRequirement (ReserveInventory) built by the caller; returns DOM's lines. */
  reserve(bodXml: string): Promise<DomResult<ReservedLine[]>>;
  /** Sends a prepared BOD whose answer only has to be a non-error Acknowledge (CancelInventoryReservation). */
  cancelReservation(bodXml: string): Promise<DomResult<void>>;
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

const INVENTORY_STATUSES = new Set(['Allocated', 'Backordered', 'Unallocated']);

export class SoapDomOrderClient implements DomOrderPort {
  constructor(private readonly transport: DomTransport) {}

  async processInventoryRequirement(bodXml: string): Promise<DomResult<XmlElement | undefined>> {
    const answer = await this.transport.call(DOM_INVENTORY_PATH, 'ProcessInventoryRequirement', bodXml);
    if (!answer.ok) return answer;
    const err = errorOf(answer.value, 'AcknowledgeInventoryRequirement');
    if (err) return err;
    return { ok: true, value: readBod(answer.value).nouns.find((n) => n.ns === NS.inv && n.name === 'InventoryRequirement') };
  }

  async reserve(bodXml: string): Promise<DomResult<ReservedLine[]>> {
    const answer = await this.processInventoryRequirement(bodXml);
    if (!answer.ok) return answer;
    const req = answer.value;
    const lines: ReservedLine[] = [];
    for (const it of childrenNamed(req, NS.ord, 'OrderItem')) {
      const status = childText(child(it, NS.ord, 'OrderItemStatus'), NS.ord, 'InventoryStatus') ?? '';
      const qty = parseQuantity(childText(it, NS.ord, 'Quantity') ?? '');
      if (!INVENTORY_STATUSES.has(status) || qty === undefined) {
        return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered a reservation line with status "${status}" and quantity "${childText(it, NS.ord, 'Quantity') ?? ''}"` } };
      }
      const ff = child(it, NS.ord, 'OrderItemFulfillmentInfo');
      const date = (name: string) => {
        const t = childText(ff, NS.ord, name);
        const ms = t ? parseDateTime(t) : undefined;
        return ms === undefined ? undefined : new Date(ms).toISOString();
      };
      lines.push({
        orderItemId: childText(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID'),
        correlationGroup: childText(it, NS.ord, 'CorrelationGroup'),
        quantity: qty,
        inventoryStatus: status as ReservedLine['inventoryStatus'],
        availableDate: date('AvailableDate'),
        expectedShipDate: date('ExpectedShipDate'),
        fulfillmentCenterName: childText(child(child(it, NS.ord, 'FulfillmentCenter'), NS.ord, 'FulfillmentCenterIdentifier'), NS.wcf, 'Name'),
      });
    }
    return { ok: true, value: lines };
  }

  async cancelReservation(bodXml: string): Promise<DomResult<void>> {
    const answer = await this.transport.call(DOM_INVENTORY_PATH, 'ProcessInventoryRequirement', bodXml);
    if (!answer.ok) return answer;
    return errorOf(answer.value, 'AcknowledgeInventoryRequirement') ?? { ok: true, value: undefined };
  }

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
