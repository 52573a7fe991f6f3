import { expect } from 'chai';
import http from 'node:http';
import { NS } from '../../src/xml/namespaces.js';
import { child } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';
import {
  faultOf, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, soap11, soap12, startWorld, type TestWorld,
} from '../support/test-app.js';

/** The SOAP facade on a real socket: dispatch, both SOAP versions, every kind of bad input, WSDL publishing. */
describe('SOAP facade (real socket)', function () {
  let w: TestWorld;
  before(async function () {
    w = await startWorld({}, undefined);
  });
  after(async function () {
    await w.close();
  });

  const GET = getAvailabilityBod(itemAtOnline('20311', '10201'));

  async function expectClientFault(payload: string | Uint8Array, code: string, contentType?: string) {
    const r = await post(w.app.url, INVENTORY_PATH, payload, contentType);
    expect(r.status, r.text).to.equal(500);
    expect(r.body.name).to.equal('Fault');
    const f = faultOf(r.body);
    expect(f.faultcode).to.equal('soapenv:Client');
    expect(f.code).to.equal(code);
    // A person can act on it, and nothing internal leaks.
    expect(f.faultstring.length).to.be.greaterThan(20);
    expect(f.faultstring).not.to.match(/\bat \S+\.js|node_modules|Error:|TypeError/);
    return f;
  }

  it('dispatches on the Body element whatever prefixes the client chose (default namespace too)', async function () {
    const bod = `<GetInventoryAvailability xmlns="${NS.inv}" releaseID="9.0"><ApplicationArea xmlns="${NS.oa}" xmlns:x="${NS.xsi}" xmlns:w="${NS.wcf}" x:type="w:ApplicationAreaType"><CreationDateTime>2026-01-01T00:00:00Z</CreationDateTime><w:BusinessContext><w:ContextData name="storeId">10201</w:ContextData></w:BusinessContext></ApplicationArea>` +
      `<DataArea><Get xmlns="${NS.oa}"><Expression>${itemAtOnline('20311', '10201').replace(/'/g, '&apos;')}</Expression></Get></DataArea></GetInventoryAvailability>`;
    const r = await post(w.app.url, INVENTORY_PATH, `<S:Envelope xmlns:S="${NS.soap11}"><S:Body>${bod}</S:Body></S:Envelope>`);
    expect(r.status).to.equal(200);
    expect(r.body.name).to.equal('ShowInventoryAvailability');
    expect(r.body.ns).to.equal(NS.inv);
    expect(r.contentType).to.contain('text/xml');
  });

  it('answers a SOAP 1.2 request in SOAP 1.2', async function () {
    const r = await post(w.app.url, INVENTORY_PATH, soap12(GET), 'application/soap+xml; charset=utf-8');
    expect(r.status).to.equal(200);
    expect(r.contentType).to.contain('application/soap+xml');
    expect(r.text).to.contain(NS.soap12);
    expect(r.text).not.to.contain(NS.soap11);
  });

  it('SOAP 1.2 faults are in SOAP 1.2 shape (Sender, Reason, Detail)', async function () {
    const r = await post(w.app.url, INVENTORY_PATH, soap12('<x:Nope xmlns:x="urn:nope"/>'), 'application/soap+xml');
    expect(r.status).to.equal(400);
    expect(child(child(r.body, NS.soap12, 'Code'), NS.soap12, 'Value')?.text).to.equal('soapenv:Sender');
    expect(child(child(r.body, NS.soap12, 'Reason'), NS.soap12, 'Text')?.text).to.contain('not an operation');
  });

  it('malformed XML → Client fault XML_MALFORMED (not faultcode "500")', async function () {
    await expectClientFault(soap11(GET).slice(0, -30), 'XML_MALFORMED');
  });
  it('any DOCTYPE → Client fault, entities never expanded', async function () {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${soap11(GET.replace('10201', '&e;')).replace(/^<\?xml[^>]*>/, '')}`;
    const f = await expectClientFault(xxe, 'XML_DOCTYPE_FORBIDDEN');
    expect(f.faultstring).not.to.contain('root:');
  });
  it('invalid UTF-8 → Client fault XML_ENCODING', async function () {
    const bytes = Buffer.concat([Buffer.from(soap11(GET).slice(0, 200)), Buffer.from([0xc3, 0x28]), Buffer.from(soap11(GET).slice(200))]);
    await expectClientFault(bytes, 'XML_ENCODING');
  });
  it('a BOD in the wrong namespace (Commerce 7 non-/9/ services) → Client fault', async function () {
    await expectClientFault(soap11(GET.replace(`xmlns:_inv="${NS.inv}"`, 'xmlns:_inv="http://www.ibm.com/xmlns/prod/commerce/inventory"')), 'BOD_WRONG_NAMESPACE');
  });
  it('an unknown operation → Client fault naming the operations offered', async function () {
    const f = await expectClientFault(soap11(`<_inv:StealInventory xmlns:_inv="${NS.inv}"/>`), 'BOD_UNKNOWN_OPERATION');
    expect(f.faultstring).to.contain('GetInventoryAvailability');
  });
  it('a BOD sent to the wrong service → Client fault naming the right path', async function () {
    const r = await post(w.app.url, ORDER_PATH, soap11(GET));
    const f = faultOf(r.body);
    expect(f.code).to.equal('BOD_WRONG_SERVICE');
    expect(f.faultstring).to.contain(INVENTORY_PATH);
  });
  it('a wrong envelope namespace → VersionMismatch fault', async function () {
    const r = await post(w.app.url, INVENTORY_PATH, `<e:Envelope xmlns:e="urn:not-soap"><e:Body>${GET}</e:Body></e:Envelope>`);
    expect(faultOf(r.body).faultcode).to.equal('soapenv:VersionMismatch');
  });
  it('an empty Body or two BODs → Client fault SOAP_BODY_INVALID', async function () {
    await expectClientFault(soap11(''), 'SOAP_BODY_INVALID');
    await expectClientFault(soap11(GET + GET), 'SOAP_BODY_INVALID');
  });
  it('a mustUnderstand header we do not process → Client fault', async function () {
    await expectClientFault(soap11(GET, `<h:Tx xmlns:h="urn:tx" xmlns:soapenv="${NS.soap11}" soapenv:mustUnderstand="1"/>`), 'SOAP_MUST_UNDERSTAND');
  });
  it('nesting deeper than the limit (64) → Client fault XML_LIMIT_EXCEEDED', async function () {
    await expectClientFault(soap11('<a>'.repeat(100) + '</a>'.repeat(100)), 'XML_LIMIT_EXCEEDED');
  });
  it('a body above 4 MiB → HTTP 413, and the server keeps serving', async function () {
    const big = soap11(`<x>${'a'.repeat(5 * 1024 * 1024)}</x>`);
    const res = await fetch(w.app.url + INVENTORY_PATH, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: big });
    expect(res.status).to.equal(413);
    const ok = await post(w.app.url, INVENTORY_PATH, soap11(GET));
    expect(ok.status).to.equal(200);
  });
  it('a non-SOAP content type → Client fault HTTP_MEDIA_TYPE', async function () {
    await expectClientFault(soap11(GET), 'HTTP_MEDIA_TYPE', 'application/json');
  });
  it('GET on a service path without ?wsdl → 405', async function () {
    const res = await fetch(w.app.url + INVENTORY_PATH);
    expect(res.status).to.equal(405);
  });

  describe('?wsdl', function () {
    it('addresses the host that asked, and every XSD it imports can be fetched, transitively', async function () {
      for (const path of [INVENTORY_PATH, ORDER_PATH]) {
        const res = await getWithHost(`${w.app.url}${path}?wsdl`, 'commerce.example:9443');
        expect(res.status).to.equal(200);
        const wsdl = res.text;
        expect(wsdl).to.match(new RegExp(`location="http://commerce\\.example:9443${path}"`));
        const queue = [...wsdl.matchAll(/schemaLocation="([^"]+)"/g)].map((m) => m[1]!);
        expect(queue.length).to.be.greaterThan(0);
        const seen = new Set<string>();
        while (queue.length) {
          const url = queue.shift()!;
          if (seen.has(url)) continue;
          seen.add(url);
          const local = url.replace('http://commerce.example:9443', w.app.url);
          const x = await fetch(local);
          expect(x.status, url).to.equal(200);
          const xsd = await x.text();
          readXml(xsd);
          for (const m of xsd.matchAll(/schemaLocation="([^"]+)"/g)) queue.push(new URL(m[1]!, url).href);
        }
        expect(seen.size).to.be.greaterThan(1);
      }
    });
    it('refuses to reflect a hostile Host header into the document', async function () {
      const res = await getWithHost(`${w.app.url}${INVENTORY_PATH}?wsdl`, 'evil"><x');
      expect(res.text).not.to.contain('evil');
    });
  });

  it('/healthz answers 200 with JSON', async function () {
    const res = await fetch(`${w.app.url}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok' });
  });
});

/** fetch() always sends the real Host; a generated client behind a proxy does not, so set it by hand. */
function getWithHost(url: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
}
