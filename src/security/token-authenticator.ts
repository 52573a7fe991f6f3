import { createHmac, randomBytes } from 'node:crypto';
import type { ErrorCode, ErrorParams } from '../errors/error-catalogue.js';
import type { Principal } from '../soap/bod-operation.js';
import { NonceCache } from './nonce-cache.js';
import { constantTimeEqual, DEFAULT_SCRYPT, hashPassword, parsePasswordHash, verifyPassword, type ScryptHash } from './password-hash.js';
import type { SecuritySettings, UserRecord } from './user-directory.js';
import { parseCreated, passwordDigest, type UsernameToken } from './username-token.js';

export type AuthOutcome =
  | { readonly ok: true; readonly principal: Principal }
  /** `reason` is for the log only; the caller sees `code`, which never says whether the user exists. */
  | { readonly ok: false; readonly code: ErrorCode; readonly params?: ErrorParams; readonly reason: string };

/** Most successful PasswordText checks remembered at once; beyond, the oldest is forgotten (costing one scrypt). */
const VERIFIED_MAX = 10_000;
/**
 * scrypt runs on the libuv pool (4 threads by default), which file and DNS work share: at most this many run at
 * once, so a flood of wrong passwords queues here instead of starving the pool. Cache hits never wait.
 */
const SCRYPT_CONCURRENCY = 2;

/**
 * Checks a UsernameToken against the configured users. Freshness first (needs no user), then the secret, then
 * (PasswordDigest) the nonce: a replay is reported only to someone who presented a valid digest, and failed
 * attempts never fill the nonce cache.
 *
 * PasswordText costs one scrypt (tens of ms, off the event loop); a success is remembered for verifyCacheS under
 * an HMAC of name and password with a per-process key, so the hot path pays one HMAC. Unknown users cost the same
 * scrypt against a dummy hash, so timing does not tell them apart from a wrong password.
 */
export class TokenAuthenticator {
  private readonly nonces: NonceCache;
  private readonly verified = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly cacheKey = randomBytes(32);
  private readonly dummy: ScryptHash;
  private readonly dummySecret = randomBytes(16);
  private readonly maxAgeMs: number;
  private readonly skewMs: number;
  private scryptRunning = 0;
  private readonly scryptWaiting: (() => void)[] = [];

  constructor(private readonly settings: SecuritySettings) {
    this.maxAgeMs = settings.tokenMaxAgeS * 1000;
    this.skewMs = settings.clockSkewS * 1000;
    this.nonces = new NonceCache(settings.nonceCacheEntries, this.maxAgeMs);
    // Same cost as the users' hashes (the first user's, else the default), so a miss takes as long as a hit.
    const { N, r, p } = settings.users.values().next().value?.hash ?? DEFAULT_SCRYPT;
    this.dummy = parsePasswordHash(hashPassword(randomBytes(16).toString('base64'), { N, r, p })) as ScryptHash;
  }

  async authenticate(token: UsernameToken, nowMs: number): Promise<AuthOutcome> {
    let createdMs: number | undefined;
    if (token.created !== undefined) {
      createdMs = parseCreated(token.created);
      if (createdMs === undefined) return { ok: false, code: 'AUTH_TOKEN_INVALID', params: { detail: 'wsu:Created is not an xs:dateTime' }, reason: 'bad Created' };
      if (createdMs < nowMs - this.maxAgeMs || createdMs > nowMs + this.skewMs) return this.stale(token.created, 'Created outside the window');
    }
    const user = this.settings.users.get(token.username);
    if (token.passwordType === 'PasswordDigest') {
      if (!token.nonce || token.created === undefined || createdMs === undefined) {
        return { ok: false, code: 'AUTH_TOKEN_INVALID', params: { detail: 'PasswordDigest needs wsse:Nonce and wsu:Created' }, reason: 'digest without nonce or created' };
      }
      const ok = this.checkDigest(user, token.password, token.nonce, token.created);
      if (!ok) return this.failed(user ? (user.digestSecret ? 'wrong password (digest)' : 'user does not accept PasswordDigest') : 'unknown user');
      // Keyed by the decoded bytes: Base64 has several spellings of one value ("AA", "AA==", "AB=="), and the
      // digest covers only the bytes, so a respelled nonce must still count as the same nonce.
      const verdict = this.nonces.admit(Buffer.from(token.nonce, 'base64').toString('base64'), createdMs, nowMs);
      if (verdict === 'replayed') return { ok: false, code: 'AUTH_REPLAYED', reason: 'nonce seen before' };
      if (verdict === 'below-floor') return this.stale(token.created, 'nonce cache full; token older than its floor');
      return { ok: true, principal: { name: user!.name, role: user!.role } };
    }
    const ok = await this.checkText(user, token.username, token.password, nowMs);
    if (!ok) return this.failed(user ? 'wrong password' : 'unknown user');
    return { ok: true, principal: { name: user!.name, role: user!.role } };
  }

  /** Entries in the PasswordText verification cache (for tests and metrics). */
  get cachedVerifications(): number {
    return this.verified.size;
  }

  private checkDigest(user: UserRecord | undefined, sent: string, nonce: string, created: string): boolean {
    const expected = passwordDigest(nonce, created, user?.digestSecret ?? this.dummySecret);
    const match = constantTimeEqual(Buffer.from(sent, 'base64'), expected);
    return match && user?.digestSecret !== undefined;
  }

  private async checkText(user: UserRecord | undefined, name: string, password: string, nowMs: number): Promise<boolean> {
    const key = createHmac('sha256', this.cacheKey).update(name).update('\0').update(password).digest('base64');
    const until = this.verified.get(key);
    if (until !== undefined) {
      if (until >= nowMs && user) return true;
      this.verified.delete(key);
    }
    // Concurrent requests with the same credentials share one scrypt.
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limited(() => verifyPassword(user?.hash ?? this.dummy, password)).then((match) => match && user !== undefined);
      this.inFlight.set(key, pending);
      void pending.finally(() => this.inFlight.delete(key)).catch(() => undefined);
    }
    const ok = await pending;
    if (ok && this.settings.verifyCacheS > 0) {
      if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(key, nowMs + this.settings.verifyCacheS * 1000);
    }
    return ok;
  }

  /** Runs `f` when a scrypt slot is free; a finishing run hands its slot straight to the next waiter. */
  private async limited<T>(f: () => Promise<T>): Promise<T> {
    if (this.scryptRunning < SCRYPT_CONCURRENCY) this.scryptRunning++;
    else await new Promise<void>((resolve) => this.scryptWaiting.push(resolve));
    try {
      return await f();
    } finally {
      const next = this.scryptWaiting.shift();
      if (next) next();
      else this.scryptRunning--;
    }
  }

  private failed(reason: string): AuthOutcome {
    return { ok: false, code: 'AUTH_FAILED', reason };
  }

  private stale(created: string, reason: string): AuthOutcome {
    return { ok: false, code: 'AUTH_STALE', params: { created: created.slice(0, 40), maxAgeS: this.settings.tokenMaxAgeS, skewS: this.settings.clockSkewS }, reason };
  }
}
