import { hash } from 'node:crypto';

/*
 * Cheap reads of a BOD's raw text for the message store: no parse, first match wins. They run on every request,
 * so each is one regular expression that stops at its first hit. What they find is for searching and showing
 * messages, never for acting on: the handlers read the BOD with the real codec.
 */

const BODY_OPEN = /<(?:([A-Za-z_][\w.-]*):)?Body[\s>]/;

/** Where the SOAP Body's content (the BOD as sent) lies in the envelope text: [start, end), or the whole text. */
export function soapBodyRange(envelope: string): readonly [number, number] {
  const m = BODY_OPEN.exec(envelope);
  if (!m) return [0, envelope.length];
  const start = envelope.indexOf('>', m.index) + 1;
  const end = envelope.lastIndexOf(`</${m[1] ? `${m[1]}:` : ''}Body`);
  return start > 0 && end >= start ? [start, end] : [0, envelope.length];
}

/** The SOAP Body's content, without the envelope and header; the whole text when there is no Body. */
export function soapBodyText(envelope: string): string {
  const [start, end] = soapBodyRange(envelope);
  return envelope.slice(start, end);
}

/**
 * SHA-256 (hex) of the Body's content: what decides whether a repeated BODID is the same message. The header is
 * left out because a resend may carry a fresh WS-Security nonce and timestamp around the same BOD. `bytes`, the
 * envelope as received, is hashed in place when the text is ASCII (offsets are then the same), saving a copy.
 */
export function contentHash(envelope: string, bytes?: Uint8Array): string {
  const [start, end] = soapBodyRange(envelope);
  // crypto.hash, the one-shot form: no Hash object per request.
  return hash('sha256', bytes && bytes.byteLength === envelope.length ? bytes.subarray(start, end) : envelope.slice(start, end), 'hex');
}

const PASSWORD = /(<(?:[\w.-]+:)?Password\b[^>]*>)[^<]*(<\/)/g;

/** The envelope with every WS-Security password replaced, for storage: credentials never reach the database. */
export function redactSecrets(envelope: string): string {
  return envelope.replace(PASSWORD, '$1***$2');
}

export interface BusinessKeys {
  readonly orderId: string | null;
  readonly partNumber: string | null;
  readonly catentryId: string | null;
}

const Q = `(?:'|&apos;|"|&quot;)`;
// Element form (a noun), or the form of a Get expression (…OrderIdentifier[(UniqueID='…')]…). Each starts with a
// literal, which the engine scans for quickly; the first PartNumber> is an opening tag's.
const ORDER_ID = new RegExp(`OrderIdentifier(?:>\\s*<(?:[\\w.-]+:)?UniqueID>\\s*([^<\\s]+)|\\[\\(?UniqueID\\s*=\\s*${Q}([^'"&]+))`);
const PART_NUMBER = new RegExp(`PartNumber(?:>\\s*([^<\\s]+)|\\s*=\\s*${Q}([^'"&]+))`);
const CATENTRY_ID = new RegExp(`CatalogEntryIdentifier(?:>\\s*<(?:[\\w.-]+:)?UniqueID>\\s*([^<\\s]+)|\\[\\(?UniqueID\\s*=\\s*${Q}([^'"&]+))`);

function first(re: RegExp, text: string): string | null {
  const m = re.exec(text);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/** The order id of the first noun, and the part number and catalog entry of the first item, where present. */
export function businessKeys(bodText: string): BusinessKeys {
  return { orderId: first(ORDER_ID, bodText), partNumber: first(PART_NUMBER, bodText), catentryId: first(CATENTRY_ID, bodText) };
}

const ROOT = /<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)[\s>/]/;
const BOD_ID = /<(?:[\w.-]+:)?BODID>\s*([^<\s]+)/;
const VERBS = ['Get', 'Show', 'Process', 'Acknowledge', 'Change', 'Respond', 'Sync', 'Confirm', 'Cancel'] as const;

/** The name of the first element: `<?xml …?>` and comments do not match (no letter after `<`). */
export function rootName(bodText: string): string | null {
  return ROOT.exec(bodText)?.[1] ?? null;
}

export function bodIdOf(bodText: string): string | null {
  return first(BOD_ID, bodText);
}

/** ProcessOrder → Process + Order; a name without a known verb is all noun. */
export function splitVerbNoun(name: string): { verb: string | null; noun: string } {
  for (const v of VERBS) if (name.startsWith(v) && name.length > v.length) return { verb: v, noun: name.slice(v.length) };
  return { verb: null, noun: name };
}

/** The text of XML held as text or as UTF-8 bytes. */
export function xmlText(x: string | Uint8Array): string {
  return typeof x === 'string' ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('utf8');
}
