/**
 * Redelivery as a plain value with pure decision functions, so the relay, the tests and the docs agree on one
 * rule: delay = min(initial × multiplier^(attempt−1), cap) × (1 ± jitter), dead after maxAttempts.
 */
export interface RetryPolicy {
  /** First retry delay, ms (OUTBOX_RETRY_MS). Default 1000. */
  readonly initialDelayMs: number;
  readonly multiplier: number;
  /** Cap, ms. Default 300,000 (5 minutes). */
  readonly maxDelayMs: number;
  /** Fraction of the delay added or taken at random, so many messages failing together do not retry together. */
  readonly jitter: number;
  /** Attempts before a message is dead-lettered. Default 12 (about 40 minutes of trying at the defaults). */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 1000, multiplier: 2, maxDelayMs: 300_000, jitter: 0.2, maxAttempts: 12 };

/** Delay before attempt `attempt + 1`, after `attempt` failed attempts (attempt ≥ 1). `random` in [0, 1). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number = Math.random()): number {
  const base = Math.min(policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1), policy.maxDelayMs);
  const spread = base * policy.jitter * (2 * random - 1);
  return Math.max(0, Math.round(base + spread));
}

export function isExhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}
