import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimState } from '../../src/dom/simulator/dom-simulator.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { freePort, httpRequest, soapPost, type ManagedProcess } from '../support/process-world.js';
import { changeStatus, ORDER_PATH, soap11 } from '../support/test-app.js';
import { ON_POSTGRES, freshPostgresUrl } from '../support/test-store.js';
import { spawnDombridge, waitHealthy } from './node-cluster.js';

/**
 * `dombridge serve --workers 2` on the store of the pass (a SQLite file, or PostgreSQL): both workers answer on the
 * one port, the built-in DOM simulator runs once (in the primary) and gets each order once, a worker killed with -9
 * is started again, and SIGTERM to the primary stops every worker and exits 0.
 */
describe(`serve --workers 2 on ${ON_POSTGRES ? 'PostgreSQL' : 'a SQLite file'} (real processes)`, function () {
  this.timeout(120_000);
  let dir: string;
  let primary: ManagedProcess | undefined;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'dombridge-workers-'));
  });
  afterEach(async function () {
    primary?.signal('SIGKILL');
    await primary?.waitForExit(10_000).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const health = async (url: string) => JSON.parse((await httpRequest('GET', `${url}/healthz`, undefined, {}, 5_000)).text) as { worker: number; pid: number };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('both workers answer, one DOM gets the order once, a killed worker comes back, SIGTERM stops them all', async function () {
    const [port, simPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    const db = ON_POSTGRES ? await freshPostgresUrl() : join(dir, 'shop.db');
    primary = spawnDombridge('primary', ['serve', '--workers', '2', '--port', String(port), '--db', db, '--demo'], {
      DOMBRIDGE_DATA: dir, DOM_SIM_PORT: String(simPort), LOG_LEVEL: 'warn', OUTBOX_POLL_MS: '50', OUTBOX_RETRY_MS: '100',
    });
    const out = () => primary!.lines.join('\n');
    await waitHealthy(primary, url);

    // New connections are handed to the workers in turn.
    const pids = await eventually(async () => {
      const seen = new Map<number, number>();
      for (let i = 0; i < 6; i++) {
        const h = await health(url);
        seen.set(h.worker, h.pid);
      }
      expect([...seen.keys()].sort(), `workers answering\n${out()}`).to.deep.equal([1, 2]);
      return seen;
    }, 20_000, 100);

    // A checkout through both workers; the one simulator (run by the primary) creates the order once.
    const call = async (bod: string) => {
      const r = await soapPost(url, ORDER_PATH, soap11(bod));
      expect(r.status, `${r.text}\n${out()}`).to.equal(200);
      expect(changeStatus(r.body), r.text).to.equal(undefined);
      return orderOf(r.body)!;
    };
    const cart = await call(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await call(setPayment(cart.orderId, '4111111111111111'));
    await call(processOrder('Prepare', cart.orderId));
    expect((await call(processOrder('Submit', cart.orderId))).status).to.equal('M');
    await eventually(async () => {
      const s = JSON.parse((await httpRequest('GET', `http://127.0.0.1:${simPort}/sim/state`)).text) as SimState;
      expect(s.orders[`WC_${cart.orderId}`]?.created, `DOM has WC_${cart.orderId} once\n${out()}`).to.equal(1);
    }, 30_000, 100);

    // Worker 2 killed: the primary starts it again, worker 1 answers meanwhile.
    const old = pids.get(2)!;
    process.kill(old, 'SIGKILL');
    const restarted = await eventually(async () => {
      const seen = new Map<number, number>();
      for (let i = 0; i < 6; i++) {
        const h = await health(url);
        seen.set(h.worker, h.pid);
      }
      expect(seen.get(2), `worker 2 back with a new pid\n${out()}`).to.be.a('number').and.not.equal(old);
      expect(seen.get(1)).to.equal(pids.get(1));
      return seen.get(2)!;
    }, 30_000, 200);

    primary.signal('SIGTERM');
    const exit = await primary.waitForExit(40_000);
    expect(exit, out()).to.deep.equal({ code: 0, signal: null });
    for (const pid of [pids.get(1)!, restarted]) expect(alive(pid), `worker pid ${pid} gone`).to.equal(false);
  });

  it('refuses an in-memory SQLite database, which the workers could not share', async function () {
    const p = spawnDombridge('primary', ['serve', '--workers', '2', '--port', '0', '--db', ':memory:'], { DOMBRIDGE_DATA: dir, LOG_LEVEL: 'warn' });
    const exit = await p.waitForExit(30_000);
    expect(exit.code, p.lines.join('\n')).to.equal(64);
    expect(p.lines.join('\n')).to.contain(':memory:');
  });
});
