/**
 * Checking a PricingConfig and looking up its tax rates.
 *
 * The config usually comes from a JSON file, so the checks do not trust the static
 * types: every problem is reported with the path of the setting at fault, all at
 * once, so an operator can fix a file in one pass.
 */
import type Big from 'big.js';
import { ZERO, dec, parseDecimal } from './exact.js';
import { PICKUP_IN_STORE, type PricingConfig, type TaxRateConfig } from './pricing-types.js';

const HUNDRED = dec('100');
const ONE = dec('1');

interface Bounds {
  /** The value must be > 0 rather than ≥ 0. */
  readonly positive?: boolean;
  readonly max?: Big;
}

/** Pushes a problem unless `value` is a plain decimal ≥ 0 (or > 0) and ≤ max. */
function checkAmount(problems: string[], path: string, value: unknown, bounds: Bounds = {}): void {
  const parsed = parseDecimal(value);
  if (parsed === undefined) {
    problems.push(`${path}: not a decimal (${JSON.stringify(value)})`);
  } else if (bounds.positive === true ? parsed.lte(ZERO) : parsed.lt(ZERO)) {
    problems.push(`${path}: must be ${bounds.positive === true ? 'greater than 0' : '0 or more'} (${String(value)})`);
  } else if (bounds.max !== undefined && parsed.gt(bounds.max)) {
    problems.push(`${path}: must be at most ${bounds.max.toString()} (${String(value)})`);
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function checkText(problems: string[], path: string, value: unknown): void {
  if (!isNonEmptyString(value)) problems.push(`${path}: must be a non-empty string`);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Problems with the config, each naming the setting; [] when the config is fine. */
export function validatePricingConfig(config: PricingConfig): string[] {
  const problems: string[] = [];
  const root = asRecord(config);
  if (root === undefined) return ['config: must be an object'];

  if (typeof root['currency'] !== 'string' || !/^[A-Z]{3}$/.test(root['currency'])) {
    problems.push(`currency: must be an ISO 4217 code like "USD" (${JSON.stringify(root['currency'])})`);
  }
  const minorUnits = root['minorUnits'];
  // ISO 4217 currencies use 0 to 4 decimals; allow a little headroom, no more.
  if (typeof minorUnits !== 'number' || !Number.isInteger(minorUnits) || minorUnits < 0 || minorUnits > 6) {
    problems.push(`minorUnits: must be a whole number from 0 to 6 (${JSON.stringify(minorUnits)})`);
  }

  checkShipModes(problems, root['shipModes']);
  checkTaxRates(problems, root['taxRates']);
  checkPromotions(problems, root['promotions']);
  return problems;
}

function checkShipModes(problems: string[], shipModes: unknown): void {
  if (!Array.isArray(shipModes)) {
    problems.push('shipModes: must be a list');
    return;
  }
  const seen = new Set<string>();
  shipModes.forEach((raw: unknown, i) => {
    const path = `shipModes[${i}]`;
    const mode = asRecord(raw);
    if (mode === undefined) {
      problems.push(`${path}: must be an object`);
      return;
    }
    checkText(problems, `${path}.code`, mode['code']);
    if (typeof mode['code'] === 'string') {
      if (seen.has(mode['code'])) problems.push(`${path}.code: duplicate ship mode "${mode['code']}"`);
      seen.add(mode['code']);
    }
    checkAmount(problems, `${path}.perOrder`, mode['perOrder']);
    checkAmount(problems, `${path}.perUnit`, mode['perUnit']);
    if (mode['freeOverSubtotal'] !== undefined) checkAmount(problems, `${path}.freeOverSubtotal`, mode['freeOverSubtotal']);
    // Pickup is free by rule; a configured charge would be silently ignored, so say so.
    if (mode['code'] === PICKUP_IN_STORE) {
      for (const key of ['perOrder', 'perUnit'] as const) {
        const v = parseDecimal(mode[key]);
        if (v !== undefined && !v.eq(ZERO)) problems.push(`${path}.${key}: ${PICKUP_IN_STORE} is always free, must be 0`);
      }
    }
  });
}

function checkTaxRates(problems: string[], taxRates: unknown): void {
  if (!Array.isArray(taxRates)) {
    problems.push('taxRates: must be a list');
    return;
  }
  const seen = new Set<string>();
  taxRates.forEach((raw: unknown, i) => {
    const path = `taxRates[${i}]`;
    const rate = asRecord(raw);
    if (rate === undefined) {
      problems.push(`${path}: must be an object`);
      return;
    }
    checkText(problems, `${path}.country`, rate['country']);
    if (rate['state'] !== undefined) checkText(problems, `${path}.state`, rate['state']);
    // Rates are fractions; 6.25 % is "0.0625", so anything above 1 is a likely percent mix-up.
    checkAmount(problems, `${path}.salesRate`, rate['salesRate'], { max: ONE });
    checkAmount(problems, `${path}.shippingRate`, rate['shippingRate'], { max: ONE });
    if (typeof rate['country'] === 'string') {
      const key = placeKey(rate['country'], typeof rate['state'] === 'string' ? rate['state'] : undefined);
      // Two rates for one place would make the lookup depend on list order.
      if (seen.has(key)) problems.push(`${path}: duplicate rate for ${key}`);
      seen.add(key);
    }
  });
}

function checkPromotions(problems: string[], promotions: unknown): void {
  if (!Array.isArray(promotions)) {
    problems.push('promotions: must be a list');
    return;
  }
  const seen = new Set<string>();
  promotions.forEach((raw: unknown, i) => {
    const path = `promotions[${i}]`;
    const promo = asRecord(raw);
    if (promo === undefined) {
      problems.push(`${path}: must be an object`);
      return;
    }
    checkText(problems, `${path}.id`, promo['id']);
    if (typeof promo['id'] === 'string') {
      if (seen.has(promo['id'])) problems.push(`${path}.id: duplicate promotion id "${promo['id']}"`);
      seen.add(promo['id']);
    }
    if (typeof promo['description'] !== 'string') problems.push(`${path}.description: must be a string`);
    if (promo['code'] !== undefined) checkText(problems, `${path}.code`, promo['code']);
    switch (promo['kind']) {
      case 'order-percent-off':
        checkAmount(problems, `${path}.percent`, promo['percent'], { positive: true, max: HUNDRED });
        checkAmount(problems, `${path}.minimumSubtotal`, promo['minimumSubtotal']);
        break;
      case 'order-amount-off':
        checkAmount(problems, `${path}.amount`, promo['amount'], { positive: true });
        checkAmount(problems, `${path}.minimumSubtotal`, promo['minimumSubtotal']);
        break;
      case 'item-amount-off':
        checkText(problems, `${path}.catentryId`, promo['catentryId']);
        checkAmount(problems, `${path}.amountPerUnit`, promo['amountPerUnit'], { positive: true });
        break;
      default:
        problems.push(`${path}.kind: unknown promotion kind ${JSON.stringify(promo['kind'])}`);
    }
  });
}

function placeKey(country: string, state: string | undefined): string {
  const c = country.trim().toUpperCase();
  return state === undefined ? c : `${c}-${state.trim().toUpperCase()}`;
}

/**
 * The most specific rate for a place: country + state beats country only; no match
 * (or no place at all) → undefined, i.e. no tax. Comparison ignores case and spaces
 * around the codes, since addresses arrive as typed in the storefront.
 */
export function findTaxRate(
  taxRates: readonly TaxRateConfig[],
  place: { readonly country: string; readonly state?: string } | undefined,
): TaxRateConfig | undefined {
  if (place === undefined) return undefined;
  const country = placeKey(place.country, undefined);
  const exact = place.state === undefined ? undefined : placeKey(place.country, place.state);
  let countryOnly: TaxRateConfig | undefined;
  for (const rate of taxRates) {
    if (rate.state === undefined) {
      if (countryOnly === undefined && placeKey(rate.country, undefined) === country) countryOnly = rate;
    } else if (exact !== undefined && placeKey(rate.country, rate.state) === exact) {
      return rate;
    }
  }
  return countryOnly;
}
