import { expect } from 'chai';
import { Writable } from 'node:stream';
import { runDomCommand } from '../../src/cli/dom.command.js';
import { lastFour, maskCards, safeExcerpt, safeText } from '../../src/messages/safe-text.js';
import { withBodId } from '../messages/message-support.js';
import { digestToken, textToken } from '../security/wsse-tokens.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { faultOf, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';

const CARD = '4111111111111111';

describe('operations: what is safe to keep and show', function () {
  it('card numbers keep their last four digits, in ProtocolData of either form, closed or cut; security codes and credentials go', function () {
    expect(lastFour('4111 1111 1111 1111')).to.equal('************1111');
    expect(maskCards(`<_ord:ProtocolData name="account">${CARD}</_ord:ProtocolData><_ord:ProtocolData name="cc_cvc">123</_ord:ProtocolData>`))
      .to.equal('<_ord:ProtocolData name="account">************1111</_ord:ProtocolData><_ord:ProtocolData name="cc_cvc">***</_ord:ProtocolData>');
    expect(maskCards(`<ProtocolData><Name>cc_account</Name><Value>5500-0000-0000-0004</Value></ProtocolData>`)).to.contain('************0004').and.not.to.contain('5500');
    expect(maskCards(`<x:ProtocolData name="account">${CARD}`), 'cut before its end tag').to.equal('<x:ProtocolData name="account">************1111');
    // Outside a ProtocolData a long number (an order id, a BODID) is left alone.
    expect(maskCards(`<OrderId>${CARD}</OrderId><ProtocolData name="x">1</ProtocolData>`)).to.contain(CARD);
    expect(safeText(maskCards(`<ProtocolData name="account">${CARD}</ProtocolData>`)), 'masking twice keeps the last four').to.contain('************1111');
    const header = '<wsse:Password Type="#PasswordText">s3cret</wsse:Password><wsse:Nonce EncodingType="b64">bm9uY2U=</wsse:Nonce>';
    expect(safeText(header)).to.equal('<wsse:Password Type="#PasswordText">***</wsse:Password><wsse:Nonce EncodingType="b64">***</wsse:Nonce>');
    const long = `<ProtocolData name="account">${CARD}</ProtocolData>${'x'.repeat(10_000)}`;
    const cut = safeExcerpt(long, 60);
    expect(cut).to.contain('************1111').and.to.contain('cut at 60 of').and.not.to.contain(CARD);
  });
});

