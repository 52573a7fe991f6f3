import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SoapDomOrderClient, retransferGetOrderBod } from '../../src/dom/dom-order.client.js';
import { DomTransport } from '../../src/dom/dom-transport.js';
import { silentLogger } from '../../src/log/logger.js';
import { RetransferJob } from '../../src/order/dom-outbox.relay.js';
import { WSDL_DIR } from '../../src/paths.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, childText, path, type XmlElement } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { changeStatus, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { addItems, eventually, getOrder, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';

/*
 * dombridge against DOM as IBM's WCToSSFS mediation speaks for it (docs/contract/dom-mediation-orders.md). Requests
 * DOM sends are written here by hand in the shapes the mediation's maps write; what dombridge sends is checked against
 * what the maps read, each as "the map reads X from path P: P holds Y".
 */

const PROMO = (code: string) => `<_wcf:UserData><_wcf:UserDataField name="promotionCode">${code}</_wcf:UserDataField></_wcf:UserData>`;
const HEAD = (store = '10201') =>
  `<_wcf:ApplicationArea><oa:CreationDateTime>2026-01-01T00:00:00Z</oa:CreationDateTime><_wcf:BusinessContext><_wcf:ContextData name="storeId">${store}</_wcf:ContextData></_wcf:BusinessContext></_wcf:ApplicationArea>`;
const XMLNS = `xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}"`;
const BUYER = '<_ord:BuyerIdentifier><_wcf:ExternalIdentifier><_wcf:Identifier>jane@example.com</_wcf:Identifier></_wcf:ExternalIdentifier></_ord:BuyerIdentifier>';

/** CreateOrderOnSuccessToChangeOrder's shape. */
const createOrderSuccess = (orderId: string, key: string) =>
  `<_ord:ChangeOrder releaseID="" ${XMLNS}>${HEAD()}<_ord:DataArea><oa:Change><oa:ActionCriteria><oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">/Order/OrderStatus</oa:ActionExpression></oa:ActionCriteria></oa:Change>` +
  `<_ord:Order><_ord:OrderIdentifier><_wcf:UniqueID>${orderId}</_wcf:UniqueID><_wcf:ExternalOrderID>${key}</_wcf:ExternalOrderID></_ord:OrderIdentifier>${BUYER}</_ord:Order></_ord:DataArea></_ord:ChangeOrder>`;

/** CreateOrderOnSuccessToProcessOrder (Finalize: key only), ChangeOrderOnCancel/OnSuccessToProcessOrder (id and key). */
const promotionUsage = (action: string, key: string, orderId?: string) =>
  `<_ord:ProcessOrder releaseID="" ${XMLNS}>${HEAD()}<_ord:DataArea><oa:Process><oa:ActionCriteria><oa:ActionExpression actionCode="${action}" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Process>` +
  `<_ord:Order><_ord:OrderIdentifier>${orderId ? `<_wcf:UniqueID>${orderId}</_wcf:UniqueID>` : ''}<_wcf:ExternalOrderID>${key}</_wcf:ExternalOrderID></_ord:OrderIdentifier>` +
  `${action === 'CancelPromotionCalUsage' ? '' : BUYER}<_ord:StoreIdentifier><_wcf:UniqueID>10201</_wcf:UniqueID></_ord:StoreIdentifier></_ord:Order></_ord:DataArea></_ord:ProcessOrder>`;

/** The older maps' SyncOrder: order status, items by line number, no Shipment element. */
const olderSyncOrder = (orderId: string, status: string, lines: [string, string][]) =>
  `<_ord:SyncOrder releaseID="" ${XMLNS}>${HEAD()}<_ord:DataArea><oa:Sync><oa:ActionCriteria><oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Sync>` +
  `<_ord:Order><_ord:OrderIdentifier><_wcf:UniqueID>${orderId}</_wcf:UniqueID></_ord:OrderIdentifier><_ord:OrderStatus><_ord:Status>${status}</_ord:Status></_ord:OrderStatus>` +
  lines.map(([no, s]) => `<_ord:OrderItem><_ord:OrderItemIdentifier><_wcf:UniqueID>${no}</_wcf:UniqueID></_ord:OrderItemIdentifier><_ord:OrderItemStatus><_ord:Status>${s}</_ord:Status></_ord:OrderItemStatus></_ord:OrderItem>`).join('') +
  `</_ord:Order></_ord:DataArea></_ord:SyncOrder>`;

function at(root: XmlElement | undefined, ...names: [string, string][]): XmlElement | undefined {
  return path(root, ...names);
}
const O = (n: string): [string, string] => [NS.ord, n];
const W = (n: string): [string, string] => [NS.wcf, n];

