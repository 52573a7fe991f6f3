import type { RequestOutcome } from '../errors/error-catalogue.js';
import type { DispatchObserver } from '../soap/bod-operation.js';

/** Requests of one minute by outcome. */
export interface MinuteCounts {
  /** ISO 8601, the minute's start. */
  readonly minute: string;
  readonly ok: number;
  readonly bod_error: number;
  readonly fault: number;
}

const MINUTE_MS = 60_000;

/**
 * Requests per minute by outcome for the last `minutes` minutes, counted as the dispatcher answers (the same
 * observer events /metrics counts): a ring of minute slots, three numbers each, so the hot path adds one to a
 * typed array. Per process; the console's overview reads it.
 */
export class RequestRates implements DispatchObserver {
  private readonly counts: Float64Array;
  private readonly minuteOf: Float64Array;

  constructor(private readonly minutes = 60, private readonly now: () => number = Date.now) {
    this.counts = new Float64Array(minutes * 3);
    this.minuteOf = new Float64Array(minutes).fill(-1);
  }

  onAnswer(e: { outcome: RequestOutcome }): void {
    const m = Math.floor(this.now() / MINUTE_MS);
    const slot = m % this.minutes;
    if (this.minuteOf[slot] !== m) {
      this.minuteOf[slot] = m;
      this.counts.fill(0, slot * 3, slot * 3 + 3);
    }
    this.counts[slot * 3 + (e.outcome === 'ok' ? 0 : e.outcome === 'bod_error' ? 1 : 2)]!++;
  }

  /** The last `n` minutes (the current one included), oldest first; minutes without requests count 0. */
  lastMinutes(n = 15): MinuteCounts[] {
    const current = Math.floor(this.now() / MINUTE_MS);
    const out: MinuteCounts[] = [];
    for (let m = current - Math.min(n, this.minutes) + 1; m <= current; m++) {
      const slot = m % this.minutes;
      const here = this.minuteOf[slot] === m;
      const c = (i: number) => (here ? this.counts[slot * 3 + i]! : 0);
      out.push({ minute: new Date(m * MINUTE_MS).toISOString(), ok: c(0), bod_error: c(1), fault: c(2) });
    }
    return out;
  }
}
