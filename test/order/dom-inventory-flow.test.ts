import { expect } from 'chai';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, childText, path } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { addItems, changeOrder, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { availabilityNouns, changeStatus, getAvailabilityBod, INVENTORY_PATH, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';

/**
 * dombridge against the DOM simulator in its default mode, which reads and answers only what IBM's mediation maps
 * read and write (docs/contract/dom-mediation-inventory.md): availability, reservations and their release are
 * real, and no flow leaves a reservation behind in DOM.
 */
describe('DOM inventory as Sterling behind the mediation (simulator default mode)', function () {
  this.timeout(30_000);
  let w: TestWorld;

  beforeEach(async function () {
    w = await startWorld({}, undefined, { fulfillment: { confirmAfterMs: 50, releaseAfterMs: 100, shipAfterMs: 150 } } as never);
    expect(w.sim.state().mode).to.equal('sterling');
  });
  afterEach(async function () {
    await w.close();
  });

  const view = async (bod: string) => {
    const r = await post(w.app.url, ORDER_PATH, soap11(bod));
    expect(r.status, r.text).to.equal(200);
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };
  const reservations = () => w.sim.state().reservations;
  /** The CancelInventoryReservation BODs dombridge sent DOM, read back from the message log. */
  const cancelsSent = async () => {
    const out = (await w.store.messages.list({ direction: 'out', limit: 100 })).filter((m) => m.operation === 'ProcessInventoryRequirement');
    const bods = [];
    for (const m of out) {
      const full = (await w.store.messages.get(m.messageId))!;
      const bod = readXml(full.requestXml);
      if (path(bod, [NS.inv, 'DataArea'], [NS.oa, 'Process'], [NS.oa, 'ActionCriteria'], [NS.oa, 'ActionExpression'])?.attrs['actionCode'] === 'CancelInventoryReservation') bods.push(bod);
    }
    return bods.map((bod) => childrenNamed(path(bod, [NS.inv, 'DataArea'], [NS.inv, 'InventoryRequirement']), NS.ord, 'OrderItem').map((it) => [
      childText(path(it, [NS.ord, 'CatalogEntryIdentifier'], [NS.wcf, 'ExternalIdentifier']), NS.wcf, 'PartNumber'),
      childText(it, NS.ord, 'Quantity'),
      childText(path(it, [NS.ord, 'FulfillmentCenter'], [NS.ord, 'FulfillmentCenterIdentifier']), NS.wcf, 'Name'),
    ]));
  };

  it('a cache miss for a DOM store is answered from DOM (availabilitySource dom), online and in a physical store', async function () {
    const expr = "/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311' or UniqueID='20312')] and (OnlineStoreIdentifier[(UniqueID='10201')] or PhysicalStoreIdentifier[(UniqueID='7101')])]]";
    const r = await post(w.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(expr)));
    expect(r.status, r.text).to.equal(200);
    const nouns = availabilityNouns(r.body).map((n) => [n.catentryId, n.location, n.status, n.quantity, n.source]);
    // The simulator's stock: TEST-SKU-0001 42 at DC-EAST, 6 at STORE-7101; TEST-SKU-0002 300 and 40.
    expect(nouns).to.deep.equal([
      ['20311', 'online:10201', 'Available', '42.0', 'dom'],
      ['20311', 'physical:7101', 'Available', '6.0', 'dom'],
      ['20312', 'online:10201', 'Available', '300.0', 'dom'],
      ['20312', 'physical:7101', 'Available', '40.0', 'dom'],
    ]);
  });

  it('a checkout with a pick-up line gets a reservation per line, consumed by the transfer: nothing is left reserved', async function () {
    const o = await view(addItems([
      { catentryId: '20311', quantity: 2, shipMode: 'Standard', address: JANE },
      { catentryId: '20312', quantity: 1, pickupStore: '7101' },
    ]));
    await view(setPayment(o.orderId, '4111111111111111'));
    const prepared = await view(processOrder('Prepare', o.orderId));
    expect(prepared.items.map((i) => i.inventoryStatus)).to.deep.equal(['Allocated', 'Allocated']);
    expect(reservations()).to.deep.equal({
      [`WC_${o.orderId}`]: [{ partNumber: 'TEST-SKU-0001', shipNode: 'DC-EAST', quantity: 2 }, { partNumber: 'TEST-SKU-0002', shipNode: 'STORE-7101', quantity: 1 }],
    });
    await view(processOrder('Submit', o.orderId));
    await eventually(async () => expect(w.sim.state().orders[`WC_${o.orderId}`]).to.not.equal(undefined));
    expect(reservations()).to.deep.equal({});
    expect(w.sim.state().stock['DC-EAST']!['TEST-SKU-0001']).to.deep.equal({ onHand: 40, reserved: 0, available: 40 });
    expect(w.sim.state().stock['STORE-7101']!['TEST-SKU-0002']).to.deep.equal({ onHand: 39, reserved: 0, available: 39 });
  });

  it('a cart change after Prepare releases exactly the lines it reserved, then reserves again', async function () {
    const o = await view(addItems([
      { catentryId: '20313', quantity: 2, shipMode: 'Standard', address: JANE },
      { catentryId: '20311', quantity: 1, pickupStore: '7102' },
    ]));
    await view(processOrder('Prepare', o.orderId));
    await view(changeOrder('Update', '/Order/OrderItem', { orderId: o.orderId, items: [{ orderItemId: o.items[0]!.orderItemId, quantity: 5 }] }));
    await view(processOrder('Prepare', o.orderId));
    // Sterling adds to a reservation id used again: only an exact release leaves 5 (not 7) and 1 (not 2).
    expect(reservations()).to.deep.equal({
      [`WC_${o.orderId}`]: [{ partNumber: 'TEST-SKU-0003', shipNode: 'DC-EAST', quantity: 5 }, { partNumber: 'TEST-SKU-0001', shipNode: 'STORE-7102', quantity: 1 }],
    });
    await eventually(async () => expect(await cancelsSent()).to.deep.equal([[['TEST-SKU-0003', '2.0', 'DC-EAST'], ['TEST-SKU-0001', '1.0', 'STORE-7102']]]));
    // Cancelling the cart releases the second reservation too.
    await view(processOrder('Cancel', o.orderId));
    await eventually(async () => expect(reservations()).to.deep.equal({}));
    await eventually(async () => expect((await w.store.domOutbox.forOrder(o.orderId)).map((m) => [m.kind, m.status])).to.deep.equal([['CancelInventoryReservation', 'acknowledged']]));
    await eventually(async () => expect(await cancelsSent()).to.have.deep.members([
      [['TEST-SKU-0003', '2.0', 'DC-EAST'], ['TEST-SKU-0001', '1.0', 'STORE-7102']],
      [['TEST-SKU-0003', '5.0', 'DC-EAST'], ['TEST-SKU-0001', '1.0', 'STORE-7102']],
    ]));
  });

  it('a line DOM cannot allocate is Unallocated after Prepare and Submit refuses with ITEMS_UNALLOCATED; nothing stays reserved', async function () {
    w.sim.stock.setOnHand('TEST-SKU-0004', 'DC-EAST', 0);
    w.sim.stock.setOnHand('TEST-SKU-0004', 'DC-WEST', 0);
    const o = await view(addItems([
      { catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE },
      { catentryId: '20314', quantity: 1, shipMode: 'Standard', address: JANE },
    ]));
    await view(setPayment(o.orderId, '4111111111111111'));
    const prepared = await view(processOrder('Prepare', o.orderId));
    expect(prepared.items.map((i) => [i.catentryId, i.inventoryStatus])).to.deep.equal([['20311', 'Allocated'], ['20314', 'Unallocated']]);
    const r = await post(w.app.url, ORDER_PATH, soap11(processOrder('Submit', o.orderId)));
    expect(changeStatus(r.body)).to.include({ reasonCode: 'ITEMS_UNALLOCATED' });
    await view(processOrder('Cancel', o.orderId));
    await eventually(async () => expect(reservations()).to.deep.equal({}));
    expect(child(r.body, NS.ord, 'DataArea')).to.not.equal(undefined);
  });
});
