/**
 * The pricing step of ProcessOrder Prepare: promotions, shipping charges, sales tax
 * and shipping tax. Pure functions, no I/O; all money arithmetic is exact decimal
 * (big.js), never JS floating point.
 *
 * Rules
 * 1. Item price = quantity × unit price, exact.
 * 2. Promotions: item-amount-off: amountPerUnit × quantity on matching lines (same
 *    catentryId), never more than the line's item price (item-level promotions on one
 *    line are taken in configured order, each capped at what the earlier ones left).
 *    order-percent-off and order-amount-off: when the subtotal (sum of item prices after
 *    item-level adjustments) ≥ minimumSubtotal; percent of that subtotal, or the fixed
 *    amount (capped at the subtotal); the order-level discount is spread over lines in
 *    proportion to their net price, with the remainder (from rounding) on the line with
 *    the largest net price (ties: the first such line) so the line adjustments sum
 *    exactly to the order discount. At most one order-level promotion applies: the one
 *    giving the largest discount (ties: first configured). Item-level promotions stack
 *    with it. A promotion with `code` applies only when the order carries that code
 *    (case-insensitive, surrounding spaces ignored); without `code` it applies
 *    automatically. Given codes that match no configured promotion are reported as
 *    unknownCodes (a code that matches a promotion whose threshold is not met is not
 *    unknown). A promotion that comes to nothing (0 after rounding) is not listed.
 * 3. Shipping per ship mode: for each ship mode used by the order, perOrder once +
 *    perUnit × units on that mode; `PickupInStore` is always free; free when
 *    `freeOverSubtotal` is set and the order subtotal after adjustments ≥ it. A mode's
 *    charge is spread over its lines in proportion to units, remainder on the last line
 *    of that mode. Ship mode codes match exactly (case-sensitive).
 * 4. Tax: by ship-to (or, for PickupInStore, the pickup store's address, falling back to
 *    ship-to when the store address is missing) country+state: the most specific
 *    matching TaxRateConfig (country+state beats country only; no match or no address
 *    → 0). Sales tax = (item price + adjustment) × salesRate per line; shipping tax =
 *    line shipping charge × shippingRate.
 * 5. Rounding: every amount that is shown (each line's itemPrice, adjustment,
 *    shippingCharge, salesTax, shippingTax, each promotion amount) is computed exactly
 *    from unrounded inputs and rounded ONCE to the currency's minor units, half-even
 *    (banker's rounding); totals are sums of the rounded line amounts, so they need no
 *    rounding and the lines always add up to the totals. grandTotal = product +
 *    adjustment + shipping + sales tax + shipping tax. Every output string is formatted
 *    with exactly `minorUnits` decimals ("57.97", "0.00"), never exponent notation,
 *    negatives as "-5.00".
 *    What "exactly" means here:
 *    - proportional shares (a discount or charge split over lines) are kept as exact
 *      fractions, not decimals cut to some precision, until they are rounded;
 *    - taxes use the exact (unrounded) line net and shipping share, so a line that took
 *      a spread remainder is still taxed on its exact share;
 *    - thresholds (minimumSubtotal, freeOverSubtotal) compare exact subtotals;
 *    - the spread remainders of rules 2 and 3 are the one deliberate exception: the
 *      line taking one shows its rounded share plus the remainder. A remainder never
 *      makes a line's adjustment positive or larger than its item price, nor a shipping
 *      charge negative; what such a line cannot take goes to the next line in the same
 *      order (next largest net price / previous line of the mode). Only tiny amounts
 *      (e.g. 0.03 spread over five lines) ever need that.
 *    - a promotion amount is also capped at the shown item prices not yet discounted, so
 *      adjustments can always be spread within them; this only bites with unit prices
 *      finer than the currency's minor unit.
 * 6. Input checks: quantities and prices must be plain decimals (no exponent, no
 *    NaN/Infinity), quantity > 0, price ≥ 0; an unknown ship mode code is an error result
 *    naming it; so are a duplicate orderItemId and an invalid configuration
 *    (validatePricingConfig).
 */
import type Big from 'big.js';
import { apportion } from './apportion.js';
import {
  HUNDREDTH,
  ZERO,
  addRatio,
  cmpRatio,
  dec,
  format,
  min,
  parseDecimal,
  ratio,
  round,
  roundRatio,
  scaleRatio,
  subRatio,
  sum,
  type Ratio,
} from './exact.js';
import { findTaxRate, validatePricingConfig } from './pricing-config.js';
import {
  PICKUP_IN_STORE,
  type AppliedPromotion,
  type PricedLine,
  type PricingConfig,
  type PricingLine,
  type PricingResult,
  type PromotionConfig,
  type ShipModeConfig,
} from './pricing-types.js';

