import { expect } from 'chai';
import { TestPaymentProvider, type AuthorizationOutcome, type AuthorizationRequest } from '../../src/payment/payment-provider.js';
import { addItems, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { changeStatus, faultOf, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';

/** The test provider, with a hook run right after it approves: the moment between authorizing and placing. */
class HookedProvider extends TestPaymentProvider {
  afterApproval: (() => Promise<void>) | undefined;
  authorizations = 0;
  override async authorize(req: AuthorizationRequest): Promise<AuthorizationOutcome> {
    this.authorizations++;
    const r = await super.authorize(req);
    if (r.outcome === 'approved' && this.afterApproval) {
      const hook = this.afterApproval;
      this.afterApproval = undefined;
      await hook();
    }
    return r;
  }
}

/**
 * Payments are whole (saga): Submit authorizes, then places the order; when placing fails the authorization is
 * voided (PaymentProvider.void as the step's undo), so no hold is left on the card. Payment methods are explicit.
 */
describe('Submit: the authorization is voided when the order is not placed; payment methods are explicit', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let payments: HookedProvider;

  beforeEach(async function () {
    payments = new HookedProvider();
    w = await startWorld({}, undefined, { fulfillment: false } as never, { payments });
  });
  afterEach(async function () {
    await w.close();
  });

  const send = (bod: string) => post(w.app.url, ORDER_PATH, soap11(bod));
  const ok = async (bod: string) => {
    const r = await send(bod);
    expect(r.status, r.text).to.equal(200);
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };
  const refused = async (bod: string) => {
    const r = await send(bod);
    expect(r.status, r.text).to.equal(200);
    const cs = changeStatus(r.body);
    expect(cs, r.text).not.to.equal(undefined);
    return cs!;
  };
  const preparedCart = async (card = '4111111111111111', method = 'VISA') => {
    const id = (await ok(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]))).orderId;
    await ok(setPayment(id, card, '10201', JANE, method));
    await ok(processOrder('Prepare', id));
    return id;
  };
  const statusOf = async (id: string) => (await w.store.orders.get(id))!.status;

  it('the cart changes between authorizing and placing: ORDER_CHANGED, the hold is voided; the retry after Prepare leaves exactly one hold, the order\'s', async function () {
    const id = await preparedCart();
    payments.afterApproval = async () => {
      await ok(addItems([{ catentryId: '20312', quantity: 1, shipMode: 'Standard', address: JANE }], id));
    };
    expect((await refused(processOrder('Submit', id))).reasonCode).to.equal('ORDER_CHANGED');
    expect(payments.voids).to.have.length(1);
    expect(payments.openHolds(id), 'no hold left behind').to.deep.equal([]);
    expect(await statusOf(id)).to.equal('P');

    await ok(processOrder('Prepare', id));
    expect((await ok(processOrder('Submit', id))).status).to.equal('M');
    const holds = payments.openHolds(id);
    expect(holds, 'one hold, not two').to.have.length(1);
    const placed = (await w.store.orders.get(id))!;
    expect(placed.payments[0]!.authorizationCode).to.equal(holds[0]!.authorizationCode).and.to.match(/^TEST\d{6}$/);
    expect(holds[0]!.amount).to.equal(placed.totals!.grandTotal);
  });

  it('the placing transaction throws: the request fails, the hold is voided; a retry of the same prepared order places it with one hold', async function () {
    const id = await preparedCart();
    const original = w.store.transaction.bind(w.store);
    payments.afterApproval = async () => {
      w.store.transaction = (async () => {
        w.store.transaction = original;
        throw new Error('disk I/O error (forced by the test)');
      }) as typeof w.store.transaction;
    };
    const r = await send(processOrder('Submit', id));
    expect(r.status, r.text).to.equal(500);
    expect(faultOf(r.body).code).to.equal('INTERNAL_ERROR');
    expect(payments.openHolds(id), 'no hold left behind').to.deep.equal([]);
    expect(await statusOf(id)).to.equal('P');

    expect((await ok(processOrder('Submit', id))).status).to.equal('M');
    const holds = payments.openHolds(id);
    expect(holds).to.have.length(1);
    expect((await w.store.orders.get(id))!.payments[0]!.authorizationCode).to.equal(holds[0]!.authorizationCode);
  });

  it('a void that fails is logged, not thrown: the client still gets ORDER_CHANGED', async function () {
    const id = await preparedCart();
    payments.failVoids = true;
    payments.afterApproval = async () => {
      await ok(addItems([{ catentryId: '20312', quantity: 1, shipMode: 'Standard', address: JANE }], id));
    };
    expect((await refused(processOrder('Submit', id))).reasonCode).to.equal('ORDER_CHANGED');
    expect(payments.voids).to.have.length(1);
  });

  it('a card method without a card number: PAYMENT_CARD_MISSING at Submit, nothing authorized, the order stays a cart', async function () {
    const id = await preparedCart('');
    const cs = await refused(processOrder('Submit', id));
    expect(cs.reasonCode).to.equal('PAYMENT_CARD_MISSING');
    expect(cs.description).to.contain('VISA').and.to.contain('name="account"');
    expect(payments.authorizations).to.equal(0);
    expect(await statusOf(id)).to.equal('P');
  });

  it('a masked card number names no card: PAYMENT_CARD_MISSING', async function () {
    const id = await preparedCart('************1111');
    expect((await refused(processOrder('Submit', id))).reasonCode).to.equal('PAYMENT_CARD_MISSING');
  });

  it('a method without a card (COD) is submitted with nothing authorized and no card kept', async function () {
    const id = await preparedCart('4111111111111111', 'COD');
    expect((await ok(processOrder('Submit', id))).status).to.equal('M');
    expect(payments.authorizations).to.equal(0);
    const p = (await w.store.orders.get(id))!.payments[0]!;
    expect(p).to.include({ method: 'COD', token: null, cardLast4: null, authorizationCode: null });
  });

  it('a method in neither list is refused at ChangeOrder: PAYMENT_METHOD_UNKNOWN naming both lists', async function () {
    const id = (await ok(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]))).orderId;
    const cs = await refused(setPayment(id, '4111111111111111', '10201', JANE, 'Bitcoin'));
    expect(cs.reasonCode).to.equal('PAYMENT_METHOD_UNKNOWN');
    expect(cs.description).to.contain('Bitcoin').and.to.contain('VISA').and.to.contain('COD');
  });

  it('method names are matched without regard to case', async function () {
    const id = await preparedCart('4111111111111111', 'visa');
    expect((await ok(processOrder('Submit', id))).status).to.equal('M');
    expect(payments.openHolds(id)).to.have.length(1);
  });
});
