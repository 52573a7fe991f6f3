import { expect } from 'chai';
import { DEMO_DIRECTORY, seededStock } from '../../src/dom/simulator/sim-directory.js';
import { parseLocationKey, SimStock } from '../../src/dom/simulator/sim-stock.js';

describe('SimStock (by part number and ship node)', () => {
  let now = 1_000;
  const clock = (): number => now;

  it('is seeded from the demo stock under Sterling ship nodes: DC-EAST for store 10201, store external ids', () => {
    const stock = seededStock(DEMO_DIRECTORY, undefined, clock);
    expect(stock.level('TEST-SKU-0001', 'DC-EAST')).to.deep.equal({ onHand: 42, reserved: 0, available: 42, lastUpdate: 1_000 });
    expect(stock.level('TEST-SKU-0006', 'STORE-7101')!.available).to.equal(0);
    expect(stock.level('TEST-SKU-0002', 'STORE-7102')!.onHand).to.equal(12);
    expect(stock.level('20311', 'DC-EAST')).to.equal(undefined);
    expect(Object.keys(stock.snapshot())).to.deep.equal(['DC-EAST', 'STORE-7101', 'STORE-7102']);
  });

  it('reserves whole lines, adds to a reservation id used again (replace only when asked), derives availability', () => {
    const stock = SimStock.seeded({ N1: { a: 10, b: 2 } }, clock);
    now = 2_000;
    const r = stock.reserve('WC_R1', [
      { partNumber: 'a', shipNode: 'N1', quantity: 4 },
      { partNumber: 'b', shipNode: 'N1', quantity: 3 },
      { partNumber: 'zzz', shipNode: 'N1', quantity: 1 },
    ]);
    expect(r.map((l) => l.reserved)).to.deep.equal([4, 0, 0]);
    expect(stock.level('a', 'N1')).to.deep.equal({ onHand: 10, reserved: 4, available: 6, lastUpdate: 2_000 });
    // Sterling with multiple reservations allowed: the same id again adds.
    stock.reserve('WC_R1', [{ partNumber: 'a', shipNode: 'N1', quantity: 1 }]);
    expect(stock.level('a', 'N1')!.reserved).to.equal(5);
    stock.reserve('WC_R1', [{ partNumber: 'a', shipNode: 'N1', quantity: 2 }], { replace: true });
    expect(stock.reservation('WC_R1')).to.deep.equal([{ partNumber: 'a', shipNode: 'N1', quantity: 2 }]);
    expect(stock.reserve('WC_R2', [{ partNumber: 'a', shipNode: 'N1', quantity: 9 }])[0]!.reserved).to.equal(0);
    expect(stock.reserve('WC_R2', [{ partNumber: 'a', shipNode: 'N1', quantity: 9 }], { partial: true })[0]!.reserved).to.equal(8);
    expect(stock.level('a', 'N1')!.available).to.equal(0);
    expect(stock.reservations()).to.deep.equal({ WC_R1: [{ partNumber: 'a', shipNode: 'N1', quantity: 2 }], WC_R2: [{ partNumber: 'a', shipNode: 'N1', quantity: 8 }] });
  });

  it('releases exactly the lines named, never more than held; an empty ship node releases from any node', () => {
    const stock = SimStock.seeded({ N1: { a: 10, b: 10 }, N2: { a: 10 } }, clock);
    stock.reserve('WC_9', [{ partNumber: 'a', shipNode: 'N1', quantity: 3 }, { partNumber: 'b', shipNode: 'N1', quantity: 2 }, { partNumber: 'a', shipNode: 'N2', quantity: 4 }]);
    expect(stock.releaseLine('WC_9', { partNumber: 'a', shipNode: 'N1', quantity: 2 })).to.equal(2);
    expect(stock.reservation('WC_9')).to.deep.equal([{ partNumber: 'a', shipNode: 'N1', quantity: 1 }, { partNumber: 'b', shipNode: 'N1', quantity: 2 }, { partNumber: 'a', shipNode: 'N2', quantity: 4 }]);
    expect(stock.releaseLine('WC_9', { partNumber: 'b', shipNode: 'N1', quantity: 5 })).to.equal(2);
    expect(stock.releaseLine('WC_9', { partNumber: 'a', shipNode: '', quantity: 5 })).to.equal(5);
    expect(stock.reservations()).to.deep.equal({});
    expect(stock.releaseLine('WC_9', { partNumber: 'a', shipNode: 'N1', quantity: 1 })).to.equal(0);
  });

  it('cancels and consumes whole reservations, each safe to run twice', () => {
    const stock = SimStock.seeded({ N7: { a: 10 } }, clock);
    stock.reserve('R1', [{ partNumber: 'a', shipNode: 'N7', quantity: 3 }]);
    stock.reserve('R2', [{ partNumber: 'a', shipNode: 'N7', quantity: 2 }]);
    expect(stock.cancelReservation('R1')).to.equal(1);
    expect(stock.cancelReservation('R1')).to.equal(0);
    expect(stock.level('a', 'N7')).to.include({ onHand: 10, reserved: 2, available: 8 });
    expect(stock.consumeReservation('R2')).to.equal(1);
    expect(stock.consumeReservation('R2')).to.equal(0);
    expect(stock.level('a', 'N7')).to.include({ onHand: 8, reserved: 0, available: 8 });
  });

  it('never reports negative availability when on-hand drops below what is reserved', () => {
    const stock = SimStock.seeded({ N1: { a: 5 } }, clock);
    stock.reserve('R', [{ partNumber: 'a', shipNode: 'N1', quantity: 4 }]);
    stock.setOnHand('a', 'N1', 1);
    expect(stock.level('a', 'N1')).to.include({ onHand: 1, reserved: 4, available: 0 });
    expect(() => stock.setOnHand('a', 'N1', -1)).to.throw(RangeError);
  });

  it('reads location keys', () => {
    expect(parseLocationKey('online:10201')).to.deep.equal({ kind: 'online', storeId: '10201' });
    expect(parseLocationKey('physical:7101')).to.deep.equal({ kind: 'physical', storeId: '7101' });
    expect(parseLocationKey('warehouse:1')).to.equal(undefined);
    expect(parseLocationKey('online:')).to.equal(undefined);
  });
});
