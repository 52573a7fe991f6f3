import { createHash } from 'node:crypto';
import type { SoapVersion } from '../soap/soap-envelope.js';
import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, qualifiedAttr, type XmlElement } from '../xml/xml-element.js';

/** A WS-Security UsernameToken as received (OASIS Username Token Profile 1.0/1.1). */
export interface UsernameToken {
  readonly username: string;
  readonly passwordType: 'PasswordText' | 'PasswordDigest';
  /** The password, or for PasswordDigest the Base64 digest, exactly as sent. */
  readonly password: string;
  /** Base64 text of wsse:Nonce, when sent. */
  readonly nonce: string | undefined;
  /** wsu:Created text, when sent. */
  readonly created: string | undefined;
}

export type TokenReading =
  | { readonly kind: 'absent' }
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'token'; readonly token: UsernameToken };

const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Actors/roles meaning "this node": a Security header aimed at another actor is not ours to check. */
const OUR_ACTORS = new Set(['', 'http://schemas.xmlsoap.org/soap/actor/next', 'http://www.w3.org/2003/05/soap-envelope/role/next', 'http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver']);

/**
 * Finds the UsernameToken in the SOAP header. Lenient where senders differ (the Password Type as a URI, a bare
 * word or a QName; Created in wsu or, as some stacks write it, wsse), strict where an ambiguity could be abused:
 * two Security headers for us, or two tokens in one, are refused.
 */
export function readUsernameToken(header: XmlElement | undefined, version: SoapVersion): TokenReading {
  const envNs = version === '1.2' ? NS.soap12 : NS.soap11;
  const ours = childrenNamed(header, NS.wsse, 'Security').filter((h) => OUR_ACTORS.has(qualifiedAttr(h, envNs, version === '1.2' ? 'role' : 'actor') ?? ''));
  if (ours.length === 0) return { kind: 'absent' };
  if (ours.length > 1) return { kind: 'invalid', detail: 'the message has more than one wsse:Security header for this receiver' };
  const tokens = childrenNamed(ours[0], NS.wsse, 'UsernameToken');
  if (tokens.length === 0) return { kind: 'absent' };
  if (tokens.length > 1) return { kind: 'invalid', detail: 'wsse:Security holds more than one wsse:UsernameToken' };
  const t = tokens[0]!;
  const username = child(t, NS.wsse, 'Username')?.text ?? '';
  if (username === '') return { kind: 'invalid', detail: 'wsse:Username is missing or empty' };
  const passwordEl = child(t, NS.wsse, 'Password');
  if (!passwordEl) return { kind: 'invalid', detail: 'wsse:Password is missing' };
  // The profile's default Type is PasswordText.
  const typeWord = (passwordEl.attrs['Type'] ?? 'PasswordText').replace(/^.*[#:]/, '');
  if (typeWord !== 'PasswordText' && typeWord !== 'PasswordDigest') return { kind: 'invalid', detail: 'wsse:Password Type must be #PasswordText or #PasswordDigest' };
  const nonceEl = child(t, NS.wsse, 'Nonce');
  let nonce: string | undefined;
  if (nonceEl) {
    const enc = nonceEl.attrs['EncodingType'];
    if (enc !== undefined && enc !== BASE64_BINARY && !enc.endsWith('#Base64Binary')) return { kind: 'invalid', detail: 'wsse:Nonce must be Base64Binary' };
    nonce = nonceEl.text.replace(/\s+/g, '');
    if (!BASE64.test(nonce)) return { kind: 'invalid', detail: 'wsse:Nonce is not Base64' };
  }
  const created = (child(t, NS.wsu, 'Created') ?? child(t, NS.wsse, 'Created'))?.text || undefined;
  if (typeWord === 'PasswordDigest' && (!nonce || !created)) return { kind: 'invalid', detail: 'PasswordDigest needs wsse:Nonce and wsu:Created' };
  return { kind: 'token', token: { username, passwordType: typeWord, password: passwordEl.text, nonce, created } };
}

/** Base64(SHA-1(nonce bytes + created + password)), the Username Token Profile's PasswordDigest. */
export function passwordDigest(nonceBase64: string, created: string, password: Buffer | string): Buffer {
  return createHash('sha1')
    .update(Buffer.from(nonceBase64, 'base64'))
    .update(created, 'utf8')
    .update(typeof password === 'string' ? Buffer.from(password, 'utf8') : password)
    .digest();
}

const XS_DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Milliseconds since the epoch of an xs:dateTime; without a zone it is read as UTC (the profile asks for UTC). */
export function parseCreated(text: string): number | undefined {
  const m = XS_DATETIME.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${(m[2] ?? '').slice(0, 4)}${m[3] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms : undefined;
}