describe('operations: the read API and the admin endpoint (real HTTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  const USERS = 'shop:s3cret:storefront:digest,ops:0ps-pass:admin';
  before(async function () {
    w = await startWorld({ DOMBRIDGE_USERS: USERS }, undefined, { fulfillment: false } as never);
  });
  after(async function () {
    await w?.close();
  });
  const send = (path: string, bod: string, user = 'shop', password = 's3cret') => post(w.app.url, path, soap11(bod, textToken(user, password)));
  const view = async (bod: string) => {
    const r = await send(ORDER_PATH, bod);
    expect(r.status, r.text).to.equal(200);
    return orderOf(r.body)!;
  };

  it('a request refused by security is recorded faulted with its code, its password and nonce removed', async function () {
    const bod = withBodId(getAvailabilityBod(itemAtOnline('20311', '10201')), 'ops-auth-refused');
    const r = await send(INVENTORY_PATH, bod, 'shop', 'wrong-password');
    expect(faultOf(r.body).code).to.equal('AUTH_FAILED');
    const digest = await post(w.app.url, INVENTORY_PATH, soap11(withBodId(bod, 'ops-auth-digest'), digestToken('shop', 'not-it')));
    expect(faultOf(digest.body).code).to.equal('AUTH_FAILED');
    const page = await w.app.operations.listMessages({ status: 'faulted', bodId: 'ops-auth-refused' });
    expect(page.items.map((m) => [m.status, m.code, m.operation])).to.deep.equal([['faulted', 'AUTH_FAILED', 'GetInventoryAvailability']]);
    const shown = await w.app.operations.getMessage(page.items[0]!.id);
    expect(shown!.requestXml).to.contain('BODID').and.not.to.contain('wrong-password');
    const nonce = (await w.app.operations.listMessages({ bodId: 'ops-auth-digest' })).items[0]!;
    expect((await w.app.operations.getMessage(nonce.id))!.requestXml).to.match(/Nonce[^>]*>\*\*\*</);
  });

  it('an order timeline in time order: BODs in and out, status changes, the outbox message and its attempts; the card masked', async function () {
    const cart = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await view(setPayment(cart.orderId, CARD));
    await view(processOrder('Prepare', cart.orderId));
    await view(processOrder('Submit', cart.orderId));
    const timeline = await eventually(async () => {
      const t = await w.app.operations.orderTimeline(cart.orderId);
      expect(t.some((e) => e.kind === 'outbox' && e.title.startsWith('TransferOrder') && e.status === 'acknowledged')).to.equal(true);
      expect(t.some((e) => e.kind === 'bod-out' && e.title.startsWith('ProcessOrder sent to DOM'))).to.equal(true);
      return t;
    });
    expect(timeline.map((e) => e.atMs)).to.deep.equal([...timeline.map((e) => e.atMs)].sort((a, b) => a - b));
    const inbound = timeline.filter((e) => e.kind === 'bod-in').map((e) => e.title);
    expect(inbound).to.include.members(['ChangeOrder received: processed', 'ProcessOrder received: processed']);
    expect(inbound.filter((t) => t.startsWith('ChangeOrder')), 'the new cart is the order\'s from the start').to.have.length(2);
    expect(timeline.filter((e) => e.kind === 'status').map((e) => e.status)).to.include('M');
    const payment = timeline.find((e) => e.kind === 'bod-in' && e.messageId && e.title.startsWith('ChangeOrder'))!;
    const all = await Promise.all(timeline.filter((e) => e.messageId).map((e) => w.app.operations.getMessage(e.messageId!)));
    const text = JSON.stringify(all);
    expect(text).not.to.contain(CARD).and.not.to.contain('s3cret');
    expect(payment.messageId).to.match(/^in-\d+$/);
    expect(JSON.stringify(await w.app.operations.listMessages({ orderId: cart.orderId, partNumber: 'TEST-SKU-0001' }))).to.contain('TEST-SKU-0001');
  });

  it('a resent BODID: the refused repeat finds the record it repeats; the overview counts it among the last errors', async function () {
    await view(withBodId(addItems([{ catentryId: '20311', quantity: 1 }]), 'ops-resent'));
    const conflict = await send(ORDER_PATH, withBodId(addItems([{ catentryId: '20312', quantity: 2 }]), 'ops-resent'));
    expect(faultOf(conflict.body).code).to.equal('DUPLICATE_BODID_CONFLICT');
    const [repeat] = (await w.app.operations.listMessages({ bodId: 'ops-resent', status: 'faulted' })).items;
    const earlier = await w.app.operations.earlierRecord(repeat!.id);
    expect(earlier).to.include({ status: 'processed', bodId: 'ops-resent' });
    expect(earlier!.requestXml).to.contain('20311');
    expect((await w.app.operations.getMessage(repeat!.id))!.requestXml).to.contain('20312');
    const o = await w.app.operations.overview();
    expect(o.lastErrors.map((m) => m.code)).to.include('DUPLICATE_BODID_CONFLICT');
    // The whole window (this world's requests all fall in its 15 minutes): the tests above may straddle a minute.
    const window = o.requestsPerMinute.reduce((t, m) => ({ ok: t.ok + m.ok, fault: t.fault + m.fault }), { ok: 0, fault: 0 });
    expect(window.ok).to.be.at.least(4);
    expect(window.fault).to.be.at.least(3);
    expect(o.dom).to.include({ state: 'up' });
    expect(o.outbox).to.include({ deadLetters: 0 });
    expect(JSON.stringify(o)).not.to.contain('s3cret').and.not.to.contain(CARD);
  });

  it('probe DOM now: POST /admin/dom/probe for the admin role only, and `dombridge dom probe` exits 0 when DOM is up, 1 when down', async function () {
    const probe = (headers: Record<string, string> = {}, method = 'POST') => fetch(`${w.app.url}/admin/dom/probe`, { method, headers });
    const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    expect((await probe()).status).to.equal(401);
    expect((await probe(basic('ops', 'wrong'))).status).to.equal(401);
    expect((await probe(basic('shop', 's3cret'))).status, 'a storefront user is not an admin').to.equal(403);
    expect((await probe(basic('ops', '0ps-pass'), 'GET')).status).to.equal(405);
    const ok = await probe(basic('ops', '0ps-pass'));
    expect(ok.status).to.equal(200);
    expect(await ok.json()).to.deep.include({ dom: 'up', outcome: 'answered', trigger: 'operator' });

    let text = '';
    const out = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
    const env = { DOMBRIDGE_ADMIN_PASSWORD: '0ps-pass' };
    expect(await runDomCommand(['probe', '--url', w.app.url, '--user', 'ops'], out, env)).to.equal(0);
    expect(text).to.contain('DOM is up');
    await w.sim.setFailureMode('down');
    try {
      expect(await runDomCommand(['probe', '--url', w.app.url, '--user', 'ops'], out, env)).to.equal(1);
      expect(text).to.contain('DOM is down');
    } finally {
      await w.sim.setFailureMode('none');
    }
    expect(await runDomCommand(['probe', '--url', w.app.url], out, {}), 'no credentials: refused').to.equal(2);
    expect(await runDomCommand(['poke'], out, {})).to.equal(64);
    expect((await w.app.operations.overview()).dom?.lastProbe).to.include({ trigger: 'operator' });
  });
});
