import type { BodRequest } from '../../bod/bod-request.js';
import { showRecordSetAttrs, writeResponseBod } from '../../bod/bod-response.js';
import { bodError, type BodError } from '../../errors/error-catalogue.js';
import type { BodOperation, OperationContext } from '../../soap/bod-operation.js';
import { NS } from '../../xml/namespaces.js';
import { child, childrenNamed } from '../../xml/xml-element.js';
import { leaf } from '../../xml/xml-writer.js';
import type { SimDirectory } from './sim-directory.js';
import { domOrderNo, readSimOrder, resolveOrderLines, type SimOrder, type SimOrderBook } from './sim-orders.js';

/** Both spellings of the transfer action: the constant Commerce sends, and the one its documentation writes. */
export const TRANSFER_ACTION_CODES: readonly string[] = ['TransferOrder', 'Transfer'];

export interface SimOrderHandlerOptions {
  readonly book: SimOrderBook;
  readonly directory: SimDirectory;
  /** True while the order port's failure mode is `refuse`: transfers are answered with an error ChangeStatus. */
  readonly refusing: () => boolean;
  /** Runs once per order, when its first transfer created it (the fulfillment schedule starts here). */
  readonly onCreated: (order: SimOrder) => void;
}

function orderIdentifier(o: SimOrder): string {
  return `<_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}${leaf('_wcf:ExternalOrderID', o.orderNo)}</_ord:OrderIdentifier>`;
}

/**
 * DOM's ProcessOrder → AcknowledgeOrder. TransferOrder (or Transfer) creates DOM order `WC_<orderId>` the first
 * time and only counts every later arrival; the answer names DOM's order number as ExternalOrderID either way.
 */
export class SimProcessOrder implements BodOperation {
  readonly name = 'ProcessOrder';
  readonly requestNs = NS.ord;

  constructor(private readonly opts: SimOrderHandlerOptions) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const answer = (nouns: string, error?: BodError): string => {
      if (error) ctx.log.warn('DOM simulator answered ProcessOrder with an error', { reasonCode: error.code, detail: error.message });
      return writeResponseBod({ root: '_ord:AcknowledgeOrder', component: '_ord', verb: 'Acknowledge', original: bod.applicationArea, receivedAt: ctx.receivedAt, nouns, ...(error ? { error } : {}) });
    };
    const action = bod.actions[0];
    if (!action || !TRANSFER_ACTION_CODES.includes(action.actionCode)) {
      return answer('', bodError('ACTION_UNSUPPORTED', { actionCode: action?.actionCode ?? '(none)', expression: action?.expression || '(none)', operation: this.name, supported: TRANSFER_ACTION_CODES.join(', ') }));
    }
    const el = bod.nouns.find((n) => n.ns === NS.ord && n.name === 'Order');
    if (!el) return answer('', bodError('VALUE_INVALID', { field: 'ProcessOrder/DataArea/Order', value: '(none)', detail: 'a transfer carries the order' }));
    const input = readSimOrder(el);
    const { orderId } = input;
    if (!orderId) return answer('', bodError('VALUE_INVALID', { field: 'Order/OrderIdentifier/UniqueID', value: '(none)', detail: 'DOM keeps orders by Commerce order id' }));
    if (this.opts.refusing()) {
      ctx.log.info('DOM simulator refused a transfer (failure mode refuse)', { orderId });
      return answer('', bodError('ILLEGAL_TRANSITION', { orderId, from: 'M', to: 'G', reason: 'DOM refused the transfer (DOM simulator: refuse)' }));
    }
    if (input.items.length === 0) return answer('', bodError('ORDER_EMPTY', { orderId }));
    const storeId = input.storeId ?? bod.applicationArea.context['storeId'];
    if (!storeId) return answer('', bodError('STORE_MISSING'));
    const lines = resolveOrderLines(this.opts.directory, input, storeId);
    if (!lines.ok) return answer('', lines.error);
    const reservation = childrenNamed(child(el, NS.wcf, 'UserData'), NS.wcf, 'UserDataField').find((f) => f.attrs['name'] === 'reservationId' && f.text !== '');
    const { order, created } = this.opts.book.transfer({
      orderId, storeId, buyerEmail: input.buyerEmail, lines: lines.lines, reservationId: reservation?.text ?? orderId,
    });
    ctx.log.info(created ? 'DOM simulator created an order' : 'DOM simulator received a known order again', { orderNo: order.orderNo, transfers: order.transfers });
    if (created) this.opts.onCreated(order);
    return answer(`<_ord:Order>${orderIdentifier(order)}</_ord:Order>`);
  }
}

/** `{_wcf.ap=…}/Order[OrderIdentifier[(UniqueID='…')]]`: the one lookup Commerce asks DOM before a re-transfer. */
const GET_ORDER_EXPRESSION = /^\s*(?:\{_wcf\.ap=[A-Za-z_]+\}\s*)?\/Order\[OrderIdentifier\[\(UniqueID='([^']{1,64})'\)\]\]\s*$/;

export function parseGetOrderExpression(text: string): string | undefined {
  return GET_ORDER_EXPRESSION.exec(text)?.[1];
}

/** DOM's GetOrder → ShowOrder: the order with its DOM number and status, or no noun when DOM does not hold it. */
export class SimGetOrder implements BodOperation {
  readonly name = 'GetOrder';
  readonly requestNs = NS.ord;

  constructor(private readonly book: SimOrderBook) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const answer = (nouns: string, count: number, error?: BodError): string =>
      writeResponseBod({
        root: '_ord:ShowOrder', component: '_ord', verb: 'Show',
        verbAttrs: showRecordSetAttrs(count),
        original: bod.applicationArea, receivedAt: ctx.receivedAt, nouns, ...(error ? { error } : {}),
      });
    const text = bod.expressions[0];
    const orderId = text === undefined ? undefined : parseGetOrderExpression(text);
    if (orderId === undefined) {
      return answer('', 0, bodError('EXPRESSION_INVALID', { detail: text === undefined ? 'oa:Get holds no oa:Expression' : "expected {_wcf.ap=…}/Order[OrderIdentifier[(UniqueID='…')]]" }));
    }
    const order = this.book.get(domOrderNo(orderId));
    if (!order) return answer('', 0);
    return answer(
      `<_ord:Order>${orderIdentifier(order)}<_ord:StoreIdentifier>${leaf('_wcf:UniqueID', order.storeId)}</_ord:StoreIdentifier>` +
        `<_ord:OrderStatus>${leaf('_ord:Status', order.status)}</_ord:OrderStatus></_ord:Order>`,
      1,
    );
  }
}

export function simOrderOperations(opts: SimOrderHandlerOptions): BodOperation[] {
  return [new SimProcessOrder(opts), new SimGetOrder(opts.book)];
}
