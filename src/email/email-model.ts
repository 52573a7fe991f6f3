/**
 * The data behind the customer e-mails dombridge sends in Commerce's place: what a template is rendered
 * from (OrderEmailData) and what a transport delivers (EmailMessage).
 */

/**
 * Commerce's message types. OrderStatusNotify_<status> carries the order status code (R released,
 * B back ordered, X canceled, ...); the name of that family is inferred, see docs/contract/wire.md, checkout.
 */
export type EmailType = 'OrderReceived' | 'ReleaseShipNotify' | `OrderStatusNotify_${string}`;

export interface EmailAddressBlock {
  name?: string;
  lines: string[];
  city?: string;
  state?: string;
  country?: string;
  postalCode?: string;
}

/** Amounts are decimal strings as stored (e.g. "19.99000"); the templates format them in `currency`. */
export interface OrderEmailData {
  orderId: string;
  storeName: string;
  customerName?: string;
  currency: string;
  placedDate?: string;
  status: string;
  statusText: string;
  items: {
    partNumber: string;
    name: string;
    quantity: string;
    unitPrice: string;
    itemPrice: string;
    /** "Ship to address (Standard)" or "Pick up at Springfield Downtown" */
    fulfillment: string;
    /** The store a pick-up line waits at (its name); absent for lines a carrier delivers. */
    pickupStore?: string;
  }[];
  totals: { product: string; adjustment: string; shipping: string; salesTax: string; shippingTax: string; grand: string };
  shippingAddress?: EmailAddressBlock;
  billingAddress?: EmailAddressBlock;
  /** A carrier's shipment. DOM's mediation reports none of carrier or tracking number: either may be ''. */
  shipment?: { shipmentId?: string; carrier: string; trackingNumber: string; shipDate: string; items: { partNumber: string; quantity: string }[] };
}

export interface EmailMessage {
  type: EmailType;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  orderId: string;
  /** Stable, e.g. `<order-123.OrderReceived@dombridge>`, so a resend after a crash is recognisably the same message. */
  messageId: string;
}

/** The message types that have their own templates; any other OrderStatusNotify_* uses OrderStatusNotify_default. */
export const KNOWN_EMAIL_TYPES = [
  'OrderReceived',
  'ReleaseShipNotify',
  'OrderStatusNotify_R',
  'OrderStatusNotify_B',
  'OrderStatusNotify_X',
] as const;

export const STATUS_NOTIFY_PREFIX = 'OrderStatusNotify_';
export const STATUS_NOTIFY_DEFAULT = 'OrderStatusNotify_default';

/** The message type for a DOM status update to `status` (an order status code such as R, B or X). */
export function statusNotifyType(status: string): EmailType {
  return `${STATUS_NOTIFY_PREFIX}${status}`;
}

/**
 * A Message-ID that is the same every time the same message is built, so a resend after a crash can be
 * recognised (by us and by mail clients) as a duplicate. `discriminator` tells apart messages of one type
 * that are legitimately different, such as two shipments of one order (pass the tracking number).
 * Each part is encoded to RFC 5322 dot-atom characters: anything outside [A-Za-z0-9_-] becomes `=HH` per
 * UTF-8 byte, so distinct inputs never collapse onto one id and no input can break out of the header.
 */
export function emailMessageId(type: EmailType, orderId: string, discriminator?: string, domain = 'dombridge'): string {
  const parts = [`order-${encodeIdPart(orderId)}`, encodeIdPart(type)];
  if (discriminator !== undefined && discriminator !== '') parts.push(encodeIdPart(discriminator));
  return `<${parts.join('.')}@${domain.replace(/[^A-Za-z0-9.-]/g, '') || 'dombridge'}>`;
}

function encodeIdPart(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(ch) ? ch : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * `"Jane Doe" <jane@example.com>` for a To or From header, safe whatever the name holds: CR/LF and other
 * control characters are dropped and quotes and backslashes escaped, so a name such as
 * `Eve\r\nBcc: x@y` or `Eve, x@y:` can neither start a header nor add a recipient or group.
 */
export function mailbox(name: string | undefined, address: string): string {
  const addr = address.replace(/[\s<>"]/g, '');
  const display = (name ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  if (display === '') return addr;
  return `"${display.replace(/["\\]/g, (c) => `\\${c}`)}" <${addr}>`;
}
