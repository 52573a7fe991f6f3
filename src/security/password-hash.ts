import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Passwords at rest: scrypt (node:crypto), written `scrypt$N$r$p$salt$hash` with salt and hash in Base64.
 * N is the CPU/memory cost (a power of two), r the block size, p the parallelism; scrypt needs 128·N·r bytes.
 */
export interface ScryptHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/**
 * Defaults for hashes made here: N = 2^15, r = 8, p = 1 (32 MiB of memory; 90 to 200 ms of one core where it was measured, idle to loaded).
 * OWASP names N = 2^17 as its minimum for stored password files; 2^15 is chosen because the facade verifies
 * on its request path (behind a short-lived cache) and on four libuv threads: 4 × 128 MiB would be too much.
 */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Bounds accepted in configured hashes: weaker is refused, much stronger would stall every verification. */
const LIMITS = { N: [2 ** 10, 2 ** 20], r: [1, 32], p: [1, 16], salt: 8, hash: 16 } as const;

function maxmem(h: { N: number; r: number; p: number }): number {
  return 128 * h.N * h.r * 2 + 1024 * 1024;
}

export function hashPassword(password: string, params: { N: number; r: number; p: number } = DEFAULT_SCRYPT): string {
  const salt = randomBytes(SALT_BYTES);
  const hash = scryptSync(password.normalize('NFC'), salt, HASH_BYTES, { ...params, maxmem: maxmem(params) });
  return formatHash({ ...params, salt, hash });
}

export function formatHash(h: ScryptHash): string {
  return `scrypt$${h.N}$${h.r}$${h.p}$${h.salt.toString('base64')}$${h.hash.toString('base64')}`;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads `scrypt$N$r$p$salt$hash`; a string says what is wrong (never echoing the value, which is a secret). */
export function parsePasswordHash(text: string): ScryptHash | string {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'must have the form scrypt$N$r$p$salt$hash';
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,9}$/.test(s) ? Number(s) : NaN)) as [number, number, number];
  if (!(N >= LIMITS.N[0] && N <= LIMITS.N[1]) || (N & (N - 1)) !== 0) return `has N=${parts[1]}; N must be a power of two from ${LIMITS.N[0]} to ${LIMITS.N[1]}`;
  if (!(r >= LIMITS.r[0] && r <= LIMITS.r[1])) return `has r=${parts[2]}; r must be from ${LIMITS.r[0]} to ${LIMITS.r[1]}`;
  if (!(p >= LIMITS.p[0] && p <= LIMITS.p[1])) return `has p=${parts[3]}; p must be from ${LIMITS.p[0]} to ${LIMITS.p[1]}`;
  const [salt64, hash64] = [parts[4]!, parts[5]!];
  if (!B64.test(salt64) || !B64.test(hash64)) return 'must give salt and hash in Base64';
  const salt = Buffer.from(salt64, 'base64');
  const hash = Buffer.from(hash64, 'base64');
  if (salt.length < LIMITS.salt) return `has a salt of ${salt.length} bytes; at least ${LIMITS.salt} are needed`;
  if (hash.length < LIMITS.hash) return `has a hash of ${hash.length} bytes; at least ${LIMITS.hash} are needed`;
  return { N, r, p, salt, hash };
}

/**
 * Checks a password against its hash off the event loop (scrypt runs on the libuv pool). Comparison is in
 * constant time; the cost is the same whether the password is right or wrong.
 */
export function verifyPassword(h: ScryptHash, password: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmem(h) }, (err, derived) => {
      if (err) reject(err);
      else resolve(timingSafeEqual(derived, h.hash));
    });
  });
}

/** Constant-time equality of two byte strings of any lengths (a length mismatch still costs a comparison). */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
