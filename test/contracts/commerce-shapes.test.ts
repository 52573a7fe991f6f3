import { expect } from 'chai';
import { SoapDomInventoryClient } from '../../src/dom/dom-inventory.client.js';
import { SoapDomOrderClient } from '../../src/dom/dom-order.client.js';
import type { DomTransport } from '../../src/dom/dom-transport.js';
import { cancelReservationBod, reserveInventoryBod, transferOrderBod } from '../../src/order/dom-order-bods.js';
import type { OrderWriteOptions } from '../../src/order/order-noun.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, type XmlElement } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { loadBodValidator, type BodValidator } from '../support/xsd-validator.js';
import { changeStatus, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, sample, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { addItems, eventually, getOrder, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';

/** The BOD inside a SOAP answer (our writer declares every namespace on the BOD root, so it stands alone). */
function bodOf(envelope: string): string {
  const start = envelope.indexOf('<soapenv:Body>') + '<soapenv:Body>'.length;
  return envelope.slice(start, envelope.lastIndexOf('</soapenv:Body>'));
}

/** Commerce's OrderItemChargesType sequence (docs/contract/commerce-reconciliation.md). */
const ITEM_CHARGES_ORDER = ['UnitPrice', 'OrderItemPrice', 'TotalAdjustment', 'Adjustment', 'GenericTotal', 'ShippingCharge', 'SalesTax', 'ShippingTax', 'TaxByTaxCategory', 'UserData'];

/** Writes the request XML a JAXB client makes of a Commerce ChangeOrder that refers to an order that does not exist. */
function changeUnknownOrder(orderId: string): string {
  return `<ns2:ChangeOrder xmlns:ns2="${NS.ord}" xmlns:ns3="${NS.oa}" xmlns:ns4="${NS.wcf}" xmlns:xsi="${NS.xsi}" releaseID="9.0" versionID="7.0.0.6">` +
    `<ns3:ApplicationArea xsi:type="ns4:ApplicationAreaType"><ns3:CreationDateTime>2024-05-06T10:15:30Z</ns3:CreationDateTime><ns3:BODID>jaxb-unknown-${orderId}</ns3:BODID>` +
    `<ns4:BusinessContext><ns4:ContextData name="storeId">10201</ns4:ContextData></ns4:BusinessContext></ns3:ApplicationArea>` +
    `<ns2:DataArea><ns3:Change><ns3:ActionCriteria><ns3:ActionExpression actionCode="Update" expressionLanguage="_wcf:XPath">/Order/OrderItem</ns3:ActionExpression></ns3:ActionCriteria></ns3:Change>` +
    `<ns2:Order><ns2:OrderIdentifier><ns4:UniqueID>${orderId}</ns4:UniqueID></ns2:OrderIdentifier><ns2:OrderItem><ns2:OrderItemIdentifier><ns4:UniqueID>1</ns4:UniqueID></ns2:OrderItemIdentifier>` +
    `<ns2:Quantity uom="C62">2</ns2:Quantity></ns2:OrderItem></ns2:Order></ns2:DataArea></ns2:ChangeOrder>`;
}

/**
 * Every answer kind and every BOD sent to DOM, in the shapes Commerce v9's schemas define: each validates against
 * schemas/ (which state Commerce's facts), and the facts the first reading got wrong are checked one by one.
 */
describe("answers and outbound BODs in Commerce's shapes", function () {
  this.timeout(30_000);
  let w: TestWorld;
  let validator: BodValidator;

  before(async function () {
    validator = await loadBodValidator();
    w = await startWorld({}, undefined, { fulfillment: { confirmAfterMs: 50, releaseAfterMs: 100, shipAfterMs: 200 } } as never);
  });
  after(async function () {
    await w.close();
    validator.dispose();
  });

  const expectValid = (bod: string, label: string): void => {
    expect(validator.validate(bod), `${label}\n${bod.slice(0, 3000)}`).to.deep.equal([]);
  };

  async function answer(path: string, bod: string, label: string, rootName: string): Promise<{ xml: string; el: XmlElement }> {
    const r = await post(w.app.url, path, soap11(bod));
    expect(r.body.name, `${label}: ${r.text.slice(0, 300)}`).to.equal(rootName);
    const xml = bodOf(r.text);
    expectValid(xml, label);
    return { xml, el: r.body };
  }

  const verbOf = (bod: XmlElement): XmlElement => child(bod, bod.ns, 'DataArea')!.children[0]!;

  it('oa:Show leaves recordSetCount/recordSetTotal out when there is nothing, and counts from 1 otherwise', async function () {
    const found = await answer(INVENTORY_PATH, getAvailabilityBod(itemAtOnline('20311', '10201')), 'show one', 'ShowInventoryAvailability');
    expect(verbOf(found.el).attrs).to.include({ recordSetCount: '1', recordSetTotal: '1', recordSetStartNumber: '0' });
    const none = await answer(INVENTORY_PATH, getAvailabilityBod(itemAtOnline('99999', '10201')), 'show error', 'ShowInventoryAvailability');
    expect(changeStatus(none.el)).to.not.equal(undefined);
    expect(verbOf(none.el).attrs).to.not.have.any.keys('recordSetCount', 'recordSetTotal');
    expect(verbOf(none.el).attrs['recordSetStartNumber']).to.equal('0');
    const noOrder = await answer(ORDER_PATH, getOrder('424242'), 'show order error', 'ShowOrder');
    expect(verbOf(noOrder.el).attrs).to.not.have.any.keys('recordSetCount', 'recordSetTotal');
  });

  it('a RespondOrder error still holds the Order, named as the request named it', async function () {
    const r = await answer(ORDER_PATH, changeUnknownOrder('77777777'), 'respond error', 'RespondOrder');
    expect(changeStatus(r.el)?.code).to.equal('ERROR');
    const orders = childrenNamed(child(r.el, NS.ord, 'DataArea'), NS.ord, 'Order');
    expect(orders).to.have.length(1);
    expect(orderOf(r.el)!.orderId).to.equal('77777777');
  });

  it('a RespondInventoryAvailability error holds the nouns it is about', async function () {
    const change = sample('SyncInventoryAvailability.xml').replace(/SyncInventoryAvailability/g, 'ChangeInventoryAvailability').replace(/oa:Sync>/g, 'oa:Change>')
      .replace(/<oa:BODID>[^<]*<\/oa:BODID>/, '<oa:BODID>change-unknown-1</oa:BODID>').replace('<_wcf:UniqueID>20311</_wcf:UniqueID>', '<_wcf:UniqueID>99999</_wcf:UniqueID>');
    const r = await answer(INVENTORY_PATH, change, 'respond inventory error', 'RespondInventoryAvailability');
    expect(changeStatus(r.el)?.code).to.equal('ERROR');
    expect(r.xml).to.match(/<_inv:InventoryAvailability><_inv:InventoryAvailabilityIdentifier[ >][\s\S]*<_wcf:UniqueID>99999</);
  });

  it('ConfirmBOD speaks plain OAGIS (Commerce\'s ConfirmBOD schema imports no _wcf type)', async function () {
    const r = await answer(INVENTORY_PATH, sample('SyncInventoryAvailability.xml').replace(/<oa:BODID>[^<]*<\/oa:BODID>/, '<oa:BODID>confirm-plain-1</oa:BODID>'), 'confirm', 'ConfirmBOD');
    expect(r.xml).to.not.match(/xsi:type=|<_wcf:/);
  });

  it('a checkout: every answer valid, OrderItemAmount in Commerce order, Prepare/Lock/Submit/Cancel and the error form, a shipped ShowOrder without _ord:Shipment', async function () {
    const created = await answer(ORDER_PATH, addItems([{ catentryId: '20311', quantity: 2, shipMode: 'Standard', address: JANE }, { catentryId: '20312', quantity: 1, pickupStore: '7101' }]), 'respond create', 'RespondOrder');
    const id = orderOf(created.el)!.orderId;
    await answer(ORDER_PATH, setPayment(id, '4111111111111111'), 'respond payment', 'RespondOrder');
    const prepared = await answer(ORDER_PATH, processOrder('Prepare', id), 'acknowledge prepare', 'AcknowledgeOrder');
    const amounts = childrenNamed(child(child(prepared.el, NS.ord, 'DataArea'), NS.ord, 'Order'), NS.ord, 'OrderItem').map((i) => child(i, NS.ord, 'OrderItemAmount')!);
    expect(amounts).to.have.length(2);
    for (const a of amounts) {
      const names = a.children.map((c) => c.name);
      expect(names).to.include('TotalAdjustment');
      expect(names, 'children in OrderItemChargesType order').to.deep.equal(ITEM_CHARGES_ORDER.filter((n) => names.includes(n)));
      expect(names.indexOf('TotalAdjustment')).to.equal(names.indexOf('OrderItemPrice') + 1);
    }
    await answer(ORDER_PATH, processOrder('Lock', id), 'acknowledge lock', 'AcknowledgeOrder');
    await answer(ORDER_PATH, processOrder('Unlock', id), 'acknowledge unlock', 'AcknowledgeOrder');
    await answer(ORDER_PATH, processOrder('Submit', id), 'acknowledge submit', 'AcknowledgeOrder');
    const again = await answer(ORDER_PATH, processOrder('Submit', id), 'acknowledge error', 'AcknowledgeOrder');
    expect(changeStatus(again.el)?.code).to.equal('ERROR');

    const shipped = await eventually(async () => {
      const r = await answer(ORDER_PATH, getOrder(id), 'show shipped order', 'ShowOrder');
      expect(orderOf(r.el)!.status).to.equal('S');
      return r;
    });
    expect(shipped.xml).to.not.contain('Shipment>');
    const item = childrenNamed(child(child(shipped.el, NS.ord, 'DataArea'), NS.ord, 'Order'), NS.ord, 'OrderItem')[0]!;
    const fields = new Map(childrenNamed(child(child(item, NS.ord, 'OrderItemFulfillmentInfo'), NS.wcf, 'UserData'), NS.wcf, 'UserDataField').map((f) => [f.attrs['name'], f.text]));
    expect(fields.get('carrier')).to.equal('UPS');
    // DOM's shipment map carries no tracking number: the field is left out rather than written empty.
    expect(fields.has('trackingNumber')).to.equal(false);
    expect(fields.get('shipmentId')).to.be.a('string').and.not.equal('');
    expect(fields.get('shippedQuantity')).to.equal('2.0');
    expect(Number.isNaN(Date.parse(fields.get('shipDate') ?? ''))).to.equal(false);

    // Cancel, on a cart of its own.
    const cart = orderOf((await answer(ORDER_PATH, addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]), 'respond create 2', 'RespondOrder')).el)!.orderId;
    await answer(ORDER_PATH, processOrder('Cancel', cart), 'acknowledge cancel', 'AcknowledgeOrder');
  });

  describe('BODs sent to DOM', function () {
    /** A transport that keeps what it is asked to send and answers "refused", so no DOM is needed. */
    function capturing(): { transport: DomTransport; sent: string[] } {
      const sent: string[] = [];
      const transport = { call: async (_path: string, _op: string, bod: string) => { sent.push(bod); return { ok: false as const, failure: { kind: 'refused' as const, detail: 'test' } }; } };
      return { transport: transport as unknown as DomTransport, sent };
    }

    const opts: OrderWriteOptions = {
      physicalStoreExternalIds: new Map([['7101', 'STORE-7101']]),
      fulfillmentCenterNames: new Map([['10101', 'DC-EAST']]),
      shipModeIds: new Map([['Standard', '10551']]),
    };

    async function preparedOrder() {
      const created = orderOf((await post(w.app.url, ORDER_PATH, soap11(addItems([{ catentryId: '20311', quantity: 2, shipMode: 'Standard', address: JANE }, { catentryId: '20312', quantity: 1, pickupStore: '7101' }])))).body)!;
      await post(w.app.url, ORDER_PATH, soap11(setPayment(created.orderId, '4111111111111111')));
      await post(w.app.url, ORDER_PATH, soap11(processOrder('Prepare', created.orderId)));
      return (await w.store.orders.get(created.orderId))!;
    }

    it('GetInventoryAvailability and GetOrder', async function () {
      const inv = capturing();
      await new SoapDomInventoryClient(inv.transport).getInventoryAvailability([{ partNumber: 'TEST-SKU-0001', location: { kind: 'online', nameIdentifier: 'Demo Store' } }, { partNumber: 'TEST-SKU-0002', location: { kind: 'online', nameIdentifier: 'Demo Store' } }], '10201');
      await new SoapDomInventoryClient(inv.transport).getInventoryAvailability([{ partNumber: 'TEST-SKU-0001', location: { kind: 'physical', externalId: 'STORE-7101' } }], '10201');
      const ord = capturing();
      await new SoapDomOrderClient(ord.transport).hasOrder('90000101', '10201');
      expect(inv.sent).to.have.length(2);
      expect(ord.sent).to.have.length(1);
      for (const bod of inv.sent) expectValid(bod, 'GetInventoryAvailability');
      expectValid(ord.sent[0]!, 'GetOrder');
    });

    it('ProcessInventoryRequirement ReserveInventory and CancelInventoryReservation', async function () {
      const o = await preparedOrder();
      expectValid(reserveInventoryBod(o, opts), 'ReserveInventory');
      expectValid(cancelReservationBod(o, 'cancel-1'), 'CancelInventoryReservation');
    });

    it('ProcessOrder TransferOrder, its OrderItemAmount in Commerce order', async function () {
      const o = await preparedOrder();
      const bod = transferOrderBod(o, opts, 'transfer-1');
      expectValid(bod, 'TransferOrder');
      for (const a of readXml(bod).children[1]!.children[1]!.children.filter((c) => c.name === 'OrderItem').map((i) => child(i, NS.ord, 'OrderItemAmount')!)) {
        const names = a.children.map((c) => c.name);
        expect(names).to.deep.equal(ITEM_CHARGES_ORDER.filter((n) => names.includes(n)));
      }
    });
  });
});
