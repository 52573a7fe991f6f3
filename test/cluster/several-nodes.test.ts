import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { SimState } from '../../src/dom/simulator/dom-simulator.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { freePort, httpRequest, soapPost, type ManagedProcess } from '../support/process-world.js';
import { changeStatus, ORDER_PATH, soap11 } from '../support/test-app.js';
import { freshPostgresUrl, onlyOnPostgres } from '../support/test-store.js';
import { RoundRobinProxy, spawnDombridge, waitHealthy } from './node-cluster.js';

/**
 * Three dombridge nodes on one PostgreSQL database, one DOM simulator whose callbacks go through a round-robin proxy
 * (so they land on any node), and a storefront that sends each step of a checkout to the next node: the cart is
 * made on one node, paid on the next, prepared on the third, submitted on the first again. While the transfers
 * are in flight (DOM made slow) one node is killed with -9. Afterwards every submitted order is at DOM exactly once,
 * every transfer message was settled once, nothing is left reserved, and a BODID repeated on another node is
 * answered from the store. Runs in the PostgreSQL pass of `npm test` (docs/several-nodes.md).
 */

const ITEM = '20311';
/** Store 10201 ships from DC-EAST; 20311 is TEST-SKU-0001 at DOM (the simulator's demo shop). */
const DOM_NODE = 'DC-EAST';
const DOM_PART = 'TEST-SKU-0001';
const ORDERS = 9;
/** DOM answers TransferOrder this late while the node dies; the lease must outlast it (no one resends a live send). */
const SLOW_DOM_MS = 1_000;
const LEASE_MS = 4_000;

