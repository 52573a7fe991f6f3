import type { BodRequest } from '../../bod/bod-request.js';
import { writeResponseBod } from '../../bod/bod-response.js';
import { bodError, type BodError } from '../../errors/error-catalogue.js';
import type { BodOperation, OperationContext } from '../../soap/bod-operation.js';
import { NS } from '../../xml/namespaces.js';
import { child, childrenNamed } from '../../xml/xml-element.js';
import { leaf } from '../../xml/xml-writer.js';
import { BOD_ROOT_XMLNS } from '../../xml/namespaces.js';
import type { SimDirectory } from './sim-directory.js';
import { readSimOrder, resolveOrderLines, type SimOrder, type SimOrderBook } from './sim-orders.js';

/** Both spellings of the transfer action: the constant Commerce sends, and the one its documentation writes. */
export const TRANSFER_ACTION_CODES: readonly string[] = ['TransferOrder', 'Transfer'];

export interface SimOrderHandlerOptions {
  readonly book: SimOrderBook;
  readonly directory: SimDirectory;
  /** True while the order port's failure mode is `refuse`: transfers are answered with an error ChangeStatus. */
  readonly refusing: () => boolean;
  /** Runs once per order, when its first transfer created it (the fulfillment schedule starts here). */
  readonly onCreated: (order: SimOrder) => void;
  /**
   * Today's convenience, off by default: answer a transfer with an AcknowledgeOrder naming DOM's order
   * (ExternalOrderID), which confirms it at once. Behind IBM's mediation the answer only says "accepted" (the order
   * named, nothing more) and the confirmation is the createOrder-success ChangeOrder callback.
   */
  readonly synchronousAcknowledge?: boolean;
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
      orderId, storeId, buyerEmail: input.buyerEmail, lines: lines.lines, reservationId: reservation?.text ?? orderId, total: input.total, authorized: input.authorized,
    });
    ctx.log.info(created ? 'DOM simulator created an order' : 'DOM simulator received a known order again', { orderNo: order.orderNo, transfers: order.transfers, total: order.total, authorized: order.authorized });
    if (created) this.opts.onCreated(order);
    if (this.opts.synchronousAcknowledge) return answer(`<_ord:Order>${orderIdentifier(order)}</_ord:Order>`);
    return answer(`<_ord:Order><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', order.orderId)}</_ord:OrderIdentifier></_ord:Order>`);
  }
}

/**
 * The parameters of a GetOrder expression as DOM's mediation takes them: each `(Name='value')` predicate, named by
 * its name and its position among those of the same name (`UniqueID.1`, `UniqueID.2`, `LogOnID.1` …), with
 * `Name='a' or Name='b'` giving one parameter with both values.
 */
export function expressionParameters(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const counts = new Map<string, number>();
  for (const group of text.matchAll(/\(([^()]*)\)/g)) {
    const pairs = [...group[1]!.matchAll(/([A-Za-z_][\w.]*)\s*=\s*'([^']*)'/g)];
    const first = pairs[0];
    if (!first) continue;
    const name = first[1]!;
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    out.set(`${name}.${n}`, pairs.filter((p) => p[1] === name).map((p) => p[2]!));
  }
  return out;
}

/**
 * DOM's GetOrder → ShowOrder as its mediation answers it (GetOrder → getOrderList page → ShowOrder): the order
 * number from `UniqueID.1`, the store from `UniqueID.2`, the buyer from `LogOnID.1`, the page size from
 * `oa:Get/@maxItems`; the answer in the map's shape (`_wcf:ApplicationArea`, Show with the list's counts, each order
 * with its number and Sterling key, placed date, status, grand total, and Sterling's statuses as UserData).
 */
export class SimGetOrder implements BodOperation {
  readonly name = 'GetOrder';
  readonly requestNs = NS.ord;

  constructor(private readonly book: SimOrderBook) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const text = bod.expressions[0] ?? '';
    const params = expressionParameters(text);
    const orderNos = params.get('UniqueID.1') ?? [];
    const storeId = params.get('UniqueID.2')?.[0];
    const buyer = params.get('LogOnID.1')?.[0];
    const maxItems = Number(bod.verbElement.attrs['maxItems'] ?? '0') || Infinity;
    const matches = this.book.all().filter((o) =>
      (orderNos.length === 0 || orderNos.includes(o.orderId)) && (!storeId || o.storeId === storeId) && (!buyer || o.buyerEmail === buyer));
    const page = matches.slice(0, maxItems);
    const orders = page.map((o) =>
      `<_ord:Order><_ord:OrderIdentifier>${leaf('_wcf:UniqueID', o.orderId)}${leaf('_wcf:ExternalOrderID', o.orderHeaderKey)}</_ord:OrderIdentifier>` +
      `${leaf('_ord:PlacedDate', o.createdAt)}<_ord:OrderStatus>${leaf('_ord:Status', o.status)}</_ord:OrderStatus>` +
      `<_ord:OrderAmount><_wcf:GrandTotal currency="USD">${o.total}</_wcf:GrandTotal></_ord:OrderAmount>` +
      `<_wcf:UserData><_wcf:UserDataField name="MaxOrderStatus">${STERLING_STATUS[o.status]}</_wcf:UserDataField></_wcf:UserData></_ord:Order>`).join('');
    ctx.log.info('DOM simulator answered a GetOrder', { orderNos, storeId: storeId ?? null, buyer: buyer ?? null, found: page.length });
    return (
      `<_ord:ShowOrder${BOD_ROOT_XMLNS}><_wcf:ApplicationArea><oa:CreationDateTime>${ctx.receivedAt}</oa:CreationDateTime></_wcf:ApplicationArea>` +
      `<_ord:DataArea><oa:Show recordSetCount="${page.length}" recordSetTotal="${matches.length}" recordSetCompleteIndicator="${page.length === matches.length}"/>${orders}</_ord:DataArea></_ord:ShowOrder>`
    );
  }
}

/** Sterling status numbers for the Commerce statuses DOM reports (the mediation's status value map, reversed). */
const STERLING_STATUS: Readonly<Record<SimOrder['status'], string>> = { G: '1100', B: '1300', R: '3200', S: '3700', X: '9000' };

export function simOrderOperations(opts: SimOrderHandlerOptions): BodOperation[] {
  return [new SimProcessOrder(opts), new SimGetOrder(opts.book)];
}