export type {
  AppliedPromotion,
  PricedLine,
  PricedOrder,
  PricingConfig,
  PricingLine,
  PricingResult,
  PromotionConfig,
  ShipModeConfig,
  TaxRateConfig,
} from './pricing-types.js';
export { PICKUP_IN_STORE } from './pricing-types.js';
export { validatePricingConfig } from './pricing-config.js';

interface ParsedLine {
  readonly line: PricingLine;
  readonly quantity: Big;
  readonly itemExact: Big;
  readonly itemShown: Big;
  /** undefined for PickupInStore. */
  readonly shipMode: ShipModeConfig | undefined;
}

/** Reads an index the code has just built; a miss is a programming error. */
function at<T>(values: readonly T[], i: number): T {
  const value = values[i];
  if (value === undefined) throw new Error(`pricing: no element ${i}`);
  return value;
}

function fail(reason: string): PricingResult {
  return { ok: false, reason };
}

function parseLines(lines: readonly PricingLine[], config: PricingConfig): ParsedLine[] | string {
  if (!Array.isArray(lines)) return 'lines: must be a list';
  const m = config.minorUnits;
  const seen = new Set<string>();
  const parsed: ParsedLine[] = [];
  for (const [i, line] of lines.entries()) {
    const where = `lines[${i}]`;
    const who = `(order item ${JSON.stringify(line.orderItemId)})`;
    const quantity = parseDecimal(line.quantity);
    if (quantity === undefined) return `${where}.quantity: not a plain decimal (${JSON.stringify(line.quantity)}) ${who}`;
    if (quantity.lte(ZERO)) return `${where}.quantity: must be greater than 0 (${line.quantity}) ${who}`;
    const unitPrice = parseDecimal(line.unitPrice);
    if (unitPrice === undefined) return `${where}.unitPrice: not a plain decimal (${JSON.stringify(line.unitPrice)}) ${who}`;
    if (unitPrice.lt(ZERO)) return `${where}.unitPrice: must be 0 or more (${line.unitPrice}) ${who}`;
    let shipMode: ShipModeConfig | undefined;
    if (line.shipModeCode !== PICKUP_IN_STORE) {
      shipMode = config.shipModes.find((mode) => mode.code === line.shipModeCode);
      if (shipMode === undefined) return `${where}.shipModeCode: unknown ship mode ${JSON.stringify(line.shipModeCode)} ${who}`;
    }
    if (seen.has(line.orderItemId)) return `${where}.orderItemId: duplicate ${JSON.stringify(line.orderItemId)}`;
    seen.add(line.orderItemId);
    const itemExact = quantity.times(unitPrice);
    parsed.push({ line, quantity, itemExact, itemShown: round(itemExact, m), shipMode });
  }
  return parsed;
}

interface Applied {
  readonly index: number;
  readonly promo: PromotionConfig;
  readonly shown: Big;
  /** The promotion's exact (positive) discount on each line: what a line's adjustment is split by per promotion. */
  readonly parts: readonly Ratio[];
}

/**
 * Promotions: returns each line's exact adjustment (as a positive discount) and the
 * applied promotions with their shown (rounded, positive) amounts.
 */
