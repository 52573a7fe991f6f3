/** The data shapes of the pricing step; re-exported by order-pricing.ts. */

/** Decimal amounts are strings ("24.99"); quantities are decimal strings too ("2" or "2.0"). */
export interface PricingLine {
  readonly orderItemId: string;
  readonly catentryId: string;
  readonly quantity: string;
  /** In the store currency. */
  readonly unitPrice: string;
  /** e.g. 'Standard', 'Express', or 'PickupInStore'. */
  readonly shipModeCode: string;
  /** Absent for pickup. */
  readonly shipTo?: { readonly country: string; readonly state?: string };
  /** Taxes for pickup use the store's address. */
  readonly pickupStoreAddress?: { readonly country: string; readonly state?: string };
}

export interface ShipModeConfig {
  readonly code: string;
  readonly carrier?: string;
  readonly uniqueId?: string;
  readonly perOrder: string;
  readonly perUnit: string;
  readonly freeOverSubtotal?: string;
}

/** Rates as fractions: "0.0625". */
export interface TaxRateConfig {
  readonly country: string;
  readonly state?: string;
  readonly salesRate: string;
  readonly shippingRate: string;
}

/**
 * A promotion with `code` applies only when the order carries that promotion code
 * (case-insensitive); without `code` it applies automatically.
 */
export type PromotionConfig =
  | {
      readonly id: string;
      readonly kind: 'order-percent-off';
      readonly description: string;
      readonly percent: string;
      readonly minimumSubtotal: string;
      readonly code?: string;
    }
  | {
      readonly id: string;
      readonly kind: 'item-amount-off';
      readonly description: string;
      readonly catentryId: string;
      readonly amountPerUnit: string;
      readonly code?: string;
    }
  | {
      readonly id: string;
      readonly kind: 'order-amount-off';
      readonly description: string;
      readonly amount: string;
      readonly minimumSubtotal: string;
      readonly code?: string;
    };

export interface PricingConfig {
  readonly currency: string;
  /** 2 for USD, 0 for JPY. */
  readonly minorUnits: number;
  readonly shipModes: readonly ShipModeConfig[];
  readonly taxRates: readonly TaxRateConfig[];
  readonly promotions: readonly PromotionConfig[];
}

export interface PricedLine {
  readonly orderItemId: string;
  readonly itemPrice: string;
  /** ≤ 0. */
  readonly adjustment: string;
  /** The adjustment per promotion (each negative); they add up to `adjustment` exactly. */
  readonly promotions: readonly { readonly id: string; readonly amount: string }[];
  readonly shippingCharge: string;
  readonly salesTax: string;
  readonly shippingTax: string;
}

export interface AppliedPromotion {
  readonly id: string;
  readonly description: string;
  readonly code?: string;
  /** The promotion's kind (item-amount-off is item-level, the others order-level). */
  readonly kind: PromotionConfig['kind'];
  /** Negative. */
  readonly amount: string;
}

export interface PricedOrder {
  readonly lines: readonly PricedLine[];
  readonly totals: {
    readonly totalProductPrice: string;
    readonly totalAdjustment: string;
    readonly totalShippingCharge: string;
    readonly totalSalesTax: string;
    readonly totalShippingTax: string;
    readonly grandTotal: string;
  };
  readonly appliedPromotions: readonly AppliedPromotion[];
  /** Codes given that match no promotion. */
  readonly unknownCodes: readonly string[];
}

/** Failure e.g. for an unknown ship mode, a bad decimal, a negative quantity. */
export type PricingResult = { ok: true; value: PricedOrder } | { ok: false; reason: string };

/** The ship mode code that is always free and taxed at the pickup store's address. */
export const PICKUP_IN_STORE = 'PickupInStore';