describe('DOM as its mediation speaks: orders (real HTTP, simulator in its default mode)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  afterEach(async () => w?.close());

  const view = async (bod: string) => {
    const r = await post(w.app.url, ORDER_PATH, soap11(bod));
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };

  /** A cart with a promotion and a pick-up line, prepared and submitted. */
  async function checkout(): Promise<string> {
    const o = await view(addItems([{ catentryId: '20311', quantity: 3, shipMode: 'Standard', address: JANE }, { catentryId: '20312', quantity: 1, shipMode: 'PickupInStore', pickupStore: '7101' }]));
    await view(setPayment(o.orderId, '4111111111111111'));
    await view(processOrder('ApplyPromotionCode', o.orderId, '10201', PROMO('SAVE20')));
    const prepared = await view(processOrder('Prepare', o.orderId));
    expect(prepared.totals['TotalAdjustment']).to.equal('-20.00');
    await view(processOrder('Submit', o.orderId));
    return o.orderId;
  }

  it('a checkout with a promotion and a pick-up line: Sterling totals the transfer at the authorized amount; the createOrder-success callbacks take it to G and finalize its promotion usage', async () => {
    w = await startWorld({}, undefined, { fulfillment: { confirmAfterMs: 30, releaseAfterMs: 60_000, shipAfterMs: 120_000 } });
    const id = await checkout();
    await eventually(async () => expect((await w.store.orders.get(id))?.status).to.equal('G'));
    await eventually(async () => expect((await w.store.orders.get(id))?.promotionUsage).to.equal('finalized'));
    const o = (await w.store.orders.get(id))!;
    const dom = w.sim.state().orders[`WC_${id}`]!;
    expect(o.payments[0]!.amount).to.equal(o.totals!.grandTotal);
    expect(dom.authorized).to.equal(o.totals!.grandTotal);
    expect(dom.total).to.equal(dom.authorized);
    expect(o.externalOrderId).to.equal(dom.orderHeaderKey);
    await eventually(async () => expect(w.sim.state().orders[`WC_${id}`]!.callbacks.map((c) => [c.kind, c.outcome])).to.deep.equal([['confirm', 'confirmed'], ['finalize-promotions', 'confirmed']]));
  });

  it('TransferOrder, field by field, as ProcessOrderToCreateOrderInput reads it', async () => {
    w = await startWorld({}, undefined, { fulfillment: false });
    const id = await checkout();
    const sent = (await w.store.domOutbox.forOrder(id)).find((m) => m.kind === 'TransferOrder')!;
    const order = at(readXml(sent.payload), O('DataArea'), O('Order'))!;
    const o = (await w.store.orders.get(id))!;
    const [shipped, pickup] = childrenNamed(order, NS.ord, 'OrderItem') as [XmlElement, XmlElement];
    // Order@OrderNo is WC_ + OrderIdentifier/UniqueID; BuyerUserId is BuyerIdentifier/ExternalIdentifier/Identifier.
    expect(at(order, O('OrderIdentifier'), W('UniqueID'))?.text).to.equal(id);
    expect(at(order, O('BuyerIdentifier'), W('ExternalIdentifier'), W('Identifier'))?.text).to.equal('jane@example.com');
    // PersonInfoBillTo is BuyerBillInfo: name, address lines, city, state, country, zip, e-mail.
    const bill = child(order, NS.ord, 'BuyerBillInfo');
    expect(at(bill, W('ContactName'), W('LastName'))?.text).to.equal('Doe');
    expect(at(bill, W('Address'), W('City'))?.text).to.equal('Springfield');
    expect(at(bill, W('Address'), W('PostalCode'))?.text).to.equal('62701');
    // PaymentMethod: a card is recognised by ProtocolData[@name='cc_brand']; CreditCardNo is _token, the displayed
    // number _display_value; never the card number itself.
    const pi = at(order, O('OrderPaymentInfo'), O('PaymentInstruction'))!;
    const pd = Object.fromEntries(childrenNamed(pi, NS.ord, 'ProtocolData').map((p) => [p.attrs['name'], p.text]));
    expect(pd['cc_brand']).to.equal(o.payments[0]!.cardBrand ?? o.payments[0]!.method);
    expect(pd['_token']).to.equal(o.payments[0]!.token);
    expect(pd['_display_value']).to.equal('************1111');
    expect(sent.payload).to.not.include('4111111111111111');
    // PaymentDetails comes from FinancialTransaction[PaymentInstructionID = PaymentInstruction/UniqueID]: Approve,
    // Success, ReferenceNumber the AuthCode, RequestAmount the processed amount.
    const ft = at(order, O('OrderPaymentInfo'), O('FinancialTransaction'))!;
    expect(childText(ft, NS.ord, 'PaymentInstructionID')).to.equal(childText(pi, NS.ord, 'UniqueID'));
    expect([childText(ft, NS.ord, 'TransactionType'), childText(ft, NS.ord, 'Status')]).to.deep.equal(['Approve', 'Success']);
    expect(childText(ft, NS.ord, 'ReferenceNumber')).to.equal(o.payments[0]!.authorizationCode);
    expect(childText(ft, NS.ord, 'RequestAmount')).to.equal(o.totals!.grandTotal);
    // LineCharges: one per OrderItemAmount/Adjustment (ChargeName its CalculationCodeID, ChargePerLine 0 − Amount);
    // together they are the line's adjustment.
    const adjustments = childrenNamed(child(shipped, NS.ord, 'OrderItemAmount'), NS.wcf, 'Adjustment');
    expect(adjustments).to.have.length.greaterThan(0);
    const sum = (els: XmlElement[]) => els.reduce((t, a) => t + Math.round(Number(childText(a, NS.wcf, 'Amount')) * 100), 0);
    expect(sum(adjustments) + sum(childrenNamed(child(pickup, NS.ord, 'OrderItemAmount'), NS.wcf, 'Adjustment'))).to.equal(-2000);
    expect(at(adjustments[0], W('CalculationCodeID'), W('UniqueID'))?.text).to.be.a('string');
    // OrderLineReservation exists only with FulfillmentCenter/FulfillmentCenterIdentifier; for PickupInStore the node
    // is the store (PhysicalStoreIdentifier/ExternalIdentifier), for shipped lines FulfillmentCenterIdentifier/Name.
    expect(at(pickup, O('OrderItemShippingInfo'), O('ShippingMode'), O('ShippingModeIdentifier'), O('ExternalIdentifier'), O('ShipModeCode'))?.text).to.equal('PickupInStore');
    expect(at(pickup, O('OrderItemShippingInfo'), O('PhysicalStoreIdentifier'), W('ExternalIdentifier'))?.text).to.equal('STORE-7101');
    expect(at(pickup, O('FulfillmentCenter'), O('FulfillmentCenterIdentifier'))).to.not.equal(undefined);
    expect(at(shipped, O('FulfillmentCenter'), O('FulfillmentCenterIdentifier'), W('Name'))?.text).to.equal('DC-EAST');
  });

  it('the re-transfer GetOrder carries what GetOrderToGetPageInput reads: UniqueID.1 the order, UniqueID.2 the store, LogOnID.1 the buyer, maxItems', () => {
    const get = readXml(retransferGetOrderBod('90000101', '10201', 'jane@example.com'));
    const expression = at(get, O('DataArea'), [NS.oa, 'Get'], [NS.oa, 'Expression'])!.text;
    const params = [...expression.matchAll(/\(([A-Za-z]+)='([^']*)'\)/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(params).to.deep.equal(['UniqueID=90000101', 'UniqueID=10201', 'LogOnID=jane@example.com']);
    expect(at(get, O('DataArea'), [NS.oa, 'Get'])!.attrs['maxItems']).to.equal('1');
  });

  it('replayed in the maps\' shapes: createOrder-success ChangeOrder, Finalize/Update/CancelPromotionCalUsage by ExternalOrderID, the older SyncOrder R/B/S', async () => {
    w = await startWorld({}, undefined, { fulfillment: false });
    const id = await checkout();
    // The synchronous answer only said "accepted": the order waits in F, never H, and is not resent.
    await eventually(async () => expect((await w.store.domOutbox.forOrder(id)).find((m) => m.kind === 'TransferOrder')?.status).to.equal('acknowledged'));
    expect((await w.store.orders.get(id))?.status).to.equal('F');
    // FinalizePromotionCalUsage before DOM's key is known names no order dombridge has.
    expect(changeStatus((await post(w.app.url, ORDER_PATH, soap11(promotionUsage('FinalizePromotionCalUsage', 'K-20260101')))).body)).to.include({ reasonCode: 'ORDER_NOT_FOUND' });
    const confirmed = await post(w.app.url, ORDER_PATH, soap11(createOrderSuccess(id, 'K-20260101')));
    expect(changeStatus(confirmed.body), confirmed.text).to.equal(undefined);
    expect(await w.store.orders.get(id)).to.deep.include({ status: 'G', externalOrderId: 'K-20260101' });
    for (const [action, usage, withId] of [['FinalizePromotionCalUsage', 'finalized', false], ['UpdatePromotionCalUsage', 'updated', true], ['CancelPromotionCalUsage', 'canceled', true]] as const) {
      const r = await post(w.app.url, ORDER_PATH, soap11(promotionUsage(action, 'K-20260101', withId ? id : undefined)));
      expect(changeStatus(r.body), r.text).to.equal(undefined);
      expect((await w.store.orders.get(id))?.promotionUsage).to.equal(usage);
    }
    for (const [status, lines, expected] of [['1300', [['1', 'B']], 'B'], ['3200', [['1', 'R'], ['2', 'R']], 'R'], ['S', [['1', 'D'], ['2', 'D']], 'S']] as const) {
      const r = await post(w.app.url, ORDER_PATH, soap11(olderSyncOrder(id, status, lines.map((l) => [...l]))));
      expect(r.text).to.contain('BODSuccessMessage');
      expect((await view(getOrder(id))).status).to.equal(expected);
    }
    expect((await w.store.orders.get(id))!.items.map((i) => i.status)).to.deep.equal(['D', 'D']);
  });

  it('the re-transfer GetOrder finds the order at DOM: G with the OrderHeaderKey getOrderList reports, so the promotion callbacks find it by that key', async () => {
    w = await startWorld({}, undefined, { fulfillment: false });
    const id = await checkout();
    // Accepted, but the createOrder-success ChangeOrder never comes (callbacks off): the order waits in F without DOM's key.
    await eventually(async () => expect((await w.store.domOutbox.forOrder(id)).find((m) => m.kind === 'TransferOrder')?.status).to.equal('acknowledged'));
    expect(await w.store.orders.get(id)).to.deep.include({ status: 'F', externalOrderId: null });
    const key = w.sim.state().orders[`WC_${id}`]!.orderHeaderKey;
    const client = new SoapDomOrderClient(new DomTransport({ baseUrl: w.sim.url, connectTimeoutMs: 500, timeoutMs: 1000 }, join(WSDL_DIR, 'DOMServices.wsdl')));
    expect(await new RetransferJob(w.store, client, 0, silentLogger).runOnce(Date.now() + 1000)).to.equal(1);
    expect(await w.store.orders.get(id)).to.deep.include({ status: 'G', externalOrderId: key });
    expect(w.sim.state().orders[`WC_${id}`]).to.deep.include({ transfers: 1 });
    const r = await post(w.app.url, ORDER_PATH, soap11(promotionUsage('FinalizePromotionCalUsage', key)));
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    expect((await w.store.orders.get(id))?.promotionUsage).to.equal('finalized');
  });

  it('a Sterling error on the transfer dead-letters it (order H); the re-transfer job does not send it again', async () => {
    w = await startWorld({}, undefined, { fulfillment: false });
    await w.sim.setFailureMode('sterling-error', { port: 'order' });
    const id = await checkout();
    await eventually(async () => expect((await w.store.domOutbox.forOrder(id)).find((m) => m.kind === 'TransferOrder')?.status).to.equal('dead'));
    const dead = (await w.store.domOutbox.forOrder(id)).find((m) => m.kind === 'TransferOrder')!;
    expect(dead.attempts).to.equal(1);
    expect(dead.lastError).to.match(/^bod-error: .*YFS10001/);
    expect((await w.store.orders.get(id))?.status).to.equal('H');
    await w.sim.setFailureMode('none');
    const client = new SoapDomOrderClient(new DomTransport({ baseUrl: w.sim.url, connectTimeoutMs: 500, timeoutMs: 1000 }, join(WSDL_DIR, 'DOMServices.wsdl')));
    expect(await new RetransferJob(w.store, client, 0, silentLogger).runOnce(Date.now() + 1000)).to.equal(0);
    expect((await w.store.domOutbox.forOrder(id)).find((m) => m.kind === 'TransferOrder')?.status).to.equal('dead');
    expect(w.sim.state().orders[`WC_${id}`]).to.equal(undefined);
  });
});

describe('Sterling\'s own errors are refusals, in every form the mediation passes them on', () => {
  const errors = '<Errors><Error ErrorCode="YFS10003" ErrorDescription="Order already exists"/></Errors>';
  const forms: [string, number, string][] = [
    ['the whole answer', 200, errors],
    ['the SOAP body', 200, soap11(errors)],
    ['a SOAP fault\'s detail', 500, soap11(`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>createOrder failed</faultstring><detail>${errors}</detail></soapenv:Fault>`)],
  ];
  for (const [where, status, body] of forms) {
    it(`as ${where}: bod-error naming the code`, async () => {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' });
          res.end(body);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const client = new SoapDomOrderClient(new DomTransport({ baseUrl: url, connectTimeoutMs: 500, timeoutMs: 1000 }, join(WSDL_DIR, 'DOMServices.wsdl')));
        const r = await client.transferOrder('<x/>');
        expect(!r.ok && r.failure.kind).to.equal('bod-error');
        expect(!r.ok && r.failure.detail).to.include('YFS10003: Order already exists');
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
  }
});
