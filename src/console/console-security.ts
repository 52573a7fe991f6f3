import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The console's protection against forged requests and framing.
 *
 * Who may use it is the admin check of the SOAP facade's user directory (HTTP Basic of an admin user; without users,
 * loopback only), on every request. Browsers send Basic credentials with cross-site requests too, so every action
 * (a POST) must also prove it came from a console page:
 * - a token in a hidden field equal to the console's cookie (double submit). The cookie is random, HttpOnly and
 *   SameSite=Strict, so another site can neither read it nor have it sent; it is stateless, so it holds across
 *   restarts and across processes serving the same port;
 * - and, where the browser says so, Origin equal to the console's own and Sec-Fetch-Site same-origin.
 */

export const CSRF_COOKIE = 'dombridge_console_csrf';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Strict: scripts and styles only from the console's own files, no framing, forms only to the console. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** The caller's token, or a new one with the Set-Cookie header that gives it to the browser. */
export function csrfToken(headers: IncomingHttpHeaders): { token: string; setCookie?: string } {
  const have = cookies(headers.cookie).get(CSRF_COOKIE);
  if (have && TOKEN.test(have)) return { token: have };
  const token = randomBytes(32).toString('base64url');
  return { token, setCookie: `${CSRF_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict` };
}

/** Why a POST is refused, or undefined when it comes from a console page. */
export function forgeryCheck(headers: IncomingHttpHeaders, formToken: string | undefined): string | undefined {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is ${site}`;
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    const host = headers.host ?? '';
    if (origin !== `http://${host}` && origin !== `https://${host}`) return 'the Origin is not the console\'s';
  } else if (origin === 'null') {
    return 'the Origin is opaque';
  }
  const cookie = cookies(headers.cookie).get(CSRF_COOKIE);
  if (!cookie || !formToken || !TOKEN.test(cookie) || cookie.length !== formToken.length) return 'the form token is missing or wrong';
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(formToken)) ? undefined : 'the form token is missing or wrong';
}
