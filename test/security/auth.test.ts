import { expect } from 'chai';
import soap from 'soap';
import { RolePolicy } from '../../src/security/role-policy.js';
import { NS } from '../../src/xml/namespaces.js';
import { child } from '../../src/xml/xml-element.js';
import { addItems, getOrder, orderOf } from '../support/order-bods.js';
import { availabilityNouns, faultOf, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, sample, soap11, startWorld, type PostResult, type TestWorld } from '../support/test-app.js';
import { digestToken, textToken } from './wsse-tokens.js';

const USERS = 'shop:s3cret:storefront:digest,dom:d0m-pass:dom,ops:0ps:pa$$:admin';
const GET = getAvailabilityBod(itemAtOnline('20311', '10201'));
const EXPRESSION = itemAtOnline('20311', '10201');

/** A SyncInventoryAvailability in Sterling's shape with a fresh BODID (the message store would replay a repeat). */
function syncAvailability(quantity: number): string {
  return `<_inv:SyncInventoryAvailability xmlns:_inv="${NS.inv}" xmlns:_wcf="${NS.wcf}" xmlns:oa="${NS.oa}" releaseID="">` +
    `<_wcf:ApplicationArea><oa:CreationDateTime>${new Date().toISOString()}</oa:CreationDateTime><oa:BODID>auth-${Math.random()}</oa:BODID>` +
    `<_wcf:BusinessContext><_wcf:ContextData name="storeId">10201</_wcf:ContextData></_wcf:BusinessContext></_wcf:ApplicationArea>` +
    `<_inv:DataArea><oa:Sync><oa:ActionCriteria><oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">/InventoryAvailability[1]</oa:ActionExpression></oa:ActionCriteria></oa:Sync>` +
    `<_inv:InventoryAvailability><_inv:InventoryAvailabilityIdentifier><_wcf:ExternalIdentifier><_wcf:CatalogEntryIdentifier><_wcf:UniqueID>20311</_wcf:UniqueID></_wcf:CatalogEntryIdentifier>` +
    `<_wcf:OnlineStoreIdentifier><_wcf:UniqueID>10201</_wcf:UniqueID></_wcf:OnlineStoreIdentifier></_wcf:ExternalIdentifier></_inv:InventoryAvailabilityIdentifier>` +
    `<_inv:InventoryStatus>Available</_inv:InventoryStatus><_inv:AvailableQuantity uom="C62">${quantity}</_inv:AvailableQuantity>` +
    `<_inv:LastUpdateDateTime>${new Date().toISOString()}</_inv:LastUpdateDateTime></_inv:InventoryAvailability></_inv:DataArea></_inv:SyncInventoryAvailability>`;
}

