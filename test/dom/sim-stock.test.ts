import { expect } from 'chai';
import { DEMO_DOM_STOCK } from '../../src/demo/demo-data.js';
import { parseLocationKey, SimStock } from '../../src/dom/simulator/sim-stock.js';

describe('SimStock', () => {
  let now = 1_000;
  const clock = (): number => now;

  it('is seeded from DEMO_DOM_STOCK with nothing reserved', () => {
    const stock = SimStock.seeded(DEMO_DOM_STOCK, clock);
    expect(stock.level('20311', 'online:10201')).to.deep.equal({ onHand: 42, reserved: 0, available: 42, lastUpdate: 1_000 });
    expect(stock.level('20316', 'physical:7101')!.available).to.equal(0);
    expect(stock.level('99999', 'online:10201')).to.equal(undefined);
    expect(Object.keys(stock.snapshot())).to.deep.equal(Object.keys(DEMO_DOM_STOCK));
  });

  it('reserves whole lines, replaces a re-sent reservation, and derives availability', () => {
    const stock = SimStock.seeded({ 'online:1': { a: 10, b: 2 } }, clock);
    now = 2_000;
    const r = stock.reserve('WC_R1', [
      { catentryId: 'a', locationKey: 'online:1', quantity: 4 },
      { catentryId: 'b', locationKey: 'online:1', quantity: 3 },
      { catentryId: 'zzz', locationKey: 'online:1', quantity: 1 },
    ]);
    expect(r.map((l) => l.reserved)).to.deep.equal([4, 0, 0]);
    expect(stock.level('a', 'online:1')).to.deep.equal({ onHand: 10, reserved: 4, available: 6, lastUpdate: 2_000 });
    // The same reservation id again replaces, never adds.
    stock.reserve('WC_R1', [{ catentryId: 'a', locationKey: 'online:1', quantity: 5 }]);
    expect(stock.level('a', 'online:1')!.reserved).to.equal(5);
    expect(stock.reservation('WC_R1')).to.deep.equal([{ catentryId: 'a', locationKey: 'online:1', quantity: 5 }]);
    // A second reservation sees only what is left; partial takes what there is.
    expect(stock.reserve('WC_R2', [{ catentryId: 'a', locationKey: 'online:1', quantity: 6 }])[0]!.reserved).to.equal(0);
    expect(stock.reserve('WC_R2', [{ catentryId: 'a', locationKey: 'online:1', quantity: 6 }], { partial: true })[0]!.reserved).to.equal(5);
    expect(stock.level('a', 'online:1')!.available).to.equal(0);
  });

  it('cancels and consumes reservations, each safe to run twice', () => {
    const stock = SimStock.seeded({ 'physical:7': { a: 10 } }, clock);
    stock.reserve('R1', [{ catentryId: 'a', locationKey: 'physical:7', quantity: 3 }]);
    stock.reserve('R2', [{ catentryId: 'a', locationKey: 'physical:7', quantity: 2 }]);
    expect(stock.cancelReservation('R1')).to.equal(1);
    expect(stock.cancelReservation('R1')).to.equal(0);
    expect(stock.level('a', 'physical:7')).to.include({ onHand: 10, reserved: 2, available: 8 });
    expect(stock.consumeReservation('R2')).to.equal(1);
    expect(stock.consumeReservation('R2')).to.equal(0);
    expect(stock.level('a', 'physical:7')).to.include({ onHand: 8, reserved: 0, available: 8 });
  });

  it('never reports negative availability when on-hand drops below what is reserved', () => {
    const stock = SimStock.seeded({ 'online:1': { a: 5 } }, clock);
    stock.reserve('R', [{ catentryId: 'a', locationKey: 'online:1', quantity: 4 }]);
    stock.setOnHand('a', 'online:1', 1);
    expect(stock.level('a', 'online:1')).to.include({ onHand: 1, reserved: 4, available: 0 });
    expect(() => stock.setOnHand('a', 'online:1', -1)).to.throw(RangeError);
  });

  it('reads location keys', () => {
    expect(parseLocationKey('online:10201')).to.deep.equal({ kind: 'online', storeId: '10201' });
    expect(parseLocationKey('physical:7101')).to.deep.equal({ kind: 'physical', storeId: '7101' });
    expect(parseLocationKey('warehouse:1')).to.equal(undefined);
    expect(parseLocationKey('online:')).to.equal(undefined);
  });
});
