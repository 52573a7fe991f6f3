import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, childText, type XmlElement } from '../xml/xml-element.js';
import { escAttr, leaf } from '../xml/xml-writer.js';
import type { CatalogEntryRef, LocationRef } from './availability-expression.js';
import { formatQuantity, parseQuantity } from './availability-noun.js';

/** One line of an `_inv:InventoryRequirement` (an Order in the _ord namespace): what is needed, where. */
export interface RequirementItem {
  readonly orderItemId: string | undefined;
  readonly item: CatalogEntryRef;
  readonly quantity: number;
  readonly uom: string;
  /** Pick-up (or ship-from) physical store named on the item; otherwise the order's online store. */
  readonly physicalStore: LocationRef | undefined;
}

export interface InventoryRequirement {
  readonly orderId: string | undefined;
  readonly storeId: string | undefined;
  readonly items: readonly RequirementItem[];
}

export type RequirementReadResult = { ok: true; value: InventoryRequirement } | { ok: false; reason: string };

/** Reads the InventoryRequirement noun, checking the values dombridge acts on (item identity, quantity). */
export function readInventoryRequirement(el: XmlElement): RequirementReadResult {
  const items: RequirementItem[] = [];
  for (const [i, it] of childrenNamed(el, NS.ord, 'OrderItem').entries()) {
    const cat = child(it, NS.ord, 'CatalogEntryIdentifier');
    const id = childText(cat, NS.wcf, 'UniqueID');
    const pn = childText(child(cat, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber');
    if (!id && !pn) return { ok: false, reason: `OrderItem ${i + 1} has no CatalogEntryIdentifier UniqueID or PartNumber` };
    const qEl = child(it, NS.ord, 'Quantity');
    const q = qEl ? parseQuantity(qEl.text) : undefined;
    if (q === undefined || q <= 0) return { ok: false, reason: `OrderItem ${i + 1} needs a Quantity above 0, not "${(qEl?.text ?? '').slice(0, 40)}"` };
    const ps = child(child(it, NS.ord, 'OrderItemShippingInfo'), NS.ord, 'PhysicalStoreIdentifier');
    const psId = childText(ps, NS.wcf, 'UniqueID');
    const psExt = childText(ps, NS.wcf, 'ExternalIdentifier');
    items.push({
      orderItemId: childText(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID'),
      item: id ? { by: 'uniqueId', value: id } : { by: 'partNumber', value: pn! },
      quantity: q,
      uom: qEl?.attrs['uom'] || 'C62',
      physicalStore: psId ? { kind: 'physical', by: 'uniqueId', value: psId } : psExt ? { kind: 'physical', by: 'externalId', value: psExt } : undefined,
    });
  }
  if (items.length === 0) return { ok: false, reason: 'the InventoryRequirement has no OrderItem' };
  return {
    ok: true,
    value: {
      orderId: childText(child(el, NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID'),
      storeId: childText(child(el, NS.ord, 'StoreIdentifier'), NS.wcf, 'UniqueID'),
      items,
    },
  };
}

export interface RequirementItemAnswer {
  readonly orderItemId: string | undefined;
  readonly catentryId: string;
  readonly partNumber: string;
  readonly quantity: number;
  readonly uom: string;
  readonly inventoryStatus: string;
  readonly availableDate?: string | undefined;
  readonly physicalStoreId?: string | undefined;
}

/** The InventoryRequirement of an Acknowledge: the order, and each item with its inventory status. */
export function writeInventoryRequirement(orderId: string | undefined, storeId: string | undefined, items: readonly RequirementItemAnswer[]): string {
  const lines = items.map((i) =>
    `<_ord:OrderItem>${i.orderItemId ? `<_ord:OrderItemIdentifier>${leaf('_wcf:UniqueID', i.orderItemId)}</_ord:OrderItemIdentifier>` : ''}` +
    `<_ord:CatalogEntryIdentifier>${leaf('_wcf:UniqueID', i.catentryId)}<_wcf:ExternalIdentifier>${leaf('_wcf:PartNumber', i.partNumber)}</_wcf:ExternalIdentifier></_ord:CatalogEntryIdentifier>` +
    `<_ord:Quantity uom="${escAttr(i.uom)}">${formatQuantity(i.quantity)}</_ord:Quantity>` +
    (i.physicalStoreId ? `<_ord:OrderItemShippingInfo><_ord:PhysicalStoreIdentifier>${leaf('_wcf:UniqueID', i.physicalStoreId)}</_ord:PhysicalStoreIdentifier></_ord:OrderItemShippingInfo>` : '') +
    `<_ord:OrderItemStatus>${leaf('_ord:InventoryStatus', i.inventoryStatus)}</_ord:OrderItemStatus>` +
    (i.availableDate ? `<_ord:OrderItemFulfillmentInfo>${leaf('_ord:AvailableDate', i.availableDate)}</_ord:OrderItemFulfillmentInfo>` : '') +
    `</_ord:OrderItem>`,
  ).join('');
  return (
    `<_inv:InventoryRequirement>` +
    (orderId ? `<_ord:OrderIdentifier>${leaf('_wcf:UniqueID', orderId)}</_ord:OrderIdentifier>` : '') +
    (storeId ? `<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', storeId)}</_ord:StoreIdentifier>` : '') +
    lines +
    `</_inv:InventoryRequirement>`
  );
}