describe('several nodes on one PostgreSQL database (real processes)', function () {
  this.timeout(120_000);
  const procs: ManagedProcess[] = [];
  let proxy: RoundRobinProxy | undefined;
  let dbUrl: string;
  let simUrl: string;
  const nodes: { url: string; proc: ManagedProcess }[] = [];
  let dataDir: string | undefined;

  before(async function () {
    onlyOnPostgres(this, 'several nodes need a database server (the SQLite pass runs serve --workers on a file instead)');
    this.timeout(120_000);
    dbUrl = await freshPostgresUrl();
    dataDir = mkdtempSync(join(tmpdir(), 'dombridge-nodes-'));
    const ports = [await freePort(), await freePort(), await freePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    proxy = await RoundRobinProxy.start(urls);
    const simPort = await freePort();
    simUrl = `http://127.0.0.1:${simPort}`;
    const sim = spawnDombridge('dom-sim', ['dom-sim', '--port', String(simPort), '--callback-url', proxy.url], { LOG_LEVEL: 'warn' });
    procs.push(sim);
    await waitHealthy(sim, simUrl);
    const env = {
      // info: the takeover of a dead node's claims is logged ('recovering an interrupted transfer') and counted below.
      DOM_URL: simUrl, LOG_LEVEL: 'info', ACCESS_LOG: 'off', OUTBOX_RETRY_MS: '100', OUTBOX_POLL_MS: '50', RETRANSFER_PENDING_S: '1', OUTBOX_LEASE_MS: String(LEASE_MS),
    };
    const start = (i: number) => {
      const proc = spawnDombridge(`node-${'ABC'[i]}`, ['serve', '--port', String(ports[i]), '--db', dbUrl, '--demo'], { ...env, DOMBRIDGE_DATA: join(dataDir!, 'ABC'[i]!) });
      procs.push(proc);
      nodes[i] = { url: urls[i]!, proc };
      return waitHealthy(proc, urls[i]!);
    };
    // A seeds the demo shop; B and C start together (their migrations meet under the advisory lock: nothing pending).
    await start(0);
    await Promise.all([start(1), start(2)]);
  });

  after(async function () {
    await proxy?.close();
    for (const p of procs) p.signal('SIGKILL');
    await Promise.all(procs.map((p) => p.waitForExit(10_000).catch(() => undefined)));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const output = () => procs.map((p) => `--- ${p.label} (pid ${p.pid})\n${p.lines.slice(-40).join('\n')}`).join('\n');

  async function call(nodeIndex: number, bod: string) {
    const r = await soapPost(nodes[nodeIndex]!.url, ORDER_PATH, soap11(bod));
    expect(r.status, `node ${'ABC'[nodeIndex]}: ${r.text}\n${output()}`).to.equal(200);
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return { ...r, order: orderOf(r.body)! };
  }

  async function simState(): Promise<SimState> {
    const r = await httpRequest('GET', `${simUrl}/sim/state`);
    return JSON.parse(r.text) as SimState;
  }

  async function query<T>(sql: string): Promise<T[]> {
    const pg = postgres(dbUrl, { max: 1, onnotice: () => undefined });
    try {
      return (await pg.unsafe(sql)) as unknown as T[];
    } finally {
      await pg.end({ timeout: 5 });
    }
  }

  it('checkouts spread over three nodes reach DOM exactly once although a node is killed with -9 during the transfers', async function () {
    const before = (await simState()).stock[DOM_NODE]![DOM_PART]!;
    const orderIds: string[] = [];
    // Each step on the next node: cart on A, payment on B, Prepare on C, Submit on A (shifted by one per order).
    for (let k = 0; k < ORDERS; k++) {
      const cart = await call(k % 3, addItems([{ catentryId: ITEM, quantity: 1, shipMode: 'Standard', address: JANE }]));
      const orderId = cart.order.orderId;
      await call((k + 1) % 3, setPayment(orderId, '4111111111111111'));
      const prepared = await call((k + 2) % 3, processOrder('Prepare', orderId));
      expect(prepared.order.items.map((i) => i.inventoryStatus), `order ${orderId} prepared on node ${'ABC'[(k + 2) % 3]}`).to.deep.equal(['Allocated']);
      orderIds.push(orderId);
    }
    expect(new Set(orderIds).size, 'order ids never collide across nodes').to.equal(ORDERS);
    expect((await simState()).stock[DOM_NODE]![DOM_PART]!.reserved, 'one DOM reservation per prepared cart').to.equal(before.reserved + ORDERS);

    const slow = await httpRequest('POST', `${simUrl}/sim/failure-mode`, JSON.stringify({ mode: 'slow', port: 'order', delayMs: SLOW_DOM_MS }), { 'Content-Type': 'application/json' });
    expect(slow.status, slow.text).to.equal(200);
    for (let k = 0; k < ORDERS; k++) {
      const submitted = await call((k + 3) % 3, processOrder('Submit', orderIds[k]!));
      expect(submitted.order.status).to.equal('M');
    }
    // Node C dies while DOM is still answering the transfers: what it had claimed stays 'sent' until its lease ends.
    const inFlight = await eventually(async () => {
      const rows = await query<{ n: string }>(`SELECT COUNT(*) AS n FROM dom_outbox WHERE kind = 'TransferOrder' AND status = 'sent'`);
      expect(Number(rows[0]!.n), 'some transfers in flight').to.be.at.least(1);
      return Number(rows[0]!.n);
    }, 20_000, 20);
    nodes[2]!.proc.signal('SIGKILL');
    await nodes[2]!.proc.waitForExit(10_000);
    await httpRequest('POST', `${simUrl}/sim/failure-mode`, JSON.stringify({ mode: 'none' }), { 'Content-Type': 'application/json' });

    // Every order reaches DOM once and is confirmed (G or later), through the two nodes left.
    const state = await eventually(async () => {
      const s = await simState();
      for (const id of orderIds) {
        const o = s.orders[`WC_${id}`];
        expect(o, `DOM has WC_${id}\n${output()}`).to.not.equal(undefined);
        expect(o!.created, `WC_${id} created once`).to.equal(1);
      }
      const statuses = await query<{ order_id: string; status: string }>(`SELECT order_id, status FROM customer_order WHERE order_id IN (${orderIds.map((i) => `'${i}'`).join(',')})`);
      for (const row of statuses) expect(row.status, `order ${row.order_id} confirmed by DOM`).to.be.oneOf(['G', 'R', 'S']);
      return s;
    }, 60_000, 200);

    // One TransferOrder message per order, settled acknowledged; nothing queued, failed, dead or held.
    const messages = await query<{ order_id: string; status: string; n: string }>(
      `SELECT order_id, status, COUNT(*) AS n FROM dom_outbox WHERE kind = 'TransferOrder' GROUP BY order_id, status ORDER BY order_id`);
    expect(messages.map((m) => [m.status, Number(m.n)]), JSON.stringify(messages)).to.deep.equal(orderIds.map(() => ['acknowledged', 1]));
    expect(messages.map((m) => m.order_id).sort()).to.deep.equal([...orderIds].sort());
    // Sent to DOM again only what the dead node had in flight (same BODID, so DOM still created each order once).
    const transfers = orderIds.map((id) => state.orders[`WC_${id}`]!.transfers);
    const resent = transfers.reduce((a, b) => a + b, 0) - ORDERS;
    expect(resent, `resends ${JSON.stringify(transfers)} vs ${inFlight} in flight at the kill`).to.be.at.most(inFlight);
    // No reservation leaks: every Prepare reservation was consumed by its order, none is left held at DOM.
    const after = state.stock[DOM_NODE]![DOM_PART]!;
    expect({ onHand: after.onHand, reserved: after.reserved }).to.deep.equal({ onHand: before.onHand - ORDERS, reserved: before.reserved });
    const recovered = procs.flatMap((p) => p.lines).filter((l) => l.includes('recovering an interrupted transfer')).length;
    console.log(`      (${inFlight} transfers in flight at the kill, ${recovered} of them taken over from the dead node after its lease, ${resent} sent again; DOM's callbacks answered by ${JSON.stringify(Object.fromEntries(proxy!.answered))})`);
  });

  it('a BODID repeated on another node is answered from the store; changed content is refused; the same BODID on two nodes at once is applied once', async function () {
    const create = addItems([{ catentryId: ITEM, quantity: 1, shipMode: 'Standard', address: JANE }]);
    const first = await call(0, create);
    const repeated = await call(1, create);
    expect(repeated.order.orderId, 'the repeat gets the first answer').to.equal(first.order.orderId);
    const changed = await soapPost(nodes[1]!.url, ORDER_PATH, soap11(create.replace('<_ord:Quantity uom="C62">1<', '<_ord:Quantity uom="C62">2<')));
    // A SOAP 1.1 fault travels with HTTP 500.
    expect(changed.status, changed.text).to.equal(500);
    expect(changed.text).to.contain('DUPLICATE_BODID_CONFLICT');

    const race = addItems([{ catentryId: ITEM, quantity: 1, shipMode: 'Standard', address: JANE }]);
    const answers = await Promise.all([0, 1, 0, 1].map((i) => soapPost(nodes[i]!.url, ORDER_PATH, soap11(race))));
    // Each answer is the stored one, or the fault "still being processed" for a repeat that arrived while it ran —
    // also while the other node had committed the effect and was storing its answer (not DUPLICATE_RESPONSE_LOST).
    for (const a of answers) if (a.status !== 200) expect(a.text.includes('DUPLICATE_IN_PROGRESS'), `a repeat answered otherwise:\n${a.text}`).to.equal(true);
    const ids = new Set(answers.filter((a) => a.status === 200).map((a) => orderOf(a.body)!.orderId));
    const settled = await eventually(async () => {
      const again = await call(1, race);
      return again.order.orderId;
    }, 20_000, 100);
    expect([...ids, settled].every((id) => id === settled), `one cart for one BODID: ${[...ids, settled].join(', ')}`).to.equal(true);
    // Repeats and refusals get records of their own (docs/operations.md); the BOD took effect once.
    const applied = await query<{ n: string }>(`SELECT COUNT(*) AS n FROM bod_message WHERE bod_id = '${/<oa:BODID>([^<]+)</.exec(race)![1]}' AND applied_at IS NOT NULL`);
    expect(Number(applied[0]!.n), 'one applied message for the BODID').to.equal(1);
  });
});
