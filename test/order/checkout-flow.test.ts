import { expect } from 'chai';
import { changeStatus, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { addItems, changeOrder, eventually, getOrder, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { bodyText, startSmtpPeer } from '../support/smtp-peer.js';

/**
 * The checkout flow of docs/contract/wire.md over real HTTP: storefront BODs to dombridge, dombridge to the DOM simulator,
 * the simulator's callbacks back, and customer e-mails through a real SMTP server.
 */
describe('checkout flow (real HTTP, DOM simulator, SMTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let smtp: Awaited<ReturnType<typeof startSmtpPeer>>;

  beforeEach(async function () {
    smtp = await startSmtpPeer();
    w = await startWorld({ SMTP_URL: smtp.url }, undefined, { fulfillment: { confirmAfterMs: 50, releaseAfterMs: 150, shipAfterMs: 300 } } as never);
  });
  afterEach(async function () {
    await w.close();
    await smtp.close();
  });

  const order = async (bod: string) => {
    const r = await post(w.app.url, ORDER_PATH, soap11(bod));
    expect(r.status, r.text).to.equal(200);
    return r;
  };
  const view = async (bod: string) => {
    const r = await order(bod);
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };
  const errorOf = async (bod: string) => changeStatus((await order(bod)).body);

  it('DOM store: ship-to-address and pick-up-in-store, from Create to the shipped e-mail', async function () {
    const created = await view(addItems([
      { catentryId: '20311', quantity: 2, shipMode: 'Standard', address: JANE },
      { catentryId: '20312', quantity: 1, pickupStore: '7101' },
    ]));
    expect(created.status).to.equal('P');
    expect(created.items.map((i) => [i.catentryId, i.shipMode, i.inventoryStatus])).to.deep.equal([['20311', 'Standard', 'Available'], ['20312', 'PickupInStore', 'Available']]);
    const id = created.orderId;
    await view(setPayment(id, '4111111111111111'));
    const prepared = await view(processOrder('Prepare', id));
    expect(prepared.prepared).to.equal('true');
    expect(prepared.items.map((i) => i.inventoryStatus)).to.deep.equal(['Allocated', 'Allocated']);
    // 2 × 24.99 shipped Standard to IL (5.99 + 2 × 1.00), 12.50 picked up in IL; IL tax 6.25% on goods and shipping.
    expect(prepared.totals).to.deep.include({ TotalProductPrice: '62.48', TotalShippingCharge: '7.99', TotalSalesTax: '3.90', TotalShippingTax: '0.50', GrandTotal: '74.87' });

    const submitted = await view(processOrder('Submit', id));
    expect(submitted.status).to.equal('M');

    const shipped = await eventually(async () => {
      const o = await view(getOrder(id));
      expect(o.status).to.equal('S');
      return o;
    });
    // The carrier took the shipped line; the pick-up line was released to store 7101 and waits there for Jane.
    expect(shipped.items.map((i) => i.status)).to.deep.equal(['D', 'R']);
    expect(shipped.shipments).to.deep.equal([{ carrier: 'UPS', trackingNumber: '' }]);
    const history = (await w.store.orders.history(id)).map((h) => h.toStatus);
    expect(history).to.include.members(['P', 'M', 'F', 'G', 'R', 'S']);

    const state = (await (await fetch(`${w.sim.url}/sim/state`)).json()) as { orders: Record<string, { transfers: number; created: number }> };
    expect(state.orders[`WC_${id}`]).to.include({ created: 1 });

    const mails = await eventually(async () => {
      const types = smtp.mails.map((m) => m.raw.match(/X-Dombridge-Email-Type: (\S+)/)?.[1]);
      expect(types).to.include.members(['OrderReceived', 'OrderStatusNotify_R', 'ReleaseShipNotify']);
      return smtp.mails;
    });
    for (const m of mails) expect(m.to).to.deep.equal(['jane@example.com']);
    const received = mails.find((m) => m.raw.includes('X-Dombridge-Email-Type: OrderReceived'))!;
    expect(received.subject).to.contain(id);
    expect(bodyText(received.raw)).to.contain('TEST-SKU-0001').and.to.contain('74.87');
    const shipMail = bodyText(mails.find((m) => m.raw.includes('X-Dombridge-Email-Type: ReleaseShipNotify'))!.raw);
    expect(shipMail).to.contain('TEST-SKU-0001').and.to.contain('UPS').and.to.not.contain('TEST-SKU-0002');
    expect(bodyText(mails.find((m) => m.raw.includes('X-Dombridge-Email-Type: OrderStatusNotify_R'))!.raw)).to.contain('Ready for pick-up at Springfield Downtown');
  });

  it('non-ATP store: local stock is checked on add, reserved at Prepare and taken at Submit', async function () {
    const before = await w.store.localInventory.available('20316', '10102');
    expect(before).to.equal(3);
    const refused = await errorOf(addItems([{ catentryId: '20316', quantity: 5, shipMode: 'Standard', address: JANE }], undefined, '10202'));
    expect(refused).to.include({ reasonCode: 'INSUFFICIENT_STOCK' });
    const o = await view(addItems([{ catentryId: '20316', quantity: 2, shipMode: 'Standard', address: JANE }], undefined, '10202'));
    await view(setPayment(o.orderId, '4111111111111111', '10202'));
    const prepared = await view(processOrder('Prepare', o.orderId, '10202'));
    expect(prepared.items[0]?.inventoryStatus).to.equal('Allocated');
    expect(await w.store.localInventory.available('20316', '10102')).to.equal(1);
    await view(processOrder('Submit', o.orderId, '10202'));
    await eventually(async () => expect((await view(getOrder(o.orderId, '10202'))).status).to.be.oneOf(['G', 'R', 'S']));
    expect(await w.store.localInventory.available('20316', '10102')).to.equal(1);
  });

  it('DOM cannot cover a line in full: Sterling (partial reservations off) holds nothing of it, Submit refuses', async function () {
    const o = await view(addItems([{ catentryId: '20316', quantity: 6, shipMode: 'Standard', address: JANE }]));
    await view(setPayment(o.orderId, '4111111111111111'));
    const prepared = await view(processOrder('Prepare', o.orderId));
    expect(prepared.items.map((i) => [i.quantity, i.inventoryStatus, i.correlationGroup])).to.deep.equal([['6.0', 'Unallocated', '']]);
    const err = await errorOf(processOrder('Submit', o.orderId));
    expect(err).to.include({ reasonCode: 'ITEMS_UNALLOCATED' });
    expect(w.sim.state().reservations).to.deep.equal({});
  });

  it('payment declined: the order stays a cart, nothing reaches DOM, the error says so', async function () {
    const o = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await view(setPayment(o.orderId, '4000000000000002'));
    await view(processOrder('Prepare', o.orderId));
    const err = await errorOf(processOrder('Submit', o.orderId));
    expect(err).to.include({ reasonCode: 'PAYMENT_DECLINED' });
    expect(err!.description).to.contain('declined');
    expect((await view(getOrder(o.orderId))).status).to.equal('P');
    expect(await w.store.domOutbox.forOrder(o.orderId)).to.have.length(0);
    const state = (await (await fetch(`${w.sim.url}/sim/state`)).json()) as { orders: Record<string, unknown> };
    expect(state.orders[`WC_${o.orderId}`]).to.equal(undefined);
  });

  it('DOM refuses the transfer: the order ends in H and the message is dead-lettered for a person', async function () {
    await w.sim.setFailureMode('refuse' as never, { port: 'order' } as never);
    const o = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await view(setPayment(o.orderId, '4111111111111111'));
    await view(processOrder('Prepare', o.orderId));
    await view(processOrder('Submit', o.orderId));
    await eventually(async () => expect((await view(getOrder(o.orderId))).status).to.equal('H'));
    const [m] = await w.store.domOutbox.forOrder(o.orderId);
    expect(m).to.include({ kind: 'TransferOrder', status: 'dead' });
  });

  it('a cart changed after Prepare releases the reservation before reserving again', async function () {
    const o = await view(addItems([{ catentryId: '20313', quantity: 2, shipMode: 'Standard', address: JANE }]));
    await view(processOrder('Prepare', o.orderId));
    const reservedFirst = (await (await fetch(`${w.sim.url}/sim/state`)).json()) as { stock: Record<string, Record<string, { reserved: number }>> };
    expect(reservedFirst.stock['DC-EAST']!['TEST-SKU-0003']!.reserved).to.equal(2);
    await view(changeOrder('Update', '/Order/OrderItem', { orderId: o.orderId, items: [{ orderItemId: o.items[0]!.orderItemId, quantity: 5 }] }));
    await view(processOrder('Prepare', o.orderId));
    const reservedAgain = (await (await fetch(`${w.sim.url}/sim/state`)).json()) as typeof reservedFirst;
    expect(reservedAgain.stock['DC-EAST']!['TEST-SKU-0003']!.reserved).to.equal(5);
  });

  it('Submit refuses an unprepared order, and a cart change un-prepares it', async function () {
    const o = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await view(setPayment(o.orderId, '4111111111111111'));
    expect(await errorOf(processOrder('Submit', o.orderId))).to.include({ reasonCode: 'ORDER_NOT_PREPARED' });
    await view(processOrder('Prepare', o.orderId));
    await view(addItems([{ catentryId: '20312', quantity: 1, shipMode: 'Standard', address: JANE }], o.orderId));
    expect(await errorOf(processOrder('Submit', o.orderId))).to.include({ reasonCode: 'ORDER_NOT_PREPARED' });
  });

  it('an illegal transition is a BOD error naming from and to', async function () {
    const o = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    const sync = `<_ord:SyncOrder releaseID="" xmlns:_ord="http://www.ibm.com/xmlns/prod/commerce/9/order" xmlns:_wcf="http://www.ibm.com/xmlns/prod/commerce/9/foundation" xmlns:oa="http://www.openapplications.org/oagis/9">` +
      `<_wcf:ApplicationArea><oa:CreationDateTime>2026-01-01T00:00:00Z</oa:CreationDateTime></_wcf:ApplicationArea><_ord:DataArea><oa:Sync><oa:ActionCriteria><oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Sync>` +
      `<_ord:Order><_ord:OrderIdentifier><_wcf:UniqueID>${o.orderId}</_wcf:UniqueID></_ord:OrderIdentifier><_ord:OrderStatus><_ord:Status>S</_ord:Status></_ord:OrderStatus></_ord:Order></_ord:DataArea></_ord:SyncOrder>`;
    const r = await order(sync);
    expect(r.body.name).to.equal('ConfirmBOD');
    expect(r.text).to.contain('BODFailureMessage').and.to.contain('ILLEGAL_TRANSITION').and.to.contain('from status P to S');
  });

  it('Lock refuses changes until Unlock; Cancel of a cart', async function () {
    const o = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await view(processOrder('Lock', o.orderId));
    expect(await errorOf(addItems([{ catentryId: '20312', quantity: 1, shipMode: 'Standard', address: JANE }], o.orderId))).to.include({ reasonCode: 'ORDER_LOCKED' });
    await view(processOrder('Unlock', o.orderId));
    await view(addItems([{ catentryId: '20312', quantity: 1, shipMode: 'Standard', address: JANE }], o.orderId));
    expect((await view(processOrder('Cancel', o.orderId))).status).to.equal('X');
  });

  it('an unknown order id is a BOD error, not a fault', async function () {
    expect(await errorOf(getOrder('424242'))).to.include({ reasonCode: 'ORDER_NOT_FOUND' });
    expect(await errorOf(processOrder('Prepare', '424242'))).to.include({ reasonCode: 'ORDER_NOT_FOUND' });
  });
});
