import { expect } from 'chai';
import { NS } from '../../src/xml/namespaces.js';
import { availabilityNouns, changeStatus, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { addItems, eventually, getOrder, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { startSmtpPeer } from '../support/smtp-peer.js';

const PROMO = (code: string) => `<_wcf:UserData><_wcf:UserDataField name="promotionCode">${code}</_wcf:UserDataField></_wcf:UserData>`;

/** Promotions, DOM's later updates and their e-mails, non-ATP inventory flags. */
describe('promotions, DOM updates and inventory flags (real HTTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let smtp: Awaited<ReturnType<typeof startSmtpPeer>>;
  beforeEach(async function () {
    smtp = await startSmtpPeer();
    w = await startWorld({ SMTP_URL: smtp.url }, undefined, { fulfillment: { confirmAfterMs: 30, releaseAfterMs: 60_000, shipAfterMs: 120_000 } });
  });
  afterEach(async function () {
    await w.close();
    await smtp.close();
  });

  const view = async (bod: string) => {
    const r = await post(w.app.url, ORDER_PATH, soap11(bod));
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };
  const types = () => smtp.mails.map((m) => /X-Dombridge-Email-Type: (\S+)/.exec(m.raw)?.[1]);

  async function submittedOrder(): Promise<string> {
    const o = await view(addItems([{ catentryId: '20311', quantity: 3, shipMode: 'Standard', address: JANE }]));
    await view(setPayment(o.orderId, '4111111111111111'));
    await view(processOrder('Prepare', o.orderId));
    await view(processOrder('Submit', o.orderId));
    await eventually(async () => expect((await view(getOrder(o.orderId))).status).to.equal('G'));
    return o.orderId;
  }

  it('a promotion code (case-insensitive) takes 20.00 off at Prepare; an unknown code is refused', async function () {
    const o = await view(addItems([{ catentryId: '20311', quantity: 3, shipMode: 'Standard', address: JANE }]));
    const bad = await post(w.app.url, ORDER_PATH, soap11(processOrder('ApplyPromotionCode', o.orderId, '10201', PROMO('NOPE'))));
    expect(changeStatus(bad.body)).to.include({ reasonCode: 'VALUE_INVALID' });
    await view(processOrder('ApplyPromotionCode', o.orderId, '10201', PROMO('save20')));
    const p = await view(processOrder('Prepare', o.orderId));
    expect(p.totals['TotalProductPrice']).to.equal('74.97');
    expect(p.totals['TotalAdjustment']).to.equal('-20.00');
    await view(processOrder('RemovePromotionCode', o.orderId, '10201', PROMO('SAVE20')));
    expect((await view(processOrder('Prepare', o.orderId))).totals['TotalAdjustment']).to.equal('0.00');
  });

  it('DOM back-orders then cancels an order, as the maps tell it: B with its e-mail, then only the promotion usage canceled (the maps report no X)', async function () {
    const id = await submittedOrder();
    expect((await fetch(`${w.sim.url}/sim/orders/WC_${id}/backorder`, { method: 'POST' })).status).to.equal(200);
    await eventually(async () => expect((await view(getOrder(id))).status).to.equal('B'));
    expect((await fetch(`${w.sim.url}/sim/orders/WC_${id}/cancel`, { method: 'POST' })).status).to.equal(200);
    await eventually(async () => expect((await w.store.orders.get(id))?.promotionUsage).to.equal('canceled'));
    expect((await view(getOrder(id))).status).to.equal('B');
    await eventually(async () => expect(types()).to.include.members(['OrderReceived', 'OrderStatusNotify_B']));
    expect(types()).to.not.include('OrderStatusNotify_X');
  });

  it('with the simulator\'s detailed SyncOrder (an explicit option): back-ordered then canceled, statuses B then X, an e-mail for each', async function () {
    await w.close();
    w = await startWorld({ SMTP_URL: smtp.url }, undefined, { fulfillment: { confirmAfterMs: 30, releaseAfterMs: 60_000, shipAfterMs: 120_000 }, syncOrderForm: 'detailed' });
    const id = await submittedOrder();
    expect((await fetch(`${w.sim.url}/sim/orders/WC_${id}/backorder`, { method: 'POST' })).status).to.equal(200);
    await eventually(async () => expect((await view(getOrder(id))).status).to.equal('B'));
    expect((await fetch(`${w.sim.url}/sim/orders/WC_${id}/cancel`, { method: 'POST' })).status).to.equal(200);
    await eventually(async () => expect((await view(getOrder(id))).status).to.equal('X'));
    await eventually(async () => expect(types()).to.include.members(['OrderReceived', 'OrderStatusNotify_B', 'OrderStatusNotify_X']));
  });

  it('promotion bookkeeping from DOM is confirmed and recorded; a repeated SyncOrder changes nothing', async function () {
    const id = await submittedOrder();
    // The simulator finalizes the order's promotion usage itself right after confirming it; wait for that, so the
    // requests below do not race its callback for the same order (a concurrent change is refused, and DOM retries).
    await eventually(async () => expect((await w.store.orders.get(id))?.promotionUsage).to.equal('finalized'));
    const fin = await post(w.app.url, ORDER_PATH, soap11(processOrder('FinalizePromotionCalUsage', id)));
    expect(changeStatus(fin.body)).to.equal(undefined);
    expect((await w.store.orders.get(id))?.promotionUsage).to.equal('finalized');
    const sync = `<_ord:SyncOrder releaseID="" xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}"><_wcf:ApplicationArea><oa:CreationDateTime>2026-01-01T00:00:00Z</oa:CreationDateTime></_wcf:ApplicationArea>` +
      `<_ord:DataArea><oa:Sync><oa:ActionCriteria><oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">/Order[1]</oa:ActionExpression></oa:ActionCriteria></oa:Sync>` +
      `<_ord:Order><_ord:OrderIdentifier><_wcf:UniqueID>${id}</_wcf:UniqueID></_ord:OrderIdentifier><_ord:OrderStatus><_ord:Status>3200</_ord:Status></_ord:OrderStatus>` +
      `<_ord:OrderItem><_ord:OrderItemIdentifier><_wcf:UniqueID>1</_wcf:UniqueID></_ord:OrderItemIdentifier><_ord:OrderItemStatus><_ord:Status>R</_ord:Status></_ord:OrderItemStatus></_ord:OrderItem></_ord:Order></_ord:DataArea></_ord:SyncOrder>`;
    const first = await post(w.app.url, ORDER_PATH, soap11(sync));
    expect(first.text).to.contain('BODSuccessMessage');
    const historyLength = (await w.store.orders.history(id)).length;
    const again = await post(w.app.url, ORDER_PATH, soap11(sync));
    expect(again.text).to.contain('BODSuccessMessage');
    expect((await w.store.orders.history(id)).length).to.equal(historyLength);
    expect((await view(getOrder(id))).status).to.equal('R');
    await eventually(async () => expect(types().filter((t) => t === 'OrderStatusNotify_R')).to.have.length(1));
  });

  it('non-ATP INVENTORYFLAGS: 2 lets items be added without stock, without 4 the quantity is not reported', async function () {
    const s = (await w.store.directory.onlineStoreById('10202'))!;
    await w.store.directory.upsertOnlineStore({ ...s, inventoryFlags: 2 });
    await view(addItems([{ catentryId: '20316', quantity: 50, shipMode: 'Standard', address: JANE }], undefined, '10202'));
    const r = await post(w.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline('20316', '10202'), '10202')));
    expect(availabilityNouns(r.body)[0]).to.include({ status: 'Available', quantity: undefined });
  });
});
