import type { BodRequest } from '../bod/bod-request.js';
import type { DomReservationPort } from '../dom/dom-reservation.client.js';
import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { CatalogStore, StoreDirectory } from '../store/store.js';
import { NS } from '../xml/namespaces.js';
import { child, childText, type XmlElement } from '../xml/xml-element.js';
import { writeElement } from '../xml/xml-writer.js';
import type { ReservationActions } from './process-inventory-requirement.handler.js';

/** What the reservation forwarder looks up to name items and places as DOM's mediation reads them. */
export interface ReservationDirectory {
  readonly catalog: Pick<CatalogStore, 'catalogEntryById'>;
  readonly directory: Pick<StoreDirectory, 'physicalStoreById' | 'fulfillmentCenterById'>;
}

type Outcome = { nouns: string } | { error: BodError };

/**
 * Inbound ReserveInventory and CancelInventoryReservation (a client reserving directly, as Commerce's own order
 * component does): DOM owns reservations, so the request goes to DOM and DOM's InventoryRequirement is answered
 * back. Commerce's schema lets a client name an item, a pick-up store and a fulfillment center by unique id alone,
 * but DOM's mediation reads only the part number, the store's external identifier and the fulfillment center's
 * name (Sterling's ship node; docs/contract/dom-mediation-inventory.md): so those are filled in from our catalog
 * and directory before the request goes on, as Commerce itself would (with the PickupInStore ship mode the map
 * checks for a pick-up line). An id we do not know is refused here rather than forwarded to come back "Unallocated".
 */
export class DomReservationActions implements ReservationActions {
  constructor(
    private readonly dom: DomReservationPort,
    private readonly lookups: ReservationDirectory,
  ) {}

  reserve(_req: unknown, bod: BodRequest): Promise<Outcome> {
    return this.forward(bod);
  }

  cancel(_req: unknown, bod: BodRequest): Promise<Outcome> {
    return this.forward(bod);
  }

  private async forward(bod: BodRequest): Promise<Outcome> {
    const named = await this.named(bod.root);
    if ('error' in named) return named;
    const r = await this.dom.processInventoryRequirement(writeElement(named.root));
    if (!r.ok) return { error: bodError('RESERVATION_FAILED', { orderId: '(as requested)', detail: `${r.failure.kind}: ${r.failure.detail}` }) };
    return { nouns: r.value ? writeElement(withoutXsiTypes(r.value)) : '' };
  }

  /** The request with every OrderItem named as the mediation reads it (the rest of the BOD as it came). */
  private async named(el: XmlElement): Promise<{ root: XmlElement } | { error: BodError }> {
    if (el.ns === NS.ord && el.name === 'OrderItem') {
      const item = await this.namedItem(el);
      return 'error' in item ? item : { root: item };
    }
    if (el.children.length === 0) return { root: el };
    const children: XmlElement[] = [];
    for (const c of el.children) {
      const r = await this.named(c);
      if ('error' in r) return r;
      children.push(r.root);
    }
    return { root: { ...el, children } };
  }

  private async namedItem(item: XmlElement): Promise<XmlElement | { error: BodError }> {
    const children: XmlElement[] = [];
    for (const c of item.children) {
      if (c.ns === NS.ord && c.name === 'CatalogEntryIdentifier') {
        const id = childText(c, NS.wcf, 'UniqueID');
        if (id && !childText(child(c, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber')) {
          const entry = await this.lookups.catalog.catalogEntryById(id);
          if (!entry) return { error: bodError('CATALOG_ENTRY_NOT_FOUND', { ref: `with unique id ${id}` }) };
          // CatalogEntryIdentifierType: UniqueID, then ExternalIdentifier{PartNumber}.
          children.push(withChildAfter(c, NS.wcf, 'UniqueID', element(c, NS.wcf, 'ExternalIdentifier', [element(c, NS.wcf, 'PartNumber', [], entry.partNumber)])));
          continue;
        }
      }
      if (c.ns === NS.ord && c.name === 'OrderItemShippingInfo') {
        const ps = child(c, NS.ord, 'PhysicalStoreIdentifier');
        const id = childText(ps, NS.wcf, 'UniqueID');
        if (ps && id && !childText(ps, NS.wcf, 'ExternalIdentifier')) {
          const store = await this.lookups.directory.physicalStoreById(id);
          if (!store) return { error: bodError('STORE_NOT_FOUND', { ref: `physical store ${id}` }) };
          // PhysicalStoreIdentifierType: UniqueID, then ExternalIdentifier (plain text).
          const named = withChildAfter(ps, NS.wcf, 'UniqueID', element(ps, NS.wcf, 'ExternalIdentifier', [], store.externalId));
          children.push(asPickup({ ...c, children: c.children.map((x) => (x === ps ? named : x)) }));
          continue;
        }
        if (ps) {
          children.push(asPickup(c));
          continue;
        }
      }
      if (c.ns === NS.ord && c.name === 'FulfillmentCenter') {
        const fci = child(c, NS.ord, 'FulfillmentCenterIdentifier');
        const id = childText(fci, NS.wcf, 'UniqueID');
        if (fci && id && !childText(fci, NS.wcf, 'Name')) {
          const fc = await this.lookups.directory.fulfillmentCenterById(id);
          if (!fc) return { error: bodError('STORE_NOT_FOUND', { ref: `fulfillment center ${id}` }) };
          // FulfillmentCenterIdentifierType: UniqueID, then Name.
          const named = withChildAfter(fci, NS.wcf, 'UniqueID', element(fci, NS.wcf, 'Name', [], fc.name));
          children.push({ ...c, children: c.children.map((x) => (x === fci ? named : x)) });
          continue;
        }
      }
      children.push(c);
    }
    return { ...item, children };
  }
}

/**
 * The map reserves at the pick-up store only when the line's ship mode code is PickupInStore; a line that names a
 * pick-up store and no ship mode at all means just that, so it gets the code. A line with another ship mode keeps it.
 */
function asPickup(shippingInfo: XmlElement): XmlElement {
  if (child(shippingInfo, NS.ord, 'ShippingMode')) return shippingInfo;
  const mode = element(shippingInfo, NS.ord, 'ShippingMode', [
    element(shippingInfo, NS.ord, 'ShippingModeIdentifier', [
      element(shippingInfo, NS.ord, 'ExternalIdentifier', [element(shippingInfo, NS.ord, 'ShipModeCode', [], 'PickupInStore')]),
    ]),
  ]);
  // OrderItemShippingInfoType: ShippingAddress, then ShippingMode.
  return withChildAfter(shippingInfo, NS.ord, 'ShippingAddress', mode);
}

function element(parent: XmlElement, ns: string, name: string, children: XmlElement[], text = ''): XmlElement {
  return { ns, name, attrs: {}, children, text, scope: parent.scope };
}

/** `el` with `added` placed right after its child (ns, after), or first when there is none. */
function withChildAfter(el: XmlElement, ns: string, after: string, added: XmlElement): XmlElement {
  const at = el.children.findIndex((c) => c.ns === ns && c.name === after);
  const children = [...el.children];
  children.splice(at + 1, 0, added);
  return { ...el, children };
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
