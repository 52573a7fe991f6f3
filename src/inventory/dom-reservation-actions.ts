import type { BodRequest } from '../bod/bod-request.js';
import type { DomReservationPort } from '../dom/dom-reservation.client.js';
import { bodError, type BodError } from '../errors/error-catalogue.js';
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/xml-element.js';
import { writeElement } from '../xml/xml-writer.js';
import type { ReservationActions } from './process-inventory-requirement.handler.js';

/**
 * Inbound ReserveInventory and CancelInventoryReservation (a client reserving directly, as Commerce's own order
 * component does): DOM owns reservations, so the request goes to DOM as it came, and DOM's InventoryRequirement
 * is answered back. The checkout flow reserves through the same DOM operation.
 */
export class DomReservationActions implements ReservationActions {
  constructor(private readonly dom: DomReservationPort) {}

  reserve(_req: unknown, bod: BodRequest): Promise<{ nouns: string } | { error: BodError }> {
    return this.forward(bod);
  }

  cancel(_req: unknown, bod: BodRequest): Promise<{ nouns: string } | { error: BodError }> {
    return this.forward(bod);
  }

  private async forward(bod: BodRequest): Promise<{ nouns: string } | { error: BodError }> {
    const r = await this.dom.processInventoryRequirement(writeElement(bod.root));
    if (!r.ok) return { error: bodError('RESERVATION_FAILED', { orderId: '(as requested)', detail: `${r.failure.kind}: ${r.failure.detail}` }) };
    return { nouns: r.value ? writeElement(withoutXsiTypes(r.value)) : '' };
  }
}

/**
 * DOM's mediation marks each InventoryStatus with an xsi:type Commerce's schema does not define; the answer to the
 * storefront carries the values without it.
 */
function withoutXsiTypes(el: XmlElement): XmlElement {
  const attrs: Record<string, string> = {};
  for (const k in el.attrs) if (k !== `{${NS.xsi}}type`) attrs[k] = el.attrs[k]!;
  return { ...el, attrs, children: el.children.map(withoutXsiTypes) };
}
