import { randomUUID } from 'node:crypto';
import type { EmailAddressBlock, EmailType, OrderEmailData } from '../email/email-model.js';
import type { Store } from '../store/store.js';
import { orderEmail, STATUS_TEXT, type Order, type PostalAddress, type Shipment } from './order-model.js';

/** Statuses a customer hears about from DOM's updates (docs/contract/wire.md, checkout); others (G, F, H) are internal. */
export const CUSTOMER_STATUSES: ReadonlySet<string> = new Set(['R', 'B', 'X']);

function block(a: PostalAddress | null | undefined): EmailAddressBlock | undefined {
  if (!a) return undefined;
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ');
  return { ...(name ? { name } : {}), lines: [...a.lines], ...(a.city ? { city: a.city } : {}), ...(a.state ? { state: a.state } : {}), ...(a.country ? { country: a.country } : {}), ...(a.postalCode ? { postalCode: a.postalCode } : {}) };
}

/** The template data of an e-mail about `order`, fixed at the moment the e-mail is decided. */
export async function emailData(store: Store, order: Order, shipment?: Shipment): Promise<OrderEmailData> {
  const online = await store.directory.onlineStoreById(order.storeId);
  const items: OrderEmailData['items'] = [];
  for (const i of order.items) {
    if (i.status === 'X') continue;
    const entry = await store.catalog.catalogEntryById(i.catentryId);
    const pickup = i.physicalStoreId ? await store.directory.physicalStoreById(i.physicalStoreId) : undefined;
    const pickupStore = i.shipModeCode === 'PickupInStore' ? pickup?.name ?? pickup?.externalId ?? i.physicalStoreId ?? '' : undefined;
    items.push({
      partNumber: i.partNumber, name: entry?.name ?? i.partNumber, quantity: i.quantity, unitPrice: i.unitPrice, itemPrice: i.itemPrice ?? i.unitPrice,
      fulfillment: pickupStore !== undefined ? `Pick up at ${pickupStore}` : `Ship to address (${i.shipModeCode})`,
      ...(pickupStore !== undefined ? { pickupStore } : {}),
    });
  }
  const shipTo = order.items.find((i) => i.shippingAddress)?.shippingAddress;
  const t = order.totals;
  const first = shipTo?.firstName ?? order.payments[0]?.billingAddress?.firstName;
  const shippingAddress = block(shipTo);
  const billingAddress = block(order.payments[0]?.billingAddress);
  return {
    orderId: order.orderId,
    storeName: online?.nameIdentifier ?? order.storeId,
    ...(first ? { customerName: first } : {}),
    currency: order.currency,
    ...(order.placedAt ? { placedDate: order.placedAt } : {}),
    status: order.status,
    statusText: STATUS_TEXT[order.status],
    items,
    totals: { product: t?.totalProductPrice ?? '0.00', adjustment: t?.totalAdjustment ?? '0.00', shipping: t?.totalShippingCharge ?? '0.00', salesTax: t?.totalSalesTax ?? '0.00', shippingTax: t?.totalShippingTax ?? '0.00', grand: t?.grandTotal ?? '0.00' },
    ...(shippingAddress ? { shippingAddress } : {}),
    ...(billingAddress ? { billingAddress } : {}),
    ...(shipment ? {
      shipment: {
        shipmentId: shipment.shipmentId, carrier: shipment.carrier, trackingNumber: shipment.trackingNumber, shipDate: shipment.shipDate,
        items: shipment.items.map((si) => ({ partNumber: order.items.find((i) => i.orderItemId === si.orderItemId)?.partNumber ?? si.orderItemId, quantity: si.quantity })),
      },
    } : {}),
  };
}

/**
 * Decides an e-mail inside the transaction that causes it: the row and the state change commit together, so a
 * crash can lose neither; the relay sends it afterwards. Returns false when the order has no address to write to.
 */
export async function queueOrderEmail(tx: Store, order: Order, type: EmailType, at: number, shipment?: Shipment): Promise<boolean> {
  const to = orderEmail(order);
  if (!to) return false;
  const data = await emailData(tx, order, shipment);
  await tx.emailOutbox.enqueue({ emailId: randomUUID(), orderId: order.orderId, type, recipient: to, data: JSON.stringify(data) }, at);
  return true;
}
