import { expect } from 'chai';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, type XmlElement } from '../../src/xml/xml-element.js';
import type { Node } from '../support/commerce-client/bod-tree.js';
import { CLIENT_STACKS, type ClientStack } from '../support/commerce-client/client-stacks.js';
import {
  changeInventoryAvailability, getInventoryAvailability, processInventoryRequirement, syncInventoryAvailability, type RequirementLine,
} from '../support/commerce-client/inventory-requests.js';
import { CommerceClient, nounsOf, type Answer } from '../support/commerce-client/wire-client.js';
import { availabilityNouns, changeStatus, startWorld, type TestWorld } from '../support/test-app.js';
import { loadBodValidator, type BodValidator } from '../support/xsd-validator.js';

/** Each OrderItem of an AcknowledgeInventoryRequirement: item, quantity, inventory status, pick-up store. */
function requirementItems(a: Answer): Array<{ orderItemId?: string; catentryId?: string; partNumber?: string; quantity?: string; inventoryStatus?: string; physicalStoreId?: string; correlationGroup?: string }> {
  const [noun] = nounsOf(a, 'InventoryRequirement');
  return childrenNamed(noun, NS.ord, 'OrderItem').map((it: XmlElement) => {
    const cat = child(it, NS.ord, 'CatalogEntryIdentifier');
    const out: Record<string, string | undefined> = {
      orderItemId: child(child(it, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID')?.text,
      catentryId: child(cat, NS.wcf, 'UniqueID')?.text,
      partNumber: child(child(cat, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber')?.text,
      quantity: child(it, NS.ord, 'Quantity')?.text,
      inventoryStatus: child(child(it, NS.ord, 'OrderItemStatus'), NS.ord, 'InventoryStatus')?.text,
      physicalStoreId: child(child(child(it, NS.ord, 'OrderItemShippingInfo'), NS.ord, 'PhysicalStoreIdentifier'), NS.wcf, 'UniqueID')?.text,
      correlationGroup: child(it, NS.ord, 'CorrelationGroup')?.text,
    };
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  });
}

/** ConfirmBOD outcome: the kind of each oa:BOD message (success, failure, partial failure). */
function confirmKinds(a: Answer): string[] {
  const confirm = child(a.bod, NS.oa, 'DataArea');
  return childrenNamed(confirm, NS.oa, 'BOD').map((b) => b.children.find((c) => c.name.endsWith('Message'))?.name ?? '(none)');
}

/**
 * Every operation of Commerce's InventoryServices.wsdl, sent as clients generated from that WSDL write it (JAXB in
 * both namespace forms, .NET's XmlSerializer for reads and DOM's sync), over real HTTP to a whole dombridge with
 * the DOM simulator. Each answer is validated against schemas/ by the client before the test reads it.
 */
describe('Inventory service by clients generated from Commerce\'s InventoryServices.wsdl (real HTTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let validator: BodValidator;

  before(async function () {
    validator = await loadBodValidator();
  });
  after(function () {
    validator.dispose();
  });
  beforeEach(async function () {
    w = await startWorld({}, undefined, { fulfillment: false } as never);
  });
  afterEach(async function () {
    await w.close();
  });

  function call(request: Node, answerName: string, stack: ClientStack = 'jaxb'): Promise<Answer> {
    return new CommerceClient(w.app.url, stack, validator).send(request, answerName);
  }

  async function show(request: Node, stack: ClientStack = 'jaxb') {
    const a = await call(request, 'ShowInventoryAvailability', stack);
    expect(changeStatus(a.bod), a.text).to.equal(undefined);
    return availabilityNouns(a.bod);
  }

  describe('GetInventoryAvailability', function () {
    for (const stack of CLIENT_STACKS) {
      it(`${stack}: by UniqueID at the online store, DOM's quantity is read and cached`, async function () {
        const nouns = await show(getInventoryAvailability([{ catentryId: '20311' }], [{ online: '10201' }]), stack);
        expect(nouns).to.deep.equal([{ catentryId: '20311', partNumber: 'TEST-SKU-0001', location: 'online:10201', status: 'Available', quantity: '42.0', source: 'dom' }]);
        const again = await show(getInventoryAvailability([{ catentryId: '20311' }], [{ online: '10201' }]), stack);
        expect(again[0]).to.include({ quantity: '42.0', source: 'cache' });
      });

      it(`${stack}: by UniqueID at a physical store and by ExternalIdentifier at another`, async function () {
        const byId = await show(getInventoryAvailability([{ catentryId: '20312' }], [{ physical: '7101' }]), stack);
        expect(byId.map((n) => [n.catentryId, n.location, n.status, n.quantity])).to.deep.equal([['20312', 'physical:7101', 'Available', '40.0']]);
        const byExternal = await show(getInventoryAvailability([{ catentryId: '20312' }], [{ physicalExternal: 'STORE-7102' }]), stack);
        expect(byExternal.map((n) => [n.catentryId, n.location, n.quantity])).to.deep.equal([['20312', 'physical:7102', '12.0']]);
      });
    }

    it('jaxb: by PartNumber at the online store named by its NameIdentifier, with the access-profile prefix', async function () {
      const nouns = await show(getInventoryAvailability([{ partNumber: 'TEST-SKU-0002' }], [{ onlineName: 'DemoDOMStore' }], { accessProfile: 'IBM_Store_Details' }));
      expect(nouns.map((n) => [n.catentryId, n.partNumber, n.location, n.quantity])).to.deep.equal([['20312', 'TEST-SKU-0002', 'online:10201', '300.0']]);
    });

    it('jaxb-default-ns: two items, online or in a physical store: one noun per (item, location)', async function () {
      const nouns = await show(getInventoryAvailability([{ catentryId: '20311' }, { catentryId: '20316' }], [{ online: '10201' }, { physical: '7102' }]), 'jaxb-default-ns');
      const byKey = Object.fromEntries(nouns.map((n) => [`${n.catentryId}@${n.location}`, [n.status, n.quantity]]));
      expect(byKey).to.deep.equal({
        '20311@online:10201': ['Available', '42.0'], '20316@online:10201': ['Available', '4.0'],
        '20311@physical:7102': ['Available', '3.0'], '20316@physical:7102': ['Available', '1.0'],
      });
    });

    it('jaxb: the non-ATP store answers from its local stock', async function () {
      const nouns = await show(getInventoryAvailability([{ catentryId: '20314' }], [{ online: '10202' }], { storeId: '10202' }));
      expect(nouns.map((n) => [n.catentryId, n.location, n.status, n.quantity, n.source])).to.deep.equal([['20314', 'online:10202', 'Available', '10.0', 'local']]);
    });

    it('jaxb: an unknown part number is an answered error, not a fault', async function () {
      const a = await call(getInventoryAvailability([{ partNumber: 'NO-SUCH-PART' }], [{ online: '10201' }]), 'ShowInventoryAvailability');
      expect(changeStatus(a.bod)?.reasonCode).to.be.a('string').and.not.equal('');
    });
  });

  describe('ProcessInventoryRequirement', function () {
    const lines: RequirementLine[] = [
      { orderItemId: '501', item: { catentryId: '20311' }, quantity: 2 },
      { orderItemId: '502', item: { partNumber: 'TEST-SKU-0006' }, quantity: 10 },
      { orderItemId: '503', item: { catentryId: '20312' }, quantity: 1, physicalStoreId: '7101' },
    ];

    for (const stack of ['jaxb', 'jaxb-default-ns'] as const) {
      it(`${stack}: CheckInventory gives each line its inventory status (enough, too few, at the pick-up store)`, async function () {
        const a = await call(processInventoryRequirement('CheckInventory', { orderId: '7000', lines }), 'AcknowledgeInventoryRequirement', stack);
        expect(changeStatus(a.bod), a.text).to.equal(undefined);
        expect(requirementItems(a).map((i) => [i.orderItemId, i.catentryId, i.partNumber, i.quantity, i.inventoryStatus, i.physicalStoreId])).to.deep.equal([
          ['501', '20311', 'TEST-SKU-0001', '2.0', 'Available', undefined],
          ['502', '20316', 'TEST-SKU-0006', '10.0', 'Unavailable', undefined],
          ['503', '20312', 'TEST-SKU-0002', '1.0', 'Available', '7101'],
        ]);
      });
    }

    it('jaxb: DecrementCache takes the ordered quantity off the cached record', async function () {
      await show(getInventoryAvailability([{ catentryId: '20311' }], [{ online: '10201' }]));
      const a = await call(processInventoryRequirement('DecrementCache', { orderId: '7001', lines: [{ orderItemId: '1', item: { catentryId: '20311' }, quantity: 2 }] }), 'AcknowledgeInventoryRequirement');
      expect(changeStatus(a.bod), a.text).to.equal(undefined);
      expect(requirementItems(a).map((i) => [i.catentryId, i.inventoryStatus])).to.deep.equal([['20311', 'Available']]);
      const nouns = await show(getInventoryAvailability([{ catentryId: '20311' }], [{ online: '10201' }]));
      expect(nouns[0]).to.include({ quantity: '40.0', source: 'cache' });
    });

    it('jaxb: ReserveInventory sets stock aside at DOM, CancelInventoryReservation gives it back', async function () {
      // DOM's reservation map reads the item's PartNumber (and, to cancel, the ship node DOM reserved at), so the
      // client names the item by part number, as Commerce's own order component does.
      const line = { orderItemId: '1', item: { partNumber: 'TEST-SKU-0004' }, quantity: 3 };
      const reserve = await call(processInventoryRequirement('ReserveInventory', { orderId: '7002', lines: [line] }), 'AcknowledgeInventoryRequirement');
      expect(changeStatus(reserve.bod), reserve.text).to.equal(undefined);
      expect(requirementItems(reserve).map((i) => [i.orderItemId, Number(i.quantity), i.inventoryStatus])).to.deep.equal([['1', 3, 'Allocated']]);
      expect(w.sim.stock.reservation('WC_7002').reduce((n, l) => n + l.quantity, 0)).to.equal(3);
      const [item] = childrenNamed(nounsOf(reserve, 'InventoryRequirement')[0], NS.ord, 'OrderItem');
      const node = child(child(child(item, NS.ord, 'FulfillmentCenter'), NS.ord, 'FulfillmentCenterIdentifier'), NS.wcf, 'Name')?.text;

      const cancel = await call(processInventoryRequirement('CancelInventoryReservation', { orderId: '7002', lines: [{ ...line, ...(node ? { fulfillmentCenterName: node } : {}) }] }), 'AcknowledgeInventoryRequirement');
      expect(changeStatus(cancel.bod), cancel.text).to.equal(undefined);
      expect(w.sim.stock.reservation('WC_7002')).to.deep.equal([]);
    });

    it('jaxb: a reservation naming items, pick-up store and fulfillment center by unique id alone reaches DOM named as its map reads', async function () {
      // Commerce's schema lets a client name all three by UniqueID; DOM's reservation map reads only the part number,
      // the store's external identifier and the fulfillment center's name, so dombridge fills those in.
      const online = { orderItemId: '1', item: { catentryId: '20313' }, quantity: 2 };
      const pickup = { orderItemId: '2', item: { catentryId: '20312' }, quantity: 1, physicalStoreId: '7101' };
      const reserve = await call(processInventoryRequirement('ReserveInventory', { orderId: '7003', lines: [online, pickup] }), 'AcknowledgeInventoryRequirement');
      expect(changeStatus(reserve.bod), reserve.text).to.equal(undefined);
      expect(requirementItems(reserve).map((i) => [i.orderItemId, Number(i.quantity), i.inventoryStatus])).to.deep.equal([['1', 2, 'Allocated'], ['2', 1, 'Allocated']]);
      expect(w.sim.stock.reservation('WC_7003').map((l) => [l.partNumber, l.shipNode, l.quantity]).sort()).to.deep.equal([['TEST-SKU-0002', 'STORE-7101', 1], ['TEST-SKU-0003', 'DC-EAST', 2]]);

      const cancel = await call(processInventoryRequirement('CancelInventoryReservation', { orderId: '7003', lines: [{ ...online, fulfillmentCenterId: '10101' }, { ...pickup, fulfillmentCenterName: 'STORE-7101' }] }), 'AcknowledgeInventoryRequirement');
      expect(changeStatus(cancel.bod), cancel.text).to.equal(undefined);
      expect(w.sim.stock.reservation('WC_7003')).to.deep.equal([]);
    });

    it('jaxb: a reservation naming a catalog entry or store we do not know is refused, not sent to DOM', async function () {
      const r = await call(processInventoryRequirement('ReserveInventory', { orderId: '7004', lines: [{ orderItemId: '1', item: { catentryId: '99999' }, quantity: 1 }] }), 'AcknowledgeInventoryRequirement');
      expect(changeStatus(r.bod)?.reasonCode, r.text).to.equal('CATALOG_ENTRY_NOT_FOUND');
      const s = await call(processInventoryRequirement('ReserveInventory', { orderId: '7004', lines: [{ orderItemId: '1', item: { catentryId: '20312' }, quantity: 1, physicalStoreId: '7999' }] }), 'AcknowledgeInventoryRequirement');
      expect(changeStatus(s.bod)?.reasonCode, s.text).to.equal('STORE_NOT_FOUND');
      expect(w.sim.stock.reservation('WC_7004')).to.deep.equal([]);
    });
  });

  describe('ChangeInventoryAvailability', function () {
    it('jaxb: Change sets a record by UniqueID; Get reads it from the cache; Delete removes it', async function () {
      const when = new Date(Date.now() + 3 * 86_400_000);
      const r = await call(changeInventoryAvailability('Change', [{ item: { catentryId: '20313' }, location: { online: '10201' }, status: 'Backorderable', quantity: 0, availabilityDateTime: when, availabilityOffset: 3600, lastUpdate: new Date() }]), 'RespondInventoryAvailability');
      expect(changeStatus(r.bod), r.text).to.equal(undefined);
      expect(availabilityNouns(r.bod).map((n) => [n.catentryId, n.partNumber, n.location, n.status, n.quantity])).to.deep.equal([['20313', 'TEST-SKU-0003', 'online:10201', 'Backorderable', '0.0']]);
      const read = await show(getInventoryAvailability([{ catentryId: '20313' }], [{ online: '10201' }]));
      expect(read[0]).to.include({ status: 'Backorderable', quantity: '0.0', source: 'cache' });

      const d = await call(changeInventoryAvailability('Delete', [{ item: { catentryId: '20313' }, location: { online: '10201' } }]), 'RespondInventoryAvailability');
      expect(changeStatus(d.bod), d.text).to.equal(undefined);
      expect(await w.store.availability.get('20313', { kind: 'online', storeId: '10201' })).to.equal(undefined);
      // Nothing cached any more: the next read asks DOM again.
      expect((await show(getInventoryAvailability([{ catentryId: '20313' }], [{ online: '10201' }])))[0]).to.include({ quantity: '60.0', source: 'dom' });
    });

    it('jaxb-default-ns: Change names the item by PartNumber and the store by its external identifier', async function () {
      const r = await call(changeInventoryAvailability('Change', [{ item: { partNumber: 'TEST-SKU-0004' }, location: { physicalExternal: 'STORE-7102' }, status: 'Available', quantity: 9, lastUpdate: new Date() }]), 'RespondInventoryAvailability', 'jaxb-default-ns');
      expect(changeStatus(r.bod), r.text).to.equal(undefined);
      const read = await show(getInventoryAvailability([{ catentryId: '20314' }], [{ physical: '7102' }]), 'jaxb-default-ns');
      expect(read.map((n) => [n.location, n.quantity, n.source])).to.deep.equal([['physical:7102', '9.0', 'cache']]);
    });
  });

  describe('SyncInventoryAvailability', function () {
    for (const stack of CLIENT_STACKS) {
      it(`${stack}: DOM's update is confirmed and becomes what the store answers`, async function () {
        const a = await call(syncInventoryAvailability([
          { item: { catentryId: '20312' }, location: { online: '10201' }, status: 'Available', quantity: 17, lastUpdate: new Date() },
          { item: { partNumber: 'TEST-SKU-0002' }, location: { physical: '7101' }, status: 'Unavailable', quantity: 0, lastUpdate: new Date() },
        ]), 'ConfirmBOD', stack);
        expect(confirmKinds(a)).to.deep.equal(['BODSuccessMessage']);
        const read = await show(getInventoryAvailability([{ catentryId: '20312' }], [{ online: '10201' }, { physical: '7101' }]), stack);
        const byLoc = Object.fromEntries(read.map((n) => [n.location, [n.status, n.quantity, n.source]]));
        expect(byLoc).to.deep.equal({ 'online:10201': ['Available', '17.0', 'cache'], 'physical:7101': ['Unavailable', '0.0', 'cache'] });
      });
    }

    it('jaxb: Delete names each record by its identifier alone, as InventoryAvailabilityType allows', async function () {
      await call(syncInventoryAvailability([{ item: { catentryId: '20315' }, location: { online: '10201' }, status: 'Available', quantity: 5, lastUpdate: new Date() }]), 'ConfirmBOD');
      expect(await w.store.availability.get('20315', { kind: 'online', storeId: '10201' })).to.include({ quantity: 5 });
      const a = await call(syncInventoryAvailability([{ item: { partNumber: '000123' }, location: { online: '10201' } }], { actionCode: 'Delete' }), 'ConfirmBOD');
      expect(confirmKinds(a), a.text).to.deep.equal(['BODSuccessMessage']);
      expect(await w.store.availability.get('20315', { kind: 'online', storeId: '10201' })).to.equal(undefined);
    });
  });
});
