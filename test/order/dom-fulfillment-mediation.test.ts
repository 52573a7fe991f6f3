import { expect } from 'chai';
import { changeStatus, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { addItems, eventually, getOrder, JANE, orderOf, processOrder, setPayment, type ItemSpec } from '../support/order-bods.js';
import { bodyText, startSmtpPeer } from '../support/smtp-peer.js';

/*
 * DOM's fulfilment updates as the mediation's maps send them (the simulator's default): released R and shipped S
 * with the carrier's lines D, no carrier, no tracking number, no shipment element; pick-up lines released to their
 * store and never put into a carrier's shipment. What the customer is told about each (docs/contract/dom-mediation-orders.md).
 */
describe('DOM fulfilment in the maps\' shapes: released, shipped without tracking, picked up in store (real HTTP, real SMTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let smtp: Awaited<ReturnType<typeof startSmtpPeer>>;
  beforeEach(async function () {
    smtp = await startSmtpPeer();
    w = await startWorld({ SMTP_URL: smtp.url }, undefined, { fulfillment: { confirmAfterMs: 30, releaseAfterMs: 150, shipAfterMs: 400 } });
  });
  afterEach(async () => {
    await w.close();
    await smtp.close();
  });

  const view = async (bod: string) => {
    const r = await post(w.app.url, ORDER_PATH, soap11(bod));
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };
  const mail = (type: string) => smtp.mails.filter((m) => m.raw.includes(`X-Dombridge-Email-Type: ${type}`)).map((m) => ({ subject: m.subject, text: bodyText(m.raw).split(/Content-Type: text\/html/i)[0]! }));

  async function submitted(items: ItemSpec[]): Promise<string> {
    const o = await view(addItems(items));
    await view(setPayment(o.orderId, '4111111111111111'));
    await view(processOrder('Prepare', o.orderId));
    await view(processOrder('Submit', o.orderId));
    return o.orderId;
  }

  it('a shipped line and a pick-up line: released (pick-up ready at its store), then one carrier shipment of the shipped line only, without a tracking number', async () => {
    const id = await submitted([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }, { catentryId: '20312', quantity: 2, shipMode: 'PickupInStore', pickupStore: '7101' }]);
    await eventually(async () => expect(mail('OrderStatusNotify_R')).to.have.length(1));
    const released = mail('OrderStatusNotify_R')[0]!.text;
    expect(released).to.contain('Ready for pick-up at Springfield Downtown').and.to.contain('2 x Merino Wool Socks (item TEST-SKU-0002)');
    expect(released).to.contain('Items to be shipped are being prepared');
    // Both lines were released; the shipped line may already be D by now (the ship step follows 250 ms later).
    const [line1, line2] = (await w.store.orders.get(id))!.items;
    expect([line2!.status, line2!.inventoryStatus]).to.deep.equal(['R', 'Released']);
    expect(line1!.status).to.be.oneOf(['R', 'D']);

    await eventually(async () => expect(mail('ReleaseShipNotify')).to.have.length(1));
    const o = await view(getOrder(id));
    expect(o.status).to.equal('S');
    // The carrier took line 1 only; the pick-up line still waits at the store.
    expect(o.items.map((i) => i.status)).to.deep.equal(['D', 'R']);
    expect(o.shipments).to.deep.equal([{ carrier: 'UPS', trackingNumber: '' }]);
    const shipped = mail('ReleaseShipNotify')[0]!.text;
    expect(shipped).to.contain('Trail Running Shoe').and.to.contain('Carrier:          UPS').and.to.contain('1 Example Street');
    expect(shipped).to.not.contain('Tracking number').and.to.not.contain('TEST-SKU-0002').and.to.not.contain('Merino');

    // The customer collects the socks: line 2 D, and no second "on its way" e-mail.
    expect((await fetch(`${w.sim.url}/sim/orders/WC_${id}/pickup`, { method: 'POST' })).status).to.equal(200);
    await eventually(async () => expect((await view(getOrder(id))).items.map((i) => i.status)).to.deep.equal(['D', 'D']));
    expect((await w.store.orders.get(id))!.shipments).to.have.length(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(mail('ReleaseShipNotify')).to.have.length(1);
  });

  it('an order of pick-up lines only is released for pick-up at its store: no carrier shipment, no "on its way" e-mail', async () => {
    const id = await submitted([{ catentryId: '20314', quantity: 1, shipMode: 'PickupInStore', pickupStore: '7102' }]);
    await eventually(async () => expect(mail('OrderStatusNotify_R')).to.have.length(1));
    const released = mail('OrderStatusNotify_R')[0]!;
    expect(released.text).to.contain('Ready for pick-up at Springfield Mall').and.to.contain('1 x Headlamp 300 lm');
    expect(released.text).to.not.contain('on their way').and.to.not.contain('Items to be shipped');
    await new Promise((r) => setTimeout(r, 600)); // past the ship step of the schedule
    expect((await view(getOrder(id))).status).to.equal('R');
    expect(w.sim.state().orders[`WC_${id}`]!.callbacks.map((c) => c.kind)).to.deep.equal(['confirm', 'finalize-promotions', 'release']);
    expect(mail('ReleaseShipNotify')).to.deep.equal([]);
    expect(smtp.mails.map((m) => bodyText(m.raw)).join('\n')).to.not.contain('on their way');
  });
});
