import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runDemoCommand } from '../../src/cli/demo.command.js';
import { runRecordCommand } from '../../src/cli/record.command.js';
import { startRecordingProxy } from '../../src/replay/recording-proxy.js';
import { startSmtpPeer } from '../support/smtp-peer.js';
import { ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { FIXTURES, removeTempDirs, replay, sink, tempDir } from './replay-helpers.js';

/** A library request with its variables filled in by hand, as a client of the proxy would send it. */
function request(file: string, vars: Record<string, string> = {}): string {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .replace(/<!--[\s\S]*?-->\n?/, '')
    .replace(/\$\{uuid\}/g, () => crypto.randomUUID())
    .replace(/\$\{now\}/g, new Date().toISOString())
    .replace(/\$\{(\w+)\}/g, (_, k: string) => vars[k] ?? `\${${k}}`);
}

const orderIdOf = (text: string) => /<_ord:OrderIdentifier><_wcf:UniqueID>(\d+)</.exec(text)![1]!;

describe('dombridge record', function () {
  this.timeout(60_000);
  after(removeTempDirs);
  let w: TestWorld;
  beforeEach(async function () {
    w = await startWorld({}, undefined, { fulfillment: false } as never);
  });
  afterEach(async function () {
    await w.close();
  });

  it('writes each exchange as a step of a fixture that replays green, with generated ids captured', async function () {
    // Two carts first, so the recorded ids (90000103…) are not the ones a fresh world hands out (90000101…).
    for (let i = 0; i < 2; i++) await post(w.app.url, ORDER_PATH, soap11(request('_order/create-cart.request.xml')));
    const dir = tempDir();
    const lines: string[] = [];
    const proxy = await startRecordingProxy({ listenPort: 0, target: w.app.url, dir, name: 'conversation', log: (l) => lines.push(l) });
    const created = await post(proxy.url, ORDER_PATH, soap11(request('scenarios/checkout-dom-store/create-cart.request.xml')));
    expect(created.status).to.equal(200);
    const orderId = orderIdOf(created.text);
    expect(orderId).to.equal('90000103');
    await post(proxy.url, ORDER_PATH, soap11(request('scenarios/checkout-dom-store/add-payment.request.xml', { orderId }).replace('4111111111111111', '4012888888881881')
      .replace('</_ord:ProtocolData>', '</_ord:ProtocolData><_ord:ProtocolData name="cc_cvc">8642</_ord:ProtocolData>')));
    await post(proxy.url, ORDER_PATH, soap11(request('scenarios/checkout-dom-store/prepare.request.xml', { orderId })));
    await post(proxy.url, ORDER_PATH, soap11(request('scenarios/checkout-dom-store/get-order.request.xml', { orderId })));
    const wsdl = await fetch(`${proxy.url}${ORDER_PATH}?wsdl`);
    expect(wsdl.status).to.equal(200);
    const wsdlText = await wsdl.text();
    expect(wsdlText).to.contain('OrderServices');
    // A client built from it calls the proxy, so its calls are recorded too.
    expect(wsdlText).to.match(new RegExp(`address location="${proxy.url}${ORDER_PATH}"`));
    expect(wsdlText).not.to.contain(w.app.url);
    await proxy.close();

    expect(lines[0]).to.match(/^recorded 001 ChangeOrder Create → RespondOrder \(HTTP 200\), captured orderId=90000103/);
    expect(proxy.recorded()).to.equal(4);
    const fixture = JSON.parse(readFileSync(join(dir, 'conversation.fixture.json'), 'utf8')) as { steps: { request: string; capture?: Record<string, string> }[]; ignore: string[] };
    expect(fixture.steps).to.have.length(4);
    expect(fixture.steps[0]!.capture).to.deep.include({ orderId: 'DataArea/Order/OrderIdentifier/UniqueID', orderItemId: 'DataArea/Order/OrderItem[1]/OrderItemIdentifier/UniqueID' });
    expect(fixture.ignore).to.include.members(['ApplicationArea/BODID', '**/CreationDateTime']);
    const payment = readFileSync(join(dir, fixture.steps[1]!.request), 'utf8');
    expect(payment).to.contain('<_wcf:UniqueID>${orderId}</_wcf:UniqueID>').and.to.contain('<oa:BODID>${uuid}</oa:BODID>');
    expect(payment, 'a real card number is not written down').not.to.contain('4012888888881881');
    expect(payment, 'nor a CVC').not.to.contain('8642');
    expect(payment, 'the CVC is blanked').to.match(/<_ord:ProtocolData name="cc_cvc"(\/>|><\/_ord:ProtocolData>)/);
    expect(readdirSync(join(dir, 'conversation'))).to.have.length(8);

    const r = await replay(dir);
    expect(r.code, r.out + r.err).to.equal(0);
    expect(r.out).to.contain('1 passed');
  });

  it('records repeated polls of one order (GetOrder until G) as one step that waits, which replays green', async function () {
    await w.close();
    const slowShip = { fulfillment: { confirmAfterMs: 300, releaseAfterMs: 600_000, shipAfterMs: 600_000 } } as never;
    w = await startWorld({}, undefined, slowShip);
    const dir = tempDir();
    const lines: string[] = [];
    const proxy = await startRecordingProxy({ listenPort: 0, target: w.app.url, dir, name: 'polls', log: (l) => lines.push(l) });
    const statuses: string[] = [];
    try {
      const orderId = orderIdOf((await post(proxy.url, ORDER_PATH, soap11(request('scenarios/checkout-dom-store/create-cart.request.xml')))).text);
      for (const step of ['add-payment', 'prepare', 'submit']) await post(proxy.url, ORDER_PATH, soap11(request(`scenarios/checkout-dom-store/${step}.request.xml`, { orderId })));
      for (let i = 0; i < 200 && statuses.at(-1) !== 'G'; i++) {
        const answer = await post(proxy.url, ORDER_PATH, soap11(request('scenarios/checkout-dom-store/get-order.request.xml', { orderId })));
        statuses.push(/<_ord:OrderStatus\b[^>]*>\s*<_ord:Status>(\w)</.exec(answer.text)?.[1] ?? answer.text.slice(0, 400));
        if (statuses.at(-1) !== 'G') await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await proxy.close();
    }
    expect(statuses.at(-1)).to.equal('G');
    expect(statuses.length, 'the client polled more than once').to.be.above(1);

    const fixture = JSON.parse(readFileSync(join(dir, 'polls.fixture.json'), 'utf8')) as { steps: { name: string; waitFor?: { until: string }; expect: string }[] };
    expect(fixture.steps.map((s) => s.name)).to.deep.equal(['ChangeOrder Create', 'ChangeOrder Create', 'ProcessOrder Prepare', 'ProcessOrder Submit', 'GetOrder']);
    expect(fixture.steps[4]!.waitFor).to.deep.equal({ until: "DataArea/Order/OrderStatus/Status = 'G'" });
    expect(readFileSync(join(dir, fixture.steps[4]!.expect), 'utf8')).to.match(/<_ord:Status>G</);
    expect(lines.at(-1)).to.match(new RegExp(`GetOrder again \\(poll ${statuses.length}\\): one step that waits until the status is G`));

    // Replayed against a fresh server of the same pace, the one step waits for G however many polls it takes.
    const fresh = await startWorld({}, undefined, slowShip);
    try {
      const r = await replay('--url', fresh.app.url, dir);
      expect(r.code, r.out + r.err).to.equal(0);
    } finally {
      await fresh.close();
    }
  });

  it('runs as a command until stopped', async function () {
    const dir = tempDir();
    const out = sink();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = runRecordCommand(['--listen', '0', '--target', w.app.url, '--name', 'cmd', dir], out, sink(), stopped);
    for (let i = 0; i < 100 && !/point your client at (http:\S+)/.test(out.text); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /point your client at (http:\S+)/.exec(out.text)![1]!;
    await post(url, ORDER_PATH, soap11(request('order/get-order-unknown.request.xml')));
    stop();
    expect(await running).to.equal(0);
    expect(out.text).to.contain('recorded 1 exchange(s)');
    expect(existsSync(join(dir, 'cmd.fixture.json'))).to.equal(true);
    expect((await replay(dir)).code).to.equal(0);
    const bad = sink();
    expect(await runRecordCommand(['--target', w.app.url, dir], sink(), bad)).to.equal(64);
    expect(bad.text).to.contain('--listen PORT is required');
  });
});

describe('npm run demo', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('walks the checkout against a running server and prints the transcript', async function () {
    const data = tempDir();
    const w = await startWorld({ DOMBRIDGE_DATA: data }, undefined, { fulfillment: { confirmAfterMs: 100, releaseAfterMs: 400, shipAfterMs: 700 } } as never);
    try {
      const out = sink();
      const err = sink();
      const code = await runDemoCommand([], out, err, { DOMBRIDGE_URL: w.app.url, DOMBRIDGE_DATA: data });
      expect(code, out.text + err.text).to.equal(0);
      expect(out.text).to.contain('→ ChangeOrder Create /Order/OrderItem  store 10201; 2 × 20311 Standard, 1 × 20312 pick-up at 7101');
      expect(out.text).to.match(/← AcknowledgeOrder {2}order \d+ status M, prepared, total 74\.87/);
      expect(out.text).to.match(/✉ ReleaseShipNotify to jane@example\.com/);
      // DOM's shipment map carries no tracking number: the carrier of the shipped line is what is shown.
      expect(out.text).to.match(/status S, prepared, total 74\.87; .*; shipped by UPS\n/);
      expect(out.text).to.match(/order status: P → M( → [FG])+ → R → S\n/);
    } finally {
      await w.close();
    }
  });

  it('follows a server that sends e-mail by SMTP: the mails are not looked for in an outbox folder, and it says so', async function () {
    const smtp = await startSmtpPeer();
    const data = tempDir(); // exists, so without knowing the transport the demo would wait for .eml files there
    const w = await startWorld({ DOMBRIDGE_DATA: data, SMTP_URL: smtp.url }, undefined, { fulfillment: { confirmAfterMs: 100, releaseAfterMs: 400, shipAfterMs: 700 } } as never);
    try {
      const out = sink();
      const err = sink();
      const code = await runDemoCommand([], out, err, { DOMBRIDGE_URL: w.app.url, DOMBRIDGE_DATA: data });
      expect(code, out.text + err.text).to.equal(0);
      expect(out.text).to.contain('e-mails not checked (the server sends them by SMTP');
      expect(out.text).to.contain('e-mail not checked: the server sends it by SMTP');
      expect(out.text).to.match(/order status: P → M( → [FG])+ → R → S\n/);
      for (let i = 0; i < 100 && smtp.mails.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(smtp.mails.length, 'the server did send by SMTP').to.be.above(0);
    } finally {
      await w.close();
      await smtp.close();
    }
  });

  it('says clearly when no server answers', async function () {
    const err = sink();
    const code = await runDemoCommand([], sink(), err, { PORT: '1' });
    expect(code).to.equal(1);
    expect(err.text).to.contain('no dombridge answers at http://127.0.0.1:1').and.to.contain('npm start');
  });
});