function applyPromotions(
  parsed: readonly ParsedLine[],
  config: PricingConfig,
  isActive: (promo: PromotionConfig) => boolean,
): { discounts: Ratio[]; net: Big[]; applied: Applied[] } {
  const m = config.minorUnits;
  let capacity = sum(parsed.map((p) => p.itemShown));
  const applied: Applied[] = [];
  /** Rounds an exact promotion amount once; undefined when it comes to nothing. */
  const grant = (index: number, promo: PromotionConfig, exact: Big, parts: () => Ratio[]): boolean => {
    if (exact.lte(ZERO)) return false;
    const shown = min(round(exact, m), capacity);
    if (shown.lte(ZERO)) return false;
    capacity = capacity.minus(shown);
    applied.push({ index, promo, shown, parts: parts() });
    return true;
  };

  // Item level, in configured order; each capped by what earlier ones left of the line.
  let itemDiscounts: Big[] = parsed.map(() => ZERO);
  for (const [index, promo] of config.promotions.entries()) {
    if (promo.kind !== 'item-amount-off' || !isActive(promo)) continue;
    const perUnit = dec(promo.amountPerUnit);
    const parts = parsed.map((p, i) =>
      p.line.catentryId === promo.catentryId ? min(perUnit.times(p.quantity), p.itemExact.minus(at(itemDiscounts, i))) : ZERO,
    );
    if (grant(index, promo, sum(parts), () => parts.map((x) => ratio(x)))) itemDiscounts = itemDiscounts.map((d, i) => d.plus(at(parts, i)));
  }

  // Order level: the largest eligible discount wins; strict > keeps the first on ties.
  const net = parsed.map((p, i) => p.itemExact.minus(at(itemDiscounts, i)));
  const subtotal = sum(net);
  let best: { index: number; promo: PromotionConfig; exact: Big } | undefined;
  for (const [index, promo] of config.promotions.entries()) {
    if (promo.kind === 'item-amount-off' || !isActive(promo)) continue;
    if (subtotal.lt(dec(promo.minimumSubtotal))) continue;
    const exact =
      promo.kind === 'order-percent-off' ? subtotal.times(dec(promo.percent)).times(HUNDREDTH) : min(dec(promo.amount), subtotal);
    if (best === undefined || exact.gt(best.exact)) best = { index, promo, exact };
  }
  let discounts = itemDiscounts.map((d) => ratio(d));
  // subtotal > 0 when a positive discount is granted: it is at most the subtotal.
  const orderShares = (amount: Big): Ratio[] => net.map((n) => ratio(amount.times(n), subtotal));
  if (best !== undefined && grant(best.index, best.promo, best.exact, () => orderShares(best.exact))) {
    discounts = discounts.map((d, i) => addRatio(d, at(orderShares(best.exact), i)));
  }
  applied.sort((a, b) => a.index - b.index);
  return { discounts, net, applied };
}

/** Each line's exact and shown shipping charge. */
function priceShipping(
  parsed: readonly ParsedLine[],
  config: PricingConfig,
  subtotalAfterAdjustments: Ratio,
): { exact: Ratio[]; shown: Big[] } | string {
  const exact: Ratio[] = parsed.map(() => ratio(ZERO));
  const shown: Big[] = parsed.map(() => ZERO);
  const byMode = new Map<string, number[]>();
  parsed.forEach((p, i) => byMode.set(p.line.shipModeCode, [...(byMode.get(p.line.shipModeCode) ?? []), i]));

  for (const [code, indexes] of byMode) {
    const mode = at(parsed, at(indexes, 0)).shipMode;
    if (mode === undefined) continue; // PickupInStore: always free
    const free =
      mode.freeOverSubtotal !== undefined && cmpRatio(subtotalAfterAdjustments, ratio(dec(mode.freeOverSubtotal))) >= 0;
    if (free) continue;
    const units = sum(indexes.map((i) => at(parsed, i).quantity));
    const charge = dec(mode.perOrder).plus(dec(mode.perUnit).times(units));
    if (charge.eq(ZERO)) continue;
    const parts = indexes.map((i) => ratio(charge.times(at(parsed, i).quantity), units));
    const spread = apportion({
      exactParts: parts,
      target: round(charge, config.minorUnits),
      remainderOrder: indexes.map((_, k) => k).reverse(), // last line of the mode first
      minorUnits: config.minorUnits,
    });
    if (spread === undefined) return `internal: could not spread the ${code} shipping charge`;
    indexes.forEach((lineIndex, k) => {
      exact[lineIndex] = at(parts, k);
      shown[lineIndex] = at(spread, k);
    });
  }
  return { exact, shown };
}

/** Trimmed, non-empty, de-duplicated (case-insensitively, first spelling kept). */
function normaliseCodes(codes: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of Array.isArray(codes) ? codes : []) {
    if (typeof raw !== 'string') continue;
    const code = raw.trim();
    if (code === '' || seen.has(code.toLowerCase())) continue;
    seen.add(code.toLowerCase());
    out.push(code);
  }
  return out;
}

