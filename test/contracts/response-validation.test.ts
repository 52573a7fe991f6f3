import { expect } from 'chai';
import { loadBodValidator } from '../support/xsd-validator.js';
import { getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, sample, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { addItems, getOrder, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';

/** The BOD inside a SOAP answer: our writer declares every namespace on the BOD root, so it stands alone. */
function bodOf(envelope: string): string {
  const start = envelope.indexOf('<soapenv:Body>') + '<soapenv:Body>'.length;
  return envelope.slice(start, envelope.lastIndexOf('</soapenv:Body>'));
}

/** Every kind of response dombridge emits validates against our own XSDs. */
describe('responses validate against schemas/', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let validator: Awaited<ReturnType<typeof loadBodValidator>>;
  before(async function () {
    validator = await loadBodValidator();
    w = await startWorld({}, undefined, { fulfillment: false } as never);
  });
  after(async function () {
    await w.close();
    validator.dispose();
  });

  async function expectValid(path: string, bod: string, label: string, rootName: string): Promise<string> {
    const r = await post(w.app.url, path, soap11(bod));
    expect(r.body.name, `${label}: ${r.text.slice(0, 300)}`).to.equal(rootName);
    const errors = validator.validate(bodOf(r.text));
    expect(errors, `${label}\n${bodOf(r.text).slice(0, 2000)}`).to.deep.equal([]);
    return r.text;
  }

  it('ShowInventoryAvailability: answer, several nouns, error form', async function () {
    await expectValid(INVENTORY_PATH, getAvailabilityBod(itemAtOnline('20311', '10201')), 'show', 'ShowInventoryAvailability');
    await expectValid(INVENTORY_PATH, sample('GetInventoryAvailability.xml'), 'show for the sample without CreationDateTime', 'ShowInventoryAvailability');
    await expectValid(INVENTORY_PATH, getAvailabilityBod(`/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311' or UniqueID='20315')] and (OnlineStoreIdentifier[(UniqueID='10201')] or PhysicalStoreIdentifier[(UniqueID='7101')])]]`), 'show many', 'ShowInventoryAvailability');
    await expectValid(INVENTORY_PATH, getAvailabilityBod(itemAtOnline('99999', '10201')), 'show error', 'ShowInventoryAvailability');
  });

  it('ConfirmBOD: success, partial failure and failure', async function () {
    const good = sample('SyncInventoryAvailability.xml');
    expect(await expectValid(INVENTORY_PATH, good, 'confirm success', 'ConfirmBOD')).to.contain('BODSuccessMessage');
    // Each edited copy is a new message: it gets a BODID of its own (the idempotent receiver refuses a reused one).
    const fresh = (xml: string, n: number) => xml.replace(/<oa:BODID>[^<]*<\/oa:BODID>/, `<oa:BODID>edited-${n}-${Date.now()}</oa:BODID>`);
    const two = fresh(good.replace(/(<_inv:InventoryAvailability>[\s\S]*<\/_inv:InventoryAvailability>)/, (n) => n + n.replace('<_wcf:UniqueID>20311</_wcf:UniqueID>', '<_wcf:UniqueID>99999</_wcf:UniqueID>')), 1);
    expect(await expectValid(INVENTORY_PATH, two, 'confirm partial', 'ConfirmBOD')).to.contain('PartialBODFailureMessage');
    const bad = fresh(good.replace('<_wcf:UniqueID>20311</_wcf:UniqueID>', '<_wcf:UniqueID>99999</_wcf:UniqueID>'), 2);
    expect(await expectValid(INVENTORY_PATH, bad, 'confirm failure', 'ConfirmBOD')).to.contain('BODFailureMessage');
  });

  it('RespondInventoryAvailability and AcknowledgeInventoryRequirement (check, decrement, error)', async function () {
    const change = sample('SyncInventoryAvailability.xml').replace(/SyncInventoryAvailability/g, 'ChangeInventoryAvailability').replace(/oa:Sync>/g, 'oa:Change>').replace(/<oa:BODID>[^<]*<\/oa:BODID>/, '<oa:BODID>change-1</oa:BODID>');
    await expectValid(INVENTORY_PATH, change, 'respond', 'RespondInventoryAvailability');
    await expectValid(INVENTORY_PATH, sample('ProcessInventoryRequirement-CheckInventory.xml'), 'check', 'AcknowledgeInventoryRequirement');
    await expectValid(INVENTORY_PATH, sample('ProcessInventoryRequirement-DecrementCache.xml'), 'decrement', 'AcknowledgeInventoryRequirement');
    await expectValid(INVENTORY_PATH, sample('ProcessInventoryRequirement-ReserveInventory.xml'), 'reserve', 'AcknowledgeInventoryRequirement');
  });

  it('RespondOrder, AcknowledgeOrder and ShowOrder along a checkout, and their error forms', async function () {
    const created = await expectValid(ORDER_PATH, addItems([{ catentryId: '20311', quantity: 2, shipMode: 'Standard', address: JANE }, { catentryId: '20312', quantity: 1, pickupStore: '7101' }]), 'respond create', 'RespondOrder');
    const id = orderOf((await post(w.app.url, ORDER_PATH, soap11(getOrder(/<_wcf:UniqueID>(\d+)<\/_wcf:UniqueID>/.exec(bodOf(created).split('<_ord:Order>')[1]!)![1]!)))).body)!.orderId;
    await expectValid(ORDER_PATH, setPayment(id, '4111111111111111'), 'respond payment', 'RespondOrder');
    await expectValid(ORDER_PATH, processOrder('Prepare', id), 'acknowledge prepare', 'AcknowledgeOrder');
    await expectValid(ORDER_PATH, processOrder('Submit', id), 'acknowledge submit', 'AcknowledgeOrder');
    await expectValid(ORDER_PATH, getOrder(id), 'show order', 'ShowOrder');
    await expectValid(ORDER_PATH, getOrder('424242'), 'show order error', 'ShowOrder');
    await expectValid(ORDER_PATH, processOrder('Submit', id), 'acknowledge error', 'AcknowledgeOrder');
    await expectValid(ORDER_PATH, sample('SyncOrder-Change-Shipped-FromDOM.xml'), 'confirm sync order', 'ConfirmBOD');
  });
});
