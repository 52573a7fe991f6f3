import type { XmlElement } from '../xml/xml-element.js';
import type { ReplayObserver } from './replay-runner.js';
import { attrByLocalName, parsePath, selectAll, selectValue, hitValue } from './xml-path.js';

/**
 * A readable account of a replay: each BOD sent and received in a line or two (operation, action code, the key
 * values, the status), each e-mail found, and the order's status as it moves. Used by `npm run demo`.
 */
const v = (el: XmlElement, path: string) => selectValue(el, parsePath(path));
const all = (el: XmlElement, path: string) => selectAll(el, parsePath(path));

function firstActionExpression(el: XmlElement): XmlElement | undefined {
  if (el.name === 'ActionExpression') return el;
  for (const c of el.children) {
    const a = firstActionExpression(c);
    if (a) return a;
  }
  return undefined;
}

function items(order: XmlElement): string {
  return all(order, 'OrderItem').map(({ el }) => {
    const what = v(el, 'CatalogEntryIdentifier/ExternalIdentifier/PartNumber') ?? v(el, 'CatalogEntryIdentifier/UniqueID') ?? v(el, 'OrderItemIdentifier/UniqueID') ?? '?';
    const qty = v(el, 'Quantity');
    const pickup = v(el, 'OrderItemShippingInfo/PhysicalStoreIdentifier/UniqueID');
    const mode = v(el, 'OrderItemShippingInfo/ShippingMode/ShippingModeIdentifier/ExternalIdentifier/ShipModeCode');
    const inv = v(el, 'OrderItemStatus/InventoryStatus');
    const where = pickup ? ` pick-up at ${pickup}` : mode && mode !== 'PickupInStore' ? ` ${mode}` : '';
    return `${qty ? `${Number(qty)} × ` : ''}${what}${where}${inv ? ` (${inv})` : ''}`;
  }).join(', ');
}

/** One line for a request BOD. */
export function describeRequest(bod: XmlElement): string {
  const action = firstActionExpression(bod);
  const parts = [bod.name, action?.attrs['actionCode'], action?.text && action.text !== '/Order[1]' ? action.text : undefined];
  const store = all(bod, 'ApplicationArea/BusinessContext/ContextData[@name=\'storeId\']')[0];
  const order = all(bod, 'DataArea/Order')[0]?.el;
  const expression = v(bod, 'DataArea/Get/Expression');
  const details = [
    store ? `store ${hitValue(store)}` : '',
    order && v(order, 'OrderIdentifier/UniqueID') && v(order, 'OrderIdentifier/UniqueID') !== '.' ? `order ${v(order, 'OrderIdentifier/UniqueID')}` : '',
    order && v(order, 'OrderStatus/Status') ? `status ${v(order, 'OrderStatus/Status')}` : '',
    order ? items(order) : '',
    order && v(order, 'OrderPaymentInfo/PaymentInstruction/PaymentMethod/PaymentMethodName') ? `pay by ${v(order, 'OrderPaymentInfo/PaymentInstruction/PaymentMethod/PaymentMethodName')}` : '',
    expression ? expression.replace(/^\{[^}]*\}/, '') : '',
  ].filter(Boolean);
  return `${parts.filter(Boolean).join(' ')}${details.length ? `  ${details.join('; ')}` : ''}`;
}

/** One line for an answer BOD (or fault). */
export function describeAnswer(bod: XmlElement, status: number): string {
  if (bod.name === 'Fault') {
    return `Fault (HTTP ${status}) ${v(bod, 'faultcode') ?? v(bod, 'Code/Value') ?? ''} ${v(bod, 'detail/error/code') ?? v(bod, 'Detail/error/code') ?? ''}: ${v(bod, 'faultstring') ?? v(bod, 'Reason/Text') ?? ''}`;
  }
  const error = all(bod, '**/ChangeStatus')[0]?.el;
  if (error) return `${bod.name} ERROR ${v(error, 'ReasonCode') ?? ''}: ${v(error, 'Description') ?? ''}`;
  if (bod.name === 'ConfirmBOD') {
    const failure = all(bod, '**/ErrorProcessMessage')[0]?.el;
    return failure ? `ConfirmBOD failed: ${v(failure, 'ReasonCode')}: ${v(failure, 'Description')}` : 'ConfirmBOD success';
  }
  const order = all(bod, 'DataArea/Order')[0]?.el;
  if (order) {
    const st = all(order, 'OrderStatus')[0]?.el;
    const total = v(order, 'OrderAmount/GrandTotal');
    const tracking = all(order, "OrderItem/OrderItemFulfillmentInfo/UserData/UserDataField[@name='trackingNumber']").map(hitValue);
    // DOM's shipment map reports no tracking number: then the carrier is all there is to say.
    const carriers = [...new Set(all(order, "OrderItem/OrderItemFulfillmentInfo/UserData/UserDataField[@name='carrier']").map(hitValue))];
    const shipped = tracking.length ? `; shipped, tracking ${tracking.join(', ')}` : carriers.length ? `; shipped by ${carriers.join(', ')}` : '';
    const prepared = st && attrByLocalName(st, 'prepareIndicator') === 'true' ? ', prepared' : '';
    return `${bod.name}  order ${v(order, 'OrderIdentifier/UniqueID') ?? '?'} status ${v(order, 'OrderStatus/Status') ?? '?'}${prepared}${total ? `, total ${total}` : ''}; ${items(order)}${shipped}`;
  }
  const nouns = all(bod, 'DataArea/InventoryAvailability').map(({ el }) =>
    `${v(el, '**/CatalogEntryIdentifier/UniqueID')}@${v(el, '**/OnlineStoreIdentifier/UniqueID') ?? v(el, '**/PhysicalStoreIdentifier/UniqueID')} ${v(el, 'InventoryStatus')}${v(el, 'AvailableQuantity') ? ` ${Number(v(el, 'AvailableQuantity'))}` : ''}`);
  return nouns.length ? `${bod.name}  ${nouns.join(', ')}` : bod.name;
}

export interface Transcript extends ReplayObserver {
  /** The order statuses seen, in order, without repeats: P, M, F, G, R, S. */
  readonly statuses: string[];
}

export function transcript(write: (line: string) => void): Transcript {
  const statuses: string[] = [];
  const started = Date.now();
  const seen = (s: string | undefined) => {
    if (s && statuses[statuses.length - 1] !== s) {
      statuses.push(s);
      return true;
    }
    return false;
  };
  const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  return {
    statuses,
    onStepStart({ step }) {
      write(`\n[${step.index}] ${step.name}`);
    },
    onExchange({ attempt, request, answer, bod }) {
      const status = bod ? v(bod, 'DataArea/Order/OrderStatus/Status') : undefined;
      if (attempt === 1) {
        if (request) write(`  → ${describeRequest(request)}`);
        write(`  ← ${bod ? describeAnswer(bod, answer.status) : `HTTP ${answer.status}, not XML`}`);
        seen(status);
      } else if (seen(status) && bod) write(`  … at ${secs()}: ← ${describeAnswer(bod, answer.status)}`);
    },
    onEmail({ mail }) {
      write(`  ✉ ${mail.type} to ${mail.to}: "${mail.subject}"`);
    },
    onStepEnd({ result }) {
      if (result.status === 'skipped' || result.status === 'failed') write(`  ${result.status === 'failed' ? '✗' : '-'} ${result.message ?? result.status}`);
    },
  };
}