export function priceOrder(lines: readonly PricingLine[], config: PricingConfig, promotionCodes: readonly string[]): PricingResult {
  const problems = validatePricingConfig(config);
  if (problems.length > 0) return fail(`invalid pricing configuration: ${problems.join('; ')}`);
  const m = config.minorUnits;
  const parsed = parseLines(lines, config);
  if (typeof parsed === 'string') return fail(parsed);

  const codes = normaliseCodes(promotionCodes);
  const given = new Set(codes.map((c) => c.toLowerCase()));
  const configured = new Set(config.promotions.flatMap((p) => (p.code === undefined ? [] : [p.code.trim().toLowerCase()])));
  const unknownCodes = codes.filter((c) => !configured.has(c.toLowerCase()));
  const isActive = (promo: PromotionConfig): boolean =>
    promo.code === undefined || given.has(promo.code.trim().toLowerCase());

  const { discounts, net, applied } = applyPromotions(parsed, config, isActive);
  // The remainder goes to the largest net price first; Array.sort is stable, so ties keep line order.
  const byNetDesc = parsed.map((_, i) => i).sort((a, b) => at(net, b).cmp(at(net, a)));
  const adjustments = apportion({
    exactParts: discounts,
    target: sum(applied.map((a) => a.shown)),
    remainderOrder: byNetDesc,
    caps: parsed.map((p) => p.itemShown),
    minorUnits: m,
  });
  if (adjustments === undefined) return fail('internal: could not spread the promotion discounts over the lines');

  const lineNets = parsed.map((p, i) => subRatio(ratio(p.itemExact), at(discounts, i)));
  const subtotalAfter = lineNets.reduce(addRatio, ratio(ZERO));
  const shipping = priceShipping(parsed, config, subtotalAfter);
  if (typeof shipping === 'string') return fail(shipping);

  const pricedLines: PricedLine[] = [];
  const cols = { product: [] as Big[], adjustment: [] as Big[], shipping: [] as Big[], salesTax: [] as Big[], shippingTax: [] as Big[] };
  parsed.forEach((p, i) => {
    const place = p.shipMode === undefined ? (p.line.pickupStoreAddress ?? p.line.shipTo) : p.line.shipTo;
    const rate = findTaxRate(config.taxRates, place);
    const salesTax = rate === undefined ? ZERO : roundRatio(scaleRatio(at(lineNets, i), dec(rate.salesRate)), m);
    const shippingTax = rate === undefined ? ZERO : roundRatio(scaleRatio(at(shipping.exact, i), dec(rate.shippingRate)), m);
    const adjustment = ZERO.minus(at(adjustments, i));
    const shippingCharge = at(shipping.shown, i);
    // The line's shown adjustment split over the promotions that made it, by their exact parts on this line.
    // (Should a rounding remainder land where no promotion has a part, the first promotion takes the line's whole.)
    const mine = applied.filter((a) => cmpRatio(at(a.parts, i), ratio(ZERO)) > 0);
    const split = apportion({ exactParts: mine.map((a) => at(a.parts, i)), target: at(adjustments, i), remainderOrder: mine.map((_, k) => k), minorUnits: m });
    const byPromotion: [Applied, Big][] = split ? mine.map((a, k) => [a, at(split, k)]) : applied.length ? [[at(applied, 0), at(adjustments, i)]] : [];
    const promotions = byPromotion.filter(([, v]) => v.gt(ZERO)).map(([a, v]) => ({ id: a.promo.id, amount: format(ZERO.minus(v), m) }));
    cols.product.push(p.itemShown);
    cols.adjustment.push(adjustment);
    cols.shipping.push(shippingCharge);
    cols.salesTax.push(salesTax);
    cols.shippingTax.push(shippingTax);
    pricedLines.push({
      orderItemId: p.line.orderItemId,
      itemPrice: format(p.itemShown, m),
      adjustment: format(adjustment, m),
      shippingCharge: format(shippingCharge, m),
      salesTax: format(salesTax, m),
      shippingTax: format(shippingTax, m),
      promotions,
    });
  });

  const totals = {
    product: sum(cols.product),
    adjustment: sum(cols.adjustment),
    shipping: sum(cols.shipping),
    salesTax: sum(cols.salesTax),
    shippingTax: sum(cols.shippingTax),
  };
  const grandTotal = sum(Object.values(totals));
  const appliedPromotions: AppliedPromotion[] = applied.map(({ promo, shown }) => ({
    id: promo.id,
    description: promo.description,
    ...(promo.code === undefined ? {} : { code: promo.code }),
    kind: promo.kind,
    amount: format(ZERO.minus(shown), m),
  }));

  return {
    ok: true,
    value: {
      lines: pricedLines,
      totals: {
        totalProductPrice: format(totals.product, m),
        totalAdjustment: format(totals.adjustment, m),
        totalShippingCharge: format(totals.shipping, m),
        totalSalesTax: format(totals.salesTax, m),
        totalShippingTax: format(totals.shippingTax, m),
        grandTotal: format(grandTotal, m),
      },
      appliedPromotions,
      unknownCodes,
    },
  };
}
