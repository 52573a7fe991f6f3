import type { BodRequest } from '../bod/bod-request.js';
import { showRecordSetAttrs, writeConfirmBod, writeResponseBod, type NounOutcome } from '../bod/bod-response.js';
import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { BodOperation, OperationContext } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';
import { NS } from '../xml/namespaces.js';
import { child, childText, type XmlElement } from '../xml/xml-element.js';
import { leaf } from '../xml/xml-writer.js';
import type { CartAction, CartService, CartTarget } from './cart.service.js';
import type { CheckoutService } from './checkout.service.js';
import type { DomCallbacksService } from './dom-callbacks.service.js';
import { orderExpressionErrorDetail, parseOrderExpression } from './order-expression.js';
import type { Order } from './order-model.js';
import { readOrderInput, writeOrder } from './order-noun.js';
import type { OrderOutcome } from './order-repository.js';

function orderNouns(bod: BodRequest): XmlElement[] {
  return bod.nouns.filter((n) => n.ns === NS.ord && n.name === 'Order');
}

function unsupported(actionCode: string, expression: string, operation: string, supported: string): BodError {
  return bodError('ACTION_UNSUPPORTED', { actionCode, expression, operation, supported });
}

/** Maps a ChangeOrder action expression (docs/contract/wire.md, checkout) to what it targets. */
function cartTarget(xpath: string): CartTarget | undefined {
  const x = xpath.replace(/\s+/g, '').replace(/\[\d+\]/g, '');
  if (x === '/Order/OrderItem' || x === '') return 'item';
  if (x === '/Order/OrderShippingInfo') return 'orderShipping';
  if (x === '/Order/OrderItem/OrderItemShippingInfo') return 'itemShipping';
  if (x === '/Order/OrderPaymentInfo/PaymentInstruction' || x === '/Order/OrderPaymentInfo') return 'payment';
  return undefined;
}

const CART_ACTIONS: Readonly<Record<string, CartAction>> = { Create: 'Create', Add: 'Create', Update: 'Update', Delete: 'Delete' };

abstract class OrderResponder {
  constructor(protected readonly checkout: CheckoutService) {}

  protected async answer(root: string, verb: 'Acknowledge' | 'Respond' | 'Show', bod: BodRequest, ctx: OperationContext, outcome: OrderOutcome | { ok: true; value: Order[] }): Promise<string> {
    let nouns = '';
    if (outcome.ok) {
      for (const o of Array.isArray(outcome.value) ? outcome.value : [outcome.value]) nouns += writeOrder(o, await this.checkout.writeOptions(o));
    }
    const count = outcome.ok ? (Array.isArray(outcome.value) ? outcome.value.length : 1) : 0;
    return writeResponseBod({
      root, component: '_ord', verb, original: bod.applicationArea, receivedAt: ctx.receivedAt,
      ...(verb === 'Show' ? { verbAttrs: showRecordSetAttrs(count) } : {}),
      ...(outcome.ok ? { nouns } : { error: outcome.error, nouns: verb === 'Respond' ? echoOrderIdentifiers(bod) : '' }),
    });
  }
}

/**
 * Commerce's RespondOrder requires at least one Order, even beside a ChangeStatus error: the error form names each
 * order of the request by the identifiers it was sent with (an empty Order when the request named none).
 */
function echoOrderIdentifiers(bod: BodRequest): string {
  const echoed = orderNouns(bod).map((o) => {
    const id = child(o, NS.ord, 'OrderIdentifier');
    const uniqueId = childText(id, NS.wcf, 'UniqueID');
    const external = childText(id, NS.wcf, 'ExternalOrderID');
    return uniqueId || external ? `<_ord:Order><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', uniqueId)}${leaf('_wcf:ExternalOrderID', external)}</_ord:OrderIdentifier></_ord:Order>` : '<_ord:Order/>';
  });
  return echoed.length ? echoed.join('') : '<_ord:Order/>';
}

/**
 * ChangeOrder → RespondOrder. From the storefront: cart edits (Create/Add, Update, Delete on items, shipping and
 * payment). From DOM: Change on /Order/OrderStatus, the transfer confirmation.
 */
export class ChangeOrderHandler extends OrderResponder implements BodOperation {
  readonly name = 'ChangeOrder';
  readonly requestNs = NS.ord;

  constructor(checkout: CheckoutService, private readonly cart: CartService, private readonly callbacks: DomCallbacksService) {
    super(checkout);
  }

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    return this.answer('_ord:RespondOrder', 'Respond', bod, ctx, await this.run(bod));
  }

  private async run(bod: BodRequest): Promise<OrderOutcome> {
    const action = bod.actions[0];
    const noun = orderNouns(bod)[0];
    if (!noun) return { ok: false, error: bodError('VALUE_INVALID', { field: 'DataArea', value: '(no Order)', detail: 'ChangeOrder needs one Order' }) };
    if (!action) return { ok: false, error: bodError('VALUE_INVALID', { field: 'Change/ActionCriteria', value: '(none)', detail: 'ChangeOrder needs an ActionExpression' }) };
    if (action.actionCode === 'Change') {
      const x = action.expression.replace(/\s+/g, '');
      if (x === '/Order/OrderStatus' || x === '') return this.callbacks.transferConfirmed(noun);
    }
    const cartAction = CART_ACTIONS[action.actionCode];
    const target = cartTarget(action.expression);
    if (!cartAction || !target) {
      return { ok: false, error: unsupported(action.actionCode, action.expression, this.name, 'Create/Add, Update, Delete on /Order/OrderItem, /Order/OrderShippingInfo, /Order/OrderItem/OrderItemShippingInfo, /Order/OrderPaymentInfo/PaymentInstruction; Change on /Order/OrderStatus') };
    }
    const input = readOrderInput(noun);
    if (!input.ok) return { ok: false, error: bodError('VALUE_INVALID', { field: 'Order', value: '', detail: input.reason }) };
    return this.cart.change(cartAction, target, input.value, bod.applicationArea.context['storeId']);
  }
}

