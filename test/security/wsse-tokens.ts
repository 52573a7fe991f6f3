import { createHash, randomBytes } from 'node:crypto';
import { NS } from '../../src/xml/namespaces.js';

/** WS-Security headers as a legacy client writes them, built independently of the code under test. */

const PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The profile's formula, written out here so the tests do not trust the implementation's own digest. */
export function referenceDigest(nonceB64: string, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([Buffer.from(nonceB64, 'base64'), Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
}

function security(inner: string): string {
  return `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" xmlns:soapenv="${NS.soap11}" soapenv:mustUnderstand="1"><wsse:UsernameToken>${inner}</wsse:UsernameToken></wsse:Security>`;
}

export function textToken(user: string, password: string, created?: string): string {
  return security(
    `<wsse:Username>${esc(user)}</wsse:Username><wsse:Password Type="${PROFILE}#PasswordText">${esc(password)}</wsse:Password>` +
      (created ? `<wsu:Created>${created}</wsu:Created>` : ''),
  );
}

export interface DigestOptions {
  nonce?: string;
  created?: string;
}

export function digestToken(user: string, password: string, opts: DigestOptions = {}): string {
  const nonce = opts.nonce ?? randomBytes(16).toString('base64');
  const created = opts.created ?? new Date().toISOString();
  return security(
    `<wsse:Username>${esc(user)}</wsse:Username><wsse:Password Type="${PROFILE}#PasswordDigest">${referenceDigest(nonce, created, password)}</wsse:Password>` +
      `<wsse:Nonce EncodingType="${BASE64_BINARY}">${nonce}</wsse:Nonce><wsu:Created>${created}</wsu:Created>`,
  );
}
