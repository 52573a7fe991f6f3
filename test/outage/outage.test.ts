import { expect } from 'chai';
import {
  availabilityNouns, changeStatus, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, soap11, startWorld, type TestWorld,
} from '../support/test-app.js';
import { addItems, eventually, getOrder, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';

interface Readiness {
  status: string;
  database: string;
  dom: { state: 'up' | 'down' | 'unknown'; since: string | null };
  outbox: { pending: number; oldestCreatedAt: number | null; dead: number };
}

/**
 * DOM outages over real HTTP (docs/contract/wire.md, inventory cache rules and checkout): after 5 consecutive transport failures the circuit opens and no
 * request waits on DOM; dombridge keeps selling; a heartbeat notices DOM's return and the queued transfers go
 * without anyone acting.
 */
describe('DOM outage (real HTTP, DOM simulator, circuit breaker)', function () {
  this.timeout(30_000);
  let w: TestWorld | undefined;
  let proxy: CountingProxy | undefined;

  afterEach(async function () {
    await w?.close();
    await proxy?.close();
    w = undefined;
    proxy = undefined;
  });

  const world = (): TestWorld => w!;
  const readiness = async (): Promise<{ status: number; body: Readiness }> => {
    const res = await fetch(`${world().app.url}/readyz`);
    return { status: res.status, body: (await res.json()) as Readiness };
  };
  const available = async (catentryId: string) => {
    const r = await post(world().app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline(catentryId, '10201'))));
    expect(r.status, r.text).to.equal(200);
    return availabilityNouns(r.body)[0]!;
  };
  const view = async (bod: string) => {
    const r = await post(world().app.url, ORDER_PATH, soap11(bod));
    expect(r.status, r.text).to.equal(200);
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };

  it('after 5 failing calls the circuit opens: availability answers from the fallback without calling DOM', async function () {
    // DOM_URL is the counting proxy: every request that leaves for DOM is counted there.
    proxy = await startCountingProxy();
    w = await startWorld({ DOM_URL: proxy.url });
    proxy.target = w.sim.url;
    expect((await readiness()).body.dom).to.deep.include({ state: 'unknown', since: null, lastProbe: null });
    await available('20311');
    expect((await readiness()).body.dom.state).to.equal('up');
    expect(proxy.domRequests).to.equal(1);

    await w.sim.setFailureMode('down');
    // 20314 is never cached by a failed call: each Get asks DOM, and each gets the rule's fallback values.
    for (let i = 1; i <= 5; i++) {
      expect(await available('20314')).to.include({ status: 'Backorderable', source: 'fallback' });
      expect(proxy.domRequests, `call ${i} went to DOM`).to.equal(1 + i);
    }
    const down = await readiness();
    expect(down.status).to.equal(200);
    expect(down.body).to.include({ status: 'ready', database: 'up' });
    expect(down.body.dom.state).to.equal('down');

    expect(await available('20314')).to.include({ status: 'Backorderable', source: 'fallback' });
    expect(proxy.domRequests, 'the open circuit answered without calling DOM').to.equal(6);

    // DOM is back, but until a heartbeat (300 s by default) says so, the circuit still answers for it.
    await w.sim.setFailureMode('none');
    expect(await available('20314')).to.include({ source: 'fallback' });
    expect(proxy.domRequests).to.equal(6);
    expect((await readiness()).body.dom.state).to.equal('down');
  });

  it('DOM down: carts, Prepare and Submit keep working; back up: the heartbeat closes the circuit and the transfer goes', async function () {
    w = await startWorld({ DOM_HEARTBEAT_MS: '100' }, undefined, { fulfillment: { confirmAfterMs: 50, releaseAfterMs: 150, shipAfterMs: 300 } } as never);
    // The storefront asked while DOM was up, so the cache holds the item as Available (a fallback Backorderable
    // would block Submit in a store that takes no backorders).
    expect(await available('20311')).to.include({ status: 'Available', source: 'dom' });
    await w.sim.setFailureMode('down');

    const cart = await view(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    expect(cart.status).to.equal('P');
    expect(cart.items[0]?.inventoryStatus).to.equal('Available');
    const id = cart.orderId;
    await view(setPayment(id, '4111111111111111'));
    const prepared = await view(processOrder('Prepare', id));
    expect(prepared.prepared).to.equal('true');
    expect(prepared.items[0]?.inventoryStatus, 'no reservation was made').to.equal('Available');
    const submitted = await view(processOrder('Submit', id));
    expect(submitted.status).to.equal('M');

    // The transfer fails until the circuit opens; then it waits in the outbox, the order in M, F or H.
    const waiting = await eventually(async () => {
      const r = await readiness();
      expect(r.body.dom.state).to.equal('down');
      return r;
    });
    expect(waiting.status).to.equal(200);
    expect(waiting.body).to.include({ status: 'ready', database: 'up' });
    expect(waiting.body.outbox.pending).to.be.at.least(1);
    expect((await view(getOrder(id))).status).to.be.oneOf(['M', 'F', 'H']);
    // The relay's next try is refused by the circuit: put off by its longest delay (300 s), not counted as an attempt.
    const queued = await eventually(async () => {
      const [m] = await world().store.domOutbox.forOrder(id);
      expect(m?.lastError).to.match(/^circuit-open: DOM is down since .*\(circuit open\); not called$/);
      return m!;
    });
    expect(queued).to.include({ kind: 'TransferOrder', status: 'failed' });
    expect(queued.nextAttemptAt - Date.now()).to.be.greaterThan(60_000);
    expect(w.sim.state().orders[`WC_${id}`]).to.equal(undefined);

    // Nobody acts from here on but the simulator coming back.
    await w.sim.setFailureMode('none');
    await eventually(async () => expect((await view(getOrder(id))).status).to.be.oneOf(['G', 'R', 'S']));
    const shipped = await eventually(async () => {
      const o = await view(getOrder(id));
      expect(o.status).to.equal('S');
      return o;
    });
    expect(shipped.items.map((i) => i.status)).to.deep.equal(['D']);
    const up = await readiness();
    expect(up.body.dom.state).to.equal('up');
    expect(up.body.outbox.pending).to.equal(0);
    expect((await w.store.orders.history(id)).map((h) => h.toStatus)).to.include.members(['M', 'F', 'H', 'G', 'S']);
    expect(w.sim.state().orders[`WC_${id}`]).to.include({ created: 1 });
  });
});
