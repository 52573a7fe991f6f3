import { StateMachine } from '../common/state-machine.js';
import type { PricedOrder, PromotionConfig } from './pricing/order-pricing.js';

type PromotionKind = PromotionConfig['kind'];

/**
 * Order statuses dombridge moves orders through (docs/contract/wire.md, checkout): P cart, M submitted, F pending transfer to
 * DOM, G transferred, H transfer failed, R released, B backordered, S shipped, X canceled. The other Commerce
 * codes (C, E, L, A, W, N, I, J, D) are not reached by these flows and are therefore not in the table.
 */
export type OrderStatus = 'P' | 'M' | 'F' | 'G' | 'H' | 'R' | 'B' | 'S' | 'X';

export const ORDER_STATES = new StateMachine<OrderStatus>({
  name: 'order',
  initial: 'P',
  transitions: {
    P: ['M', 'X'],
    M: ['F', 'X'],
    F: ['G', 'H', 'X'],
    H: ['F', 'G', 'X'],
    G: ['R', 'B', 'S', 'X'],
    B: ['R', 'S', 'X'],
    R: ['B', 'S', 'X'],
    S: [],
    X: [],
  },
});

/** Item statuses: as the order's, plus D (shipped and deposited) set per shipped item. */
export type ItemStatus = OrderStatus | 'D';

export const ITEM_STATES = new StateMachine<ItemStatus>({
  name: 'order item',
  initial: 'P',
  transitions: {
    P: ['M', 'X'],
    M: ['F', 'X'],
    F: ['G', 'H', 'X'],
    H: ['F', 'G', 'X'],
    G: ['R', 'B', 'S', 'D', 'X'],
    B: ['R', 'S', 'D', 'X'],
    R: ['B', 'S', 'D', 'X'],
    S: ['D'],
    D: [],
    X: [],
  },
});

export const STATUS_TEXT: Readonly<Record<ItemStatus, string>> = {
  P: 'in the shopping cart', M: 'submitted', F: 'being handed to fulfillment', G: 'with fulfillment', H: 'waiting to be handed to fulfillment',
  R: 'released for fulfillment', B: 'back-ordered', S: 'shipped', D: 'shipped', X: 'canceled',
};

export type ItemInventoryStatus = 'Available' | 'Unavailable' | 'Future' | 'Allocated' | 'Unallocated' | 'Backorderable' | 'Backordered' | 'Released';

export interface PostalAddress {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly lines: readonly string[];
  readonly city?: string;
  readonly state?: string;
  readonly country?: string;
  readonly postalCode?: string;
  readonly email?: string;
}

export interface OrderItem {
  readonly orderItemId: string;
  /** DOM's PrimeLineNo: 1, 2 … in the order of adding; split lines get their own. */
  readonly lineNo: number;
  readonly catentryId: string;
  readonly partNumber: string;
  readonly quantity: string;
  readonly uom: string;
  readonly unitPrice: string;
  readonly shipModeCode: string;
  readonly carrier: string | null;
  readonly physicalStoreId: string | null;
  readonly shippingAddress: PostalAddress | null;
  readonly shippingInstruction: string | null;
  readonly requestedShipDate: string | null;
  readonly status: ItemStatus;
  readonly inventoryStatus: ItemInventoryStatus | null;
  readonly fulfillmentCenter: string | null;
  readonly availableDate: string | null;
  readonly expectedShipDate: string | null;
  readonly timeReleased: string | null;
  readonly timeShipped: string | null;
  /** A line split off by DOM's reservation: the id of the line it came from. */
  readonly correlationGroup: string | null;
  /** Amounts after Prepare (decimal strings), null before. */
  readonly itemPrice: string | null;
  readonly adjustment: string | null;
  readonly shippingCharge: string | null;
  readonly salesTax: string | null;
  readonly shippingTax: string | null;
  /** The adjustment per promotion (ids of `Order.appliedPromotions`, negative amounts adding up to `adjustment`). */
  readonly promotionAdjustments?: readonly { readonly id: string; readonly amount: string }[];
}

