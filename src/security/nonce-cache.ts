/**
 * The nonces of accepted PasswordDigest tokens, each kept until its token goes stale (Created + window): after
 * that the freshness check refuses a replay on its own. Bounded: when full, the oldest entry is dropped and the
 * cache raises its floor to that token's Created, so any token created at or before the floor is refused as
 * stale instead of slipping through as unseen. Under overload it refuses old tokens; it never admits a replay.
 */
export type NonceVerdict = 'fresh' | 'replayed' | 'below-floor';

export class NonceCache {
  /** nonce → Created of the token that used it, ms; in insertion order, which is about Created order. */
  private readonly entries = new Map<string, number>();
  private floorMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxEntries: number, private readonly windowMs: number) {}

  /** Records `nonce` for a token created at `createdMs`, unless it was seen within the window. */
  admit(nonce: string, createdMs: number, nowMs: number): NonceVerdict {
    this.expire(nowMs);
    const seen = this.entries.get(nonce);
    if (seen !== undefined && seen + this.windowMs >= nowMs) return 'replayed';
    if (createdMs <= this.floorMs) return 'below-floor';
    if (seen !== undefined) this.entries.delete(nonce);
    while (this.entries.size >= this.maxEntries) {
      const [oldest, created] = this.entries.entries().next().value as [string, number];
      this.entries.delete(oldest);
      if (created > this.floorMs) this.floorMs = created;
    }
    this.entries.set(nonce, createdMs);
    return 'fresh';
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries from the front; amortised O(1) per admit. */
  private expire(nowMs: number): void {
    for (const [nonce, created] of this.entries) {
      if (created + this.windowMs >= nowMs) break;
      this.entries.delete(nonce);
    }
  }
}
