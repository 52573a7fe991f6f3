import { expect } from 'chai';
import {
  priceOrder,
  validatePricingConfig,
  type PricedOrder,
  type PricingConfig,
  type PricingLine,
  type PromotionConfig,
} from '../../src/order/pricing/order-pricing.js';

const IL = { country: 'US', state: 'IL' } as const;

const BASE: PricingConfig = {
  currency: 'USD',
  minorUnits: 2,
  shipModes: [
    { code: 'Standard', carrier: 'UPS', uniqueId: '10551', perOrder: '5.99', perUnit: '1.00' },
    { code: 'Express', perOrder: '14.99', perUnit: '2.50' },
  ],
  taxRates: [
    { country: 'US', state: 'IL', salesRate: '0.0625', shippingRate: '0.0625' },
    { country: 'US', salesRate: '0.05', shippingRate: '0' },
    { country: 'CA', state: 'ON', salesRate: '0.13', shippingRate: '0.13' },
  ],
  promotions: [],
};

function config(over: Partial<PricingConfig> = {}): PricingConfig {
  return { ...BASE, ...over };
}

/** A pickup line without an address: no shipping, no tax, so promotion tests see only promotions. */
function line(id: string, quantity: string, unitPrice: string, over: Partial<PricingLine> = {}): PricingLine {
  return { orderItemId: id, catentryId: `c${id}`, quantity, unitPrice, shipModeCode: 'PickupInStore', ...over };
}

function priced(lines: readonly PricingLine[], cfg: PricingConfig = config(), codes: readonly string[] = []): PricedOrder {
  const r = priceOrder(lines, cfg, codes);
  if (!r.ok) throw new Error(`expected success, got: ${r.reason}`);
  return r.value;
}

function rejected(lines: readonly PricingLine[], cfg: PricingConfig = config()): string {
  const r = priceOrder(lines, cfg, []);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return r.reason;
}

const col = (o: PricedOrder, key: 'itemPrice' | 'adjustment' | 'shippingCharge' | 'salesTax' | 'shippingTax'): string[] =>
  o.lines.map((l) => l[key]);

const percentOff = (id: string, percent: string, minimumSubtotal = '0', code?: string): PromotionConfig => ({
  id, kind: 'order-percent-off', description: `${percent}% off`, percent, minimumSubtotal, ...(code === undefined ? {} : { code }),
});
const amountOff = (id: string, amount: string, minimumSubtotal = '0'): PromotionConfig => ({
  id, kind: 'order-amount-off', description: `${amount} off`, amount, minimumSubtotal,
});
const itemOff = (id: string, catentryId: string, amountPerUnit: string): PromotionConfig => ({
  id, kind: 'item-amount-off', description: `${amountPerUnit} off each`, catentryId, amountPerUnit,
});

