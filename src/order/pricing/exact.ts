/**
 * Exact decimal and rational arithmetic for pricing, on big.js.
 *
 * Pricing needs divisions (spreading a discount in proportion to line prices, a
 * shipping charge in proportion to units) whose results are not finite decimals
 * (10.00 / 3). Rounding those quotients early would be a second rounding, so the
 * module keeps such values as exact ratios of two decimals and rounds a ratio only
 * once, when the amount is shown.
 */
import Big from 'big.js';

/**
 * A constructor of our own, so no global Big setting leaks in or out of pricing.
 * DP 0 + roundDown turns `div` into integer truncation, the only division used here
 * (see roundRatio). strict: a JS number passed by mistake throws instead of silently
 * bringing binary floating-point error into money.
 */
const Dec = Big();
Dec.DP = 0;
Dec.RM = Dec.roundDown;
Dec.strict = true;

export const ZERO: Big = Dec('0');
const ONE: Big = Dec('1');
const TWO: Big = Dec('2');
export const HUNDREDTH: Big = Dec('0.01');

/** Plain decimal notation only: no exponent, sign optional, digits on both sides of a point. */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** The value of a plain decimal string, or undefined for anything else ("1e3", "NaN", "", " 1", 5). */
export function parseDecimal(text: unknown): Big | undefined {
  if (typeof text !== 'string' || !PLAIN_DECIMAL.test(text)) return undefined;
  return Dec(text);
}

/** For literals known to be valid. */
export function dec(text: string): Big {
  const value = parseDecimal(text);
  if (value === undefined) throw new Error(`not a plain decimal: ${text}`);
  return value;
}

export function sum(values: readonly Big[]): Big {
  return values.reduce((acc, v) => acc.plus(v), ZERO);
}

export function min(a: Big, b: Big): Big {
  return a.lte(b) ? a : b;
}

/** num / den with den > 0. Kept unreduced; the numbers involved stay small. */
export interface Ratio {
  readonly num: Big;
  readonly den: Big;
}

export function ratio(num: Big, den: Big = ONE): Ratio {
  if (den.lte(ZERO)) throw new Error('ratio denominator must be positive');
  return { num, den };
}

export function addRatio(a: Ratio, b: Ratio): Ratio {
  // Same denominator is the common case (shares of one spread); avoid growing it.
  if (a.den.eq(b.den)) return { num: a.num.plus(b.num), den: a.den };
  return { num: a.num.times(b.den).plus(b.num.times(a.den)), den: a.den.times(b.den) };
}

export function subRatio(a: Ratio, b: Ratio): Ratio {
  return addRatio(a, { num: b.num.times(Dec('-1')), den: b.den });
}

export function scaleRatio(a: Ratio, factor: Big): Ratio {
  return { num: a.num.times(factor), den: a.den };
}

export function cmpRatio(a: Ratio, b: Ratio): number {
  // Denominators are positive, so cross-multiplying keeps the order.
  return a.num.times(b.den).cmp(b.num.times(a.den));
}

const scaleCache = new Map<number, { up: Big; down: Big }>();
function scale(minorUnits: number): { up: Big; down: Big } {
  let s = scaleCache.get(minorUnits);
  if (s === undefined) {
    const up = Dec('10').pow(minorUnits);
    // 10^-m written out, since div would truncate under DP 0.
    const down = minorUnits === 0 ? ONE : Dec(`0.${'0'.repeat(minorUnits - 1)}1`);
    s = { up, down };
    scaleCache.set(minorUnits, s);
  }
  return s;
}

/**
 * Round an exact ratio to `minorUnits` decimals, half-even, in one step.
 * q = truncated quotient in minor units, r = exact remainder; comparing 2|r| with the
 * denominator decides the rounding without ever forming an approximate quotient.
 */
export function roundRatio(value: Ratio, minorUnits: number): Big {
  const { up, down } = scale(minorUnits);
  const scaled = value.num.times(up);
  let q = scaled.div(value.den); // integer, truncated toward zero (Dec.DP = 0, roundDown)
  const remainder = scaled.minus(q.times(value.den));
  const c = remainder.abs().times(TWO).cmp(value.den);
  const qIsOdd = !q.mod(TWO).eq(ZERO);
  if (c > 0 || (c === 0 && qIsOdd)) q = scaled.lt(ZERO) ? q.minus(ONE) : q.plus(ONE);
  return q.times(down);
}

export function round(value: Big, minorUnits: number): Big {
  return roundRatio(ratio(value), minorUnits);
}

/** Exactly `minorUnits` decimals, never exponent notation, and never "-0.00". */
export function format(value: Big, minorUnits: number): string {
  return (value.eq(ZERO) ? ZERO : value).toFixed(minorUnits);
}
