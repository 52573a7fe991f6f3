/**
 * The BODs a storefront sends for one checkout (docs/contract/wire.md, checkout), as SOAP 1.1 envelopes, and the few values the
 * benchmark reads back from the answers. Answers are read with anchored patterns rather than a parser: the
 * load generator shares a core with nothing but itself, and every answer it reads is dombridge's own writing.
 */
import { randomUUID } from 'node:crypto';
import { NS } from '../src/xml/namespaces.js';
import { soap11 } from '../test/support/test-app.js';

export const CHECKOUT_STORE = '10201';
export const CHECKOUT_ITEM = '20312';
export const TEST_CARD = '4111111111111111';

const XMLNS = `xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}"`;

function applicationArea(): string {
  return `<oa:ApplicationArea><oa:CreationDateTime>${new Date().toISOString()}</oa:CreationDateTime><oa:BODID>${randomUUID()}</oa:BODID>` +
    `<_wcf:BusinessContext><_wcf:ContextData name="storeId">${CHECKOUT_STORE}</_wcf:ContextData></_wcf:BusinessContext></oa:ApplicationArea>`;
}

function changeOrder(actionCode: string, expression: string, order: string): string {
  return soap11(
    `<_ord:ChangeOrder ${XMLNS} releaseID="9.0" versionID="7.0.0.6">${applicationArea()}<_ord:DataArea>` +
      `<oa:Change><oa:ActionCriteria><oa:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath">${expression}</oa:ActionExpression></oa:ActionCriteria></oa:Change>` +
      `${order}</_ord:DataArea></_ord:ChangeOrder>`,
  );
}

function orderIdentifier(orderId: string): string {
  return `<_ord:OrderIdentifier><_wcf:UniqueID>${orderId}</_wcf:UniqueID></_ord:OrderIdentifier>`;
}

/** ChangeOrder Create: a new cart with item 20312 ×1, shipped Standard to an Illinois address with an e-mail. */
export function createCartBod(shopper: number): string {
  const address =
    `<_ord:ShippingAddress><_wcf:ContactName><_wcf:LastName>Shopper</_wcf:LastName><_wcf:FirstName>Bench${shopper}</_wcf:FirstName></_wcf:ContactName>` +
    `<_wcf:Address><_wcf:AddressLine>${100 + shopper} W Washington St</_wcf:AddressLine><_wcf:City>Springfield</_wcf:City>` +
    `<_wcf:StateOrProvinceName>IL</_wcf:StateOrProvinceName><_wcf:Country>US</_wcf:Country><_wcf:PostalCode>62701</_wcf:PostalCode></_wcf:Address>` +
    `<_wcf:EmailAddress1><_wcf:Value>bench${shopper}@example.com</_wcf:Value></_wcf:EmailAddress1></_ord:ShippingAddress>`;
  return changeOrder(
    'Create',
    '/Order/OrderItem',
    `<_ord:Order>${orderIdentifier('.')}<_ord:OrderItem>` +
      `<_ord:CatalogEntryIdentifier><_wcf:UniqueID>${CHECKOUT_ITEM}</_wcf:UniqueID></_ord:CatalogEntryIdentifier>` +
      `<_ord:Quantity uom="C62">1</_ord:Quantity>` +
      `<_ord:OrderItemShippingInfo>${address}<_ord:ShippingMode><_ord:ShippingModeIdentifier><_ord:ExternalIdentifier>` +
      `<_ord:ShipModeCode>Standard</_ord:ShipModeCode></_ord:ExternalIdentifier></_ord:ShippingModeIdentifier></_ord:ShippingMode></_ord:OrderItemShippingInfo>` +
      `</_ord:OrderItem></_ord:Order>`,
  );
}

/** ChangeOrder Create on the payment instruction: the test card as ProtocolData `account`. */
export function paymentBod(orderId: string): string {
  return changeOrder(
    'Create',
    '/Order/OrderPaymentInfo/PaymentInstruction',
    `<_ord:Order>${orderIdentifier(orderId)}<_ord:OrderPaymentInfo><_ord:PaymentInstruction>` +
      `<_ord:PaymentMethod><_ord:PaymentMethodName>VISA</_ord:PaymentMethodName></_ord:PaymentMethod>` +
      `<_ord:ProtocolData name="account">${TEST_CARD}</_ord:ProtocolData>` +
      `</_ord:PaymentInstruction></_ord:OrderPaymentInfo></_ord:Order>`,
  );
}

/** ProcessOrder with `actionCode` (Prepare, Submit) on the order. */
export function processOrderBod(actionCode: 'Prepare' | 'Submit', orderId: string): string {
  return soap11(
    `<_ord:ProcessOrder ${XMLNS} releaseID="9.0" versionID="7.0.0.6">${applicationArea()}<_ord:DataArea>` +
      `<oa:Process><oa:ActionCriteria><oa:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
      `<_ord:Order>${orderIdentifier(orderId)}</_ord:Order></_ord:DataArea></_ord:ProcessOrder>`,
  );
}

/** GetOrder by id with the IBM_Details access profile. */
export function getOrderBod(orderId: string): string {
  return soap11(
    `<_ord:GetOrder ${XMLNS} releaseID="9.0" versionID="7.0.0.6">${applicationArea()}<_ord:DataArea>` +
      `<oa:Get><oa:Expression expressionLanguage="_wcf:XPath">{_wcf.ap=IBM_Details}/Order[OrderIdentifier[(UniqueID='${orderId}')]]</oa:Expression></oa:Get>` +
      `</_ord:DataArea></_ord:GetOrder>`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Reading answers
// ---------------------------------------------------------------------------------------------------------------

const ORDER_ID = /<(?:\w+:)?Order\b[^>]*>\s*<(?:\w+:)?OrderIdentifier>\s*<(?:\w+:)?UniqueID>([^<]+)<\/(?:\w+:)?UniqueID>/;
const ORDER_STATUS = /<(?:\w+:)?OrderStatus\b[^>]*>\s*<(?:\w+:)?Status>([A-Z])<\/(?:\w+:)?Status>/;
const CHANGE_STATUS = /<(?:\w+:)?ChangeStatus>([\s\S]*?)<\/(?:\w+:)?ChangeStatus>/;
const FAULT = /<(?:\w+:)?Fault>([\s\S]*?)<\/(?:\w+:)?Fault>/;

/** Why an answer is not a success, or undefined when it is one. */
export function answerProblem(status: number, text: string): string | undefined {
  const fault = FAULT.exec(text);
  if (fault) return `SOAP fault (HTTP ${status}): ${squash(fault[1]!)}`;
  if (status !== 200) return `HTTP ${status}: ${squash(text)}`;
  const cs = CHANGE_STATUS.exec(text);
  if (cs) return `error answer: ${squash(cs[1]!)}`;
  return undefined;
}

/** The Order noun's UniqueID (the first Order in the answer). */
export function orderIdOf(text: string): string | undefined {
  return ORDER_ID.exec(text)?.[1];
}

/** The order's status code (P, M, F, G, …). */
export function orderStatusOf(text: string): string | undefined {
  return ORDER_STATUS.exec(text)?.[1];
}

function squash(xml: string): string {
  return xml.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 400);
}
