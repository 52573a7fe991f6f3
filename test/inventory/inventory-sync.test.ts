import { expect } from 'chai';
import { NS } from '../../src/xml/namespaces.js';
import { availabilityNouns, changeStatus, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';

/** Sterling's own shape: no BODID, releaseID="", the _wcf:ApplicationArea substitution, several nouns. */
function sterlingSync(nouns: string, actionCode = 'Change'): string {
  return `<ns2:SyncInventoryAvailability xmlns:ns2="${NS.inv}" xmlns:w="${NS.wcf}" xmlns:o="${NS.oa}" releaseID="">` +
    `<w:ApplicationArea><o:CreationDateTime>2026-01-01T00:00:00</o:CreationDateTime><w:BusinessContext><w:ContextData name="storeId">10201</w:ContextData></w:BusinessContext></w:ApplicationArea>` +
    `<ns2:DataArea><o:Sync><o:ActionCriteria><o:ActionExpression actionCode="${actionCode}" expressionLanguage="_wcf:XPath"/></o:ActionCriteria></o:Sync>${nouns}</ns2:DataArea></ns2:SyncInventoryAvailability>`;
}

function noun(item: string, location: string, status: string, qty: string | null, lastUpdate?: string): string {
  return `<ns2:InventoryAvailability><ns2:InventoryAvailabilityIdentifier><w:ExternalIdentifier>${item}${location}</w:ExternalIdentifier></ns2:InventoryAvailabilityIdentifier>` +
    `<ns2:InventoryStatus>${status}</ns2:InventoryStatus>${qty === null ? '' : `<ns2:AvailableQuantity uom="C62">${qty}</ns2:AvailableQuantity>`}` +
    `${lastUpdate ? `<ns2:LastUpdateDateTime>${lastUpdate}</ns2:LastUpdateDateTime>` : ''}</ns2:InventoryAvailability>`;
}
const byPart = (pn: string) => `<w:CatalogEntryIdentifier><w:ExternalIdentifier><w:PartNumber>${pn}</w:PartNumber></w:ExternalIdentifier></w:CatalogEntryIdentifier>`;
const byId = (id: string) => `<w:CatalogEntryIdentifier><w:UniqueID>${id}</w:UniqueID></w:CatalogEntryIdentifier>`;
const online = (id: string) => `<w:OnlineStoreIdentifier><w:UniqueID>${id}</w:UniqueID></w:OnlineStoreIdentifier>`;
const physicalExt = (ext: string) => `<w:PhysicalStoreIdentifier><w:ExternalIdentifier>${ext}</w:ExternalIdentifier></w:PhysicalStoreIdentifier>`;

describe('SyncInventoryAvailability and ChangeInventoryAvailability (real HTTP)', function () {
  let w: TestWorld;
  beforeEach(async function () {
    w = await startWorld({}, undefined, { fulfillment: false } as never);
  });
  afterEach(async function () {
    await w.close();
  });
  const sync = (bod: string) => post(w.app.url, INVENTORY_PATH, soap11(bod));
  const get = (expr: string) => post(w.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(expr)));

  it("Sterling's shape: several nouns, items by part number, physical stores by external id, then Get answers them from the cache", async function () {
    const c = await sync(sterlingSync(
      noun(byPart('TEST-SKU-0002'), online('10201'), 'Available', '77.0') +
      noun(byPart('000123'), physicalExt('STORE-7102'), 'Backorderable', '0.0') +
      noun(byId('20313'), online('10201'), 'Available', null),
    ));
    expect(c.body.name).to.equal('ConfirmBOD');
    expect(c.text).to.contain('BODSuccessMessage');
    w.sim.setFailureMode('down');
    const r = await get(`/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20312' or UniqueID='20313')] and OnlineStoreIdentifier[(UniqueID='10201')]]]`);
    expect(availabilityNouns(r.body).map((n) => [n.catentryId, n.status, n.quantity, n.source])).to.deep.equal([
      ['20312', 'Available', '77.0', 'cache'], ['20313', 'Available', undefined, 'cache'],
    ]);
    const phys = await w.store.availability.get('20315', { kind: 'physical', storeId: '7102' });
    expect(phys).to.include({ status: 'Backorderable', quantity: 0 });
  });

  it('an update older than the stored record never overwrites it (and counts as applied)', async function () {
    await sync(sterlingSync(noun(byId('20311'), online('10201'), 'Available', '10.0', '2026-06-01T12:00:00Z')));
    const c = await sync(sterlingSync(noun(byId('20311'), online('10201'), 'Available', '99.0', '2026-06-01T11:00:00Z')));
    expect(c.text).to.contain('BODSuccessMessage');
    const rec = await w.store.availability.get('20311', { kind: 'online', storeId: '10201' });
    expect(rec?.quantity).to.equal(10);
    await sync(sterlingSync(noun(byId('20311'), online('10201'), 'Available', '11.0', '2026-06-01T12:00:01Z')));
    expect((await w.store.availability.get('20311', { kind: 'online', storeId: '10201' }))?.quantity).to.equal(11);
  });

  it('partial failure names each noun that failed and applies the others', async function () {
    const c = await sync(sterlingSync(
      noun(byId('20311'), online('10201'), 'Available', '5.0') +
      noun(byId('99999'), online('10201'), 'Available', '5.0') +
      noun(byId('20312'), online('10201'), 'Plentiful', '5.0') +
      noun(byId('20313'), online('10201'), 'Available', '-3'),
    ));
    expect(c.text).to.contain('PartialBODFailureMessage').and.to.contain('CATALOG_ENTRY_NOT_FOUND').and.to.contain('VALUE_INVALID');
    expect(c.text.match(/<oa:NounFailureMessage>/g)).to.have.length(3);
    expect((await w.store.availability.get('20311', { kind: 'online', storeId: '10201' }))?.quantity).to.equal(5);
    expect(await w.store.availability.get('20313', { kind: 'online', storeId: '10201' })).to.equal(undefined);
  });

  it('Delete removes the cached record', async function () {
    await sync(sterlingSync(noun(byId('20311'), online('10201'), 'Available', '5.0')));
    await sync(sterlingSync(noun(byId('20311'), online('10201'), 'Available', '5.0'), 'Delete'));
    expect(await w.store.availability.get('20311', { kind: 'online', storeId: '10201' })).to.equal(undefined);
  });

  it('the simulator pushes a stock change as SyncInventoryAvailability, and Get answers it', async function () {
    const res = await fetch(`${w.sim.url}/sim/stock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ catentryId: '20314', location: 'online:10201', onHand: 123 }) });
    const body = (await res.json()) as { push: { outcome: string } };
    expect(body.push.outcome).to.equal('confirmed');
    w.sim.setFailureMode('down');
    const r = await get(itemAtOnline('20314', '10201'));
    expect(availabilityNouns(r.body)[0]).to.include({ quantity: '123.0', source: 'cache' });
  });

  it('ChangeInventoryAvailability upserts all or nothing and answers RespondInventoryAvailability', async function () {
    const change = (nouns: string) =>
      `<_inv:ChangeInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:w="${NS.wcf}" xmlns:ns2="${NS.inv}" xmlns:o="${NS.oa}" releaseID="9.0"><o:ApplicationArea><o:CreationDateTime>2026-01-01T00:00:00Z</o:CreationDateTime><o:BODID>chg-${Math.random()}</o:BODID></o:ApplicationArea>` +
      `<_inv:DataArea><o:Change><o:ActionCriteria><o:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">/InventoryAvailability</o:ActionExpression></o:ActionCriteria></o:Change>${nouns}</_inv:DataArea></_inv:ChangeInventoryAvailability>`;
    const bad = await post(w.app.url, INVENTORY_PATH, soap11(change(noun(byId('20311'), online('10201'), 'Available', '8.0') + noun(byId('99999'), online('10201'), 'Available', '1.0'))));
    expect(changeStatus(bad.body)).to.include({ reasonCode: 'CATALOG_ENTRY_NOT_FOUND' });
    expect(await w.store.availability.get('20311', { kind: 'online', storeId: '10201' })).to.equal(undefined);
    const ok = await post(w.app.url, INVENTORY_PATH, soap11(change(noun(byId('20311'), online('10201'), 'Available', '8.0'))));
    expect(ok.body.name).to.equal('RespondInventoryAvailability');
    expect(availabilityNouns(ok.body)[0]).to.include({ catentryId: '20311', quantity: '8.0' });
    w.sim.setFailureMode('down');
    expect(availabilityNouns((await get(itemAtOnline('20311', '10201'))).body)[0]).to.include({ quantity: '8.0', source: 'cache' });
  });
});