export interface PaymentInstruction {
  readonly paymentId: string;
  readonly method: string;
  /** Only the last four digits are ever stored. */
  readonly cardLast4: string | null;
  /** The payment provider's token for the card, taken at ChangeOrder time; the number itself is never stored. */
  readonly token: string | null;
  /**
   * Card facts as the client sent them in ProtocolData (`cc_brand`, `expire_month` as two digits, `expire_year`),
   * for DOM's payment details; absent on orders stored before they were kept. The CVC is never kept.
   */
  readonly cardBrand?: string | null;
  readonly expireMonth?: string | null;
  readonly expireYear?: string | null;
  readonly amount: string | null;
  readonly billingAddress: PostalAddress | null;
  readonly status: 'pending' | 'authorized' | 'declined';
  readonly authorizationCode: string | null;
}

export interface Shipment {
  readonly shipmentId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly shipDate: string;
  readonly items: readonly { readonly orderItemId: string; readonly quantity: string }[];
}

/** One line DOM holds for an order: what its acknowledgement said it reserved, where, and when it ships. */
export interface DomReservationLine {
  /** The order item the line belongs to (the origin's id for a line DOM split off). */
  readonly orderItemId: string;
  readonly partNumber: string;
  /** Decimal string, as DOM reserved it. */
  readonly quantity: string;
  readonly uom: string;
  readonly inventoryStatus: 'Allocated' | 'Backordered';
  /** Sterling's ship node as DOM named it (a fulfillment center's name, or a pick-up store's external id). */
  readonly fulfillmentCenterName: string | null;
  /** As DOM wrote it. */
  readonly expectedShipDate: string | null;
}

/** The order's amounts as Prepare priced them (decimal strings): the pricing step's own totals. */
export type OrderTotals = PricedOrder['totals'];

export interface Order {
  readonly orderId: string;
  readonly storeId: string;
  readonly currency: string;
  readonly buyerId: string | null;
  readonly buyerEmail: string | null;
  readonly status: OrderStatus;
  /** Set by Prepare, cleared by any cart change: Submit needs a prepared order. */
  readonly prepared: boolean;
  readonly locked: boolean;
  readonly shipAsComplete: boolean;
  readonly promotionCodes: readonly string[];
  readonly appliedPromotions: readonly { readonly id: string; readonly description: string; readonly amount: string; readonly code?: string; readonly kind?: PromotionKind }[];
  readonly totals: OrderTotals | null;
  /** Whether DOM holds a reservation for this order (made at Prepare, released by CancelInventoryReservation). */
  readonly reserved: boolean;
  /**
   * What DOM's reservation holds, line by line as DOM acknowledged it, so a release names exactly these lines,
   * quantities and fulfillment centers (DOM's mediation cancels per line). Empty or missing: nothing held.
   */
  readonly domReservation?: readonly DomReservationLine[];
  readonly placedAt: string | null;
  /** DOM's key for the order (Sterling's OrderHeaderKey), from its createOrder-success ChangeOrder. */
  readonly externalOrderId: string | null;
  readonly transferAttempts: number;
  readonly lastTransferAt: string | null;
  readonly items: readonly OrderItem[];
  readonly payments: readonly PaymentInstruction[];
  readonly shipments: readonly Shipment[];
  /** DOM's promotion bookkeeping (FinalizePromotionCalUsage …), recorded as DOM reports it. */
  readonly promotionUsage?: 'finalized' | 'canceled' | 'updated';
  /** Optimistic concurrency: bumped by every write. */
  readonly version: number;
}

export function orderEmail(o: Order): string | null {
  return o.buyerEmail ?? o.items.find((i) => i.shippingAddress?.email)?.shippingAddress?.email ?? o.payments.find((p) => p.billingAddress?.email)?.billingAddress?.email ?? null;
}
