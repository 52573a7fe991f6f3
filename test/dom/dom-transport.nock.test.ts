import { expect } from 'chai';
import nock from 'nock';
import { join } from 'node:path';
import { DOM_INVENTORY_PATH, SoapDomInventoryClient } from '../../src/dom/dom-inventory.client.js';
import { DomTransport, type DomResult } from '../../src/dom/dom-transport.js';
import { WSDL_DIR } from '../../src/paths.js';
import { NS } from '../../src/xml/namespaces.js';
import type { XmlElement } from '../../src/xml/xml-element.js';

// nock patches node's http on import. Mocha imports every spec before running any, so undo that at once and
// intercept only while this suite runs: the other suites talk to real sockets.
nock.restore();

const BASE = 'http://dom.nock.invalid';
const DOM_WSDL = join(WSDL_DIR, 'DOMServices.wsdl');
const GET_BOD = `<_inv:GetInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:oa="${NS.oa}" releaseID="9.0"><_inv:DataArea><oa:Get/></_inv:DataArea></_inv:GetInventoryAvailability>`;

const envelope = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

function show(dataArea: string, verbContent = ''): string {
  return envelope(
    `<_inv:ShowInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}" releaseID="9.0">` +
      `<oa:ApplicationArea><oa:CreationDateTime>2024-05-06T10:15:30Z</oa:CreationDateTime></oa:ApplicationArea>` +
      `<_inv:DataArea><oa:Show><oa:OriginalApplicationArea/>${verbContent}</oa:Show>${dataArea}</_inv:DataArea></_inv:ShowInventoryAvailability>`,
  );
}

const NOUN =
  `<_inv:InventoryAvailability><_inv:InventoryAvailabilityIdentifier><_wcf:ExternalIdentifier>` +
  `<_wcf:CatalogEntryIdentifier><_wcf:UniqueID>20311</_wcf:UniqueID></_wcf:CatalogEntryIdentifier>` +
  `<_wcf:OnlineStoreIdentifier><_wcf:UniqueID>10201</_wcf:UniqueID></_wcf:OnlineStoreIdentifier>` +
  `</_wcf:ExternalIdentifier></_inv:InventoryAvailabilityIdentifier>` +
  `<_inv:InventoryStatus>Available</_inv:InventoryStatus><_inv:AvailableQuantity uom="C62">42.0</_inv:AvailableQuantity>` +
  `<_inv:LastUpdateDateTime>2024-05-06T10:15:00.000Z</_inv:LastUpdateDateTime></_inv:InventoryAvailability>`;

const FAULT = envelope(`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>YFS10001 Sterling is unhappy</faultstring></soapenv:Fault>`);

function transport(timeoutMs = 1000): DomTransport {
  return new DomTransport({ baseUrl: BASE, connectTimeoutMs: 500, timeoutMs }, DOM_WSDL);
}

function call(t: DomTransport = transport()): Promise<DomResult<XmlElement>> {
  return t.call(DOM_INVENTORY_PATH, 'GetInventoryAvailability', GET_BOD);
}

/**
 * A network error as node raises it. nock 14 needs an Error instance here: with a plain object such as
 * `{ code: 'ECONNREFUSED' }` no error reaches the request and the call only ends at its timeout
 * (nock/nock#2789, docs fix in nock/nock#2899).
 */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function failure(r: DomResult<unknown>): { kind: string; detail: string; httpStatus?: number } {
  if (r.ok) throw new Error('expected a failure, got an answer');
  return r.failure;
}

