import { expect } from 'chai';
import { NS } from '../../src/xml/namespaces.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { ProcessWorld, useProcessWorlds } from '../support/process-world.js';
import { changeStatus, ORDER_PATH, soap11, type PostResult } from '../support/test-app.js';

/**
 * No oversell under load: 200 checkouts at once, each buying 1 of an item the non-ATP store 10202 has 3 of
 * (20316 in fulfillment center 10102). The facade is its own process; every request is real HTTP on its own
 * connection. Exactly 3 orders may be placed; every other checkout must end in a BOD error (never a fault or a
 * 5xx), and nothing the server answered as placed may be missing from the database or from DOM.
 */

const CHECKOUTS = 200;
const STORE = '10202';
const ITEM = '20316';
const FULFILLMENT_CENTER = '10102';
const ON_HAND = 3;
const CARD = '4111111111111111';

type Stage = 'add' | 'payment' | 'prepare' | 'submit';

interface CheckoutOutcome {
  orderId: string | undefined;
  /** The stage a BOD error stopped it at, with the reason code; undefined when it was placed. */
  refused?: { stage: Stage; reasonCode: string };
  placed?: string;
}

interface Violation {
  stage: Stage;
  detail: string;
}

describe('reliability: 200 parallel checkouts on scarce non-ATP stock (real process)', function () {
  this.timeout(60_000);
  useProcessWorlds('all');

  let w: ProcessWorld;
  const outcomes: CheckoutOutcome[] = [];
  const violations: Violation[] = [];
  let elapsedMs = 0;

  before(async function () {
    w = await ProcessWorld.start();
    const stock = await w.queryOne('SELECT on_hand AS "onHand", reserved FROM local_inventory WHERE catentry_id = ? AND fulfillment_center_id = ?', [ITEM, FULFILLMENT_CENTER]);
    expect(stock).to.deep.equal({ onHand: ON_HAND, reserved: 0 });

    /** One step; a fault, a non-200 or a connection error is recorded as a violation and ends the checkout. */
    async function step(stage: Stage, bod: string): Promise<PostResult | undefined> {
      let r: PostResult;
      try {
        r = await w.post(ORDER_PATH, soap11(bod));
      } catch (e) {
        violations.push({ stage, detail: `no answer: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
        return undefined;
      }
      if (r.status !== 200 || r.body.name === 'Fault' || r.body.ns === NS.soap11) {
        violations.push({ stage, detail: `HTTP ${r.status}: ${r.text.slice(0, 400)}` });
        return undefined;
      }
      return r;
    }

    async function checkout(): Promise<CheckoutOutcome> {
      const out: CheckoutOutcome = { orderId: undefined };
      const steps: Array<[Stage, () => string]> = [
        ['add', () => addItems([{ catentryId: ITEM, quantity: 1, shipMode: 'Standard', address: JANE }], undefined, STORE)],
        ['payment', () => setPayment(out.orderId!, CARD, STORE)],
        ['prepare', () => processOrder('Prepare', out.orderId!, STORE)],
        ['submit', () => processOrder('Submit', out.orderId!, STORE)],
      ];
      for (const [stage, bod] of steps) {
        const r = await step(stage, bod());
        if (!r) return out;
        const error = changeStatus(r.body);
        if (error) {
          out.refused = { stage, reasonCode: error.reasonCode };
          return out;
        }
        const o = orderOf(r.body);
        out.orderId ??= o?.orderId;
        if (stage === 'submit') out.placed = o?.status;
      }
      return out;
    }

    const started = Date.now();
    outcomes.push(...(await Promise.all(Array.from({ length: CHECKOUTS }, () => checkout()))));
    elapsedMs = Date.now() - started;

    const tally: Record<string, number> = {};
    for (const o of outcomes) {
      const key = o.refused ? `${o.refused.stage}: ${o.refused.reasonCode}` : o.placed ? `placed (${o.placed})` : 'no outcome';
      tally[key] = (tally[key] ?? 0) + 1;
    }
    console.log(`      ${CHECKOUTS} checkouts (${CHECKOUTS * 4} requests at most) in ${elapsedMs} ms:`, tally, violations.length ? `violations: ${violations.length}` : '');
  });

  it('no request got a fault, a 5xx or a connection error', function () {
    expect(violations, JSON.stringify(violations.slice(0, 5), null, 1) + '\n' + w.output()).to.deep.equal([]);
  });

  it('exactly 3 orders were placed (no oversell), each answered M', function () {
    const placed = outcomes.filter((o) => o.placed);
    expect(placed.map((o) => o.placed)).to.deep.equal(Array(ON_HAND).fill('M'));
  });

  it('every other checkout ended in a BOD error: INSUFFICIENT_STOCK at add or Prepare, or ORDER_CHANGED', function () {
    const refused = outcomes.filter((o) => o.refused);
    expect(refused).to.have.length(CHECKOUTS - ON_HAND);
    for (const o of refused) {
      expect(`${o.refused!.stage}: ${o.refused!.reasonCode}`).to.be.oneOf(['add: INSUFFICIENT_STOCK', 'prepare: INSUFFICIENT_STOCK', 'prepare: ORDER_CHANGED', 'submit: ORDER_CHANGED']);
    }
  });

  it('no order is lost: the database holds exactly the placed orders as submitted (M or later), and DOM created each once', async function () {
    const placed = outcomes.filter((o) => o.placed).map((o) => o.orderId!).sort();
    const inDb = () => w.query<{ orderId: string; status: string }>(`SELECT order_id AS "orderId", status FROM customer_order WHERE store_id = ? AND status NOT IN ('P', 'X') ORDER BY order_id`, [STORE]);
    expect((await inDb()).map((o) => o.orderId), 'orders past the cart in the database').to.deep.equal(placed);
    await eventually(async () => {
      expect((await inDb()).map((o) => o.status), 'transferred').to.satisfy((s: string[]) => s.every((x) => ['G', 'R', 'S'].includes(x)));
      const sim = await w.simState();
      for (const id of placed) expect(sim.orders[`WC_${id}`], `DOM order WC_${id}`).to.deep.include({ created: 1, storeId: STORE });
      const mine = Object.values(sim.orders).filter((o) => o.storeId === STORE);
      expect(mine, 'DOM holds no order of store 10202 beyond the placed ones').to.have.length(placed.length);
    }, 20_000, 100);
  });

  it('after the sell-out, 20 more parallel checkouts are refused already at add (INSUFFICIENT_STOCK)', async function () {
    const answers = await Promise.all(Array.from({ length: 20 }, () => w.post(ORDER_PATH, soap11(addItems([{ catentryId: ITEM, quantity: 1, shipMode: 'Standard', address: JANE }], undefined, STORE)))));
    for (const r of answers) {
      expect(r.status, r.text).to.equal(200);
      expect(changeStatus(r.body), r.text).to.include({ reasonCode: 'INSUFFICIENT_STOCK' });
    }
  });

  it('local stock ends at 0 on hand and 0 reserved, with no reservation rows left', async function () {
    const left = {
      stock: await w.queryOne('SELECT on_hand AS "onHand", reserved FROM local_inventory WHERE catentry_id = ? AND fulfillment_center_id = ?', [ITEM, FULFILLMENT_CENTER]),
      reservations: Number((await w.queryOne<{ n: number }>('SELECT COUNT(*) AS n FROM local_reservation WHERE catentry_id = ?', [ITEM]))!.n),
    };
    expect(left).to.deep.equal({ stock: { onHand: 0, reserved: 0 }, reservations: 0 });
  });
});
