import { join } from 'node:path';
import { expect } from 'chai';
import { callMessageId } from '../../src/messages/message-ids.js';
import { openStore } from '../../src/store/open-store.js';
import type { NewInboundMessage, RecordedCall, Store } from '../../src/store/store.js';
import { scratchDir } from '../support/scratch.js';
import { freshPostgresUrl } from '../support/test-store.js';

/**
 * The store contract: what every store implementation promises, run against SQLite and PostgreSQL alike (both on
 * every run, whatever DOMBRIDGE_TEST_STORE says). Concurrency here is many calls at once on one store; on
 * PostgreSQL they run on several pooled connections, as several nodes would.
 */
const KINDS: { name: string; open: () => Promise<Store> }[] = [
  { name: 'SQLite', open: () => openStore({ dbPath: ':memory:', dbUrl: undefined }) },
  { name: 'PostgreSQL', open: async () => openStore({ dbPath: ':memory:', dbUrl: await freshPostgresUrl(), dbPool: { size: 8, statementTimeoutMs: 30_000, caFile: undefined } }) },
];

const inbound = (bodId: string | null, o: Partial<NewInboundMessage> = {}): NewInboundMessage => ({
  service: 'OrderServices', operation: 'ProcessOrder', verb: 'Process', noun: 'Order', bodId, senderId: 'STOREFRONT', orderId: null, partNumber: null,
  catentryId: null, requestHash: 'h1', requestXml: '<x/>', receivedAt: Date.now(), ...o,
});

/** A call to DOM as the recorder writes it. */
const call = (bodId: string, messageRow?: number): RecordedCall => ({
  ...(messageRow === undefined ? {} : { messageRow }), service: 'DOM', operation: 'GetInventoryAvailability', verb: 'Get', noun: 'InventoryAvailability', bodId,
  orderId: null, partNumber: null, catentryId: null, status: 'acknowledged', requestXml: '<c/>', responseXml: '<d/>', error: null, durationMs: 1, causedBy: null,
  sentAt: Date.now(), answeredAt: Date.now(),
});

/** reserveCallRows, on any store: the ids callMessageId makes of them find the calls written in them. */
async function reservedCallRows(store: Store): Promise<void> {
  const [a, b] = await Promise.all([store.messages.reserveCallRows(4), store.messages.reserveCallRows(4)]);
  const reserved = [...a!, ...b!];
  expect(new Set(reserved).size).to.equal(8);
  // A call that takes any free row, and one in a reserved row, in one batch.
  await store.messages.recordBatch({ inbound: [], calls: [call('call-free'), call('call-reserved', b![2])] });
  const found = await store.messages.get(callMessageId(b![2]!));
  expect(found, callMessageId(b![2]!)).to.include({ direction: 'out', bodId: 'call-reserved', messageId: callMessageId(b![2]!) });
  const [free] = await store.messages.callsWithBodId('call-free');
  expect(free, 'the free call').to.not.equal(undefined);
  expect(reserved.map(callMessageId)).to.not.include(free!.messageId);
  const more = await store.messages.reserveCallRows(3);
  for (const r of more) expect([...reserved.map(callMessageId), free!.messageId]).to.not.include(callMessageId(r));
}

// On a database file, calls go to the message log (a database of its own, written by a worker thread), whose rows
// are reserved there.
describe('store contract: SQLite file, calls to DOM in the message log', function () {
  it('reserved rows for calls to DOM: never handed out twice nor taken by other inserts; a call written in its row is found by its id', async function () {
    const store = await openStore({ dbPath: join(scratchDir('dombridge-contract-'), 'dombridge.db'), dbUrl: undefined });
    try {
      await reservedCallRows(store);
      expect(callMessageId((await store.messages.reserveCallRows(1))[0]!), 'the message log numbers its own ids').to.match(/^out-\d{1,6}$/);
    } finally {
      await store.close();
    }
  });
});

