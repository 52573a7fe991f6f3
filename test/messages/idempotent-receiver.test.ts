import { expect } from 'chai';
import { readBod } from '../../src/bod/bod-request.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { contentHash } from '../../src/messages/bod-text.js';
import { SHARED_IN_FLIGHT_MS } from '../../src/messages/idempotent-receiver.js';
import { installMessageStore } from '../../src/messages/install-message-store.js';
import type { AnswerResult, InboundMessage, InterceptDecision } from '../../src/soap/bod-operation.js';
import { readEnvelope } from '../../src/soap/soap-envelope.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { addItems, eventually, orderOf } from '../support/order-bods.js';
import { changeStatus, faultOf, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, sample, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { collidingBodIds, inboundRow, inboundWithBodId, uniqueBodId, withBodId, withoutBodId, withSender } from './message-support.js';

/** The idempotent receiver over a real server: (Sender LogicalID, BODID) answered once, whatever the repeats. */
const PROCESSED: AnswerResult = { status: 'processed', code: undefined, error: null };
const FAULTED: AnswerResult = { status: 'faulted', code: 'BOD_INVALID', error: 'BOD_INVALID: test' };

describe('idempotent receiver (real HTTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  before(async function () {
    w = await startWorld({}, undefined, { fulfillment: false } as never);
  });
  after(async function () {
    await w.close();
  });

  const send = (bod: string, path = ORDER_PATH) => post(w.app.url, path, soap11(bod));
  const create = (quantity = 1) => addItems([{ catentryId: '20311', quantity }]);

  it('the same ChangeOrder Create twice with one BODID: one cart, the same answer twice, the message applied then processed', async function () {
    const bodId = uniqueBodId('create');
    const bod = withBodId(create(), bodId);
    const first = await send(bod);
    const second = await send(bod);
    expect(first.status, first.text).to.equal(200);
    expect(second.text).to.equal(first.text);
    const orderId = orderOf(first.body)!.orderId;
    expect(orderId).to.match(/^\d+$/);
    // The next cart gets the next number: the repeat made none.
    const next = orderOf((await send(create())).body)!.orderId;
    expect(Number(next)).to.equal(Number(orderId) + 1);
    expect((await w.store.orders.get(orderId))!.items).to.have.length(1);

    // One record applied the BOD; the repeat has a record of its own (every request is recorded), written behind
    // its answer, so it may not be there yet: when it is, it applied nothing.
    const rows = await inboundWithBodId(w.store, bodId);
    const applied = rows.filter((r) => r.appliedAt !== null);
    expect(applied, 'one record applied the BOD').to.have.length(1);
    for (const replay of rows.filter((r) => r.appliedAt === null)) expect(replay).to.include({ status: 'processed', operation: 'ChangeOrder' });
    expect(rows.length).to.be.at.most(2);
    const row = applied[0];
    expect(row).to.include({ status: 'processed', direction: 'in', operation: 'ChangeOrder', verb: 'Change', noun: 'Order', senderId: '', catentryId: '20311' });
    expect(row!.appliedAt, 'marked applied by the effect transaction').to.be.a('number');
    const full = (await w.store.messages.get(row!.messageId))!;
    expect(full.requestXml).to.contain(bodId);
    expect(full.responseXml).to.contain('RespondOrder').and.to.contain(orderId);
    expect(full.requestHash).to.match(/^[0-9a-f]{64}$/);
  });

  it('the same BODID with other content: DUPLICATE_BODID_CONFLICT, and nothing happens', async function () {
    const bodId = uniqueBodId('conflict');
    const first = await send(withBodId(create(1), bodId));
    expect(changeStatus(first.body)).to.equal(undefined);
    const other = await send(withBodId(create(3), bodId));
    expect(other.status).to.equal(500);
    const f = faultOf(other.body);
    expect(f.code).to.equal('DUPLICATE_BODID_CONFLICT');
    expect(f.faultcode).to.equal('soapenv:Client');
    expect(f.faultstring).to.contain(`BODID ${bodId} from (no Sender LogicalID) was already used for a different message on 20`).and.to.contain('use a new BODID');
    expect((await inboundWithBodId(w.store, bodId)).map((m) => m.status)).to.deep.equal(['processed']);
  });

  it('the same BODID from another Sender LogicalID is another message', async function () {
    const bodId = uniqueBodId('senders');
    const bodB = withSender(withBodId(create(), bodId), 'STOREFRONT-B');
    const a = await send(withSender(withBodId(create(), bodId), 'STOREFRONT-A'));
    const b = await send(bodB);
    const idA = orderOf(a.body)!.orderId;
    const idB = orderOf(b.body)!.orderId;
    expect(idA).to.not.equal(idB);
    expect((await inboundWithBodId(w.store, bodId)).map((m) => m.senderId).sort()).to.deep.equal(['STOREFRONT-A', 'STOREFRONT-B']);
    // And each sender's repeat is answered from its own record.
    expect((await send(bodB)).text).to.equal(b.text);
  });

  it('a BOD without a BODID (as DOM sends SyncInventoryAvailability) is processed every time, recorded without a key', async function () {
    const sync = withoutBodId(sample('SyncInventoryAvailability.xml'));
    expect(sync).to.not.contain('BODID');
    const before = (await w.store.messages.list({ direction: 'in', limit: 1000 })).filter((m) => m.operation === 'SyncInventoryAvailability' && m.bodId === null).length;
    for (let i = 0; i < 2; i++) {
      const r = await send(sync, INVENTORY_PATH);
      expect(r.body.name, r.text).to.equal('ConfirmBOD');
      expect(r.text).to.contain('BODSuccessMessage');
    }
    // The answer is stored just after it is sent.
    await eventually(async () => {
      const rows = (await w.store.messages.list({ direction: 'in', limit: 1000 })).filter((m) => m.operation === 'SyncInventoryAvailability' && m.bodId === null);
      expect(rows.length - before).to.equal(2);
      expect(rows[0]).to.include({ status: 'processed', catentryId: '20311' });
      expect(rows[0]!.appliedAt).to.be.a('number');
    });
  });

  it('a BOD error answer is stored and replayed like a success', async function () {
    const bodId = uniqueBodId('bod-error');
    const bod = withBodId(addItems([{ catentryId: '88001', quantity: 1 }]), bodId);
    const first = await send(bod);
    expect(changeStatus(first.body)?.reasonCode).to.equal('CATALOG_ENTRY_NOT_FOUND');
    // Were it run again it would now find the entry: the same answer proves it was replayed.
    await w.store.catalog.upsertCatalogEntry({ catentryId: '88001', partNumber: 'LATE-0001', name: 'Added later', price: '1.00' });
    const again = await send(bod);
    expect(again.text).to.equal(first.text);
    // The key's record says how it ended: rejected (a BOD error), with its reason code; the repeat has a record of
    // its own, naming the one it repeated.
    await (w.app as unknown as { flushRecords(): Promise<void> }).flushRecords();
    const rows = await inboundWithBodId(w.store, bodId);
    const keyed = rows.find((m) => m.requestHash !== null);
    expect(keyed).to.include({ status: 'rejected', appliedAt: null, error: 'CATALOG_ENTRY_NOT_FOUND' });
    expect(rows.find((m) => m.requestHash === null)).to.include({ status: 'rejected' }).and.to.have.property('error').that.contains(`replayed the stored answer of ${keyed!.messageId}`);
  });

  it('a Get (recorded write-behind) is answered the same way: its answer repeated before and after it is written, a conflict refused', async function () {
    const bodId = uniqueBodId('get');
    const bod = withBodId(getAvailabilityBod(itemAtOnline('20311', '10201')), bodId);
    const first = await send(bod, INVENTORY_PATH);
    expect(first.body.name).to.equal('ShowInventoryAvailability');
    expect((await send(bod, INVENTORY_PATH)).text, 'while queued').to.equal(first.text);
    await eventually(async () => expect((await inboundWithBodId(w.store, bodId)).filter((m) => m.requestHash !== null).map((m) => m.status)).to.deep.equal(['processed']));
    expect((await send(bod, INVENTORY_PATH)).text, 'once written').to.equal(first.text);
    const other = await send(withBodId(getAvailabilityBod(itemAtOnline('20312', '10201')), bodId), INVENTORY_PATH);
    expect(faultOf(other.body).code).to.equal('DUPLICATE_BODID_CONFLICT');
  });

  it('a message applied whose answer was lost (the crash window) answers DUPLICATE_RESPONSE_LOST', async function () {
    const bodId = uniqueBodId('lost');
    const begun = await w.store.messages.beginInbound(inboundRow({ bodId }));
    if (!begun.created) throw new Error('expected a new row');
    expect(await w.store.messages.markApplied(begun.messageId, Date.now())).to.equal(true);
    const r = await send(withBodId(create(), bodId));
    const f = faultOf(r.body);
    expect(f.code).to.equal('DUPLICATE_RESPONSE_LOST');
    expect(f.faultstring).to.contain('already applied').and.to.contain('query the current state');
  });

  it('a message a crash left received (no effect) runs again, in the same row', async function () {
    const bodId = uniqueBodId('crashed');
    const begun = await w.store.messages.beginInbound(inboundRow({ bodId, requestHash: '0'.repeat(64) }));
    const r = await send(withBodId(create(), bodId));
    expect(orderOf(r.body)?.orderId, r.text).to.match(/^\d+$/);
    await eventually(async () => {
      const rows = await inboundWithBodId(w.store, bodId);
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ messageId: begun.created ? begun.messageId : '', status: 'processed' });
    });
  });
});