describe('DomTransport classifies every answer (nock)', () => {
  before(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });

  it('a good ShowInventoryAvailability → the BOD element', async () => {
    const scope = nock(BASE).post(DOM_INVENTORY_PATH).reply(200, show(NOUN), { 'Content-Type': 'text/xml; charset=utf-8' });
    const r = await call();
    if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.detail}`);
    expect([r.value.ns, r.value.name]).to.deep.equal([NS.inv, 'ShowInventoryAvailability']);
    scope.done();
  });

  it('sends a SOAP 1.1 envelope holding the BOD, with the shared soapAction', async () => {
    let seen: { body: string; headers: Record<string, unknown> } | undefined;
    nock(BASE)
      .post(DOM_INVENTORY_PATH)
      .reply(function (_uri, body) {
        seen = { body: typeof body === 'string' ? body : JSON.stringify(body), headers: this.req.headers };
        return [200, show(''), { 'Content-Type': 'text/xml' }];
      });
    expect((await call()).ok).to.equal(true);
    expect(seen!.body).to.include(NS.soap11).and.to.include('GetInventoryAvailability');
    expect(String(seen!.headers['soapaction'])).to.include('http://localhost/services/InventoryServices.wsdl');
  });

  it('the same answer through SoapDomInventoryClient → nouns', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).reply(200, show(NOUN), { 'Content-Type': 'text/xml' });
    const r = await new SoapDomInventoryClient(transport()).getInventoryAvailability([{ partNumber: 'TEST-SKU-0001', location: { kind: 'online', nameIdentifier: 'DemoDOMStore' } }], '10201');
    if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.detail}`);
    expect(r.value).to.have.length(1);
    expect(r.value[0]).to.deep.include({ status: 'Available', quantity: 42, uom: 'C62' });
  });

  it('HTTP 500 with a SOAP fault → soap-fault, with the faultstring', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).reply(500, FAULT, { 'Content-Type': 'text/xml; charset=utf-8' });
    const f = failure(await call());
    expect(f.kind).to.equal('soap-fault');
    expect(f.detail).to.include('YFS10001');
    expect(f.httpStatus).to.equal(500);
  });

  it('HTTP 500 with an HTML page → http-error', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).reply(500, '<!DOCTYPE html><html><body>Internal Server Error</body></html>', { 'Content-Type': 'text/html' });
    const f = failure(await call());
    expect(f.kind).to.equal('http-error');
    expect(f.httpStatus).to.equal(500);
  });

  it('HTTP 503 with an empty body → http-error', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).reply(503, '');
    const f = failure(await call());
    expect(f.kind).to.equal('http-error');
    expect(f.httpStatus).to.equal(503);
  });

  it('HTTP 200 with garbage → unparseable', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).reply(200, '<_inv:ShowInventoryAvailability><<<not xml', { 'Content-Type': 'text/xml' });
    expect(failure(await call()).kind).to.equal('unparseable');
  });

  it('HTTP 200 with XML that is not a SOAP envelope → unparseable', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).reply(200, '<status>ok</status>', { 'Content-Type': 'text/xml' });
    expect(failure(await call()).kind).to.equal('unparseable');
  });

  it('an answer slower than the timeout → timeout', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).delay(1500).reply(200, show(NOUN), { 'Content-Type': 'text/xml' });
    const started = Date.now();
    expect(failure(await call(transport(300))).kind).to.equal('timeout');
    expect(Date.now() - started).to.be.below(1400);
  });

  it('a refused connection → refused', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).replyWithError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 192.0.2.1:80'));
    expect(failure(await call()).kind).to.equal('refused');
  });

  it('a reset connection → dropped', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).replyWithError(networkError('ECONNRESET', 'socket hang up'));
    expect(failure(await call()).kind).to.equal('dropped');
  });

  it('a host name that does not resolve → refused', async () => {
    nock(BASE).post(DOM_INVENTORY_PATH).replyWithError(networkError('ENOTFOUND', 'getaddrinfo ENOTFOUND dom.nock.invalid'));
    expect(failure(await call()).kind).to.equal('refused');
  });

  it('a ShowInventoryAvailability with an error ChangeStatus → bod-error (client)', async () => {
    const status = `<oa:ResponseCriteria><oa:ChangeStatus><oa:Code>ERROR</oa:Code><oa:Description>no such store</oa:Description><oa:ReasonCode>STORE_NOT_FOUND</oa:ReasonCode></oa:ChangeStatus></oa:ResponseCriteria>`;
    nock(BASE).post(DOM_INVENTORY_PATH).reply(200, show('', status), { 'Content-Type': 'text/xml' });
    const r = await new SoapDomInventoryClient(transport()).getInventoryAvailability([{ partNumber: 'TEST-SKU-0001', location: { kind: 'online', nameIdentifier: 'DemoDOMStore' } }], '10201');
    const f = failure(r);
    expect(f.kind).to.equal('bod-error');
    expect(f.detail).to.include('STORE_NOT_FOUND');
  });
});
