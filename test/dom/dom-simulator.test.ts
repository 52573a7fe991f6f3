import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { join } from 'node:path';
import { DEMO_DOM_STOCK } from '../../src/demo/demo-data.js';
import { SoapDomInventoryClient, type DomAvailabilityPair } from '../../src/dom/dom-inventory.client.js';
import { DomTransport, type DomFailureKind, type DomResult } from '../../src/dom/dom-transport.js';
import { startDomSimulator, type DomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import type { ReceivedAvailabilityNoun } from '../../src/inventory/availability-noun.js';
import { WSDL_DIR } from '../../src/paths.js';
import { readEnvelope } from '../../src/soap/soap-envelope.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, childText, childrenNamed, path, type XmlElement } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';

const DOM_WSDL = join(WSDL_DIR, 'DOMServices.wsdl');
const ONLINE = { kind: 'online', nameIdentifier: 'DemoDOMStore' } as const;
const STORE_7101 = { kind: 'physical', externalId: 'STORE-7101' } as const;
const STORE_7102 = { kind: 'physical', externalId: 'STORE-7102' } as const;
const ASK_ONE: DomAvailabilityPair[] = [{ partNumber: 'TEST-SKU-0001', location: ONLINE }];

/** A fresh client (and so a fresh keep-alive pool) per call, as the facade would have after a restart. */
function inventoryClient(baseUrl: string, timeouts = { connectTimeoutMs: 500, timeoutMs: 1000 }): SoapDomInventoryClient {
  return new SoapDomInventoryClient(new DomTransport({ baseUrl, ...timeouts }, DOM_WSDL));
}

function failureOf(r: DomResult<unknown>): DomFailureKind {
  if (r.ok) throw new Error('expected a failure, got an answer');
  return r.failure.kind;
}

function soapRequest(bod: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>${bod}</soapenv:Body></soapenv:Envelope>`;
}

function getAvailability(expression: string, storeId = '10201'): string {
  return soapRequest(
    `<_inv:GetInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}" releaseID="9.0" versionID="7.0.0.0">` +
      `<oa:ApplicationArea><_wcf:BusinessContext><_wcf:ContextData name="storeId">${storeId}</_wcf:ContextData></_wcf:BusinessContext></oa:ApplicationArea>` +
      `<_inv:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">${expression.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</oa:Expression></oa:Get></_inv:DataArea>` +
      `</_inv:GetInventoryAvailability>`,
  );
}

async function postSoap(url: string, envelope: string): Promise<{ status: number; bod: XmlElement }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: envelope });
  return { status: res.status, bod: readEnvelope(readXml(await res.text())).bod };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function key(n: ReceivedAvailabilityNoun): string {
  return `${n.location.kind}:${n.location.value}/${n.item.value}`;
}

/**
 * A listening socket whose accept queue is full and whose owner never accepts: the kernel drops further SYNs,
 * so a connect to it stays pending until the client gives up. The owner is a child process blocked in
 * Atomics.wait (its event loop never runs again), and the queue (backlog 1) is filled by our own connections.
 */
async function unacceptingListener(): Promise<{ url: string; close(): void }> {
  const code =
    "const s=require('node:net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{" +
    "process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0);});";
  const proc: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('error', reject);
    proc.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  const fillers: net.Socket[] = [];
  const close = (): void => {
    for (const s of fillers) s.destroy();
    proc.kill();
  };
  for (let i = 0; i < 16; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 300);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!connected) return { url: `http://127.0.0.1:${port}`, close };
  }
  close();
  throw new Error('the accept queue never filled up');
}

