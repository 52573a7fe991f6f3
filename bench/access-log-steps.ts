/**
 * The access log's own work for one cache-hit Get, timed in the bench's own process: the request's fields copied
 * into the log's columns (AccessLog.line), and its share of a batch formatted and written (AccessLog.flush) to a
 * stream on /dev/null, as the server's lines go to stdout. Counted as CPU time of the whole process (all threads,
 * process.cpuUsage), as the bench counts the servers' CPU, so the stream's writes on libuv's threads are in it.
 *
 * A lower bound of the cost inside a server: here the same code runs in a tight loop and stays hot, while in a
 * request it runs once among everything else. The end-to-end figure (access log on against off, over HTTP) is the
 * upper one, and on a shared two-core machine it is noisy; the two are printed side by side.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { AccessLog } from '../src/observability/access-log.js';
import type { SoapAnswer } from '../src/soap/soap-dispatcher.js';

/** µs of CPU a request, the best of a few rounds of `n` (the least disturbed by the machine's other work). */
export async function accessLogStepsUs(n = 200_000): Promise<number> {
  const out = createWriteStream('/dev/null');
  let pending = 0;
  const log = new AccessLog((chunk) => {
    if (!out.write(chunk)) pending++;
  }, false);
  // A cache-hit Get's answer as the dispatcher hands it to the HTTP layer: what the line takes from it.
  const answer = (i: number): SoapAnswer => ({
    status: 200, contentType: 'text/xml; charset=utf-8', body: '', operation: 'GetInventoryAvailability', outcome: 'ok', code: undefined,
    bodId: `bench-${i}`, orderId: undefined, messageId: `get-${i}`,
  });
  // The answers are made before each round: the dispatcher makes them whether the log is on or off.
  const answers = Array.from({ length: n }, (_, i) => answer(i));
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) log.line({ method: 'POST', path: '/webapp/wcs/component/inventory/services/InventoryServices', status: 200, durationMs: 0.3 + (i % 7) / 10, answer: answers[i] });
    log.flush();
    // The stream's writes finished, so their CPU is in this round.
    if (out.writableNeedDrain) await once(out, 'drain');
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / n);
  }
  out.end();
  await once(out, 'finish');
  if (pending < 0) throw new Error('unreachable');
  return best;
}
