import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NS } from '../../src/xml/namespaces.js';
import { child } from '../../src/xml/xml-element.js';
import { scratchDir } from '../support/scratch.js';
import {
  availabilityNouns, changeStatus, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, post, sample, soap11, startWorld, type TestWorld,
} from '../support/test-app.js';

/** The get-inventory-availability flow over real HTTP: facade ↔ DOM simulator, cache rules of the demo store. */
describe('inventory availability flow (real HTTP, DOM simulator)', function () {
  let w: TestWorld;
  beforeEach(async function () {
    w = await startWorld();
  });
  afterEach(async function () {
    await w.close();
  });

  const get = async (expression: string, storeId = '10201') => post(w.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(expression, storeId)));
  const online = { kind: 'online' as const, storeId: '10201' };

  it('a miss asks DOM, answers its quantity and writes it back to the cache', async function () {
    const r = await get(itemAtOnline('20311', '10201'));
    expect(r.status).to.equal(200);
    expect(r.body.name).to.equal('ShowInventoryAvailability');
    const [n] = availabilityNouns(r.body);
    expect(n).to.include({ catentryId: '20311', partNumber: 'TEST-SKU-0001', location: 'online:10201', status: 'Available', quantity: '42.0', source: 'dom' });
    const rec = await w.store.availability.get('20311', online);
    expect(rec?.quantity).to.equal(42);
  });

  it('a fresh record is answered from the cache without DOM (DOM down proves it)', async function () {
    await get(itemAtOnline('20311', '10201'));
    w.sim.setFailureMode('down');
    const r = await get(itemAtOnline('20311', '10201'));
    expect(availabilityNouns(r.body)[0]).to.include({ quantity: '42.0', source: 'cache' });
  });

  it('a stale record (older than the above-threshold expiry of 600 s) is refreshed from DOM and written back', async function () {
    const old = Date.now() - 700_000;
    await w.store.availability.upsert({ catentryId: '20311', location: online, status: 'Available', quantity: 99, uom: 'C62', availabilityTime: null, availabilityOffset: null, lastUpdate: old }, { ifNotOlder: false });
    const r = await get(itemAtOnline('20311', '10201'));
    expect(availabilityNouns(r.body)[0]).to.include({ quantity: '42.0', source: 'dom' });
    const rec = await w.store.availability.get('20311', online);
    expect(rec?.quantity).to.equal(42);
    expect(rec!.lastUpdate).to.be.greaterThan(old);
  });

  it('below the threshold (5) the short expiry (30 s) applies; above it the long one (600 s)', async function () {
    const minuteAgo = Date.now() - 60_000;
    const put = (catentryId: string, quantity: number) =>
      w.store.availability.upsert({ catentryId, location: online, status: 'Available', quantity, uom: 'C62', availabilityTime: null, availabilityOffset: null, lastUpdate: minuteAgo }, { ifNotOlder: false });
    await put('20312', 10); // 10 − 0 ≥ 5: fresh for 600 s
    await put('20313', 3); // 3 − 0 < 5: fresh for 30 s only, so stale after a minute
    const r = await get(`/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20312' or UniqueID='20313')] and OnlineStoreIdentifier[(UniqueID='10201')]]]`);
    const nouns = availabilityNouns(r.body);
    expect(nouns.map((n) => [n.catentryId, n.quantity, n.source])).to.deep.equal([['20312', '10.0', 'cache'], ['20313', '60.0', 'dom']]);
  });

  it('DOM down with a stale record: answers the stale record and says so', async function () {
    await w.store.availability.upsert({ catentryId: '20311', location: online, status: 'Available', quantity: 7, uom: 'C62', availabilityTime: null, availabilityOffset: null, lastUpdate: Date.now() - 3_600_000 }, { ifNotOlder: false });
    w.sim.setFailureMode('down');
    const r = await get(itemAtOnline('20311', '10201'));
    expect(availabilityNouns(r.body)[0]).to.include({ quantity: '7.0', source: 'stale-cache' });
  });

  for (const mode of ['down', 'http-500', 'soap-fault', 'malformed', 'drop'] as const) {
    it(`DOM failing (${mode}) with nothing cached: answers the rule's fallback values`, async function () {
      w.sim.setFailureMode(mode);
      const r = await get(itemAtOnline('20314', '10201'));
      expect(r.status).to.equal(200);
      const [n] = availabilityNouns(r.body);
      expect(n).to.include({ status: 'Backorderable', source: 'fallback' });
      expect(n!.quantity).to.equal(undefined);
      expect(await w.store.availability.get('20314', online)).to.equal(undefined);
    });
  }

  it('DOM slower than the call timeout counts as down: fallback answer', async function () {
    this.timeout(10_000);
    w.sim.setFailureMode('slow', { delayMs: 3000 });
    const r = await get(itemAtOnline('20314', '10201'));
    expect(availabilityNouns(r.body)[0]).to.include({ source: 'fallback' });
  });

  it('with outage tolerance off, DOM down answers the BOD error DOM_UNAVAILABLE', async function () {
    await w.close();
    const dir = scratchDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ inventory: { outageTolerance: false } }));
    w = await startWorld({}, file);
    w.sim.setFailureMode('down');
    const r = await get(itemAtOnline('20314', '10201'));
    expect(changeStatus(r.body)).to.include({ code: 'ERROR', reasonCode: 'DOM_UNAVAILABLE' });
  });

  it('Sync then Get: DOM pushes availability, the next Get answers it from the cache', async function () {
    const c = await post(w.app.url, INVENTORY_PATH, soap11(sample('SyncInventoryAvailability.xml')));
    expect(c.body.name).to.equal('ConfirmBOD');
    expect(c.text).to.contain('BODSuccessMessage');
    w.sim.setFailureMode('down');
    const r = await get(itemAtOnline('20311', '10201'));
    const [n] = availabilityNouns(r.body);
    expect(n).to.include({ quantity: '135.0', source: 'cache' });
  });

  it('the sample GetInventoryAvailability is answered for the demo store', async function () {
    const r = await post(w.app.url, INVENTORY_PATH, soap11(sample('GetInventoryAvailability.xml')));
    expect(changeStatus(r.body)).to.equal(undefined);
    expect(availabilityNouns(r.body)).to.have.length(1);
    // The request had no CreationDateTime or BODID: the echo carries the receipt time and no BODID.
    const show = child(child(r.body, NS.inv, 'DataArea'), NS.oa, 'Show');
    expect(child(child(show, NS.oa, 'OriginalApplicationArea'), NS.oa, 'CreationDateTime')?.text).to.match(/^\d{4}-/);
  });

  describe('expression forms (docs/contract/wire.md, inventory cache rules)', function () {
    it('part number and online store name', async function () {
      const r = await get(`{_wcf.ap=IBM_Store_Details}/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='TEST-SKU-0002')] and OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier='DemoDOMStore')]]]`);
      expect(availabilityNouns(r.body)[0]).to.include({ catentryId: '20312', partNumber: 'TEST-SKU-0002', location: 'online:10201', quantity: '300.0' });
    });

    it('online or physical stores, several items: one noun per (item, location)', async function () {
      const r = await get(`/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311' or UniqueID='20312')] and (OnlineStoreIdentifier[(UniqueID='10201')] or PhysicalStoreIdentifier[(UniqueID='7101')] or PhysicalStoreIdentifier[(ExternalIdentifier='STORE-7102')])]]`);
      const nouns = availabilityNouns(r.body);
      expect(nouns.map((n) => `${n.catentryId}@${n.location}=${n.quantity}`)).to.deep.equal([
        '20311@online:10201=42.0', '20311@physical:7101=6.0', '20311@physical:7102=3.0',
        '20312@online:10201=300.0', '20312@physical:7101=40.0', '20312@physical:7102=12.0',
      ]);
      expect(r.text).to.contain('recordSetCount="6"');
    });

    it('a part number with leading zeros stays a string', async function () {
      const r = await get(`/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='000123')] and OnlineStoreIdentifier[(UniqueID='10201')]]]`);
      expect(availabilityNouns(r.body)[0]).to.include({ catentryId: '20315', partNumber: '000123' });
    });

    it('no location in the expression: the business context store', async function () {
      const r = await get(`/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311')]]]`);
      expect(availabilityNouns(r.body)[0]).to.include({ location: 'online:10201' });
    });

    it('a non-ATP store answers its local quantity', async function () {
      const r = await get(itemAtOnline('20316', '10202'), '10202');
      expect(availabilityNouns(r.body)[0]).to.include({ quantity: '3.0', status: 'Available', source: 'local' });
    });
  });

  describe('answers in the BOD error form, not faults', function () {
    it('an unknown item', async function () {
      const r = await get(itemAtOnline('99999', '10201'));
      expect(r.status).to.equal(200);
      expect(changeStatus(r.body)).to.include({ code: 'ERROR', reasonCode: 'CATALOG_ENTRY_NOT_FOUND' });
      expect(availabilityNouns(r.body)).to.have.length(0);
    });
    it('an unknown store', async function () {
      const r = await get(itemAtOnline('20311', '55555'));
      expect(changeStatus(r.body)).to.include({ reasonCode: 'STORE_NOT_FOUND' });
    });
    it('an expression outside the grammar', async function () {
      const r = await get(`/InventoryAvailability[contains(., 'x')]`);
      expect(changeStatus(r.body)).to.include({ reasonCode: 'EXPRESSION_INVALID' });
    });
  });
});

