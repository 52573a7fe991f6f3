import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { startDombridge, type Dombridge } from '../../src/server/dombridge-app.js';
import { runCli, tempDir } from '../support/run-cli.js';
import { availabilityNouns, getAvailabilityBod, INVENTORY_PATH, post, soap11 } from '../support/test-app.js';

/*
 * The built-in simulator serves whatever shop was imported: every catalog entry is stocked at every DOM store's
 * fulfillment center and every physical store, at domSim.defaultStock, until /sim/stock changes it.
 */

const CONFIG = {
  commerce: {
    fulfillmentCenters: { 61101: { name: 'RIVER-DC' } },
    stores: { 61001: { identifier: 'RiverGear', inventorySystem: 'DOM', currency: 'EUR', fulfillmentCenterId: '61101' } },
  },
  // Ask DOM on a miss (4), nothing cached: every answer is DOM's.
  inventory: {
    cacheRules: [
      { storeId: '61001', flags: 4, threshold: 0, expiryAboveS: 0, expiryBelowS: 0, fallbackStatus: 'Unavailable', fallbackOffsetDays: 0, precedence: 0 },
      { physicalStoreId: '6801', flags: 4, threshold: 0, expiryAboveS: 0, expiryBelowS: 0, fallbackStatus: 'Unavailable', fallbackOffsetDays: 0, precedence: 0 },
    ],
  },
};
const CATALOG = 'CatalogEntryUniqueId,PartNumber,Name,Price,CurrencyCode,StoreId\n62001,RG-PADDLE,Paddle,80.00,EUR,61001\n62002,000042,Dry Bag,15.00,EUR,61001\n';
const STORES = 'PhysicalStoreId,Identifier,Name,AddressLine,City,Country,PostalCode,StoreId\n6801,RG-LYON,River Gear Lyon,1 Quai,Lyon,FR,69001,61001\n';

/** Part numbers and the store's names: the form DOM's mediation reads (docs/contract/dom-mediation-inventory.md). */
const byNames = (partNumber: string, where: string) =>
  `/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='${partNumber}')] and ${where}]]`;
const ONLINE = "OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier='RiverGear')]";
const PHYSICAL = "PhysicalStoreIdentifier[(ExternalIdentifier='RG-LYON')]";

describe('the built-in simulator stocks the imported shop (real CLI, real HTTP)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let app: Dombridge | undefined;
  beforeEach(() => (dir = tempDir()));
  afterEach(async () => {
    await app?.close();
    app = undefined;
    dir.remove();
  });

  async function serve(env: Record<string, string> = {}): Promise<Dombridge> {
    const cfg = join(dir.path, 'dombridge.json');
    writeFileSync(cfg, JSON.stringify(CONFIG));
    writeFileSync(join(dir.path, 'catalog.csv'), CATALOG);
    writeFileSync(join(dir.path, 'stores.csv'), STORES);
    const imported = await runCli(['import', join(dir.path, 'catalog.csv'), join(dir.path, 'stores.csv'), '--config', cfg], { env: { DOMBRIDGE_DATA: dir.path } });
    expect(imported.code, imported.stdout + imported.stderr).to.equal(0);
    return startDombridge(loadConfig({ file: cfg, env: { DOMBRIDGE_DATA: dir.path, PORT: '0', DOM_SIM_PORT: '0', ...env } }), silentLogger);
  }

  const ask = async (expression: string) => {
    const r = await post(app!.url, INVENTORY_PATH, soap11(getAvailabilityBod(expression, '61001')));
    expect(r.status, r.text).to.equal(200);
    return availabilityNouns(r.body);
  };

  it('answers availability of every imported entry from DOM with the default quantity, online and in store, until /sim/stock changes it', async () => {
    app = await serve({ DOM_SIM_DEFAULT_STOCK: '37' });
    expect(app.simulator?.state().stock).to.deep.equal({
      'RIVER-DC': { '000042': { onHand: 37, reserved: 0, available: 37 }, 'RG-PADDLE': { onHand: 37, reserved: 0, available: 37 } },
      'RG-LYON': { '000042': { onHand: 37, reserved: 0, available: 37 }, 'RG-PADDLE': { onHand: 37, reserved: 0, available: 37 } },
    });
    expect(await ask(byNames('000042', ONLINE))).to.deep.equal([{ catentryId: '62002', partNumber: '000042', location: 'online:61001', status: 'Available', quantity: '37.0', source: 'dom' }]);
    expect((await ask(byNames('RG-PADDLE', PHYSICAL)))[0]).to.deep.include({ location: 'physical:6801', status: 'Available', quantity: '37.0', source: 'dom' });

    const set = await fetch(`${app.simulator!.url}/sim/stock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ partNumber: 'RG-PADDLE', shipNode: 'RG-LYON', onHand: 2 }) });
    expect(set.status, await set.text()).to.equal(200);
    expect((await ask(byNames('RG-PADDLE', PHYSICAL)))[0]).to.deep.include({ quantity: '2.0', source: 'dom' });
  });

  it('holds 100 of each by default', async () => {
    app = await serve();
    expect(app.simulator?.state().stock['RIVER-DC']?.['RG-PADDLE']).to.deep.equal({ onHand: 100, reserved: 0, available: 100 });
  });
});
