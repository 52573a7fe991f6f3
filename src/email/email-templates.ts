/**
 * Renders the customer e-mails from Mustache templates kept as files under templates/email/ (so the wording
 * can be changed without touching code). Every type has three files: <Type>.subject.mustache,
 * <Type>.txt.mustache and <Type>.html.mustache. Files named _<name>.txt.mustache / _<name>.html.mustache are
 * partials, usable as {{> name}} from the bodies of the same kind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Mustache from 'mustache';

import { PACKAGE_ROOT } from '../paths.js';
import {
  KNOWN_EMAIL_TYPES,
  STATUS_NOTIFY_DEFAULT,
  STATUS_NOTIFY_PREFIX,
  type EmailAddressBlock,
  type EmailType,
  type OrderEmailData,
} from './email-model.js';

/** templates/email/ at the package root (found by walking up from this module, see paths.ts). */
export const DEFAULT_EMAIL_TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'email');

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

type Kind = 'subject' | 'txt' | 'html';
const KINDS: readonly Kind[] = ['subject', 'txt', 'html'];
const SUFFIX = '.mustache';

/**
 * Mustache's own escape is a global that any other module may replace; HTML bodies always use this one so
 * a customer-controlled value can never become markup.
 */
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(value: string): string {
  // ` = / as well, as Mustache does: harmless in text, and they matter in unquoted attribute values.
  return value.replace(/[&<>"'`=/]/g, (c) => HTML_ENTITIES[c] ?? `&#${c.charCodeAt(0)};`);
}

/** Plain text and subjects are not HTML: "&" must stay "&", whatever braces a template author used. */
const noEscape = (value: string): string => value;

export class EmailTemplates {
  readonly dir: string;
  /** Own writer, so our parsed templates live in a cache nobody else clears. */
  private readonly writer = new Mustache.Writer();
  private readonly templates = new Map<string, Record<Kind, string>>();
  private readonly partials: Record<'txt' | 'html', Record<string, string>> = { txt: {}, html: {} };

  /** Loads and parses every template now, so a missing or broken file stops start-up rather than a send. */
  constructor(opts: { dir?: string } = {}) {
    this.dir = opts.dir ?? DEFAULT_EMAIL_TEMPLATE_DIR;
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch (err) {
      throw new Error(`e-mail template directory ${this.dir} cannot be read: ${(err as Error).message}`);
    }

    // Besides the required types, a deployment may add its own OrderStatusNotify_<status> triple.
    const types = new Set<string>([...KNOWN_EMAIL_TYPES, STATUS_NOTIFY_DEFAULT]);
    for (const file of files) {
      const m = /^(OrderStatusNotify_[A-Za-z0-9]+)\.subject\.mustache$/.exec(file);
      if (m?.[1]) types.add(m[1]);
    }
    for (const type of types) {
      const loaded = {} as Record<Kind, string>;
      for (const kind of KINDS) loaded[kind] = this.load(`${type}.${kind}${SUFFIX}`);
      this.templates.set(type, loaded);
    }

    for (const file of files) {
      const m = /^_([A-Za-z0-9-]+)\.(txt|html)\.mustache$/.exec(file);
      if (m?.[1] && (m[2] === 'txt' || m[2] === 'html')) this.partials[m[2]][m[1]] = this.load(file);
    }
  }

  /** The template set a type is rendered with, or undefined when there is none. */
  templateFor(type: string): string | undefined {
    if (this.templates.has(type)) return type;
    if (type.startsWith(STATUS_NOTIFY_PREFIX) && this.templates.has(STATUS_NOTIFY_DEFAULT)) return STATUS_NOTIFY_DEFAULT;
    return undefined;
  }

  render(type: EmailType, data: OrderEmailData): RenderedEmail {
    const name = this.templateFor(type);
    const t = name === undefined ? undefined : this.templates.get(name);
    if (t === undefined) {
      throw new Error(
        `no e-mail template for message type "${type}": expected ${type}.subject${SUFFIX} (and .txt, .html) in ${this.dir}`,
      );
    }
    const view = buildView(data);
    // Header injection: CR/LF in any value (a customer name, say) must not reach the Subject header.
    const subject = this.writer
      .render(t.subject, stripLineBreaks(view), undefined, { escape: noEscape })
      .replace(/[\r\n]+/g, ' ')
      .replace(/\s{2,}/g, ' ')
      .trim();
    return {
      subject,
      text: this.writer.render(t.txt, view, this.partials.txt, { escape: noEscape }),
      html: this.writer.render(t.html, view, this.partials.html, { escape: escapeHtml }),
    };
  }

  private load(file: string): string {
    const path = join(this.dir, file);
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(err as Error).message})`;
      throw new Error(`e-mail template ${file} ${why} in ${this.dir}`);
    }
    try {
      this.writer.parse(source); // fills the writer's cache; render() finds the parsed tokens there
    } catch (err) {
      throw new Error(`e-mail template ${file} in ${this.dir} does not parse: ${(err as Error).message}`);
    }
    return source;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The view: OrderEmailData with amounts and dates formatted for people. Every field a template reads is set
// (to '' when absent) because Mustache looks a missing name up in the enclosing contexts, which would let
// e.g. an address without a name print some other object's name.

interface AddressView {
  name: string;
  lines: string[];
  cityLine: string;
  country: string;
}

function buildView(d: OrderEmailData) {
  const money = (amount: string): string => formatMoney(amount, d.currency);
  const namesByPart = new Map(d.items.map((i) => [i.partNumber, i.name]));
  const isNonZero = (amount: string): boolean => amount.trim() !== '' && Number(amount) !== 0;
  return {
    orderId: d.orderId,
    storeName: d.storeName,
    customerName: d.customerName ?? '',
    currency: d.currency,
    placedDate: d.placedDate ? formatDate(d.placedDate) : '',
    status: d.status,
    statusText: d.statusText,
    items: d.items.map((i) => ({
      partNumber: i.partNumber,
      name: i.name,
      quantity: formatQuantity(i.quantity),
      unitPrice: money(i.unitPrice),
      itemPrice: money(i.itemPrice),
      fulfillment: i.fulfillment,
    })),
    totals: {
      product: money(d.totals.product),
      adjustment: money(d.totals.adjustment),
      shipping: money(d.totals.shipping),
      salesTax: money(d.totals.salesTax),
      shippingTax: money(d.totals.shippingTax),
      grand: money(d.totals.grand),
      hasAdjustment: isNonZero(d.totals.adjustment),
      hasShippingTax: isNonZero(d.totals.shippingTax),
    },
    // Pick-up lines by the store they wait at; whether anything goes by carrier.
    pickups: pickupView(d),
    hasDelivery: d.items.some((i) => i.pickupStore === undefined),
    shippingAddress: d.shippingAddress ? addressView(d.shippingAddress) : false,
    billingAddress: d.billingAddress ? addressView(d.billingAddress) : false,
    hasAddresses: Boolean(d.shippingAddress ?? d.billingAddress),
    shipment: d.shipment
      ? {
          carrier: d.shipment.carrier,
          trackingNumber: d.shipment.trackingNumber,
          shipDate: formatDate(d.shipment.shipDate),
          items: d.shipment.items.map((i) => ({
            partNumber: i.partNumber,
            quantity: formatQuantity(i.quantity),
            name: namesByPart.get(i.partNumber) ?? '',
          })),
        }
      : false,
  };
}

/** The pick-up lines, grouped by the store they wait at, in the order's order. */
function pickupView(d: OrderEmailData): { store: string; items: { partNumber: string; name: string; quantity: string }[] }[] {
  const byStore = new Map<string, { partNumber: string; name: string; quantity: string }[]>();
  for (const i of d.items) {
    if (i.pickupStore === undefined) continue;
    const list = byStore.get(i.pickupStore) ?? [];
    list.push({ partNumber: i.partNumber, name: i.name, quantity: formatQuantity(i.quantity) });
    byStore.set(i.pickupStore, list);
  }
  return [...byStore].map(([store, items]) => ({ store, items }));
}

function addressView(a: EmailAddressBlock): AddressView {
  // "Springfield, IL 62701": the US layout, which reads acceptably for other countries too.
  const region = [a.state, a.postalCode].filter((s): s is string => Boolean(s)).join(' ');
  return {
    name: a.name ?? '',
    lines: a.lines.filter((l) => l.trim() !== ''),
    cityLine: [a.city, region].filter((s): s is string => Boolean(s)).join(', '),
    country: a.country ?? '',
  };
}

/** "19.99000" USD → "$19.99". Anything that is not a plain decimal or a known currency is shown as given. */
export function formatMoney(amount: string, currency: string): string {
  const value = amount.trim();
  if (!/^-?\d+(\.\d+)?$/.test(value)) return amount;
  try {
    // The string form keeps full precision (Intl.NumberFormat v3) before rounding to the currency's digits.
    return moneyFormat(currency).format(value as `${number}`);
  } catch {
    return `${value} ${currency}`.trim();
  }
}

/** Intl formatters are costly to build (they were 4 % of a checkout's CPU built per call): one per currency. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat {
  let f = moneyFormats.get(currency);
  if (!f) {
    // Throws for a currency code Intl does not accept; nothing is cached then.
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    if (moneyFormats.size >= 64) moneyFormats.clear();
    moneyFormats.set(currency, f);
  }
  return f;
}

const LONG_DATE = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });

/** Quantities are stored as decimals ("2.0"); customers expect "2". */
function formatQuantity(quantity: string): string {
  const m = /^(-?\d+)(?:\.0*)?$/.exec(quantity.trim());
  return m?.[1] ?? quantity;
}

/**
 * "2025-03-01T22:15:00-06:00" → "March 1, 2025". The calendar date is taken as written, not converted to
 * the server's zone, so the customer sees the day the source system meant.
 */
export function formatDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) return value;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(date.getTime())) return value;
  return LONG_DATE.format(date);
}

/** Deep copy of a view with CR/LF in every string replaced by a space. */
function stripLineBreaks<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/[\r\n]+/g, ' ') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => stripLineBreaks(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripLineBreaks(v)])) as T;
  }
  return value;
}
