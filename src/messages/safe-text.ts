/*
 * What of a request's text is safe to keep and show (docs/operations.md: "What a record keeps"). A card number
 * never appears beyond its last four digits, a card's security code never, WS-Security passwords and nonces
 * never. These run on records that are written or shown, not on the Get hot path: a Get carries no payment.
 */

/** How much of a refused request's text is kept, characters. */
export const EXCERPT_CHARS = 8192;

const SECRET_ELEMENT = /(<(?:[\w.-]+:)?(?:Password|Nonce)\b[^>]*>)[^<]*/g;
const PROTOCOL_DATA_OPEN = /<(?:[\w.-]+:)?ProtocolData\b([^>]*)>/g;
/** A ProtocolData region ends at its closing tag, or this many characters on (malformed text). */
const REGION_MAX = 2048;
const CARD_RUN = /\d(?:[ -]?\d){11,18}/g;
const NAME_ATTR = /\bname\s*=\s*["']([^"']*)["']/;

/**
 * `4111111111111111` → `************1111`: the digits but the last four starred, separators dropped. A value
 * masked already stays as it is, so masking twice (stored, then shown) changes nothing.
 */
export function lastFour(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length <= 4) return /^\s*\*+\d{0,4}\s*$/.test(value) ? value : '****';
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/**
 * Card data masked: inside every ProtocolData (simple content or child elements, closed or not), `account` and
 * `cc_account` values and any run of 12–19 digits keep their last four digits only, and `cc_cvc` is starred.
 */
export function maskCards(text: string): string {
  if (!text.includes('ProtocolData')) return text;
  let out = '';
  let from = 0;
  PROTOCOL_DATA_OPEN.lastIndex = 0;
  for (let m = PROTOCOL_DATA_OPEN.exec(text); m; m = PROTOCOL_DATA_OPEN.exec(text)) {
    const start = m.index + m[0].length;
    if (start <= from) continue;
    const close = text.indexOf('ProtocolData>', start);
    const end = close === -1 ? Math.min(text.length, start + REGION_MAX) : close;
    const name = NAME_ATTR.exec(m[1] ?? '')?.[1]?.toLowerCase();
    let region = text.slice(start, end);
    if (name === 'cc_cvc' || name === 'cvc' || name === 'cvv') region = region.replace(/^([^<]*)/, (v) => (v.trim() ? '***' : v));
    else if (name === 'account' || name === 'cc_account') region = region.replace(/^([^<]*)/, (v) => (v.trim() ? lastFour(v) : v));
    region = region.replace(CARD_RUN, lastFour);
    out += text.slice(from, start) + region;
    from = end;
    PROTOCOL_DATA_OPEN.lastIndex = end;
  }
  return out + text.slice(from);
}

/** WS-Security passwords and nonces blanked (closed or not). */
export function redactCredentials(text: string): string {
  if (!text.includes('Password') && !text.includes('Nonce')) return text;
  return text.replace(SECRET_ELEMENT, '$1***');
}

/** Credentials and card data removed: what a stored or shown request may hold. */
export function safeText(text: string): string {
  return maskCards(redactCredentials(text));
}

/**
 * The safe part of a refused request's text: masked first (so a cut cannot leave half a secret behind the
 * mask's reach), then cut to `max` characters, saying so.
 */
export function safeExcerpt(text: string, max: number = EXCERPT_CHARS): string {
  const safe = safeText(text);
  if (safe.length <= max) return safe;
  return `${safe.slice(0, max)}\n<!-- dombridge: cut at ${max} of ${safe.length} characters -->`;
}
