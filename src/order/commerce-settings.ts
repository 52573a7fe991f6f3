import type { PricingConfig, PromotionConfig, ShipModeConfig, TaxRateConfig } from './pricing/order-pricing.js';
import { validatePricingConfig } from './pricing/order-pricing.js';
import { ConfigError } from '../config/config.js';
import { DEFAULT_PAYMENT_METHODS, paymentMethodProblems, type PaymentMethodSettings } from '../payment/payment-methods.js';

/** What a store sells with: ship modes, tax rates, promotions, payment methods, and whether Submit accepts backorders. */
export interface StoreCommerceSettings {
  readonly shipModes: readonly ShipModeConfig[];
  readonly taxRates: readonly TaxRateConfig[];
  readonly promotions: readonly PromotionConfig[];
  /** Submit refuses items DOM could not allocate unless this is on. Default false. */
  readonly allowBackorders: boolean;
  /** Addresses of physical stores (for the tax of pick-up items), by store id. */
  readonly pickupStoreRegions: Readonly<Record<string, { country: string; state?: string }>>;
  /** The payment methods taken, with and without a card (docs/configuration-payments.md). */
  readonly payment: PaymentMethodSettings;
}

/** The demo settings, also the defaults for any store the config file does not describe. */
export const DEFAULT_COMMERCE_SETTINGS: StoreCommerceSettings = {
  shipModes: [
    { code: 'Standard', carrier: 'UPS', uniqueId: '10551', perOrder: '5.99', perUnit: '1.00', freeOverSubtotal: '150.00' },
    { code: 'Express', carrier: 'FedEx', uniqueId: '10552', perOrder: '14.99', perUnit: '2.00' },
    { code: 'PickupInStore', uniqueId: '10553', perOrder: '0.00', perUnit: '0.00' },
  ],
  taxRates: [
    { country: 'US', state: 'IL', salesRate: '0.0625', shippingRate: '0.0625' },
    { country: 'US', state: 'NY', salesRate: '0.04', shippingRate: '0.04' },
    { country: 'US', salesRate: '0.05', shippingRate: '0' },
  ],
  promotions: [
    { id: 'ORDER10', kind: 'order-percent-off', description: '10% off orders of 100.00 or more', percent: '10', minimumSubtotal: '100.00' },
    { id: 'HEADLAMP5', kind: 'item-amount-off', description: '5.00 off each Headlamp 300 lm', catentryId: '20314', amountPerUnit: '5.00' },
    { id: 'SAVE20', kind: 'order-amount-off', description: '20.00 off orders of 50.00 or more with code SAVE20', amount: '20.00', minimumSubtotal: '50.00', code: 'SAVE20' },
  ],
  allowBackorders: false,
  pickupStoreRegions: { '7101': { country: 'US', state: 'IL' }, '7102': { country: 'US', state: 'IL' } },
  payment: DEFAULT_PAYMENT_METHODS,
};

/**
 * Per-store settings from the config file's `commerce` section: `{ "defaults": {…}, "stores": { "10201": {…} } }`,
 * each level overriding the one above it key by key. Checked at start-up; errors name the setting.
 */
export class CommerceSettings {
  private readonly defaults: StoreCommerceSettings;
  private readonly stores: ReadonlyMap<string, StoreCommerceSettings>;

  constructor(raw: unknown = undefined) {
    const section = (raw ?? {}) as { defaults?: Partial<StoreCommerceSettings>; stores?: Record<string, Partial<StoreCommerceSettings>> };
    // `payment` merges one level deeper, so a store can change one of its lists and keep the other.
    checkPayment('commerce.defaults.payment', section.defaults?.payment);
    this.defaults = { ...DEFAULT_COMMERCE_SETTINGS, ...(section.defaults ?? {}), payment: { ...DEFAULT_PAYMENT_METHODS, ...(section.defaults?.payment ?? {}) } };
    check('commerce.defaults', this.defaults);
    const stores = new Map<string, StoreCommerceSettings>();
    for (const [id, s] of Object.entries(section.stores ?? {})) {
      checkPayment(`commerce.stores.${id}.payment`, s.payment);
      const merged = { ...this.defaults, ...s, payment: { ...this.defaults.payment, ...(s.payment ?? {}) } };
      check(`commerce.stores.${id}`, merged);
      stores.set(id, merged);
    }
    this.stores = stores;
  }

  forStore(storeId: string): StoreCommerceSettings {
    return this.stores.get(storeId) ?? this.defaults;
  }

  pricing(storeId: string, currency: string): PricingConfig {
    const s = this.forStore(storeId);
    return { currency, minorUnits: currency === 'JPY' || currency === 'KRW' ? 0 : 2, shipModes: s.shipModes, taxRates: s.taxRates, promotions: s.promotions };
  }
}

function check(where: string, s: StoreCommerceSettings): void {
  const problems = validatePricingConfig({ currency: 'USD', minorUnits: 2, shipModes: s.shipModes, taxRates: s.taxRates, promotions: s.promotions });
  if (problems.length) throw new ConfigError(where, `is invalid: ${problems.join('; ')}`);
  if (typeof s.allowBackorders !== 'boolean') throw new ConfigError(`${where}.allowBackorders`, 'must be true or false');
  const problems2 = paymentMethodProblems(s.payment);
  if (problems2.length) throw new ConfigError(`${where}.payment`, `is invalid: ${problems2.join('; ')}`);
}

/** A `payment` section as written (before merging): only known keys, each a list of names. */
function checkPayment(where: string, raw: Partial<PaymentMethodSettings> | undefined): void {
  if (raw === undefined) return;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(where, 'must be an object with cardMethods and/or methodsWithoutCard');
  const problems = paymentMethodProblems({ ...DEFAULT_PAYMENT_METHODS, ...raw });
  if (problems.length) throw new ConfigError(where, `is invalid: ${problems.join('; ')}`);
}
