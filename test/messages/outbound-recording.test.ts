import { join } from 'node:path';
import { expect } from 'chai';
import { scratchDir } from '../support/scratch.js';
import { onlyOnSqlite } from '../support/test-store.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { changeStatus, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';

/**
 * Every call to DOM recorded (write-behind), and the DOM outbox rows listed beside the recorded messages: in the
 * test pass's store, and on a database file as served, where the calls go to the message log (a database of its own).
 */
for (const onFile of [false, true]) describe(`outbound recording (real HTTP, DOM simulator)${onFile ? ', SQLite file: calls in the message log' : ''}`, function () {
  this.timeout(30_000);
  let w: TestWorld;
  before(async function () {
    if (onFile) onlyOnSqlite(this, 'the message log is SQLite\'s');
    w = await startWorld({}, undefined, { fulfillment: false } as never, onFile ? { sqlitePath: join(scratchDir('dombridge-outbound-'), 'dombridge.db') } : {});
  });
  after(async function () {
    await w?.close();
  });

  it('an availability call: sent and acknowledged, with both raw BODs and the item', async function () {
    const r = await post(w.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline('20312', '10201'))));
    expect(r.text).to.contain('>dom<');
    const call = await eventually(async () => {
      const out = (await w.store.messages.list({ direction: 'out', limit: 100 })).filter((m) => m.source === 'message' && m.operation === 'GetInventoryAvailability');
      expect(out).to.have.length(1);
      return out[0]!;
    });
    // DOM is asked by part number (DOM's mediation reads nothing else), so that is the item the call is found by.
    expect(call).to.include({ status: 'acknowledged', verb: 'Get', noun: 'InventoryAvailability', partNumber: 'TEST-SKU-0002', service: '/dom/services/InventoryServices', error: null });
    expect(call.bodId).to.match(/^[0-9a-f-]{36}$/);
    const full = (await w.store.messages.get(call.messageId))!;
    expect(full.requestXml).to.contain('<_inv:GetInventoryAvailability').and.to.contain(call.bodId!);
    expect(full.responseXml).to.contain('ShowInventoryAvailability');
    expect(full.durationMs).to.be.a('number');
    // The DOM-call metrics name this record as their exemplar (OpenMetrics, as Prometheus scrapes it): the same id
    // the CLI and the console find it by, known when the call was counted, before its record was written.
    const scraped = await (await fetch(`${w.app.url}/metrics`, { headers: { Accept: 'application/openmetrics-text; version=1.0.0' } })).text();
    const counted = scraped.split('\n').find((l) => l.startsWith('dombridge_dom_calls_total{operation="GetInventoryAvailability",outcome="ok"}'));
    expect(counted, scraped).to.match(/ # \{message_id="out-\d+"\} 1 \d+(\.\d+)?$/);
    expect(/message_id="(out-\d+)"/.exec(counted!)![1], 'the exemplar is the call just recorded').to.equal(call.messageId);
    const bucket = scraped.split('\n').find((l) => l.startsWith('dombridge_dom_call_duration_seconds_bucket{') && l.includes('operation="GetInventoryAvailability"') && l.includes(`message_id="${call.messageId}"`));
    expect(bucket, 'a latency bucket names it too').to.be.a('string');
    // The Get itself is recorded too (written behind: a Get has no effect to take a key with).
    await eventually(async () => {
      const get = (await w.store.messages.list({ direction: 'in', limit: 100 })).find((m) => m.operation === 'GetInventoryAvailability' && m.catentryId === '20312');
      expect(get).to.include({ status: 'processed' });
    });
  });

  it('a transfer: the outbox message acknowledged, its attempt recorded with the same BODID, both listed', async function () {
    const view = async (bod: string) => {
      const res = await post(w.app.url, ORDER_PATH, soap11(bod));
      expect(changeStatus(res.body), res.text).to.equal(undefined);
      return orderOf(res.body)!;
    };
    const { orderId } = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await view(setPayment(orderId, '4111111111111111'));
    await view(processOrder('Prepare', orderId));
    await view(processOrder('Submit', orderId));
    const [outbox] = await eventually(async () => {
      const msgs = (await w.store.domOutbox.forOrder(orderId)).filter((m) => m.kind === 'TransferOrder');
      expect(msgs.map((m) => m.status)).to.deep.equal(['acknowledged']);
      return msgs;
    });
    const attempts = await eventually(async () => {
      const calls = await w.store.messages.callsWithBodId(outbox!.bodId);
      expect(calls).to.have.length(1);
      return calls;
    });
    expect(attempts[0]).to.include({ operation: 'ProcessOrder', verb: 'Process', noun: 'Order', orderId, status: 'acknowledged', bodId: outbox!.bodId });
    expect(attempts[0]!.requestXml).to.equal(outbox!.payload);

    const listed = await w.store.messages.list({ limit: 1000 });
    // The outbox row is listed under the one id scheme (outbox-N), carrying its own id for the outbox store.
    expect(listed.find((m) => m.outboxMessageId === outbox!.messageId)).to.include({ source: 'outbox', direction: 'out', operation: 'TransferOrder', status: 'acknowledged', orderId, attempts: 1 });
    expect(listed.find((m) => m.messageId === attempts[0]!.messageId)).to.include({ source: 'message', bodId: outbox!.bodId });
    // The reservation made at Prepare is a direct call, recorded too, as caused by the ProcessOrder Prepare.
    const reserve = listed.find((m) => m.source === 'message' && m.operation === 'ProcessInventoryRequirement' && m.orderId === orderId);
    expect(reserve).to.include({ status: 'acknowledged', verb: 'Process', noun: 'InventoryRequirement' });
    const prepare = listed.find((m) => m.messageId === reserve!.causedBy);
    expect(prepare).to.include({ direction: 'in', operation: 'ProcessOrder', orderId });
    expect((await w.store.messages.list({ direction: 'out', status: 'acknowledged', limit: 1000 })).every((m) => m.direction === 'out' && m.status === 'acknowledged')).to.equal(true);
  });
});
