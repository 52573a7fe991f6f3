import Big from 'big.js';
import { expect } from 'chai';
import {
  priceOrder,
  validatePricingConfig,
  type PricedOrder,
  type PricingConfig,
  type PricingLine,
  type PromotionConfig,
} from '../../src/order/pricing/order-pricing.js';

/** mulberry32: a tiny seeded PRNG, so a failing order can be reproduced from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, values: readonly T[]): T => {
  const i = int(r, 0, values.length - 1);
  if (i >= values.length) throw new Error('empty choice');
  return values[i] as T;
};

/** An integer written with `decimals` decimals, built from digits (no floats): (1234, 2) → "12.34". */
function decimalString(value: number, decimals: number): string {
  const digits = String(value).padStart(decimals + 1, '0');
  return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

function randomConfig(r: Rand): PricingConfig {
  const minorUnits = r() < 0.25 ? 0 : 2;
  const money = (max: number): string => decimalString(int(r, 0, max * 10 ** minorUnits), minorUnits);
  const rate = (): string => decimalString(int(r, 0, 1500), 4); // 0 to 15 %
  const codes = ['SAVE', 'VIP', 'Spring'];
  const promotions: PromotionConfig[] = [];
  for (let i = 0; i < int(r, 0, 4); i++) {
    const code = r() < 0.4 ? { code: pick(r, codes) } : {};
    const id = `P${i}`;
    const kind = pick(r, ['order-percent-off', 'item-amount-off', 'order-amount-off'] as const);
    if (kind === 'order-percent-off') {
      promotions.push({ id, kind, description: id, percent: decimalString(int(r, 1, 5000), 2), minimumSubtotal: money(150), ...code });
    } else if (kind === 'order-amount-off') {
      promotions.push({ id, kind, description: id, amount: decimalString(int(r, 1, 8000), minorUnits + 1), minimumSubtotal: money(100), ...code });
    } else {
      promotions.push({ id, kind, description: id, catentryId: `c${int(r, 0, 3)}`, amountPerUnit: decimalString(int(r, 1, 3000), 3), ...code });
    }
  }
  return {
    currency: minorUnits === 0 ? 'JPY' : 'USD',
    minorUnits,
    shipModes: [
      { code: 'Standard', perOrder: money(10), perUnit: money(3), ...(r() < 0.5 ? { freeOverSubtotal: money(120) } : {}) },
      { code: 'Express', perOrder: money(20), perUnit: decimalString(int(r, 0, 999), 3) },
    ],
    taxRates: [
      { country: 'US', state: 'IL', salesRate: rate(), shippingRate: rate() },
      { country: 'US', salesRate: rate(), shippingRate: rate() },
      { country: 'CA', state: 'ON', salesRate: rate(), shippingRate: rate() },
    ],
    promotions,
  };
}

function randomLines(r: Rand, minorUnits: number): PricingLine[] {
  const places = [{ country: 'US', state: 'IL' }, { country: 'US', state: 'TX' }, { country: 'CA', state: 'ON' }, { country: 'FR' }, undefined];
  const lines: PricingLine[] = [];
  for (let i = 0; i < int(r, 0, 7); i++) {
    const quantity = r() < 0.7 ? String(int(r, 1, 5)) : decimalString(int(r, 1, 5000), int(r, 1, 3));
    // Mostly currency precision, sometimes one digit finer, sometimes free.
    const unitPrice = r() < 0.1 ? '0' : decimalString(int(r, 1, 9999 * 10), minorUnits + (r() < 0.25 ? 1 : 0));
    const shipModeCode = pick(r, ['Standard', 'Express', 'PickupInStore']);
    const place = pick(r, places);
    const where = place === undefined ? {} : shipModeCode === 'PickupInStore' ? { pickupStoreAddress: place } : { shipTo: place };
    lines.push({ orderItemId: String(9000 + i), catentryId: `c${int(r, 0, 3)}`, quantity, unitPrice, shipModeCode, ...where });
  }
  return lines;
}

function randomCodes(r: Rand): string[] {
  const codes: string[] = [];
  if (r() < 0.5) codes.push(pick(r, ['save', 'SAVE', 'vip', ' Spring ', 'spring']));
  if (r() < 0.3) codes.push(pick(r, ['NOPE', 'expired']));
  return codes;
}

function checkInvariants(o: PricedOrder, lines: readonly PricingLine[], config: PricingConfig, codes: readonly string[]): void {
  const m = config.minorUnits;
  const shape = m === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${m}}$`);
  const all = [
    ...o.lines.flatMap((l) => [l.itemPrice, l.adjustment, l.shippingCharge, l.salesTax, l.shippingTax]),
    ...Object.values(o.totals),
    ...o.appliedPromotions.map((p) => p.amount),
  ];
  for (const s of all) {
    expect(s, 'format').to.match(shape);
    expect(Big(s).eq(0) && s.startsWith('-'), `negative zero ${s}`).to.equal(false);
  }

  const sum = (values: readonly string[]): Big => values.reduce((acc, v) => acc.plus(v), Big(0));
  const columns = [
    ['itemPrice', 'totalProductPrice'],
    ['adjustment', 'totalAdjustment'],
    ['shippingCharge', 'totalShippingCharge'],
    ['salesTax', 'totalSalesTax'],
    ['shippingTax', 'totalShippingTax'],
  ] as const;
  for (const [lineKey, totalKey] of columns) {
    expect(sum(o.lines.map((l) => l[lineKey])).eq(o.totals[totalKey]), `${lineKey} lines sum to ${totalKey}`).to.equal(true);
  }
  const { grandTotal, ...five } = o.totals;
  expect(sum(Object.values(five)).eq(grandTotal), 'grandTotal is the sum of the five totals').to.equal(true);
  expect(sum(o.appliedPromotions.map((p) => p.amount)).eq(o.totals.totalAdjustment), 'promotions sum to totalAdjustment').to.equal(true);

  o.lines.forEach((l, i) => {
    const input = lines[i];
    if (input === undefined) throw new Error('line count differs');
    expect(l.orderItemId).to.equal(input.orderItemId);
    // An independent half-even rounding of the exact item price.
    expect(l.itemPrice).to.equal(Big(input.quantity).times(input.unitPrice).round(m, Big.roundHalfEven).toFixed(m));
    expect(Big(l.adjustment).lte(0), 'adjustment ≤ 0').to.equal(true);
    expect(Big(l.adjustment).abs().lte(l.itemPrice), 'adjustment within item price').to.equal(true);
    // The per-promotion split a transfer sends DOM adds up to the line's adjustment, to the cent.
    expect(l.promotions.reduce((t, p) => t.plus(p.amount), Big(0)).eq(l.adjustment), 'promotions add up to the adjustment').to.equal(true);
    for (const v of [l.shippingCharge, l.salesTax, l.shippingTax]) expect(Big(v).gte(0), 'charges and taxes ≥ 0').to.equal(true);
    if (input.shipModeCode === 'PickupInStore') expect(Big(l.shippingCharge).eq(0), 'pickup is free').to.equal(true);
  });

  for (const p of o.appliedPromotions) expect(Big(p.amount).lt(0), 'applied promotion amounts are negative').to.equal(true);
  const orderLevel = o.appliedPromotions.filter((p) => config.promotions.find((c) => c.id === p.id)?.kind !== 'item-amount-off');
  expect(orderLevel.length, 'at most one order-level promotion').to.be.at.most(1);
  const given = codes.map((c) => c.trim().toLowerCase());
  for (const u of o.unknownCodes) expect(given).to.include(u.toLowerCase());
}

describe('priceOrder invariants over generated orders', () => {
  it('holds for 200 seeded random orders (USD and JPY)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = prng(seed);
      const config = randomConfig(r);
      expect(validatePricingConfig(config), `seed ${seed} config`).to.deep.equal([]);
      const lines = randomLines(r, config.minorUnits);
      const codes = randomCodes(r);
      const result = priceOrder(lines, config, codes);
      if (!result.ok) throw new Error(`seed ${seed}: ${result.reason}`);
      try {
        checkInvariants(result.value, lines, config, codes);
        // Pure: the same input prices the same.
        expect(priceOrder(lines, config, codes)).to.deep.equal(result);
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}\n${JSON.stringify({ lines, config, codes, result })}`);
      }
    }
  });

  it('keeps a tiny discount spread over many lines within bounds', () => {
    // 0.03 over five lines: the rounded shares (0.01 each) overshoot, and the remainder must be taken back
    // from more than one line without any adjustment turning positive.
    const config: PricingConfig = {
      currency: 'USD', minorUnits: 2, shipModes: [], taxRates: [],
      promotions: [{ id: 'A', kind: 'order-amount-off', description: 'd', amount: '0.03', minimumSubtotal: '0' }],
    };
    const lines = ['1', '2', '3', '4', '5'].map((id) => ({ orderItemId: id, catentryId: id, quantity: '1', unitPrice: '1.00', shipModeCode: 'PickupInStore' }));
    const result = priceOrder(lines, config, []);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.lines.map((l) => l.adjustment)).to.deep.equal(['0.00', '0.00', '-0.01', '-0.01', '-0.01']);
    checkInvariants(result.value, lines, config, []);
  });

  it('never discounts more than the shown item prices, even with prices finer than a cent', () => {
    // Each item is 0.005 → shown 0.00 (half-even), but exactly they add up to 0.01.
    const config: PricingConfig = {
      currency: 'USD', minorUnits: 2, shipModes: [], taxRates: [],
      promotions: [{ id: 'A', kind: 'order-amount-off', description: 'd', amount: '5.00', minimumSubtotal: '0' }],
    };
    const lines = ['1', '2'].map((id) => ({ orderItemId: id, catentryId: id, quantity: '1', unitPrice: '0.005', shipModeCode: 'PickupInStore' }));
    const result = priceOrder(lines, config, []);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.appliedPromotions).to.deep.equal([]);
    expect(result.value.totals.grandTotal).to.equal('0.00');
  });
});
