/**
 * Not a test (timings are never asserted): the cost of the message store's interceptor on a cache-hit
 * GetInventoryAvailability, in-process through the dispatcher, each request with a fresh BODID.
 *
 *   node dist/test/messages/overhead.measure.js [--file] [--requests N] [--rounds N]
 *
 * --file: a file-backed database (PRAGMA synchronous FULL, as served) instead of :memory:.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/config.js';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { startDomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import { silentLogger } from '../../src/log/logger.js';
import { installMessageStore } from '../../src/messages/install-message-store.js';
import { startDombridge } from '../../src/server/dombridge-app.js';
import { SoapDispatcher } from '../../src/soap/soap-dispatcher.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { addItems } from '../support/order-bods.js';
import { getAvailabilityBod, itemAtOnline, soap11 } from '../support/test-app.js';

const { values } = parseArgs({ options: { file: { type: 'boolean' }, requests: { type: 'string' }, rounds: { type: 'string' } } });
const REQUESTS = Number(values.requests ?? 2000);
const ROUNDS = Number(values.rounds ?? 5);

const dir = mkdtempSync(join(tmpdir(), 'dombridge-overhead-'));
const sim = await startDomSimulator({ port: 0, host: '127.0.0.1', log: silentLogger, fulfillment: false });
const config = loadConfig({ env: { PORT: '0', DOM_URL: sim.url, DOMBRIDGE_DATA: dir } });
const store = SqliteStore.open({ path: values.file ? join(dir, 'db.sqlite') : ':memory:' });
await seedDemo(store);
const app = await startDombridge(config, silentLogger, { store, listen: false });
const inventory = app.services.find((s) => s.name === 'InventoryServices')!;
// Two dispatchers over the same services, differing only in the message store's interceptor (the app's own also
// carries the metrics observer, which is not what is measured here).
const bare = new SoapDispatcher(app.services, config.limits, silentLogger);
const messages = installMessageStore(store, config, silentLogger);
const withStore = new SoapDispatcher(app.services, config.limits, silentLogger, { interceptors: [messages.interceptor!] });

const template = soap11(getAvailabilityBod(itemAtOnline('20311', '10201')));
const [head, tail] = template.split(/<oa:BODID>[^<]*<\/oa:BODID>/) as [string, string];
let seq = 0;
const request = () => Buffer.from(`${head}<oa:BODID>overhead-${++seq}</oa:BODID>${tail}`);

/** CPU µs per request of the whole process (user + system): steadier than wall time on a shared machine. */
const cpu: { with: number[]; without: number[] } = { with: [], without: [] };

async function run(d: SoapDispatcher, n: number, into?: number[]): Promise<number> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const a = await d.dispatch(inventory, request(), 'text/xml');
    if (a.status !== 200 || !a.body.includes('>cache<')) throw new Error(`not a cache hit: ${a.body.slice(0, 400)}`);
  }
  const used = process.cpuUsage(cpu0);
  into?.push((used.user + used.system) / n);
  return (n / (performance.now() - started)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')} req/s`;

const warm = await bare.dispatch(inventory, request(), 'text/xml');
if (!warm.body.includes('>dom<')) throw new Error('the warming request did not go to DOM');
const bareBeforeAls = median(await Promise.all([run(bare, REQUESTS)]).then(async (first) => [first[0]!, await run(bare, REQUESTS), await run(bare, REQUESTS)]));

// The steady state of a server: the ALS context has been entered (promise hooks on) by an earlier request.
await withStore.dispatch(app.services.find((s) => s.name === 'OrderServices')!, Buffer.from(soap11(addItems([{ catentryId: '20311', quantity: 1 }]))), 'text/xml');
await run(withStore, 500);
const withIt: number[] = [];
const without: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  without.push(await run(bare, REQUESTS, cpu.without));
  withIt.push(await run(withStore, REQUESTS, cpu.with));
}
const w = median(withIt);
const wo = median(without);
process.stdout.write([
  `cache-hit GetInventoryAvailability, ${REQUESTS} requests × ${ROUNDS} rounds, fresh BODID each, ${values.file ? 'file database (synchronous FULL)' : ':memory: database'}`,
  `  without interceptor, before any ALS context: ${fmt(bareBeforeAls)}`,
  `  without interceptor (median):                ${fmt(wo)}   [${without.map(fmt).join(', ')}]`,
  `  with interceptor (median):                   ${fmt(w)}   [${withIt.map(fmt).join(', ')}]`,
  `  overhead: ${((1 - w / wo) * 100).toFixed(1)}% vs the same process without it; ${((1 - w / bareBeforeAls) * 100).toFixed(1)}% vs before ALS; per request ${((1000 / w - 1000 / wo) * 1000).toFixed(1)} µs`,
  `  CPU per request (median): without ${median(cpu.without).toFixed(1)} µs, with ${median(cpu.with).toFixed(1)} µs: ` +
    `+${(median(cpu.with) - median(cpu.without)).toFixed(1)} µs, ${((1 - median(cpu.without) / median(cpu.with)) * 100).toFixed(1)}% fewer requests per CPU-second`,
  '',
].join('\n'));
await messages.close();
await app.close();
await sim.close();
await store.close();
