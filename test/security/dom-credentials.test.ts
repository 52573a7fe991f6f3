import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DOM_INVENTORY_PATH } from '../../src/dom/dom-inventory.client.js';
import { DomTransport } from '../../src/dom/dom-transport.js';
import { startDomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import { silentLogger } from '../../src/log/logger.js';
import { WSDL_DIR } from '../../src/paths.js';
import { readUsernameToken } from '../../src/security/username-token.js';
import { readEnvelope } from '../../src/soap/soap-envelope.js';
import { NS } from '../../src/xml/namespaces.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { startWorld, type TestWorld } from '../support/test-app.js';

const GET_BOD = `<_inv:GetInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:oa="${NS.oa}" releaseID="9.0"><_inv:DataArea><oa:Get/></_inv:DataArea></_inv:GetInventoryAvailability>`;
const SHOW =
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>` +
  `<_inv:ShowInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:oa="${NS.oa}" releaseID="9.0"><oa:ApplicationArea><oa:CreationDateTime>2026-01-01T00:00:00Z</oa:CreationDateTime></oa:ApplicationArea>` +
  `<_inv:DataArea><oa:Show><oa:OriginalApplicationArea/></oa:Show></_inv:DataArea></_inv:ShowInventoryAvailability></soapenv:Body></soapenv:Envelope>`;

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('credentials between dombridge and DOM', function () {
  this.timeout(30_000);

  describe('outbound: DomTransport sends a WS-Security UsernameToken to DOM', function () {
    let server: http.Server;
    let url: string;
    const received: string[] = [];
    before(async function () {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(SHOW);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async function () {
      await new Promise((resolve) => server.close(resolve));
    });

    it('DOM_USERNAME/DOM_PASSWORD arrive as a PasswordText UsernameToken (escaped password intact)', async function () {
      const t = new DomTransport({ baseUrl: url, connectTimeoutMs: 500, timeoutMs: 2000, username: 'dombridge', password: 'p<a>ss&"w' }, join(WSDL_DIR, 'DOMServices.wsdl'));
      const r = await t.call(DOM_INVENTORY_PATH, 'GetInventoryAvailability', GET_BOD);
      expect(r.ok, JSON.stringify(r)).to.equal(true);
      const env = readEnvelope(readXml(received.at(-1)!));
      const token = readUsernameToken(env.header, env.version);
      expect(token).to.deep.equal({ kind: 'token', token: { username: 'dombridge', passwordType: 'PasswordText', password: 'p<a>ss&"w', nonce: undefined, created: token.kind === 'token' ? token.token.created : undefined } });
      expect(env.bod.name).to.equal('GetInventoryAvailability');
    });

    it('without DOM_USERNAME no Security header is sent', async function () {
      const t = new DomTransport({ baseUrl: url, connectTimeoutMs: 500, timeoutMs: 2000 }, join(WSDL_DIR, 'DOMServices.wsdl'));
      expect((await t.call(DOM_INVENTORY_PATH, 'GetInventoryAvailability', GET_BOD)).ok).to.equal(true);
      const env = readEnvelope(readXml(received.at(-1)!));
      expect(readUsernameToken(env.header, env.version).kind).to.equal('absent');
    });
  });

  describe("inbound: DOM's callbacks when dombridge requires authentication", function () {
    let w: TestWorld;
    before(async function () {
      w = await startWorld({ DOMBRIDGE_USERS: 'shop:s3cret:storefront,dom:d0m-pass:dom' }, undefined, {
        callbackCredentials: { username: 'dom', password: 'd0m-pass' }, fulfillment: false,
      });
    });
    after(async function () {
      await w.close();
    });

    it("DOM's SyncInventoryAvailability push (POST /sim/stock) is confirmed with a ConfirmBOD success", async function () {
      const r = await postJson(`${w.sim.url}/sim/stock`, { catentryId: '20311', location: 'online:10201', onHand: 17 });
      expect(r.status).to.equal(200);
      expect(r.json['push']).to.deep.include({ outcome: 'confirmed', detail: 'BODSuccessMessage' });
      expect((await w.store.availability.get('20311', { kind: 'online', storeId: '10201' }))?.quantity).to.equal(17);
    });

    it('a DOM without credentials is refused (AUTH_REQUIRED), and one with the storefront user is forbidden', async function () {
      for (const [creds, expected] of [[undefined, 'UsernameToken is required'], [{ username: 'shop', password: 's3cret' }, 'may not call SyncInventoryAvailability']] as const) {
        const sim = await startDomSimulator({ port: 0, log: silentLogger, fulfillment: false, ...(creds ? { callbackCredentials: creds } : {}) });
        try {
          sim.setCallbackUrl(w.app.url);
          const r = await postJson(`${sim.url}/sim/stock`, { catentryId: '20311', location: 'online:10201', onHand: 3 });
          expect(r.json['push']).to.deep.include({ outcome: 'soap-fault' });
          expect((r.json['push'] as { detail: string }).detail).to.contain(expected);
        } finally {
          await sim.close();
        }
      }
      expect((await w.store.availability.get('20311', { kind: 'online', storeId: '10201' }))?.quantity).to.equal(17);
    });
  });
});
