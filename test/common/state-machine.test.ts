import { expect } from 'chai';
import { StateMachine } from '../../src/common/state-machine.js';
import { ITEM_STATES, ORDER_STATES } from '../../src/order/order-model.js';

describe('state machines defined as data', function () {
  it('a bad table fails when the machine is built', function () {
    expect(() => new StateMachine<'A' | 'B'>({ name: 't', initial: 'A', transitions: { A: ['C' as 'B'], B: [] } })).to.throw(/unknown state/);
    expect(() => new StateMachine<'A' | 'B' | 'Z'>({ name: 't', initial: 'A', transitions: { A: ['B'], B: [], Z: ['A'] } })).to.throw(/unreachable states Z/);
  });
  it('guards return reasons instead of throwing; staying put is allowed', function () {
    expect(ORDER_STATES.check('P', 'M')).to.deep.equal({ ok: true });
    expect(ORDER_STATES.check('G', 'G')).to.deep.equal({ ok: true });
    const no = ORDER_STATES.check('P', 'S');
    expect(no).to.deep.equal({ ok: false, reason: 'order cannot go from P to S' });
  });
  it("the order and item tables follow docs/contract/wire.md (checkout): transfer F → G or H, shipped items D", function () {
    expect(ORDER_STATES.check('F', 'H').ok).to.equal(true);
    expect(ORDER_STATES.check('H', 'F').ok).to.equal(true);
    expect(ORDER_STATES.check('S', 'X').ok).to.equal(false);
    expect(ITEM_STATES.check('S', 'D').ok).to.equal(true);
    expect(ITEM_STATES.check('D', 'R').ok).to.equal(false);
  });
});