describe('priceOrder', () => {
  describe('the sample order (2 × 24.99 Standard to IL + 1 × 12.50 picked up at a store in IL)', () => {
    const sample: PricingLine[] = [
      { orderItemId: '90001001', catentryId: '20311', quantity: '2.0', unitPrice: '24.99', shipModeCode: 'Standard', shipTo: IL },
      { orderItemId: '90001002', catentryId: '20312', quantity: '1.0', unitPrice: '12.50', shipModeCode: 'PickupInStore', pickupStoreAddress: IL },
    ];

    it('prices items, shipping and both taxes (worked example)', () => {
      const o = priced(sample);
      // Item 1: 2 × 24.99 = 49.98; Standard 5.99 + 2 × 1.00 = 7.99; tax 49.98 × 0.0625 = 3.12375 → 3.12,
      // shipping tax 7.99 × 0.0625 = 0.499375 → 0.50. Item 2: pickup is free, taxed at the store (IL):
      // 12.50 × 0.0625 = 0.78125 → 0.78.
      expect(o.lines).to.deep.equal([
        { orderItemId: '90001001', itemPrice: '49.98', adjustment: '0.00', promotions: [], shippingCharge: '7.99', salesTax: '3.12', shippingTax: '0.50' },
        { orderItemId: '90001002', itemPrice: '12.50', adjustment: '0.00', promotions: [], shippingCharge: '0.00', salesTax: '0.78', shippingTax: '0.00' },
      ]);
      expect(o.totals).to.deep.equal({
        totalProductPrice: '62.48', totalAdjustment: '0.00', totalShippingCharge: '7.99',
        totalSalesTax: '3.90', totalShippingTax: '0.50', grandTotal: '74.87',
      });
      expect(o.appliedPromotions).to.deep.equal([]);
      expect(o.unknownCodes).to.deep.equal([]);
    });

    it('reproduces the sample document amounts for its first item without tax (57.97)', () => {
      const o = priced(sample.slice(0, 1), config({ taxRates: [] }));
      expect(o.totals).to.include({ totalProductPrice: '49.98', totalShippingCharge: '7.99', grandTotal: '57.97' });
    });
  });

  describe('promotions', () => {
    it('applies percent off at the threshold and not just below it', () => {
      const cfg = config({ promotions: [percentOff('P10', '10', '50.00')] });
      const at = priced([line('1', '2', '25.00')], cfg);
      expect(at.appliedPromotions).to.deep.equal([{ id: 'P10', description: '10% off', kind: 'order-percent-off', amount: '-5.00' }]);
      expect(col(at, 'adjustment')).to.deep.equal(['-5.00']);
      expect(at.totals.grandTotal).to.equal('45.00');
      const below = priced([line('1', '2', '24.99')], cfg);
      expect(below.appliedPromotions).to.deep.equal([]);
      expect(below.totals).to.include({ totalAdjustment: '0.00', grandTotal: '49.98' });
    });

    it('caps an item amount off at the item price and leaves other items alone', () => {
      const cfg = config({ promotions: [itemOff('I30', 'c1', '30.00'), itemOff('I1', 'c2', '1.00')] });
      const o = priced([line('1', '2', '24.99'), line('2', '3', '5.00'), line('3', '1', '9.99')], cfg);
      expect(col(o, 'adjustment')).to.deep.equal(['-49.98', '-3.00', '0.00']);
      expect(o.appliedPromotions.map((p) => p.amount)).to.deep.equal(['-49.98', '-3.00']);
      expect(o.totals).to.include({ totalProductPrice: '74.97', totalAdjustment: '-52.98', grandTotal: '21.99' });
    });

    it('applies a coded promotion for its code in any case and reports unknown codes', () => {
      const cfg = config({ promotions: [percentOff('CODE10', '10', '0', 'SAVE10')] });
      const lines = [line('1', '1', '80.00')];
      expect(priced(lines, cfg).appliedPromotions).to.deep.equal([]);
      const o = priced(lines, cfg, [' save10 ', 'bogus', 'BOGUS']);
      expect(o.appliedPromotions).to.deep.equal([{ id: 'CODE10', description: '10% off', code: 'SAVE10', kind: 'order-percent-off', amount: '-8.00' }]);
      expect(o.unknownCodes).to.deep.equal(['bogus']);
      expect(o.totals.grandTotal).to.equal('72.00');
    });

    it('applies only the order-level promotion giving the largest discount (ties: first configured)', () => {
      const cfg = config({ promotions: [percentOff('P10', '10'), amountOff('A15', '15.00', '100.00')] });
      const ids = (price: string): string[] => priced([line('1', '1', price)], cfg).appliedPromotions.map((p) => `${p.id} ${p.amount}`);
      expect(ids('99.00')).to.deep.equal(['P10 -9.90']); // A15 not reached
      expect(ids('120.00')).to.deep.equal(['A15 -15.00']); // 15 > 12
      expect(ids('200.00')).to.deep.equal(['P10 -20.00']); // 20 > 15
      expect(ids('150.00')).to.deep.equal(['P10 -15.00']); // tie: first configured
    });

    it('stacks item-level promotions with the order-level one, which uses the subtotal after them', () => {
      const cfg = config({ promotions: [itemOff('I5', 'c1', '5.00'), percentOff('P10', '10', '145.00')] });
      const o = priced([line('1', '1', '100.00'), line('2', '1', '50.00')], cfg);
      // Subtotal 145.00 → 14.50 off, spread 95 : 50 → 9.50 and 5.00.
      expect(o.appliedPromotions.map((p) => p.amount)).to.deep.equal(['-5.00', '-14.50']);
      expect(col(o, 'adjustment')).to.deep.equal(['-14.50', '-5.00']);
      expect(o.totals).to.include({ totalAdjustment: '-19.50', grandTotal: '130.50' });
      // Each line's adjustment per promotion (what a transfer sends DOM as one Adjustment per promotion): line 1 takes
      // I5's 5.00 and 95/145 of P10's 14.50; line 2 only its share of P10.
      expect(o.lines.map((l) => l.promotions)).to.deep.equal([[{ id: 'I5', amount: '-5.00' }, { id: 'P10', amount: '-9.50' }], [{ id: 'P10', amount: '-5.00' }]]);
    });

    it('caps an order amount off at the subtotal', () => {
      const o = priced([line('1', '1', '7.00'), line('2', '1', '3.00')], config({ promotions: [amountOff('A50', '50.00')] }));
      expect(col(o, 'adjustment')).to.deep.equal(['-7.00', '-3.00']);
      expect(o.totals.grandTotal).to.equal('0.00');
    });
  });

  describe('spreading with remainders', () => {
    it('puts the order discount remainder on the line with the largest net price', () => {
      // 10.00 off over 10 + 11 + 10: shares 3.2258, 3.5484, 3.2258 → 3.23 + 3.55 + 3.23 = 10.01.
      const o = priced([line('1', '1', '10.00'), line('2', '1', '11.00'), line('3', '1', '10.00')], config({ promotions: [amountOff('A10', '10.00')] }));
      expect(col(o, 'adjustment')).to.deep.equal(['-3.23', '-3.54', '-3.23']);
      expect(o.totals.totalAdjustment).to.equal('-10.00');
    });

    it('breaks a largest-net-price tie by line order (33.33 % off 3 × 10.00)', () => {
      // 30.00 × 33.33 % = 9.999 → 10.00; shares 3.333 → 3.33 each = 9.99; the first line takes the cent.
      const o = priced([line('1', '1', '10.00'), line('2', '1', '10.00'), line('3', '1', '10.00')], config({ promotions: [percentOff('P', '33.33')] }));
      expect(col(o, 'adjustment')).to.deep.equal(['-3.34', '-3.33', '-3.33']);
      expect(o.appliedPromotions[0]?.amount).to.equal('-10.00');
      expect(o.totals).to.include({ totalProductPrice: '30.00', totalAdjustment: '-10.00', grandTotal: '20.00' });
    });

    it('spreads a ship mode charge by units with the remainder on the last line of that mode', () => {
      const std = (id: string): PricingLine => line(id, '1', '10.00', { shipModeCode: 'Standard' });
      // Standard: 5.99 + 3 × 1.00 = 8.99 → 2.9967 × 3 rounds to 9.00; the last Standard line gives the cent back.
      // Express: 14.99 + 2.50 = 17.49 on its one line.
      const o = priced([std('1'), std('2'), line('3', '1', '10.00', { shipModeCode: 'Express' }), std('4')]);
      expect(col(o, 'shippingCharge')).to.deep.equal(['3.00', '3.00', '17.49', '2.99']);
      expect(o.totals.totalShippingCharge).to.equal('26.48');
    });

    it('spreads by units, not by lines', () => {
      const o = priced([line('1', '3', '1.00', { shipModeCode: 'Standard' }), line('2', '1', '1.00', { shipModeCode: 'Standard' })]);
      // 5.99 + 4 × 1.00 = 9.99; 3/4 → 7.4925 → 7.49; 1/4 → 2.4975 → 2.50.
      expect(col(o, 'shippingCharge')).to.deep.equal(['7.49', '2.50']);
    });
  });

  describe('shipping', () => {
    const cfg = config({ shipModes: [{ code: 'Standard', perOrder: '5.99', perUnit: '1.00', freeOverSubtotal: '50.00' }] });
    const std = (price: string): PricingLine => line('1', '2', price, { shipModeCode: 'Standard' });

    it('is free at or over freeOverSubtotal and charged below it', () => {
      expect(priced([std('25.00')], cfg).totals.totalShippingCharge).to.equal('0.00');
      expect(priced([std('24.99')], cfg).totals.totalShippingCharge).to.equal('7.99');
    });

    it('compares the subtotal after adjustments', () => {
      const withPromo = config({ ...cfg, promotions: [percentOff('P10', '10')] });
      // 54.00 - 5.40 = 48.60 < 50.00
      expect(priced([std('27.00')], withPromo).totals).to.include({ totalAdjustment: '-5.40', totalShippingCharge: '7.99' });
    });

    it('never charges for PickupInStore', () => {
      expect(col(priced([line('1', '5', '100.00')]), 'shippingCharge')).to.deep.equal(['0.00']);
    });
  });

  describe('rounding: half-even, once', () => {
    it('rounds item prices x.xx5 to the even neighbour both ways', () => {
      const o = priced([line('1', '1', '2.345'), line('2', '1', '2.355'), line('3', '0.5', '0.05'), line('4', '0.5', '0.07')]);
      expect(col(o, 'itemPrice')).to.deep.equal(['2.34', '2.36', '0.02', '0.04']);
      expect(o.totals.totalProductPrice).to.equal('4.76');
    });

    it('rounds taxes x.xx5 to the even neighbour both ways', () => {
      const us = { shipTo: { country: 'US', state: 'TX' }, shipModeCode: 'Standard' } as const;
      const cfg = config({ shipModes: [{ code: 'Standard', perOrder: '0', perUnit: '0' }] });
      const o = priced([line('1', '1', '10.50', us), line('2', '1', '10.70', us)], cfg);
      expect(col(o, 'salesTax')).to.deep.equal(['0.52', '0.54']); // 0.525, 0.535
    });

    it('rounds negative adjustments half-even too', () => {
      const cfg = config({ promotions: [itemOff('A', 'c1', '0.125'), itemOff('B', 'c2', '0.135')] });
      const o = priced([line('1', '1', '1.00'), line('2', '1', '1.00')], cfg);
      expect(col(o, 'adjustment')).to.deep.equal(['-0.12', '-0.14']);
      expect(o.appliedPromotions.map((p) => p.amount)).to.deep.equal(['-0.12', '-0.14']);
    });

    it('taxes the exact net price, not the shown one of a line that took a remainder', () => {
      // 10.00 off 10.07 + 10.00 + 10.00: shares 3.34885, 3.32557, 3.32557 → 3.35 + 3.33 + 3.33 = 10.01, so the
      // first (largest) line gives a cent back and shows -3.34. Its tax uses the exact net 6.72115 × 0.0825 =
      // 0.554495 → 0.55; taxing the shown 6.73 would give 0.555225 → 0.56.
      const at = { pickupStoreAddress: { country: 'US' } } as const;
      const cfg = config({ promotions: [amountOff('A10', '10.00')] });
      const o = priced([line('1', '1', '10.07', at), line('2', '1', '10.00', at), line('3', '1', '10.00', at)],
        config({ ...cfg, taxRates: [{ country: 'US', salesRate: '0.0825', shippingRate: '0' }] }));
      expect(col(o, 'adjustment')).to.deep.equal(['-3.34', '-3.33', '-3.33']);
      expect(col(o, 'salesTax')).to.deep.equal(['0.55', '0.55', '0.55']);
    });

    it('formats with exactly minorUnits decimals, no exponent, no negative zero', () => {
      const o = priced([line('1', '1', '123456789012345678901234.5'), line('2', '3', '0.0000001')]);
      expect(col(o, 'itemPrice')).to.deep.equal(['123456789012345678901234.50', '0.00']);
      expect(col(o, 'adjustment')).to.deep.equal(['0.00', '0.00']);
    });

    it('prices an empty order at zero', () => {
      expect(priced([]).totals).to.deep.equal({
        totalProductPrice: '0.00', totalAdjustment: '0.00', totalShippingCharge: '0.00',
        totalSalesTax: '0.00', totalShippingTax: '0.00', grandTotal: '0.00',
      });
    });
  });

  describe('tax by place', () => {
    const cfg = config({ shipModes: [{ code: 'Standard', perOrder: '10.00', perUnit: '0' }] });
    const to = (id: string, place?: { country: string; state?: string }): PricingLine =>
      line(id, '1', '100.00', { shipModeCode: 'Standard', ...(place === undefined ? {} : { shipTo: place }) });

    it('uses the state rate, then the country rate, else none', () => {
      const o = priced([to('1', { country: 'us', state: 'il' }), to('2', { country: 'US', state: 'TX' }), to('3', { country: 'US' }),
        to('4', { country: 'FR' }), to('5', { country: 'CA' }), to('6', { country: 'CA', state: 'ON' }), to('7')], cfg);
      expect(col(o, 'salesTax')).to.deep.equal(['6.25', '5.00', '5.00', '0.00', '0.00', '13.00', '0.00']);
      // Shipping is 10.00 / 7 lines → 1.43 each, 1.42 on the last; shipping tax on the exact 1.428571… share.
      expect(col(o, 'shippingTax')).to.deep.equal(['0.09', '0.00', '0.00', '0.00', '0.00', '0.19', '0.00']);
    });

    it('taxes pickup at the store address, not the ship-to', () => {
      const o = priced([line('1', '1', '100.00', { pickupStoreAddress: IL, shipTo: { country: 'CA', state: 'ON' } })]);
      expect(o.lines[0]).to.include({ salesTax: '6.25', shippingTax: '0.00' });
    });
  });

  describe('a zero-decimal currency (JPY)', () => {
    const jpy = config({
      currency: 'JPY', minorUnits: 0,
      shipModes: [{ code: 'Standard', perOrder: '500', perUnit: '0' }],
      taxRates: [{ country: 'JP', salesRate: '0.1', shippingRate: '0.1' }],
      promotions: [amountOff('Y1000', '1000')],
    });
    const jp = (id: string, price: string): PricingLine => line(id, '1', price, { shipModeCode: 'Standard', shipTo: { country: 'JP' } });

    it('prices in whole yen with remainders landing as in USD', () => {
      const o = priced([jp('1', '1000'), jp('2', '1000'), jp('3', '1000')], jpy);
      expect(col(o, 'adjustment')).to.deep.equal(['-334', '-333', '-333']);
      expect(col(o, 'shippingCharge')).to.deep.equal(['167', '167', '166']);
      // Sales tax on the exact net 666.67 → 67 each; shipping tax on 166.67 → 17 each.
      expect(col(o, 'salesTax')).to.deep.equal(['67', '67', '67']);
      expect(col(o, 'shippingTax')).to.deep.equal(['17', '17', '17']);
      expect(o.totals).to.deep.equal({
        totalProductPrice: '3000', totalAdjustment: '-1000', totalShippingCharge: '500',
        totalSalesTax: '201', totalShippingTax: '51', grandTotal: '2752',
      });
    });

    it('rounds half-even to whole yen', () => {
      const cfg = config({ ...jpy, promotions: [], shipModes: [{ code: 'Standard', perOrder: '0', perUnit: '0' }],
        taxRates: [{ country: 'JP', salesRate: '0.0025', shippingRate: '0' }] });
      expect(col(priced([jp('1', '1000'), jp('2', '1400')], cfg), 'salesTax')).to.deep.equal(['2', '4']); // 2.5, 3.5
    });
  });

  describe('invalid input', () => {
    for (const quantity of ['1e3', 'NaN', 'Infinity', '', ' 1', '1.', '.5', '0x10']) {
      it(`rejects quantity ${JSON.stringify(quantity)}`, () => {
        expect(rejected([line('1', quantity, '1.00')])).to.match(/^lines\[0\]\.quantity: not a plain decimal/);
      });
    }
    for (const quantity of ['0', '0.0', '-1']) {
      it(`rejects quantity ${quantity}`, () => {
        expect(rejected([line('1', quantity, '1.00')])).to.match(/^lines\[0\]\.quantity: must be greater than 0/);
      });
    }
    it('rejects bad and negative unit prices', () => {
      expect(rejected([line('1', '1', '1.00'), line('2', '1', '2E2')])).to.match(/^lines\[1\]\.unitPrice: not a plain decimal/);
      expect(rejected([line('1', '1', '-0.01')])).to.match(/^lines\[0\]\.unitPrice: must be 0 or more/);
      expect(rejected([line('1', '1', 'abc')])).to.contain('order item "1"');
    });
    it('accepts a zero unit price', () => {
      expect(priced([line('1', '1', '0')]).totals.grandTotal).to.equal('0.00');
    });
    it('names an unknown ship mode', () => {
      expect(rejected([line('1', '1', '1.00', { shipModeCode: 'Overnight' })])).to.contain('unknown ship mode "Overnight"');
      expect(rejected([line('1', '1', '1.00', { shipModeCode: 'standard' })])).to.contain('"standard"');
    });
    it('rejects a duplicate orderItemId', () => {
      expect(rejected([line('1', '1', '1.00'), line('1', '1', '1.00')])).to.match(/^lines\[1\]\.orderItemId: duplicate/);
    });
    it('rejects an invalid configuration', () => {
      const bad = config({ shipModes: [{ code: 'Standard', perOrder: '5.99', perUnit: 'x' }] });
      expect(rejected([line('1', '1', '1.00')], bad)).to.contain('shipModes[0].perUnit: not a decimal');
    });
  });
});

