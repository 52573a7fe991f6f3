import { expect } from 'chai';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runMessagesCommand } from '../../src/cli/messages.command.js';
import { loadConfig } from '../../src/config/config.js';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { startDomSimulator, type DomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import { silentLogger } from '../../src/log/logger.js';
import { startDombridge, type Dombridge } from '../../src/server/dombridge-app.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { parseExposition, samples } from '../observability/exposition.js';
import { withBodId } from '../messages/message-support.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, soap11 } from '../support/test-app.js';
import { scratchDir } from '../support/scratch.js';

type AccessLine = { msg: string; method: string; path: string; status: number; operation?: string; bodId?: string; orderId?: string; outcome?: string; code?: string; messageId?: string };

/**
 * The "done when", as one run over real sockets on a file database: checkouts, refused requests (XML that
 * cannot be read, an unknown operation, the wrong media type, a body over the limit, a BOD error), a repeat, a DOM
 * outage and a dead letter. Then every request is findable by its outcome with `messages list --status`, /metrics
 * counts the same by outcome, and the access log has exactly one line per request.
 */
describe('operations: a mixed run, told the same by the records, /metrics and the access log', function () {
  this.timeout(60_000);
  let sim: DomSimulator;
  let app: Dombridge;
  let store: SqliteStore;
  let dbPath: string;
  const access: string[] = [];

  before(async function () {
    sim = await startDomSimulator({ port: 0, host: '127.0.0.1', log: silentLogger, fulfillment: { confirmAfterMs: 50, releaseAfterMs: 100, shipAfterMs: 150 } } as never);
    const dataDir = scratchDir('dombridge-mixed-');
    dbPath = join(dataDir, 'dombridge.db');
    const config = loadConfig({ env: {
      PORT: '0', DOM_URL: sim.url, DOM_TIMEOUT_MS: '1500', DOM_CONNECT_TIMEOUT_MS: '500', DOMBRIDGE_DATA: dataDir, DOMBRIDGE_DB: dbPath,
      OUTBOX_RETRY_MS: '100', OUTBOX_POLL_MS: '50', DOMBRIDGE_MAX_BODY_BYTES: '65536', DOM_HEARTBEAT_MS: '100',
    } });
    store = SqliteStore.open({ path: dbPath });
    await seedDemo(store);
    app = await startDombridge(config, silentLogger, { store, accessLogSink: (chunk) => access.push(...chunk.split('\n').filter(Boolean)) });
    sim.setCallbackUrl(app.url);
  });
  after(async function () {
    await app?.close();
    await sim?.close();
    await store?.close();
  });

  const order = async (bod: string) => {
    const r = await post(app.url, ORDER_PATH, soap11(bod));
    expect(r.status, r.text).to.equal(200);
    return orderOf(r.body)!;
  };
  const checkout = async () => {
    const cart = await order(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await order(setPayment(cart.orderId, '4111111111111111'));
    await order(processOrder('Prepare', cart.orderId));
    await order(processOrder('Submit', cart.orderId));
    return cart.orderId;
  };
  const cli = async (...args: string[]) => {
    let text = '';
    const out = new Writable({ write(chunk, _e, cb) { text += String(chunk); cb(); } });
    expect(await runMessagesCommand(args, out, dbPath)).to.equal(0);
    return text;
  };
  /** The message ids and statuses `messages list` prints, one row each. */
  const rows = (text: string) => text.split('\n').filter((l) => /^(in|get|out|outbox)-\d+\s/.test(l)).map((l) => l.split(/\s+/) as [string, string, string, ...string[]]);

  it('every request has one record, one access-log line and one count, and they agree on how it ended', async function () {
    // Checkouts, a Get and its repeat (answered from the record).
    const first = await checkout();
    const get = withBodId(getAvailabilityBod(itemAtOnline('20311', '10201')), 'mixed-get-1');
    expect((await post(app.url, INVENTORY_PATH, soap11(get))).status).to.equal(200);
    expect((await post(app.url, INVENTORY_PATH, soap11(get))).status).to.equal(200);

    // Refused: XML that cannot be read (with a card number in it), an unknown operation, the wrong media type, a
    // body over the limit, and a BOD error.
    const card = '4111111111111111';
    const broken = soap11(`<_ord:ChangeOrder xmlns:_ord="http://www.ibm.com/xmlns/prod/commerce/9/order"><_ord:ProtocolData name="account">${card}</_ord:ProtocolData>`).replace('</soapenv:Body>', '');
    expect((await post(app.url, ORDER_PATH, broken)).status).to.equal(500);
    expect((await post(app.url, INVENTORY_PATH, soap11('<x:StealInventory xmlns:x="urn:example:not-ours"/>'))).status).to.equal(500);
    const media = await fetch(app.url + ORDER_PATH, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(media.status).to.equal(500);
    const huge = await fetch(app.url + ORDER_PATH, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: 'x'.repeat(100_000) });
    expect(huge.status).to.equal(413);
    const rejected = await post(app.url, ORDER_PATH, soap11(withBodId(addItems([{ catentryId: '88001', quantity: 1 }]), 'mixed-bod-error')));
    expect(rejected.status).to.equal(200);

    // A DOM outage: Gets of an item nobody asked for open the circuit; DOM comes back and is noticed.
    await sim.setFailureMode('down');
    for (let i = 0; i < 6; i++) await post(app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline('20312', '10201'))));
    await eventually(async () => expect(((await (await fetch(`${app.url}/readyz`)).json()) as { dom: { state: string } }).dom.state).to.equal('down'));
    await sim.setFailureMode('none');
    await eventually(async () => expect(((await (await fetch(`${app.url}/readyz`)).json()) as { dom: { state: string } }).dom.state).to.equal('up'));

    // A dead letter: DOM refuses a transfer; resent once DOM takes it again, it goes.
    await sim.setFailureMode('refuse', { port: 'order' });
    const second = await checkout();
    const dead = await eventually(async () => {
      const page = await app.operations.listMessages({ status: 'dead', orderId: second });
      expect(page.items).to.have.length(1);
      return page.items[0]!;
    });
    await sim.setFailureMode('none');
    expect(await app.operations.resend(dead.id)).to.include({ ok: true, outcome: 'requeued' });
    await eventually(async () => expect((await app.operations.getMessage(dead.id))?.status).to.equal('acknowledged'));

    // Quiet (DOM's callbacks for both orders done), then the three accounts agree.
    const counts = await eventually(async () => {
      await app.flushRecords();
      const byCli: Record<string, number> = {};
      for (const s of ['processed', 'rejected', 'faulted', 'failed', 'received', 'applied']) {
        byCli[s] = rows(await cli('list', '--direction', 'in', '--status', s, '--limit', '5000')).length;
      }
      const metrics = parseExposition(await (await fetch(`${app.url}/metrics`)).text());
      const byOutcome = (outcome: string) => samples(metrics, 'dombridge_requests_total', { outcome }).reduce((n, s) => n + s.value, 0);
      await app.flushRecords();
      const soapLines = access.map((l) => JSON.parse(l) as AccessLine).filter((l) => l.method === 'POST' && !l.path.startsWith('/admin'));
      expect(byCli['received']! + byCli['applied']!, 'nothing left in flight').to.equal(0);
      expect({ ok: byOutcome('ok'), bod_error: byOutcome('bod_error'), fault: byOutcome('fault') }).to.deep.equal({
        ok: byCli['processed'], bod_error: byCli['rejected'], fault: byCli['faulted']! + byCli['failed']!,
      });
      expect(soapLines.length, 'one access-log line per request').to.equal(byCli['processed']! + byCli['rejected']! + byCli['faulted']! + byCli['failed']!);
      // One id scheme: every line names its request's record, known when it was answered (refused requests and
      // replays included), and the CLI lists exactly those records.
      const lineIds = soapLines.map((l) => l.messageId);
      expect(lineIds.filter((id) => id === undefined), 'every access-log line names its record').to.have.length(0);
      expect(new Set(lineIds).size, 'no two lines name one record').to.equal(lineIds.length);
      const listed = rows(await cli('list', '--direction', 'in', '--limit', '5000')).map((r) => r[0]);
      expect([...lineIds].sort()).to.deep.equal([...listed].sort());
      return { byCli, soapLines };
    }, 20_000, 200);

    // Each kind of ending is findable by its outcome, with its code.
    const faulted = await cli('list', '--status', 'faulted', '--limit', '100');
    for (const code of ['XML_MALFORMED', 'BOD_UNKNOWN_OPERATION', 'HTTP_MEDIA_TYPE', 'HTTP_BODY_TOO_LARGE']) expect(faulted).to.contain(code);
    expect(await cli('list', '--status', 'rejected', '--bodid', 'mixed-bod-error')).to.contain('CATALOG_ENTRY_NOT_FOUND');
    expect(rows(await cli('list', '--bodid', 'mixed-get-1'))).to.have.length(2);
    // A new cart's record has its order id from the start; items are part numbers.
    const cartRows = rows(await cli('list', '--order', first, '--direction', 'in', '--operation', 'ChangeOrder', '--item', 'TEST-SKU-0001'));
    expect(cartRows.length).to.be.at.least(1);
    expect(await cli('list', '--order', first, '--operation', 'ChangeOrder')).to.contain('TEST-SKU-0001');
    // The refused request's record keeps the card's last four digits only.
    const malformed = (await app.operations.listMessages({ status: 'faulted', operation: '(unread)', limit: 100 })).items.find((m) => m.code === 'XML_MALFORMED')!;
    const shown = await cli('show', malformed.id);
    expect(shown).to.contain('************1111').and.not.to.contain(card);

    // The access log: every request we sent with a BODID is there once, with how it ended and no card number.
    const lines = counts.soapLines;
    expect(lines.filter((l) => l.bodId === 'mixed-bod-error').map((l) => [l.outcome, l.code])).to.deep.equal([['bod_error', 'CATALOG_ENTRY_NOT_FOUND']]);
    expect(lines.filter((l) => l.bodId === 'mixed-get-1').map((l) => l.outcome)).to.deep.equal(['ok', 'ok']);
    expect(lines.filter((l) => l.code === 'HTTP_BODY_TOO_LARGE').map((l) => l.status)).to.deep.equal([413]);
    expect(lines.some((l) => l.orderId === first && l.operation === 'ChangeOrder'), 'the order id of a new cart').to.equal(true);
    expect(access.join('\n')).not.to.contain(card);
  });
});