/** ProcessOrder → AcknowledgeOrder: checkout actions from the storefront, promotion bookkeeping and cancellation from DOM. */
export class ProcessOrderHandler extends OrderResponder implements BodOperation {
  readonly name = 'ProcessOrder';
  readonly requestNs = NS.ord;

  constructor(checkout: CheckoutService, private readonly store: Store, private readonly callbacks: DomCallbacksService) {
    super(checkout);
  }

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    return this.answer('_ord:AcknowledgeOrder', 'Acknowledge', bod, ctx, await this.run(bod));
  }

  private async run(bod: BodRequest): Promise<OrderOutcome> {
    const action = bod.actions[0]?.actionCode ?? '';
    const noun = orderNouns(bod)[0];
    if (!noun) return { ok: false, error: bodError('VALUE_INVALID', { field: 'DataArea', value: '(no Order)', detail: 'ProcessOrder needs one Order' }) };
    const input = readOrderInput(noun);
    if (!input.ok) return { ok: false, error: bodError('VALUE_INVALID', { field: 'Order', value: '', detail: input.reason }) };
    const orderId = input.value.orderId;
    switch (action) {
      case 'Prepare':
        return this.checkout.prepare(orderId);
      case 'Submit':
        return this.checkout.submit(orderId);
      case 'Lock':
        return this.checkout.setLock(orderId, true);
      case 'Unlock':
        return this.checkout.setLock(orderId, false);
      case 'ApplyPromotionCode':
      case 'RemovePromotionCode':
        return this.checkout.applyPromotionCode(orderId, input.value.promotionCodes, action === 'RemovePromotionCode');
      case 'Cancel': {
        // DOM only ever holds orders in G, B or R: a Cancel of such an order is DOM's; of P, M or H the storefront's.
        const o = orderId ? await this.store.orders.get(orderId) : undefined;
        if (o && ['G', 'B', 'R'].includes(o.status)) return this.callbacks.process('Cancel', noun);
        return this.checkout.cancel(orderId);
      }
      case 'FinalizePromotionCalUsage':
      case 'CancelPromotionCalUsage':
      case 'UpdatePromotionCalUsage':
        return this.callbacks.process(action, noun);
      default:
        return { ok: false, error: unsupported(action || '(none)', bod.actions[0]?.expression ?? '', this.name, 'Prepare, Submit, Cancel, Lock, Unlock, ApplyPromotionCode, RemovePromotionCode, FinalizePromotionCalUsage, CancelPromotionCalUsage, UpdatePromotionCalUsage') };
    }
  }
}

/** GetOrder → ShowOrder: by order id, with status, items and their statuses, amounts and shipments. */
export class GetOrderHandler extends OrderResponder implements BodOperation {
  readonly name = 'GetOrder';
  readonly requestNs = NS.ord;

  constructor(checkout: CheckoutService, private readonly store: Store) {
    super(checkout);
  }

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    return this.answer('_ord:ShowOrder', 'Show', bod, ctx, await this.run(bod));
  }

  private async run(bod: BodRequest): Promise<OrderOutcome | { ok: true; value: Order[] }> {
    const ids: string[] = [];
    for (const text of bod.expressions) {
      const parsed = parseOrderExpression(text);
      if (!parsed.ok) return { ok: false, error: bodError('EXPRESSION_INVALID', { detail: orderExpressionErrorDetail(parsed) }) };
      ids.push(...parsed.orderIds);
    }
    if (ids.length === 0) return { ok: false, error: bodError('EXPRESSION_INVALID', { detail: 'oa:Get holds no oa:Expression' }) };
    const orders: Order[] = [];
    for (const id of ids) {
      const o = await this.store.orders.get(id);
      if (!o) return { ok: false, error: bodError('ORDER_NOT_FOUND', { orderId: id }) };
      orders.push(o);
    }
    return { ok: true, value: orders };
  }
}

/** SyncOrder from DOM → ConfirmBOD, one outcome per Order noun. */
export class SyncOrderHandler implements BodOperation {
  readonly name = 'SyncOrder';
  readonly requestNs = NS.ord;

  constructor(private readonly callbacks: DomCallbacksService) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const action = bod.actions[0]?.actionCode ?? 'Change';
    const nouns = orderNouns(bod);
    const outcomes: NounOutcome[] = [];
    if (action !== 'Change' && action !== 'Sync') {
      outcomes.push({ ref: 'SyncOrder', error: unsupported(action, bod.actions[0]?.expression ?? '', this.name, 'Change') });
    } else if (nouns.length === 0) {
      outcomes.push({ ref: 'SyncOrder', error: bodError('VALUE_INVALID', { field: 'DataArea', value: '(no Order)', detail: 'SyncOrder needs at least one Order' }) });
    }
    for (const [i, noun] of (outcomes.length ? [] : nouns).entries()) {
      const r = await this.callbacks.sync(noun);
      const id = r.ok ? r.value.orderId : '';
      outcomes.push({ ref: `Order ${i + 1}${id ? ` (${id})` : ''}`, ...(r.ok ? {} : { error: r.error }) });
    }
    return writeConfirmBod(bod.applicationArea, ctx.receivedAt, outcomes);
  }
}
