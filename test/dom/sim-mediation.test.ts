import { expect } from 'chai';
import { startDomSimulator, type DomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import { readEnvelope } from '../../src/soap/soap-envelope.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, childText, path, type XmlElement } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';

/** The simulator's default mode answers GetInventoryAvailability only as far as the mediation's map would ask Sterling. */
describe('DOM simulator, default mode: availability as the mediation asks it', function () {
  let sim: DomSimulator;
  before(async () => {
    sim = await startDomSimulator({ port: 0, fulfillment: false });
  });
  after(async () => {
    await sim.close();
  });

  async function ask(expression: string): Promise<XmlElement> {
    const bod = `<_inv:GetInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}" releaseID="9.0" versionID="7.0.0.0">` +
      `<oa:ApplicationArea><oa:CreationDateTime>2024-05-06T10:00:00Z</oa:CreationDateTime><_wcf:BusinessContext><_wcf:ContextData name="storeId">10201</_wcf:ContextData></_wcf:BusinessContext></oa:ApplicationArea>` +
      `<_inv:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">${expression.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</oa:Expression></oa:Get></_inv:DataArea></_inv:GetInventoryAvailability>`;
    const res = await fetch(sim.url + '/dom/services/InventoryServices', { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: `<soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>${bod}</soapenv:Body></soapenv:Envelope>` });
    return readEnvelope(readXml(await res.text())).bod;
  }
  const nouns = (show: XmlElement) => childrenNamed(child(show, NS.inv, 'DataArea'), NS.inv, 'InventoryAvailability').map((n) => {
    const ext = path(n, [NS.inv, 'InventoryAvailabilityIdentifier'], [NS.wcf, 'ExternalIdentifier']);
    return [
      childText(path(ext, [NS.wcf, 'CatalogEntryIdentifier'], [NS.wcf, 'ExternalIdentifier']), NS.wcf, 'PartNumber'),
      childText(path(ext, [NS.wcf, 'OnlineStoreIdentifier'], [NS.wcf, 'ExternalIdentifier']), NS.wcf, 'NameIdentifier') ?? childText(child(ext, NS.wcf, 'PhysicalStoreIdentifier'), NS.wcf, 'ExternalIdentifier'),
      childText(n, NS.inv, 'InventoryStatus'), childText(n, NS.inv, 'AvailableQuantity'), childText(n, NS.inv, 'LastUpdateDateTime'),
    ];
  });

  it('a UniqueID-only expression asks Sterling nothing: an empty DataArea, no oa:Show, _wcf:ApplicationArea', async () => {
    const show = await ask("/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311')] and OnlineStoreIdentifier[(UniqueID='10201')]]]");
    expect(show.name).to.equal('ShowInventoryAvailability');
    expect(child(show, NS.wcf, 'ApplicationArea')).to.not.equal(undefined);
    expect(child(show, NS.inv, 'DataArea')!.children).to.deep.equal([]);
  });

  it('pairs by position: PartNumber[i] with NameIdentifier[i] or ExternalIdentifier[i]; unpaired part numbers ask nothing', async () => {
    const show = await ask("/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='TEST-SKU-0001' or PartNumber='TEST-SKU-0006' or PartNumber='TEST-SKU-0002')] and OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier='DemoDOMStore' or NameIdentifier='DemoDOMStore')]]]");
    expect(nouns(show)).to.deep.equal([['TEST-SKU-0001', 'DemoDOMStore', 'Available', '42', undefined], ['TEST-SKU-0006', 'DemoDOMStore', 'Available', '4', undefined]]);
    const mixed = await ask("/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='TEST-SKU-0006' or PartNumber='TEST-SKU-0003')] and (OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier='DemoDOMStore')] or PhysicalStoreIdentifier[(ExternalIdentifier='STORE-7101')])]]");
    // Position 1 has both a physical store and a store name: the map answers it as physical; position 2 has neither.
    expect(nouns(mixed)).to.deep.equal([['TEST-SKU-0006', 'STORE-7101', 'Unavailable', undefined, undefined]]);
  });
});