for (const kind of KINDS) {
  describe(`store contract: ${kind.name}`, function () {
    let store: Store;
    beforeEach(async function () {
      store = await kind.open();
    });
    afterEach(async function () {
      await store.close();
    });

    const enqueue = (id: string, at = Date.now()) =>
      store.domOutbox.enqueue({ messageId: id, kind: 'TransferOrder', orderId: `o-${id}`, bodId: `b-${id}`, payload: '<p/>', nextAttemptAt: at, createdAt: at });

    it('a transaction commits all or nothing; afterCommit hooks run after a commit only', async function () {
      const ran: string[] = [];
      await store.transaction(async (tx) => {
        await tx.directory.upsertFulfillmentCenter({ fulfillmentCenterId: 'FC1', name: 'one' });
        tx.afterCommit(() => ran.push('committed'));
        expect(ran, 'not before the commit').to.deep.equal([]);
      });
      expect(ran).to.deep.equal(['committed']);
      await store.transaction(async (tx) => {
        await tx.directory.upsertFulfillmentCenter({ fulfillmentCenterId: 'FC2', name: 'two' });
        tx.afterCommit(() => ran.push('rolled back'));
        throw new Error('undo');
      }).catch((e: Error) => expect(e.message).to.equal('undo'));
      expect(ran).to.deep.equal(['committed']);
      expect(await store.directory.fulfillmentCenterById('FC1')).to.deep.equal({ fulfillmentCenterId: 'FC1', name: 'one' });
      expect(await store.directory.fulfillmentCenterById('FC2')).to.equal(undefined);
    });

    it('marks the inbound BOD a transaction applies applied, in that transaction, and not when it rolls back', async function () {
      const a = await store.messages.beginInbound(inbound('bod-a'));
      const b = await store.messages.beginInbound(inbound('bod-b'));
      if (!a.created || !b.created) throw new Error('not created');
      let current: string | undefined;
      store.markAppliedOnCommit(() => current);
      current = a.messageId;
      await store.transaction(async (tx) => tx.directory.upsertFulfillmentCenter({ fulfillmentCenterId: 'FC1', name: 'one' }));
      current = b.messageId;
      await store.transaction(async () => { throw new Error('no effect'); }).catch(() => undefined);
      current = undefined;
      expect((await store.messages.get(a.messageId))?.status).to.equal('applied');
      expect((await store.messages.get(b.messageId))?.status).to.equal('received');
    });

    it('the same BODID received many times at once is taken once; every other caller gets the first record', async function () {
      const begun = await Promise.all(Array.from({ length: 12 }, () => store.messages.beginInbound(inbound('bod-race'))));
      const created = begun.filter((x) => x.created);
      expect(created).to.have.length(1);
      const id = (created[0] as { messageId: string }).messageId;
      for (const x of begun) if (!x.created) expect(x.existing.messageId).to.equal(id);
    });

    it('ids never repeat, however many are taken at once', async function () {
      const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => store.orders.nextId(i % 2 ? 'order' : 'orderItem')));
      expect(new Set(ids).size).to.equal(40);
    });

    it('reserved message rows are never handed out twice, nor taken by other inserts, and records written behind keep them', async function () {
      const [a, b] = await Promise.all([store.messages.reserveInboundRows(5), store.messages.reserveInboundRows(5)]);
      const reserved = [...a!, ...b!];
      expect(new Set(reserved).size).to.equal(10);
      // Records that take any free row, between the reservation and the writes that use it.
      const begun = await store.messages.beginInbound(inbound('bod-between'));
      expect(begun.created).to.equal(true);
      const now = Date.now();
      await store.messages.recordBatch({
        inbound: [{ ...inbound('get-1', { service: 'InventoryServices', operation: 'GetInventoryAvailability', verb: 'Get', noun: 'InventoryAvailability' }), messageRow: a![0], status: 'processed', responseXml: '<a/>', error: null, answeredAt: now }],
        calls: [{ service: 'DOM', operation: 'GetInventoryAvailability', verb: 'Get', noun: 'InventoryAvailability', bodId: 'call-1', orderId: null, partNumber: null, catentryId: null,
          status: 'acknowledged', requestXml: '<c/>', responseXml: '<d/>', error: null, durationMs: 1, causedBy: null, sentAt: now, answeredAt: now }],
        unkept: [{ messageRow: b![4], service: 'OrderServices', operation: '(unread)', verb: null, noun: null, bodId: null, senderId: '', orderId: null, partNumber: null, catentryId: null,
          status: 'faulted', requestXml: 'not xml', error: 'XML_MALFORMED', receivedAt: now, answeredAt: now }],
      });
      expect((await store.messages.get(`in-${a![0]}`))?.bodId).to.equal('get-1');
      expect((await store.messages.get(`in-${b![4]}`))?.status).to.equal('faulted');
      const rowOf = (id: string) => Number(id.replace(/^\D+-/, ''));
      const others = [(begun as { messageId: string }).messageId, ...(await store.messages.callsWithBodId('call-1')).map((m) => m.messageId)];
      expect(others).to.have.length(2);
      for (const id of others) expect(reserved, id).to.not.include(rowOf(id));
      const more = await store.messages.reserveInboundRows(3);
      for (const r of more) expect([...reserved, ...others.map(rowOf)]).to.not.include(r);
    });

    it('reserved rows for calls to DOM: never handed out twice nor taken by other inserts; a call written in its row is found by its id', async function () {
      await reservedCallRows(store);
    });

    it('claim leases due messages; a leased one is not claimed again until the lease expires; settle frees it', async function () {
      const now = Date.now();
      await enqueue('m1', now - 10);
      await enqueue('m2', now + 60_000);
      const first = await store.domOutbox.claim(10, 1_000, now);
      expect(first.map((m) => m.messageId)).to.deep.equal(['m1']);
      expect(first[0]!.leaseUntil).to.equal(now + 1_000);
      expect(await store.domOutbox.claim(10, 1_000, now + 500), 'lease held').to.deep.equal([]);
      expect(await store.domOutbox.settle('m1', 'sent', { attempts: 1 })).to.equal(true);
      // Its sender died: once the lease expires a sent message is claimable again (an interrupted send).
      expect((await store.domOutbox.claim(10, 1_000, now + 999)).length).to.equal(0);
      const again = await store.domOutbox.claim(10, 1_000, now + 1_000);
      expect(again.map((m) => [m.messageId, m.status])).to.deep.equal([['m1', 'sent']]);
      expect(await store.domOutbox.settle('m1', 'acknowledged', { lastError: null })).to.equal(true);
      expect((await store.domOutbox.get('m1'))).to.include({ status: 'acknowledged', leaseUntil: null, attempts: 1 });
      expect(await store.domOutbox.claim(10, 1_000, now + 5_000)).to.deep.equal([]);
    });

    it('claims at once never return the same message twice', async function () {
      const now = Date.now();
      for (let i = 0; i < 30; i++) await enqueue(`c${String(i).padStart(2, '0')}`, now - 100 + i);
      const claims = await Promise.all(Array.from({ length: 6 }, () => store.domOutbox.claim(7, 60_000, now)));
      const all = claims.flat().map((m) => m.messageId);
      expect(new Set(all).size, 'no message in two claims').to.equal(all.length);
      expect(all.length).to.equal(30);
    });

    it('settle follows OUTBOUND_MACHINE: a move its table refuses changes nothing', async function () {
      await enqueue('s1');
      expect(await store.domOutbox.settle('s1', 'failed'), 'queued → failed is not a move').to.equal(false);
      expect((await store.domOutbox.get('s1'))?.status).to.equal('queued');
      expect(await store.domOutbox.settle('s1', 'dead', { lastError: 'order canceled before transfer' })).to.equal(true);
      expect(await store.domOutbox.settle('s1', 'sent'), 'dead → sent is not a move').to.equal(false);
      expect(await store.domOutbox.settle('s1', 'acknowledged')).to.equal(true);
      expect(await store.domOutbox.settle('s1', 'queued'), 'acknowledged is final').to.equal(false);
      expect((await store.domOutbox.get('s1'))).to.include({ status: 'acknowledged', lastError: 'order canceled before transfer' });
    });

    it('e-mails are claimed with a lease too', async function () {
      const now = Date.now();
      await store.emailOutbox.enqueue({ emailId: 'e1', orderId: 'o1', type: 'OrderReceived', recipient: 'a@b.c', data: '{}' }, now - 1);
      const [a, b] = await Promise.all([store.emailOutbox.claim(5, 1_000, now), store.emailOutbox.claim(5, 1_000, now)]);
      expect([...a!, ...b!].map((e) => e.emailId)).to.deep.equal(['e1']);
      expect(await store.emailOutbox.claim(5, 1_000, now + 1_000), 'lease expired').to.have.length(1);
      await store.emailOutbox.markSent('e1', now);
      expect(await store.emailOutbox.claim(5, 1_000, now + 10_000)).to.deep.equal([]);
    });

    it('scarce non-ATP stock: of many reservations at once, exactly the stock on hand succeeds, nothing over-reserved', async function () {
      await store.localInventory.setOnHand('ITEM', 'FC', 5);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        store.transaction((tx) => tx.localReservations.reserve(`line-${i}`, `order-${i}`, 'ITEM', 'FC', 1, true))));
      expect(results.filter(Boolean)).to.have.length(5);
      expect(await store.localInventory.available('ITEM', 'FC')).to.equal(0);
      // Releasing twice at once gives back once.
      await Promise.all([store.localReservations.release('order-0'), store.localReservations.release('order-0'), store.localReservations.release('order-1')]);
      const back = results[0] && results[1] ? 2 : results[0] || results[1] ? 1 : 0;
      expect(await store.localInventory.available('ITEM', 'FC')).to.equal(back);
    });

    it('an availability upsert says inserted, updated or stale; an older record never overwrites a newer one', async function () {
      const rec = { catentryId: 'C1', location: { kind: 'online' as const, storeId: 'S1' }, status: 'Available' as const, quantity: 3, uom: 'C62', availabilityTime: null, availabilityOffset: null, lastUpdate: 2000 };
      expect(await store.availability.upsert(rec, { ifNotOlder: true })).to.equal('inserted');
      expect(await store.availability.upsert({ ...rec, quantity: 4, lastUpdate: 3000 }, { ifNotOlder: true })).to.equal('updated');
      expect(await store.availability.upsert({ ...rec, quantity: 1, lastUpdate: 1000 }, { ifNotOlder: true })).to.equal('stale');
      expect((await store.availability.get('C1', rec.location))?.quantity).to.equal(4);
      expect(await store.availability.decrement('C1', rec.location, 10)).to.equal(0);
    });

    it('an order update wins only over the version it read', async function () {
      const id = await store.orders.nextId('order');
      const order = { orderId: id, storeId: '10201', status: 'P', version: 1, placedAt: null, lastTransferAt: null } as unknown as Parameters<Store['orders']['insert']>[0];
      await store.orders.insert(order);
      const results = await Promise.all([0, 1, 2].map(() => store.orders.update({ ...order, version: 2 })));
      expect(results.filter(Boolean)).to.have.length(1);
    });
  });
}
