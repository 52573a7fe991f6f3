import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/config.js';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { startDomSimulator, type DomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import { silentLogger } from '../../src/log/logger.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { PaymentProvider } from '../../src/payment/payment-provider.js';
import { startDombridge, type Dombridge } from '../../src/server/dombridge-app.js';
import { openTestStore } from './test-store.js';
import type { Store } from '../../src/store/store.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, type XmlElement } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';

export const INVENTORY_PATH = '/webapp/wcs/component/inventory/services/InventoryServices';
export const ORDER_PATH = '/webapp/wcs/component/order/services/OrderServices';

export interface TestWorld {
  readonly app: Dombridge;
  readonly sim: DomSimulator;
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * A whole dombridge on real sockets: a fresh in-memory database with the demo data, a real DOM simulator on its
 * own port, the facade on another. `env` and `configFile` add configuration as the environment and --config would;
 * `appOptions.payments` puts a payment provider of the test's own in place of a fresh test provider.
 */
export async function startWorld(
  env: Record<string, string> = {}, configFile?: string, simOptions: Partial<Parameters<typeof startDomSimulator>[0]> = {},
  /** `sqlitePath`: a database file in the SQLite pass (as served: Get journal, message log) instead of :memory:. */
  { sqlitePath, ...appOptions }: { payments?: PaymentProvider; sqlitePath?: string } = {},
): Promise<TestWorld> {
  // The world's data folder (its e-mail outbox) is its own unless the test names one, and goes with the world.
  const ownData = env['DOMBRIDGE_DATA'] === undefined ? mkdtempSync(join(tmpdir(), 'dombridge-test-')) : undefined;
  const sim = await startDomSimulator({ port: 0, host: '127.0.0.1', log: silentLogger, ...simOptions });
  const store = await openTestStore(sqlitePath);
  const removeData = () => {
    if (ownData) rmSync(ownData, { recursive: true, force: true });
  };
  let app: Dombridge;
  try {
    const config: Config = loadConfig({
      ...(configFile ? { file: configFile } : {}),
      env: { PORT: '0', DOM_URL: sim.url, DOM_TIMEOUT_MS: '1500', DOM_CONNECT_TIMEOUT_MS: '500', ...(ownData ? { DOMBRIDGE_DATA: ownData } : {}), OUTBOX_RETRY_MS: '100', OUTBOX_POLL_MS: '50', ...env },
    });
    await seedDemo(store);
    app = await startDombridge(config, silentLogger, { store, ...appOptions });
  } catch (e) {
    await sim.close();
    await store.close();
    removeData();
    throw e;
  }
  sim.setCallbackUrl(app.url);
  return {
    app, sim, store,
    async close() {
      await app.close();
      await sim.close();
      await store.close();
      removeData();
    },
  };
}

export function soap11(bod: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}">${header ? `<soapenv:Header>${header}</soapenv:Header>` : ''}<soapenv:Body>${bod}</soapenv:Body></soapenv:Envelope>`;
}

export function soap12(bod: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soap12}"><env:Body>${bod}</env:Body></env:Envelope>`;
}

export interface PostResult {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The Body's element (the BOD or the Fault), parsed with our reader. */
  readonly body: XmlElement;
}

export async function post(baseUrl: string, path: string, payload: string | Uint8Array, contentType = 'text/xml; charset=utf-8'): Promise<PostResult> {
  const res = await fetch(baseUrl + path, { method: 'POST', headers: { 'Content-Type': contentType, SOAPAction: '""' }, body: payload });
  const text = await res.text();
  const env = readXml(text);
  const bodyEl = child(env, env.ns, 'Body');
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, body: bodyEl!.children[0]! };
}

export function sample(name: string): string {
  return readFileSync(join(PACKAGE_ROOT, 'fixtures', 'samples', name), 'utf8');
}

/** Fault code and our stable error code from a SOAP 1.1 fault element. */
export function faultOf(fault: XmlElement): { faultcode: string; faultstring: string; code: string } {
  const detail = child(fault, '', 'detail');
  return {
    faultcode: child(fault, '', 'faultcode')?.text ?? '',
    faultstring: child(fault, '', 'faultstring')?.text ?? '',
    code: detail?.children[0]?.children.find((c) => c.name === 'code')?.text ?? '',
  };
}

/** The Get BOD for an expression, with the store in the business context. */
export function getAvailabilityBod(expression: string, storeId = '10201', prefix = '_inv'): string {
  return `<${prefix}:GetInventoryAvailability xmlns:${prefix}="${NS.inv}" xmlns:oa="${NS.oa}" xmlns:_wcf="${NS.wcf}" releaseID="9.0">` +
    `<oa:ApplicationArea><oa:CreationDateTime>2026-01-01T00:00:00Z</oa:CreationDateTime><oa:BODID>test-${Math.random().toString(36).slice(2)}</oa:BODID>` +
    `<_wcf:BusinessContext><_wcf:ContextData name="storeId">${storeId}</_wcf:ContextData></_wcf:BusinessContext></oa:ApplicationArea>` +
    `<${prefix}:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">${expression.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</oa:Expression></oa:Get></${prefix}:DataArea></${prefix}:GetInventoryAvailability>`;
}

export function itemAtOnline(catentryId: string, storeId: string): string {
  return `/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='${catentryId}')] and OnlineStoreIdentifier[(UniqueID='${storeId}')]]]`;
}

/** Reads the nouns of a ShowInventoryAvailability into plain objects for assertions. */
export function availabilityNouns(show: XmlElement): Array<{ catentryId: string; partNumber: string; location: string; status: string; quantity: string | undefined; source: string | undefined }> {
  const da = child(show, NS.inv, 'DataArea')!;
  return da.children.filter((c) => c.name === 'InventoryAvailability').map((n) => {
    const ext = child(child(n, NS.inv, 'InventoryAvailabilityIdentifier'), NS.wcf, 'ExternalIdentifier');
    const cat = child(ext, NS.wcf, 'CatalogEntryIdentifier');
    const online = child(ext, NS.wcf, 'OnlineStoreIdentifier');
    const phys = child(ext, NS.wcf, 'PhysicalStoreIdentifier');
    const fields = child(n, NS.wcf, 'UserData')?.children ?? [];
    return {
      catentryId: child(cat, NS.wcf, 'UniqueID')?.text ?? '',
      partNumber: child(child(cat, NS.wcf, 'ExternalIdentifier'), NS.wcf, 'PartNumber')?.text ?? '',
      location: online ? `online:${child(online, NS.wcf, 'UniqueID')?.text}` : `physical:${child(phys, NS.wcf, 'UniqueID')?.text}`,
      status: child(n, NS.inv, 'InventoryStatus')?.text ?? '',
      quantity: child(n, NS.inv, 'AvailableQuantity')?.text,
      source: fields.find((f) => f.attrs['name'] === 'availabilitySource')?.text,
    };
  });
}

/** ChangeStatus of a Show/Respond/Acknowledge error answer, or undefined when the answer is not an error. */
export function changeStatus(bod: XmlElement): { code: string; reasonCode: string; description: string } | undefined {
  const da = bod.children.find((c) => c.name === 'DataArea');
  const verb = da?.children.find((c) => c.ns === NS.oa);
  const cs = child(child(verb, NS.oa, 'ResponseCriteria'), NS.oa, 'ChangeStatus');
  if (!cs) return undefined;
  return { code: child(cs, NS.oa, 'Code')?.text ?? '', reasonCode: child(cs, NS.oa, 'ReasonCode')?.text ?? '', description: child(cs, NS.oa, 'Description')?.text ?? '' };
}
