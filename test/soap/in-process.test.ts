import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { silentLogger } from '../../src/log/logger.js';
import { startDombridge, type Dombridge } from '../../src/server/dombridge-app.js';
import { openTestStore } from '../support/test-store.js';
import { readXml } from '../../src/xml/xml-reader.js';
import type { DomInventoryPort } from '../../src/dom/dom-inventory.client.js';
import { getAvailabilityBod, itemAtOnline, soap11 } from '../support/test-app.js';

/** The dispatcher called in-process (no socket), with DOM replaced by a fake port: fast tests of the pipeline. */
describe('in-process dispatch', function () {
  let app: Dombridge;
  let domCalls = 0;
  const fakeDom: DomInventoryPort = {
    async getInventoryAvailability(pairs) {
      domCalls++;
      return {
        ok: true,
        value: pairs.map((p) => ({
          item: { by: 'partNumber' as const, value: p.partNumber },
          location: p.location.kind === 'online' ? { kind: 'online' as const, by: 'nameIdentifier' as const, value: p.location.nameIdentifier } : { kind: 'physical' as const, by: 'externalId' as const, value: p.location.externalId },
          status: 'Available' as const, quantity: 7, uom: 'C62', availabilityTime: null, availabilityOffset: null, lastUpdate: null, userData: {},
        })),
      };
    },
  };
  before(async function () {
    const store = await openTestStore();
    await seedDemo(store);
    app = await startDombridge(loadConfig({ env: { DOM_URL: 'http://127.0.0.1:9' } }), silentLogger, { store, domInventory: fakeDom, listen: false });
  });
  after(async function () {
    await app.close();
  });

  const dispatch = (xml: string, contentType = 'text/xml') => app.dispatcher.dispatch(app.services[0]!, Buffer.from(xml), contentType);

  it('a miss asks the DOM port once, the next Get is a cache hit', async function () {
    const first = await dispatch(soap11(getAvailabilityBod(itemAtOnline('20312', '10201'))));
    expect(first.status).to.equal(200);
    expect(first.body).to.contain('>7.0<').and.to.contain('>dom<');
    const second = await dispatch(soap11(getAvailabilityBod(itemAtOnline('20312', '10201'))));
    expect(second.body).to.contain('>cache<');
    expect(domCalls).to.equal(1);
  });

  it('faults come back as values with the status the socket layer sends', async function () {
    const a = await dispatch('<not-xml');
    expect(a.status).to.equal(500);
    // The outcome and its code come from the error catalogue (docs/operations.md): a fault, XML_MALFORMED.
    expect(a.outcome).to.equal('fault');
    expect(a.code).to.equal('XML_MALFORMED');
    expect(readXml(a.body).name).to.equal('Envelope');
  });
});

describe('configuration', function () {
  it('names the setting that is wrong', function () {
    expect(() => loadConfig({ env: { PORT: 'eighty' } })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ env: { DOM_URL: 'not a url' } })).to.throw(ConfigError, /DOM_URL/);
    expect(() => loadConfig({ env: { LOG_LEVEL: 'chatty' } })).to.throw(ConfigError, /LOG_LEVEL/);
    expect(() => loadConfig({ env: { DOM_TIMEOUT_MS: '100', DOM_CONNECT_TIMEOUT_MS: '500' } })).to.throw(ConfigError, /dom\.timeoutMs/);
    expect(() => loadConfig({ file: '/nonexistent/dombridge.json' })).to.throw(ConfigError, /--config/);
  });
  it('environment overrides the defaults', function () {
    const c = loadConfig({ env: { PORT: '9999', DOM_URL: 'http://dom.example:8443/', OUTBOX_RETRY_MS: '250' } });
    expect(c).to.include({ port: 9999, domUrl: 'http://dom.example:8443' });
    expect(c.outbox.retryMs).to.equal(250);
  });
});