describe('DOM simulator over HTTP (mode dombridge), called by the real DOM client', function () {
  let sim: DomSimulator;

  before(async () => {
    sim = await startDomSimulator({ port: 0, mode: 'dombridge' });
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await sim.setFailureMode('none');
  });

  it('answers several items at several locations with the seeded quantities', async () => {
    const pairs: DomAvailabilityPair[] = [];
    for (const partNumber of ['TEST-SKU-0001', 'TEST-SKU-0002', 'TEST-SKU-0006', 'NO-SUCH']) for (const location of [ONLINE, STORE_7101, STORE_7102]) pairs.push({ partNumber, location });
    const r = await inventoryClient(sim.url).getInventoryAvailability(pairs, '10201');
    if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.detail}`);
    const got = new Map(r.value.map((n) => [key(n), n]));
    // The unknown part number is simply not answered.
    expect(r.value).to.have.length(9);
    for (const loc of ['online:10201', 'physical:7101', 'physical:7102']) {
      for (const item of ['20311', '20312', '20316']) {
        const n = got.get(`${loc}/${item}`);
        const qty = DEMO_DOM_STOCK[loc]![item]!;
        expect(n, `${loc}/${item}`).to.not.equal(undefined);
        expect(n!.item).to.deep.equal({ by: 'uniqueId', value: item });
        expect(n!.quantity, `${loc}/${item}`).to.equal(qty);
        expect(n!.uom).to.equal('C62');
        expect(n!.status).to.equal(qty > 0 ? 'Available' : 'Unavailable');
        expect(n!.lastUpdate).to.be.a('number');
      }
    }
    expect(got.get('physical:7101/20316')!.status).to.equal('Unavailable');
  });

  it('matches items by part number and stores by name or external id, echoing them', async () => {
    const expr =
      "/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier/ExternalIdentifier[(PartNumber='TEST-SKU-0002' or PartNumber='NO-SUCH')]" +
      " and (OnlineStoreIdentifier/ExternalIdentifier[(NameIdentifier='DemoDOMStore')] or PhysicalStoreIdentifier[(ExternalIdentifier='STORE-7102')])]]";
    const { status, bod } = await postSoap(sim.url + '/dom/services/InventoryServices', getAvailability(expr));
    expect(status).to.equal(200);
    expect(bod.name).to.equal('ShowInventoryAvailability');
    const nouns = childrenNamed(child(bod, NS.inv, 'DataArea'), NS.inv, 'InventoryAvailability');
    expect(nouns).to.have.length(2);
    const ids = nouns.map((n) => path(n, [NS.inv, 'InventoryAvailabilityIdentifier'], [NS.wcf, 'ExternalIdentifier'])!);
    const cat = child(ids[0], NS.wcf, 'CatalogEntryIdentifier');
    expect(childText(cat, NS.wcf, 'UniqueID')).to.equal('20312');
    expect(childText(child(cat, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber')).to.equal('TEST-SKU-0002');
    const online = child(ids[0], NS.wcf, 'OnlineStoreIdentifier');
    expect(childText(online, NS.wcf, 'UniqueID')).to.equal('10201');
    expect(childText(child(online, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'NameIdentifier')).to.equal('DemoDOMStore');
    expect(childText(child(ids[1], NS.wcf, 'PhysicalStoreIdentifier'), NS.wcf, 'ExternalIdentifier')).to.equal('STORE-7102');
    expect(childText(nouns[1], NS.inv, 'AvailableQuantity')).to.equal('12.0');
    expect(childText(nouns[1], NS.inv, 'LastUpdateDateTime')).to.match(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('uses the business context store when the expression names no location', async () => {
    const expr = "{_wcf.ap=IBM_Store_Details}/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311')]]]";
    const { bod } = await postSoap(sim.url + '/dom/services/InventoryServices', getAvailability(expr));
    const nouns = childrenNamed(child(bod, NS.inv, 'DataArea'), NS.inv, 'InventoryAvailability');
    expect(nouns.map((n) => childText(n, NS.inv, 'AvailableQuantity'))).to.deep.equal(['42.0']);
  });

  it('answers a malformed expression with a ChangeStatus, which the client reports as bod-error', async () => {
    const { status, bod } = await postSoap(sim.url + '/dom/services/InventoryServices', getAvailability('/InventoryAvailability[Nonsense'));
    expect(status).to.equal(200);
    expect(bod.name).to.equal('ShowInventoryAvailability');
    const cs = path(bod, [NS.inv, 'DataArea'], [NS.oa, 'Show'], [NS.oa, 'ResponseCriteria'], [NS.oa, 'ChangeStatus']);
    expect(childText(cs, NS.oa, 'ReasonCode')).to.equal('EXPRESSION_INVALID');
    expect(childrenNamed(child(bod, NS.inv, 'DataArea'), NS.inv, 'InventoryAvailability')).to.have.length(0);
  });

  it('answers a BOD the order port does not offer with the dispatcher fault', async () => {
    const { status, bod } = await postSoap(sim.url + '/dom/services/OrderServices', soapRequest(`<_ord:ChangeOrder xmlns:_ord="${NS.ord}"/>`));
    expect(status).to.equal(500);
    expect(bod.name).to.equal('Fault');
    expect(childText(child(bod, '', 'detail')?.children[0], 'http://dombridge.dev/fault/1', 'code')).to.equal('BOD_UNKNOWN_OPERATION');
  });

  describe('failure modes, as the client classifies them', () => {
    const ask = (url: string, timeouts?: { connectTimeoutMs: number; timeoutMs: number }) =>
      inventoryClient(url, timeouts).getInventoryAvailability(ASK_ONE, '10201');

    it('down: the listener is closed → refused; back up on the same port afterwards', async () => {
      const warm = inventoryClient(sim.url);
      expect((await warm.getInventoryAvailability(ASK_ONE, '10201')).ok).to.equal(true);
      await sim.setFailureMode('down');
      expect(failureOf(await ask(sim.url))).to.equal('refused');
      await sim.setFailureMode('none');
      const r = await ask(sim.url);
      expect(r.ok).to.equal(true);
    });

    it('slow beyond the client timeout → timeout', async () => {
      await sim.setFailureMode('slow', { delayMs: 1500 });
      const started = Date.now();
      expect(failureOf(await ask(sim.url))).to.equal('timeout');
      expect(Date.now() - started).to.be.below(1450);
    });

    it('slow within the client timeout still answers', async () => {
      await sim.setFailureMode('slow', { delayMs: 150 });
      const started = Date.now();
      expect((await ask(sim.url)).ok).to.equal(true);
      expect(Date.now() - started).to.be.at.least(150);
    });

    it('http-500 (an HTML page) → http-error with the status', async () => {
      await sim.setFailureMode('http-500');
      const r = await ask(sim.url);
      expect(failureOf(r)).to.equal('http-error');
      expect(!r.ok && r.failure.httpStatus).to.equal(500);
    });

    it('soap-fault → soap-fault', async () => {
      await sim.setFailureMode('soap-fault');
      const r = await ask(sim.url);
      expect(failureOf(r)).to.equal('soap-fault');
      expect(!r.ok && r.failure.detail).to.include('DOM simulator');
    });

    it('malformed (HTTP 200, truncated XML) → unparseable', async () => {
      await sim.setFailureMode('malformed');
      expect(failureOf(await ask(sim.url))).to.equal('unparseable');
    });

    it('drop (socket destroyed mid-body) → dropped', async () => {
      await sim.setFailureMode('drop');
      expect(failureOf(await ask(sim.url))).to.equal('dropped');
    });

    it('a server that never accepts the connection → connect-timeout', async function () {
      const listener = await unacceptingListener();
      try {
        const started = Date.now();
        const r = await ask(listener.url, { connectTimeoutMs: 300, timeoutMs: 3000 });
        expect(failureOf(r)).to.equal('connect-timeout');
        expect(Date.now() - started).to.be.below(2500);
      } finally {
        listener.close();
      }
    });

    it('a failure set on one port leaves the other alone', async () => {
      await sim.setFailureMode('soap-fault', { port: 'order' });
      expect((await ask(sim.url)).ok).to.equal(true);
      await sim.setFailureMode('down', { port: 'order' });
      expect((await ask(sim.url)).ok).to.equal(true);
      // Only one port down: the listener stays for the other, the down port's connections are cut.
      const r = await fetch(sim.url + '/dom/services/OrderServices', { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: soapRequest('<x/>') }).then(
        () => 'answered',
        () => 'cut',
      );
      expect(r).to.equal('cut');
    });

    it('base latency delays every answer', async () => {
      await sim.setFailureMode('none', { latencyMs: 120 });
      try {
        const started = Date.now();
        expect((await ask(sim.url)).ok).to.equal(true);
        expect(Date.now() - started).to.be.at.least(120);
      } finally {
        await sim.setFailureMode('none', { latencyMs: 0 });
      }
    });
  });

  describe('control API', () => {
    it('GET /healthz answers 200', async () => {
      const res = await fetch(sim.url + '/healthz');
      expect(res.status).to.equal(200);
    });

    it('GET /sim/state shows orders, stock by ship node and part number, reservations, the mode and the failure mode', async () => {
      const state = (await (await fetch(sim.url + '/sim/state')).json()) as Record<string, any>;
      expect(state['orders']).to.deep.equal({});
      expect(state['stock']['DC-EAST']['TEST-SKU-0001']).to.deep.equal({ onHand: 42, reserved: 0, available: 42 });
      expect(state['stock']['STORE-7102']['TEST-SKU-0003']).to.deep.equal({ onHand: 0, reserved: 0, available: 0 });
      expect(state['reservations']).to.deep.equal({});
      expect(state['mode']).to.equal('dombridge');
      expect(state['failureMode']).to.deep.equal({ inventory: { mode: 'none', delayMs: 0 }, order: { mode: 'none', delayMs: 0 }, latencyMs: 0 });
    });

    it('POST /sim/failure-mode switches a port and is validated', async () => {
      const set = await postJson(sim.url + '/sim/failure-mode', { mode: 'slow', delayMs: 2000, port: 'inventory' });
      expect(set.status).to.equal(200);
      expect(set.json['failureMode']).to.deep.include({ inventory: { mode: 'slow', delayMs: 2000 }, order: { mode: 'none', delayMs: 0 } });
      expect((await postJson(sim.url + '/sim/failure-mode', { mode: 'sideways' })).status).to.equal(400);
      expect((await postJson(sim.url + '/sim/failure-mode', { mode: 'slow', port: 'billing' })).status).to.equal(400);
      expect((await postJson(sim.url + '/sim/failure-mode', { mode: 'slow', delayMs: -1 })).status).to.equal(400);
    });

    it('POST /sim/failure-mode down with durationMs closes the listener, then comes back by itself', async () => {
      const set = await postJson(sim.url + '/sim/failure-mode', { mode: 'down', durationMs: 400 });
      expect(set.status).to.equal(200);
      await new Promise((r) => setTimeout(r, 50));
      expect(failureOf(await inventoryClient(sim.url).getInventoryAvailability(ASK_ONE, '10201'))).to.equal('refused');
      await new Promise((r) => setTimeout(r, 600));
      expect((await fetch(sim.url + '/healthz')).status).to.equal(200);
    });

    it('POST /sim/stock sets on-hand by part number and ship node (or catalog entry and location) and rejects bad input', async () => {
      const r = await postJson(sim.url + '/sim/stock', { catentryId: '20314', location: 'physical:7102', onHand: 9 });
      expect(r.status).to.equal(200);
      expect(r.json).to.deep.include({ partNumber: 'TEST-SKU-0004', shipNode: 'STORE-7102', catentryId: '20314', location: 'physical:7102', onHand: 9, reserved: 0, available: 9 });
      expect((r.json['push'] as { outcome: string }).outcome).to.equal('skipped');
      expect(sim.stock.level('TEST-SKU-0004', 'STORE-7102')!.available).to.equal(9);
      const byName = await postJson(sim.url + '/sim/stock', { partNumber: 'TEST-SKU-0004', shipNode: 'STORE-7102', onHand: 8 });
      expect(byName.json).to.deep.include({ partNumber: 'TEST-SKU-0004', shipNode: 'STORE-7102', catentryId: '20314', location: 'physical:7102', onHand: 8 });
      expect((await postJson(sim.url + '/sim/stock', { partNumber: 'TEST-SKU-0004', onHand: 8 })).status).to.equal(400);
      expect((await postJson(sim.url + '/sim/stock', { catentryId: '20314', location: 'warehouse:1', onHand: 9 })).status).to.equal(400);
      expect((await postJson(sim.url + '/sim/stock', { catentryId: '20314', location: 'online:10201', onHand: -2 })).status).to.equal(400);
      expect((await postJson(sim.url + '/sim/stock', { location: 'online:10201', onHand: 2 })).status).to.equal(400);
      sim.stock.setOnHand('TEST-SKU-0004', 'STORE-7102', DEMO_DOM_STOCK['physical:7102']!['20314']!);
    });
  });
});

describe('DOM simulator pushes SyncInventoryAvailability to the callback URL', function () {
  let sim: DomSimulator;
  let callback: http.Server;
  let received: { path: string; soapAction: string | undefined; body: string }[] = [];
  let confirm: 'success' | 'failure' | 'html' = 'success';

  const confirmBod = (message: string) =>
    soapRequest(
      `<oa:ConfirmBOD xmlns:oa="${NS.oa}" releaseID="9.0"><oa:ApplicationArea><oa:CreationDateTime>2024-01-01T00:00:00Z</oa:CreationDateTime></oa:ApplicationArea>` +
        `<oa:DataArea><oa:Confirm/><oa:BOD><oa:OriginalApplicationArea/>${message}</oa:BOD></oa:DataArea></oa:ConfirmBOD>`,
    );

  before(async () => {
    callback = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', soapAction: req.headers['soapaction'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') });
        if (confirm === 'html') {
          res.writeHead(502, { 'Content-Type': 'text/html' });
          return void res.end('<html><body>bad gateway</body></html>');
        }
        const body =
          confirm === 'success'
            ? confirmBod('<oa:BODSuccessMessage/>')
            : confirmBod('<oa:BODFailureMessage><oa:ErrorProcessMessage><oa:Description>20311 @ 10201: stale</oa:Description></oa:ErrorProcessMessage></oa:BODFailureMessage>');
        res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    const port = (callback.address() as AddressInfo).port;
    sim = await startDomSimulator({ port: 0, callbackUrl: `http://127.0.0.1:${port}/` });
  });
  after(async () => {
    await sim.close();
    callback.closeAllConnections();
    await new Promise((r) => callback.close(r));
  });
  beforeEach(() => {
    received = [];
    confirm = 'success';
  });

  it('sends Sterling’s shape: releaseID="", _wcf:ApplicationArea without BODID, actionCode Change, one noun', async () => {
    const r = await postJson(sim.url + '/sim/stock', { catentryId: '20311', location: 'online:10201', onHand: 17 });
    expect(r.status).to.equal(200);
    expect(r.json['push']).to.deep.include({ outcome: 'confirmed' });
    expect(received).to.have.length(1);
    expect(received[0]!.path).to.equal('/webapp/wcs/component/inventory/services/InventoryServices');
    expect(received[0]!.soapAction).to.equal('"http://localhost/services/InventoryServices.wsdl"');

    const bod = readEnvelope(readXml(received[0]!.body)).bod;
    expect([bod.ns, bod.name]).to.deep.equal([NS.inv, 'SyncInventoryAvailability']);
    expect(bod.attrs['releaseID']).to.equal('');
    expect(child(bod, NS.oa, 'ApplicationArea')).to.equal(undefined);
    const aa = child(bod, NS.wcf, 'ApplicationArea');
    expect(aa).to.not.equal(undefined);
    expect(child(aa, NS.oa, 'BODID')).to.equal(undefined);
    expect(childText(aa, NS.oa, 'CreationDateTime')).to.match(/^\d{4}-\d\d-\d\dT/);
    const ctx = childrenNamed(child(aa, NS.wcf, 'BusinessContext'), NS.wcf, 'ContextData');
    expect(ctx.map((c) => [c.attrs['name'], c.text])).to.deep.equal([['storeId', '10201']]);
    const dataArea = child(bod, NS.inv, 'DataArea');
    const action = path(dataArea, [NS.oa, 'Sync'], [NS.oa, 'ActionCriteria'], [NS.oa, 'ActionExpression']);
    expect(action!.attrs['actionCode']).to.equal('Change');
    const nouns = childrenNamed(dataArea, NS.inv, 'InventoryAvailability');
    expect(nouns).to.have.length(1);
    expect(childText(nouns[0], NS.inv, 'AvailableQuantity')).to.equal('17.0');
    expect(child(nouns[0], NS.inv, 'AvailableQuantity')!.attrs['uom']).to.equal('C62');
    expect(childText(nouns[0], NS.inv, 'InventoryStatus')).to.equal('Available');
    expect(childText(nouns[0], NS.inv, 'LastUpdateDateTime')).to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it('sends a physical store’s change for its online store, and Unavailable at 0', async () => {
    await postJson(sim.url + '/sim/stock', { catentryId: '20312', location: 'physical:7101', onHand: 0 });
    const bod = readEnvelope(readXml(received[0]!.body)).bod;
    const aa = child(bod, NS.wcf, 'ApplicationArea');
    expect(childrenNamed(child(aa, NS.wcf, 'BusinessContext'), NS.wcf, 'ContextData')[0]!.text).to.equal('10201');
    const noun = child(child(bod, NS.inv, 'DataArea'), NS.inv, 'InventoryAvailability');
    const id = path(noun, [NS.inv, 'InventoryAvailabilityIdentifier'], [NS.wcf, 'ExternalIdentifier'], [NS.wcf, 'PhysicalStoreIdentifier']);
    expect(childText(id, NS.wcf, 'UniqueID')).to.equal('7101');
    expect(childText(noun, NS.inv, 'InventoryStatus')).to.equal('Unavailable');
  });

  it('reports a ConfirmBOD failure, an HTTP error and an unreachable callback without failing the route', async () => {
    confirm = 'failure';
    const rejected = await postJson(sim.url + '/sim/stock', { catentryId: '20311', location: 'online:10201', onHand: 5 });
    expect(rejected.status).to.equal(200);
    expect(rejected.json['push']).to.deep.include({ outcome: 'rejected' });
    confirm = 'html';
    expect((await postJson(sim.url + '/sim/stock', { catentryId: '20311', location: 'online:10201', onHand: 6 })).json['push']).to.deep.include({ outcome: 'http-error', httpStatus: 502 });

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    sim.setCallbackUrl(`http://127.0.0.1:${deadPort}`);
    try {
      const r = await postJson(sim.url + '/sim/stock', { catentryId: '20311', location: 'online:10201', onHand: 7 });
      expect(r.status).to.equal(200);
      expect(r.json['push']).to.deep.include({ outcome: 'unreachable' });
      expect(sim.stock.level('TEST-SKU-0001', 'DC-EAST')!.onHand).to.equal(7);
    } finally {
      sim.setCallbackUrl(`http://127.0.0.1:${(callback.address() as AddressInfo).port}`);
    }
  });

  it('pushAvailability can be called directly', async () => {
    const outcome = await sim.pushAvailability('20313', 'physical:7102');
    expect(outcome.outcome).to.equal('confirmed');
    const noun = child(child(readEnvelope(readXml(received[0]!.body)).bod, NS.inv, 'DataArea'), NS.inv, 'InventoryAvailability');
    expect(childText(noun, NS.inv, 'AvailableQuantity')).to.equal('0.0');
    expect((await sim.pushAvailability('99999', 'online:10201')).outcome).to.equal('skipped');
  });
});
