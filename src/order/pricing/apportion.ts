/**
 * Spreading one shown (already rounded) amount over lines so that the shown line
 * parts add up to it exactly.
 */
import type Big from 'big.js';
import { ZERO, roundRatio, sum, type Ratio } from './exact.js';

export interface ApportionInput {
  /** Each line's exact, non-negative part; they add up (exactly) to about `target`. */
  readonly exactParts: readonly Ratio[];
  /** The rounded total the shown parts must add up to; ≥ 0. */
  readonly target: Big;
  /** Line indexes in the order they take the rounding remainder (first takes it all if it can). */
  readonly remainderOrder: readonly number[];
  /** Optional per-line upper bound on the shown part (a discount never exceeds the item price). */
  readonly caps?: readonly Big[];
  readonly minorUnits: number;
}

/**
 * Each part is rounded once (half-even); the difference between the target and the
 * sum of the rounded parts (the remainder, a few minor units at most) then goes to
 * the first line of `remainderOrder`. Parts stay within [0, cap]: if that line cannot
 * take the whole remainder without leaving those bounds, the rest moves on to the next
 * line in the order. This only happens with tiny amounts (e.g. 0.03 spread over five
 * lines) but without it a line could show a positive discount or a negative charge.
 * Returns undefined when the target cannot be met within the bounds.
 */
export function apportion(input: ApportionInput): Big[] | undefined {
  const { exactParts, target, remainderOrder, caps, minorUnits } = input;
  const shown = exactParts.map((part, i) => {
    const rounded = roundRatio(part, minorUnits);
    const cap = caps?.[i];
    // Rounding is monotone, so in-bound exact parts stay in bounds; clamp defensively.
    if (rounded.lt(ZERO)) return ZERO;
    return cap !== undefined && rounded.gt(cap) ? cap : rounded;
  });
  let remainder = target.minus(sum(shown));
  for (const i of remainderOrder) {
    if (remainder.eq(ZERO)) break;
    const current = shown[i];
    if (current === undefined) continue;
    const cap = caps?.[i];
    let move: Big;
    if (remainder.gt(ZERO)) {
      const room = cap === undefined ? remainder : cap.minus(current);
      move = room.lt(remainder) ? room : remainder;
    } else {
      // Taking back: a part cannot go below zero.
      move = current.lt(remainder.abs()) ? ZERO.minus(current) : remainder;
    }
    shown[i] = current.plus(move);
    remainder = remainder.minus(move);
  }
  return remainder.eq(ZERO) ? shown : undefined;
}