/** The interceptor on its own: what a request still running, and one answered with a fault, do to a repeat. */
describe('idempotent receiver (interceptor)', function () {
  let w: TestWorld;
  before(async function () {
    w = await startWorld({}, undefined, { fulfillment: false } as never);
  });
  after(async function () {
    await w.close();
  });

  function inbound(bod: string): InboundMessage {
    const text = soap11(bod);
    const env = readEnvelope(readXml(text));
    const service = w.app.services.find((s) => s.name === 'OrderServices')!;
    return { service, operation: service.operations.find((o) => o.name === 'ChangeOrder')!, request: readBod(env.bod), soapVersion: '1.1', soapHeader: undefined, raw: Buffer.from(text), text, receivedAtMs: Date.now() };
  }
  const proceeding = (d: InterceptDecision) => {
    if (!('proceed' in d)) throw new Error(`expected to proceed, got ${JSON.stringify(d)}`);
    return d;
  };

  it('a repeat while the first is running: DUPLICATE_IN_PROGRESS; after the answer: the answer', async function () {
    const { interceptor } = installMessageStore(w.store, loadConfig({ env: {} }), silentLogger);
    const msg = inbound(withBodId(addItems([{ catentryId: '20311', quantity: 1 }]), uniqueBodId('running')));
    const first = proceeding(await interceptor!.before(msg));
    expect(first.context).to.have.property('messageId');
    expect(await interceptor!.before(msg)).to.deep.include({ fault: 'DUPLICATE_IN_PROGRESS' });
    await first.after!('<_ord:RespondOrder>stored</_ord:RespondOrder>', PROCESSED);
    expect(await interceptor!.before(msg)).to.deep.include({ replay: '<_ord:RespondOrder>stored</_ord:RespondOrder>' });
  });

  it('on a shared store, a BOD another node applied and is answering: the repeat waits for that answer; none within 2 s, DUPLICATE_IN_PROGRESS; 60 s after the effect, DUPLICATE_RESPONSE_LOST', async function () {
    const { interceptor } = installMessageStore(w.store, loadConfig({ env: {}, overrides: { workers: 2 } }), silentLogger);
    const cart = () => addItems([{ catentryId: '20311', quantity: 1 }]);
    // "Another node" takes the key and commits the effect, as its receiver does; its answer is not stored yet.
    const appliedElsewhere = async (bodId: string, appliedAt: number) => {
      const msg = inbound(withBodId(cart(), bodId));
      const taken = await w.store.messages.beginInbound(inboundRow({ bodId, requestHash: contentHash(msg.text, msg.raw) }));
      if (!taken.created) throw new Error('expected a new row');
      await w.store.messages.markApplied(taken.messageId, appliedAt);
      return { msg, messageId: taken.messageId };
    };

    // The other node stores its answer 300 ms later: the repeat gets that answer, as a repeat on one process would.
    const answered = await appliedElsewhere(uniqueBodId('other-node'), Date.now());
    setTimeout(() => void w.store.messages.finishInbound(answered.messageId, { status: 'processed', responseXml: '<_ord:RespondOrder>theirs</_ord:RespondOrder>', error: null, at: Date.now() }), 300);
    expect(await interceptor!.before(answered.msg)).to.deep.include({ replay: '<_ord:RespondOrder>theirs</_ord:RespondOrder>', of: answered.messageId });

    // It never does (it is slow, or died a moment ago): after the wait, retry later.
    const silent = await appliedElsewhere(uniqueBodId('slow-node'), Date.now());
    expect(await interceptor!.before(silent.msg)).to.deep.include({ fault: 'DUPLICATE_IN_PROGRESS' });

    // Applied longer ago than any request runs: that node died in the window, as on one process.
    const dead = await appliedElsewhere(uniqueBodId('dead-node'), Date.now() - SHARED_IN_FLIGHT_MS - 1_000);
    expect(await interceptor!.before(dead.msg)).to.deep.include({ fault: 'DUPLICATE_RESPONSE_LOST' });
  });

  it('a repeat of a message answered with a fault runs again (faults are not stored)', async function () {
    const { interceptor } = installMessageStore(w.store, loadConfig({ env: {} }), silentLogger);
    const bodId = uniqueBodId('faulted');
    const msg = inbound(withBodId(addItems([{ catentryId: '20311', quantity: 1 }]), bodId));
    await proceeding(await interceptor!.before(msg)).after!('', FAULTED);
    // Fixed and resent under the same BODID at once: it waits for the first one's outcome to be stored, then runs,
    // since other content is fine when the first never took effect.
    const fixed = inbound(withBodId(addItems([{ catentryId: '20311', quantity: 2 }]), bodId));
    const second = proceeding(await interceptor!.before(fixed));
    expect((await inboundWithBodId(w.store, bodId))[0]).to.include({ status: 'received' });
    await second.after!('<answer/>', PROCESSED);
    await (interceptor as unknown as { drain(): Promise<void> }).drain();
    const [row] = await inboundWithBodId(w.store, bodId);
    expect(row).to.include({ status: 'processed' });
  });

  it('two BODIDs whose keys share a hash are never taken for each other: a Get, then an effectful BOD under the other, both run', async function () {
    const { interceptor } = installMessageStore(w.store, loadConfig({ env: {} }), silentLogger);
    const [a, b] = collidingBodIds('collide');
    const inventory = w.app.services.find((s) => s.name === 'InventoryServices')!;
    const text = soap11(withBodId(getAvailabilityBod(itemAtOnline('20311', '10201')), a));
    const get: InboundMessage = {
      service: inventory, operation: inventory.operations.find((o) => o.name === 'GetInventoryAvailability')!, request: readBod(readEnvelope(readXml(text)).bod),
      soapVersion: '1.1', soapHeader: undefined, raw: Buffer.from(text), text, receivedAtMs: Date.now(),
    };
    await proceeding(await interceptor!.before(get)).after!('<_inv:ShowInventoryAvailability>a</_inv:ShowInventoryAvailability>', PROCESSED);
    const change = inbound(withBodId(addItems([{ catentryId: '20311', quantity: 1 }]), b));
    await proceeding(await interceptor!.before(change)).after!('<_ord:RespondOrder>b</_ord:RespondOrder>', PROCESSED);
    expect(await interceptor!.before(change)).to.deep.include({ replay: '<_ord:RespondOrder>b</_ord:RespondOrder>' });
  });
});