describe('authentication and roles over a real server (WS-Security UsernameToken)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  before(async function () {
    w = await startWorld({ DOMBRIDGE_USERS: USERS }, undefined, { fulfillment: false });
  });
  after(async function () {
    await w.close();
  });
  const inv = (bod: string, header = ''): Promise<PostResult> => post(w.app.url, INVENTORY_PATH, soap11(bod, header));
  const ord = (bod: string, header = ''): Promise<PostResult> => post(w.app.url, ORDER_PATH, soap11(bod, header));
  const code = (r: PostResult): string => (r.body.name === 'Fault' ? faultOf(r.body).code : `(answered ${r.body.name})`);

  it('refuses a request without a token: AUTH_REQUIRED, a Client fault', async function () {
    const r = await inv(GET);
    expect(r.status).to.equal(500);
    expect(faultOf(r.body)).to.include({ faultcode: 'soapenv:Client', code: 'AUTH_REQUIRED' });
  });

  it('answers a SOAP 1.2 request without a token with a SOAP 1.2 Sender fault', async function () {
    const env = `<env:Envelope xmlns:env="${NS.soap12}"><env:Body>${GET}</env:Body></env:Envelope>`;
    const r = await post(w.app.url, INVENTORY_PATH, env, 'application/soap+xml; charset=utf-8');
    expect(r.status).to.equal(400);
    expect(child(child(r.body, NS.soap12, 'Code'), NS.soap12, 'Value')?.text).to.equal('soapenv:Sender');
    expect(r.text).to.contain('AUTH_REQUIRED');
  });

  it('a wrong password and an unknown user get the same AUTH_FAILED fault, word for word', async function () {
    const wrong = await inv(GET, textToken('shop', 'guess'));
    const unknown = await inv(GET, textToken('nobody', 'guess'));
    const digestUnknown = await inv(GET, digestToken('nobody', 'guess'));
    const digestNotAllowed = await inv(GET, digestToken('dom', 'd0m-pass'));
    const faults = [wrong, unknown, digestUnknown, digestNotAllowed].map((r) => faultOf(r.body));
    for (const f of faults) expect(f).to.deep.equal(faults[0]);
    expect(faults[0]!.code).to.equal('AUTH_FAILED');
    expect(faults[0]!.faultstring).not.to.match(/shop|nobody|dom/);
  });

  it('PasswordText of a storefront user: the request runs', async function () {
    const r = await inv(GET, textToken('shop', 's3cret'));
    expect(r.body.name).to.equal('ShowInventoryAvailability');
    expect(availabilityNouns(r.body)[0]).to.include({ catentryId: '20311', status: 'Available' });
  });

  it('PasswordText with a fresh Created is accepted; a stale one is AUTH_STALE', async function () {
    expect((await inv(GET, textToken('shop', 's3cret', new Date().toISOString()))).body.name).to.equal('ShowInventoryAvailability');
    expect(code(await inv(GET, textToken('shop', 's3cret', new Date(Date.now() - 3_600_000).toISOString())))).to.equal('AUTH_STALE');
  });

  it('PasswordDigest of a user that accepts it: the request runs', async function () {
    const r = await inv(GET, digestToken('shop', 's3cret'));
    expect(r.body.name).to.equal('ShowInventoryAvailability');
  });

  it('a replayed PasswordDigest token (same nonce) is AUTH_REPLAYED', async function () {
    const token = digestToken('shop', 's3cret');
    expect((await inv(GET, token)).body.name).to.equal('ShowInventoryAvailability');
    expect(code(await inv(GET, token))).to.equal('AUTH_REPLAYED');
  });

  it('a PasswordDigest token created outside the window is AUTH_STALE, in the past or too far ahead', async function () {
    expect(code(await inv(GET, digestToken('shop', 's3cret', { created: new Date(Date.now() - 301_000).toISOString() })))).to.equal('AUTH_STALE');
    expect(code(await inv(GET, digestToken('shop', 's3cret', { created: new Date(Date.now() + 120_000).toISOString() })))).to.equal('AUTH_STALE');
    // Within the 60 s allowed for a sender's clock running ahead.
    expect((await inv(GET, digestToken('shop', 's3cret', { created: new Date(Date.now() + 30_000).toISOString() }))).body.name).to.equal('ShowInventoryAvailability');
  });

  it('a malformed token is AUTH_TOKEN_INVALID (digest without nonce)', async function () {
    const header = textToken('shop', 's3cret').replace('#PasswordText', '#PasswordDigest');
    expect(code(await inv(GET, header))).to.equal('AUTH_TOKEN_INVALID');
  });

  it('storefront calling SyncOrder (a DOM callback) is AUTH_FORBIDDEN', async function () {
    const r = await ord(sample('SyncOrder-Change-Shipped-FromDOM.xml'), textToken('shop', 's3cret'));
    expect(faultOf(r.body)).to.include({ code: 'AUTH_FORBIDDEN', faultcode: 'soapenv:Client' });
    expect(faultOf(r.body).faultstring).to.contain('SyncOrder');
  });

  it('storefront calling SyncInventoryAvailability or ChangeInventoryAvailability is AUTH_FORBIDDEN', async function () {
    expect(code(await inv(syncAvailability(5), textToken('shop', 's3cret')))).to.equal('AUTH_FORBIDDEN');
    const change = syncAvailability(5).replace(/SyncInventoryAvailability/g, 'ChangeInventoryAvailability').replace(/oa:Sync>/g, 'oa:Change>');
    expect(code(await inv(change, textToken('shop', 's3cret')))).to.equal('AUTH_FORBIDDEN');
  });

  it('dom calling ChangeOrder Create (a storefront operation) is AUTH_FORBIDDEN', async function () {
    const r = await ord(addItems([{ catentryId: '20311', quantity: 1 }]), textToken('dom', 'd0m-pass'));
    expect(faultOf(r.body).code).to.equal('AUTH_FORBIDDEN');
    expect(faultOf(r.body).faultstring).to.contain('Create');
  });

  it('dom calling GetInventoryAvailability (a storefront operation) is AUTH_FORBIDDEN', async function () {
    expect(code(await inv(GET, textToken('dom', 'd0m-pass')))).to.equal('AUTH_FORBIDDEN');
  });

  it('dom calling SyncInventoryAvailability is answered with a ConfirmBOD success', async function () {
    const r = await inv(syncAvailability(33), textToken('dom', 'd0m-pass'));
    expect(r.body.name).to.equal('ConfirmBOD');
    expect(r.text).to.contain('BODSuccessMessage');
  });

  it('dom may call GetOrder; storefront ChangeOrder Create runs', async function () {
    const created = await ord(addItems([{ catentryId: '20311', quantity: 1 }]), textToken('shop', 's3cret'));
    const orderId = orderOf(created.body)?.orderId ?? '';
    expect(orderId).to.match(/^\d+$/);
    const shown = await ord(getOrder(orderId), textToken('dom', 'd0m-pass'));
    expect(orderOf(shown.body)?.orderId).to.equal(orderId);
  });

  it('admin may call ChangeInventoryAvailability (administrative upsert)', async function () {
    const change = syncAvailability(12).replace(/SyncInventoryAvailability/g, 'ChangeInventoryAvailability').replace(/oa:Sync>/g, 'oa:Change>');
    const r = await inv(change, textToken('ops', '0ps:pa$$'));
    expect(r.body.name).to.equal('RespondInventoryAvailability');
  });

  it('every operation the role table names is an operation of the services', function () {
    const offered = w.app.services.flatMap((s) => s.operations.map((o) => o.name));
    expect(offered).to.include.members(RolePolicy.operations());
  });

  it('node-soap client with PasswordDigest calls GetInventoryAvailability end to end', async function () {
    const client = await soap.createClientAsync(`${w.app.url}${INVENTORY_PATH}?wsdl`);
    client.setSecurity(new soap.WSSecurity('shop', 's3cret', { passwordType: 'PasswordDigest' }));
    const [result] = (await client['GetInventoryAvailabilityAsync']!({
      attributes: { releaseID: '9.0' },
      ApplicationArea: { CreationDateTime: '2026-01-01T00:00:00Z', BODID: 'node-soap-digest-1' },
      DataArea: { Get: { Expression: { attributes: { expressionLanguage: '_wcf:XPath' }, $value: EXPRESSION } } },
    })) as [{ DataArea: { Show: { OriginalApplicationArea: { BODID: string } }; InventoryAvailability: { InventoryStatus: string }[] } }];
    expect(result.DataArea.Show.OriginalApplicationArea.BODID).to.equal('node-soap-digest-1');
    // Any number of nouns (maxOccurs unbounded in Commerce's schema): node-soap reads a list.
    expect(result.DataArea.InventoryAvailability[0]!.InventoryStatus).to.be.a('string');
  });

  it('node-soap client with a wrong PasswordText password gets AUTH_FAILED', async function () {
    const client = await soap.createClientAsync(`${w.app.url}${INVENTORY_PATH}?wsdl`);
    client.setSecurity(new soap.WSSecurity('shop', 'wrong', { passwordType: 'PasswordText' }));
    const err = await client['GetInventoryAvailabilityAsync']!({
      attributes: { releaseID: '9.0' },
      ApplicationArea: { CreationDateTime: '2026-01-01T00:00:00Z', BODID: 'node-soap-text-1' },
      DataArea: { Get: { Expression: { attributes: { expressionLanguage: '_wcf:XPath' }, $value: EXPRESSION } } },
    }).then(() => undefined, (e: { body?: string }) => e);
    expect(err?.body).to.contain('AUTH_FAILED');
  });
});
