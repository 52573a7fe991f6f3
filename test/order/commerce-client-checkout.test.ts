import { expect } from 'chai';
import { TestPaymentProvider } from '../../src/payment/payment-provider.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed } from '../../src/xml/xml-element.js';
import type { Node } from '../support/commerce-client/bod-tree.js';
import { CLIENT_STACKS, type ClientStack } from '../support/commerce-client/client-stacks.js';
import { changeOrderAddItems, changeOrderSetPayment, getOrder, JOHN, processOrder, type ClientCard } from '../support/commerce-client/order-requests.js';
import { CommerceClient, type Answer } from '../support/commerce-client/wire-client.js';
import { changeStatus, startWorld, type TestWorld } from '../support/test-app.js';
import { loadBodValidator, type BodValidator } from '../support/xsd-validator.js';

/**
 * A checkout by a client generated from Commerce's own Order WSDL (JAX-WS/JAXB request shapes, real HTTP):
 * the card it sends as ProtocolData name="account" is the card that is charged.
 */
describe('checkout by a client generated from Commerce\'s OrderServices.wsdl (JAXB requests, real HTTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let payments: TestPaymentProvider;
  let validator: BodValidator;

  before(async function () {
    validator = await loadBodValidator();
  });
  after(function () {
    validator.dispose();
  });
  beforeEach(async function () {
    payments = new TestPaymentProvider();
    w = await startWorld({}, undefined, { fulfillment: false } as never, { payments });
  });
  afterEach(async function () {
    await w.close();
  });

  /** Sends the request as the given stack writes it (JAXB by default); the answer is validated against schemas/. */
  function call(request: Node, answerName: string, stack: ClientStack = 'jaxb', invalidRequest?: string): Promise<Answer> {
    return new CommerceClient(w.app.url, stack, validator).send(request, answerName, invalidRequest ? { invalidRequest } : {});
  }

  const orderOf = (a: Answer) => child(child(a.bod, NS.ord, 'DataArea'), NS.ord, 'Order');
  const statusOf = (a: Answer) => child(child(orderOf(a), NS.ord, 'OrderStatus'), NS.ord, 'Status')?.text;

  /** A cart with one shipped line, the payment as given, prepared; returns the order id and the payment answer. */
  async function preparedCart(style: ClientStack, method: string, card: ClientCard | undefined): Promise<{ orderId: string; payment: Answer }> {
    const created = await call(changeOrderAddItems([{ catentryId: '20311', quantity: 2, shipModeCode: 'Standard', address: JOHN }]), 'RespondOrder', style);
    expect(changeStatus(created.bod), created.text).to.equal(undefined);
    const orderId = child(child(orderOf(created), NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')!.text;
    const payment = await call(changeOrderSetPayment({ orderId, method, billing: JOHN, ...(card ? { card } : {}) }), 'RespondOrder', style);
    expect(changeStatus(payment.bod), payment.text).to.equal(undefined);
    const prepared = await call(processOrder('Prepare', { orderId }), 'AcknowledgeOrder', style);
    expect(changeStatus(prepared.bod), prepared.text).to.equal(undefined);
    return { orderId, payment };
  }

  for (const style of CLIENT_STACKS) {
    it(`${style}: the approving card is authorized with a real authorization code and the order is submitted`, async function () {
      const { orderId, payment } = await preparedCart(style, 'VISA', { account: '4111111111111111', brand: 'VISA', expireMonth: '12', expireYear: '2030', cvc: '737' });
      // The echo: Commerce's form, masked to the last four digits; no CVC, no number.
      const pd = childrenNamed(childrenNamed(child(orderOf(payment), NS.ord, 'OrderPaymentInfo'), NS.ord, 'PaymentInstruction')[0], NS.ord, 'ProtocolData');
      expect(pd.map((p) => [p.attrs['name'], p.text, p.children.length])).to.deep.equal([['account', '************1111', 0]]);
      // The CVC as a value of its own (an element's text or an attribute), not as digits inside an id or a time.
      expect(payment.text).not.to.contain('4111111111111111').and.not.to.match(/[>"']\s*737\s*[<"']/).and.not.to.contain('cc_cvc');

      const submitted = await call(processOrder('Submit', { orderId }), 'AcknowledgeOrder', style);
      expect(changeStatus(submitted.bod), submitted.text).to.equal(undefined);
      expect(statusOf(submitted)).to.equal('M');
      const holds = payments.openHolds(orderId);
      expect(holds, 'the card was authorized once').to.have.length(1);
      const stored = (await w.store.orders.get(orderId))!;
      expect(stored.payments[0]).to.include({ status: 'authorized', authorizationCode: holds[0]!.authorizationCode, cardLast4: '1111', cardBrand: 'VISA', expireMonth: '12', expireYear: '2030' });
      expect(holds[0]!.authorizationCode).to.match(/^TEST\d{6}$/);
      expect(holds[0]!.amount).to.equal(stored.totals!.grandTotal);
      expect(JSON.stringify(stored), 'neither the number nor the CVC is stored').not.to.contain('4111111111111111').and.not.to.contain('"737"');

      // Submitted, and on its way to DOM by now (M, then F / G as the transfer runs).
      const shown = await call(getOrder({ orderId }), 'ShowOrder', style);
      expect(['M', 'F', 'G']).to.include(statusOf(shown));
    });
  }

  it('the declining card gets PAYMENT_DECLINED and the order stays unsubmitted (status P)', async function () {
    const { orderId } = await preparedCart('jaxb-default-ns', 'VISA', { account: '4000000000000002', brand: 'VISA', expireMonth: '01', expireYear: '2031' });
    const submitted = await call(processOrder('Submit', { orderId }), 'AcknowledgeOrder', 'jaxb-default-ns');
    expect(changeStatus(submitted.bod)).to.include({ reasonCode: 'PAYMENT_DECLINED' });
    expect(changeStatus(submitted.bod)!.description).to.contain('card declined');
    const shown = await call(getOrder({ orderId }), 'ShowOrder');
    expect(statusOf(shown)).to.equal('P');
    expect(payments.openHolds(orderId)).to.deep.equal([]);
  });

  it('the provider-error card gets PAYMENT_ERROR and the order stays unsubmitted', async function () {
    const { orderId } = await preparedCart('jaxb', 'MasterCard', { account: '4000000000000119' });
    const submitted = await call(processOrder('Submit', { orderId }), 'AcknowledgeOrder');
    expect(changeStatus(submitted.bod)).to.include({ reasonCode: 'PAYMENT_ERROR' });
    expect(statusOf(await call(getOrder({ orderId }), 'ShowOrder'))).to.equal('P');
  });

  it('a card brand with no card number is refused at Submit (PAYMENT_CARD_MISSING), never approved', async function () {
    const { orderId } = await preparedCart('jaxb', 'VISA', { brand: 'VISA', expireMonth: '12', expireYear: '2030' });
    const submitted = await call(processOrder('Submit', { orderId }), 'AcknowledgeOrder');
    expect(changeStatus(submitted.bod)).to.include({ reasonCode: 'PAYMENT_CARD_MISSING' });
    expect(statusOf(await call(getOrder({ orderId }), 'ShowOrder'))).to.equal('P');
    expect(payments.openHolds()).to.deep.equal([]);
  });

  it('ProtocolData in the <Name>/<Value> child form is refused by name (VALUE_INVALID), not read as "no card"', async function () {
    const created = await call(changeOrderAddItems([{ catentryId: '20311', quantity: 1, shipModeCode: 'Standard', address: JOHN }]), 'RespondOrder');
    const orderId = child(child(orderOf(created), NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')!.text;
    const r = await call(changeOrderSetPayment({ orderId, method: 'VISA', card: { account: '4111111111111111' }, childFormProtocolData: true }), 'RespondOrder', 'jaxb', 'ProtocolData with child elements');
    expect(changeStatus(r.bod)).to.include({ reasonCode: 'VALUE_INVALID' });
    expect(changeStatus(r.bod)!.description).to.contain('ProtocolData name="account"');
    expect((await w.store.orders.get(orderId))!.payments).to.deep.equal([]);
  });

  it('an xsi:nil optional element (as stacks with nillable bindings send) is read as absent', async function () {
    const created = await call(changeOrderAddItems([{ catentryId: '20311', quantity: 1, shipModeCode: 'Standard', address: JOHN }]), 'RespondOrder');
    const orderId = child(child(orderOf(created), NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')!.text;
    const r = await call(changeOrderSetPayment({ orderId, method: 'VISA', card: { account: '4111111111111111' }, nilExternalOrderId: true }), 'RespondOrder', 'jaxb', 'xsi:nil on an element that is not nillable');
    expect(changeStatus(r.bod), r.text).to.equal(undefined);
    expect((await w.store.orders.get(orderId))!.payments[0]).to.include({ cardLast4: '1111' });
  });
});