describe('validatePricingConfig', () => {
  it('accepts a good configuration', () => {
    expect(validatePricingConfig(config({ promotions: [percentOff('P', '10'), amountOff('A', '5'), itemOff('I', 'c1', '1')] }))).to.deep.equal([]);
  });

  it('names every bad setting', () => {
    const bad = {
      currency: 'usd',
      minorUnits: 1.5,
      shipModes: [
        { code: 'Standard', perOrder: '5.99', perUnit: '1.00' },
        { code: 'Standard', perOrder: '-1', perUnit: '1e2', freeOverSubtotal: 'lots' },
        { code: 'PickupInStore', perOrder: '1.00', perUnit: '0' },
      ],
      taxRates: [
        { country: 'US', salesRate: '6.25', shippingRate: '0' },
        { country: 'us', salesRate: '0.05', shippingRate: '0' },
        { country: '', state: 'IL', salesRate: '0.05', shippingRate: 'x' },
      ],
      promotions: [
        { id: 'P', kind: 'order-percent-off', description: 'd', percent: '101', minimumSubtotal: '0' },
        { id: 'P', kind: 'order-amount-off', description: 'd', amount: '0', minimumSubtotal: '-5' },
        { id: 'I', kind: 'item-amount-off', description: 'd', catentryId: '', amountPerUnit: '1', code: ' ' },
        { id: 'K', kind: 'bogo', description: 'd' },
      ],
    } as unknown as PricingConfig;
    const problems = validatePricingConfig(bad);
    const expected = [
      'currency:', 'minorUnits:', 'shipModes[1].code: duplicate', 'shipModes[1].perOrder: must be 0 or more',
      'shipModes[1].perUnit: not a decimal', 'shipModes[1].freeOverSubtotal: not a decimal', 'shipModes[2].perOrder: PickupInStore',
      'taxRates[0].salesRate: must be at most 1', 'taxRates[1]: duplicate rate for US', 'taxRates[2].country:', 'taxRates[2].shippingRate: not a decimal',
      'promotions[0].percent: must be at most 100', 'promotions[1].id: duplicate', 'promotions[1].amount: must be greater than 0',
      'promotions[1].minimumSubtotal: must be 0 or more', 'promotions[2].code:', 'promotions[2].catentryId:', 'promotions[3].kind: unknown',
    ];
    for (const start of expected) expect(problems.some((p) => p.startsWith(start)), `${start} in ${JSON.stringify(problems)}`).to.equal(true);
    expect(problems).to.have.length(expected.length);
  });

  it('rejects missing lists', () => {
    expect(validatePricingConfig({ currency: 'USD', minorUnits: 2 } as unknown as PricingConfig)).to.deep.equal([
      'shipModes: must be a list', 'taxRates: must be a list', 'promotions: must be a list',
    ]);
  });
});
