import type { BodRequest } from '../bod/bod-request.js';
import type { DomReservationPort } from '../dom/dom-reservation.client.js';
import { bodError, type BodError } from '../errors/error-catalogue.js';
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
    return { nouns: r.value ? writeElement(r.value) : '' };
  }
}
