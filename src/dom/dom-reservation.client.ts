import { parseDateTime, parseQuantity } from '../inventory/availability-noun.js';
import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, childText, path, type XmlElement } from '../xml/xml-element.js';
import { DOM_INVENTORY_PATH } from './dom-inventory.client.js';
import type { DomResult, DomTransport } from './dom-transport.js';

/**
 * One line of DOM's answer to ReserveInventory, as the mediation writes it. A line Sterling could not allocate
 * carries no Quantity (`quantity` undefined: nothing of it is held). A split line (another reservation of the same
 * line, or the unallocated rest of a partial one) has no orderItemId and names its origin in correlationGroup.
 */
export interface ReservedLine {
  readonly orderItemId: string | undefined;
  readonly correlationGroup: string | undefined;
  readonly quantity: number | undefined;
  readonly uom: string | undefined;
  readonly inventoryStatus: 'Allocated' | 'Backordered' | 'Unallocated';
  readonly availableDate: string | undefined;
  /** As DOM wrote it: a later release names the line with the same date. */
  readonly expectedShipDate: string | undefined;
  /** Sterling's ship node, as the fulfillment center's name. */
  readonly fulfillmentCenterName: string | undefined;
}

/** Reservations at DOM: ProcessInventoryRequirement ReserveInventory and CancelInventoryReservation. */
export interface DomReservationPort {
  /** Sends any ProcessInventoryRequirement and returns the InventoryRequirement noun of DOM's answer (pass-through). */
  processInventoryRequirement(bodXml: string): Promise<DomResult<XmlElement | undefined>>;
  /** Sends a ReserveInventory built by the caller; returns DOM's lines. */
  reserve(bodXml: string): Promise<DomResult<ReservedLine[]>>;
  /**
   * Sends a CancelInventoryReservation built by the caller. Succeeds only when DOM's acknowledgement names the
   * order: the mediation takes that id from the first reservation it cancelled, so an acknowledgement without it
   * released nothing.
   */
  cancelReservation(bodXml: string, orderId: string): Promise<DomResult<void>>;
}

const STATUSES = new Set(['Allocated', 'Backordered', 'Unallocated']);

/** The InventoryRequirement of an AcknowledgeInventoryRequirement, verb or not (the reserve map writes none). */
function requirementOf(root: XmlElement): DomResult<XmlElement | undefined> {
  if (root.ns !== NS.inv || root.name !== 'AcknowledgeInventoryRequirement') {
    return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered ${root.name} instead of AcknowledgeInventoryRequirement` } };
  }
  const dataArea = child(root, NS.inv, 'DataArea');
  if (!dataArea) return { ok: false, failure: { kind: 'unparseable', detail: 'DOM answered an AcknowledgeInventoryRequirement without a DataArea' } };
  return { ok: true, value: child(dataArea, NS.inv, 'InventoryRequirement') };
}

/** Reads the reserve acknowledgement in the shape its map writes (docs/contract/dom-mediation-inventory.md). */
export function readReserveAcknowledgement(root: XmlElement): DomResult<ReservedLine[]> {
  const req = requirementOf(root);
  if (!req.ok) return req;
  const lines: ReservedLine[] = [];
  for (const it of childrenNamed(req.value, NS.ord, 'OrderItem')) {
    const status = childText(child(it, NS.ord, 'OrderItemStatus'), NS.ord, 'InventoryStatus') ?? '';
    const qEl = child(it, NS.ord, 'Quantity');
    const quantity = qEl ? parseQuantity(qEl.text) : undefined;
    const orderItemId = childText(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID');
    const correlationGroup = childText(it, NS.ord, 'CorrelationGroup');
    // Only a line Sterling allocated nothing of may come without a quantity.
    if (!STATUSES.has(status) || (qEl && quantity === undefined) || (!qEl && status !== 'Unallocated') || (!orderItemId && !correlationGroup)) {
      return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered a reservation line (${orderItemId ?? correlationGroup ?? 'unnamed'}) with status "${status}" and quantity "${qEl?.text ?? '(none)'}"` } };
    }
    const ff = child(it, NS.ord, 'OrderItemFulfillmentInfo');
    const available = childText(ff, NS.ord, 'AvailableDate');
    const ms = available ? parseDateTime(available) : undefined;
    lines.push({
      orderItemId,
      correlationGroup,
      quantity,
      uom: qEl?.attrs['uom'] || undefined,
      inventoryStatus: status as ReservedLine['inventoryStatus'],
      availableDate: ms === undefined ? undefined : new Date(ms).toISOString(),
      expectedShipDate: childText(ff, NS.ord, 'ExpectedShipDate'),
      fulfillmentCenterName: childText(path(it, [NS.ord, 'FulfillmentCenter'], [NS.ord, 'FulfillmentCenterIdentifier']), NS.wcf, 'Name'),
    });
  }
  return { ok: true, value: lines };
}

/** The cancel acknowledgement counts only when it names the order whose reservation was released. */
export function readCancelAcknowledgement(root: XmlElement, orderId: string): DomResult<void> {
  const req = requirementOf(root);
  if (!req.ok) return req;
  const named = childText(child(req.value, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID');
  if (named !== orderId) {
    return { ok: false, failure: { kind: 'unparseable', detail: `DOM's acknowledgement names ${named ? `order ${named}` : 'no order'}, not ${orderId}: no reservation line was released` } };
  }
  return { ok: true, value: undefined };
}

export class SoapDomReservationClient implements DomReservationPort {
  constructor(private readonly transport: DomTransport) {}

  async processInventoryRequirement(bodXml: string): Promise<DomResult<XmlElement | undefined>> {
    const answer = await this.transport.call(DOM_INVENTORY_PATH, 'ProcessInventoryRequirement', bodXml);
    return answer.ok ? requirementOf(answer.value) : answer;
  }

  async reserve(bodXml: string): Promise<DomResult<ReservedLine[]>> {
    const answer = await this.transport.call(DOM_INVENTORY_PATH, 'ProcessInventoryRequirement', bodXml);
    return answer.ok ? readReserveAcknowledgement(answer.value) : answer;
  }

  async cancelReservation(bodXml: string, orderId: string): Promise<DomResult<void>> {
    const answer = await this.transport.call(DOM_INVENTORY_PATH, 'ProcessInventoryRequirement', bodXml);
    return answer.ok ? readCancelAcknowledgement(answer.value, orderId) : answer;
  }
}
