import { expect } from 'chai';
import { createLogger } from '../../src/log/logger.js';
import { MessageWriter } from '../../src/messages/message-writer.js';
import type { MessageStore, RecordedCall } from '../../src/store/store.js';

/** Only what the writer's row reservation asks of a store: reserveInboundRows (counted) and reserveCallRows. */
function reservingStore(
  reserve: (count: number) => Promise<readonly number[]>,
  reserveCalls: (count: number) => Promise<readonly number[]> = async (count) => Array.from({ length: count }, (_, i) => 900 + i),
  written: RecordedCall[] = [],
): { store: MessageStore; calls: () => number } {
  let calls = 0;
  const store = {
    answeredGets: undefined,
    reserveInboundRows: (count: number) => {
      calls++;
      return reserve(count);
    },
    reserveCallRows: reserveCalls,
    recordBatch: async (batch: { calls: readonly RecordedCall[] }) => { written.push(...batch.calls); },
  } as unknown as MessageStore;
  return { store, calls: () => calls };
}

describe('message writer: rows reserved ahead', function () {
  it('hands out reserved rows in order, and reserves more when half are used, before they run out', async function () {
    let next = 1;
    const { store, calls } = reservingStore(async (count) => Array.from({ length: count }, () => next++));
    const writer = new MessageWriter(store, createLogger('silent'), { reserveRows: 4 });
    await writer.ready();
    expect([writer.takeRow(), writer.takeRow()]).to.deep.equal([1, 2]);
    expect(calls()).to.equal(1);
    // Two left of four: taking the third asks for more, and the rows already held come first.
    expect(writer.takeRow()).to.equal(3);
    expect(calls()).to.equal(2);
    await writer.ready();
    expect([writer.takeRow(), writer.takeRow(), writer.takeRow()]).to.deep.equal([4, 5, 6]);
  });

  it('with the database down, gives no row and asks again only after a pause, not once a request', async function () {
    const warnings: string[] = [];
    const { store, calls } = reservingStore(async () => { throw new Error('connection refused'); });
    const writer = new MessageWriter(store, createLogger('warn', {}, (l) => warnings.push(l)), { reserveRows: 4 });
    await writer.ready();
    for (let i = 0; i < 100; i++) expect(writer.takeRow()).to.equal(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls(), 'the start-up reservation only').to.equal(1);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('could not reserve message rows').and.to.contain('connection refused');
  });

  it('a call to DOM gets a reserved row of its own table, told at once and written with the record', async function () {
    const written: RecordedCall[] = [];
    let next = 500;
    const { store } = reservingStore(async (count) => Array.from({ length: count }, (_, i) => i + 1), async (count) => Array.from({ length: count }, () => next++), written);
    const writer = new MessageWriter(store, createLogger('silent'), { reserveRows: 4 });
    await writer.ready();
    const call = (n: number) => () => ({ operation: `call-${n}` }) as unknown as RecordedCall;
    expect([writer.addCall(call(1)), writer.addCall(call(2))]).to.deep.equal([500, 501]);
    // Inbound rows are another count: taking one does not use a call's.
    expect(writer.takeRow()).to.equal(1);
    await writer.flush();
    expect(written.map((c) => [c.operation, c.messageRow])).to.deep.equal([['call-1', 500], ['call-2', 501]]);
  });

  it('with no call rows reserved (the message log cannot be reached), a call is still recorded, in any free row', async function () {
    const written: RecordedCall[] = [];
    const { store } = reservingStore(async (count) => Array.from({ length: count }, (_, i) => i + 1), async () => { throw new Error('log gone'); }, written);
    const writer = new MessageWriter(store, createLogger('silent'), { reserveRows: 4 });
    await writer.ready();
    expect(writer.addCall(() => ({ operation: 'unreserved' }) as unknown as RecordedCall)).to.equal(undefined);
    await writer.flush();
    expect(written.map((c) => [c.operation, c.messageRow])).to.deep.equal([['unreserved', undefined]]);
  });
});
