import { expect } from 'chai';
import { silentLogger } from '../../src/log/logger.js';
import { RelayLoop } from '../../src/reliability/relay-loop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The loop behind the DOM and e-mail relays: one run at a time, kicks not lost, and a stop that does not wait out a backlog. */
describe('relay loop', function () {
  it('stop() waits for the message in hand, not for the whole backlog; the rest stays queued', async function () {
    const backlog = Array.from({ length: 100 }, (_, i) => i);
    const sent: number[] = [];
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const loop = new RelayLoop('test relay', async (stopping) => {
      started();
      while (backlog.length > 0) {
        if (stopping()) return;
        await sleep(5);
        sent.push(backlog.shift()!);
      }
    }, 60_000, silentLogger);
    loop.start();
    await running;
    await sleep(12);
    await loop.stop();
    expect(sent.length, 'a few sent before the stop').to.be.within(1, 10);
    expect(backlog.length + sent.length).to.equal(100);
    const before = sent.length;
    await sleep(20);
    expect(sent.length, 'nothing sent after stop() resolved').to.equal(before);
  });

  it('a kick during a run schedules exactly one more run after it', async function () {
    let runs = 0;
    const loop = new RelayLoop('test relay', async () => {
      runs++;
      await sleep(10);
    }, 60_000, silentLogger);
    loop.start();
    loop.kick();
    loop.kick();
    await sleep(5);
    await loop.idle();
    await sleep(1);
    await loop.idle();
    expect(runs).to.equal(2);
    await loop.stop();
  });
});
