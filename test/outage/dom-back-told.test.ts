import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.js';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { startDomSimulator, type DomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import { silentLogger } from '../../src/log/logger.js';
import { startDombridge, type Dombridge } from '../../src/server/dombridge-app.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { eventually } from '../support/order-bods.js';
import { scratchDir } from '../support/scratch.js';
import { getAvailabilityBod, INVENTORY_PATH, itemAtOnline, post, soap11 } from '../support/test-app.js';
import { freshPostgresUrl } from '../support/test-store.js';

type DomState = { state: 'up' | 'down' | 'unknown'; lastProbe: { trigger: string } | null };

/**
 * Two nodes on one PostgreSQL store, both with DOM down and their circuits open, and heartbeats too far apart to
 * matter here (DOM_PROBE_MIN_S=600). When one of them finds DOM back (an operator's probe), it tells the other,
 * which probes DOM for itself at once instead of at its own next heartbeat (docs/several-nodes.md). Runs in both
 * passes, on a PostgreSQL database of its own.
 */
describe('several nodes: DOM found back by one is told to the others', function () {
  this.timeout(60_000);
  const nodes: { app: Dombridge; store: Store }[] = [];
  let sim: DomSimulator | undefined;

  afterEach(async function () {
    for (const n of nodes.splice(0)) {
      await n.app.close();
      await n.store.close();
    }
    await sim?.close();
  });

  const domOf = async (app: Dombridge): Promise<DomState> => ((await (await fetch(`${app.url}/readyz`)).json()) as { dom: DomState }).dom;

  it('the other node closes its circuit within seconds, by a probe of its own', async function () {
    sim = await startDomSimulator({ port: 0, host: '127.0.0.1', log: silentLogger });
    const url = await freshPostgresUrl();
    for (let i = 0; i < 2; i++) {
      const store = await openStore({ dbPath: ':memory:', dbUrl: url, dbPool: { size: 4, statementTimeoutMs: 30_000, caFile: undefined } });
      if (i === 0) await seedDemo(store);
      const config = loadConfig({ env: {
        PORT: '0', DOM_URL: sim.url, DOM_TIMEOUT_MS: '1000', DOM_CONNECT_TIMEOUT_MS: '300', DOMBRIDGE_DATA: scratchDir('dombridge-told-'),
        DOM_PROBE_MIN_S: '600', DOM_HEARTBEAT_S: '600',
      } });
      nodes.push({ app: await startDombridge(config, silentLogger, { store }), store });
    }
    const [a, b] = nodes.map((n) => n.app) as [Dombridge, Dombridge];

    // DOM down; Gets of an item nobody cached open each node's circuit (5 failures in a row).
    await sim.setFailureMode('down');
    for (const app of [a, b]) {
      for (let i = 0; i < 6; i++) await post(app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline('20312', '10201'))));
      expect((await domOf(app)).state).to.equal('down');
    }

    // DOM back; an operator probes on A. B's own heartbeat is ten minutes away: only being told can close it now.
    await sim.setFailureMode('none');
    const report = await a.operations.probeDom();
    expect(report?.dom).to.equal('up');
    const seen = await eventually(async () => {
      const dom = await domOf(b);
      expect(dom.state).to.equal('up');
      return dom;
    }, 10_000, 100);
    // B asked DOM itself, told by A; it did not take A's word for it.
    expect(seen.lastProbe?.trigger).to.equal('peer');
  });
});
