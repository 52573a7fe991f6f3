import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoapDomInventoryClient, type DomAvailabilityPair } from '../../src/dom/dom-inventory.client.js';
import { SoapDomReservationClient } from '../../src/dom/dom-reservation.client.js';
import type { DomResult, DomTransport } from '../../src/dom/dom-transport.js';
import { cancelReservationBod, reserveInventoryBod } from '../../src/order/dom-order-bods.js';
import type { Order, OrderItem } from '../../src/order/order-model.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, childText, path, type XmlElement } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';

/*
 * Each inventory BOD dombridge sends DOM, checked against what IBM's mediation map reads from it, and each answer
 * DOM sends back, replayed in the shape its map writes (fixtures/dom/_mediation). The facts are listed in
 * docs/contract/dom-mediation-inventory.md. Nothing here uses the simulator: the maps' facts are written out in
 * the assertions.
 */

const FIXTURES = join(process.cwd(), 'fixtures', 'dom', '_mediation');
const fixture = (name: string, vars: Record<string, string> = {}): string =>
  readFileSync(join(FIXTURES, name), 'utf8').replace(/\$\{(\w+)\}/g, (_m, k: string) => vars[k] ?? '');

/** A DOM stand-in at the transport: records each BOD sent and answers with the next fixture text. */
function fakeTransport(answers: string[]): { transport: DomTransport; sent: XmlElement[] } {
  const sent: XmlElement[] = [];
  const transport = {
    async call(_path: string, _operation: string, bod: string): Promise<DomResult<XmlElement>> {
      sent.push(readXml(bod));
      const next = answers.shift();
      if (next === undefined) throw new Error('no answer left');
      return { ok: true, value: readXml(next) };
    },
  } as unknown as DomTransport;
  return { transport, sent };
}

/** The mediation's reading of an expression: the values of `Name='value'` comparisons, in order (written here, not imported). */
function parameter(expression: string, name: string): string[] {
  return [...expression.matchAll(new RegExp(`(?<![\\w.])${name}\\s*=\\s*'([^']*)'`, 'g'))].map((m) => m[1]!);
}

const contextStoreId = (bod: XmlElement): string | undefined =>
  childrenNamed(child(child(bod, NS.oa, 'ApplicationArea'), NS.wcf, 'BusinessContext'), NS.wcf, 'ContextData').find((c) => c.attrs['name'] === 'storeId')?.text;
const requirement = (bod: XmlElement) => path(bod, [NS.inv, 'DataArea'], [NS.inv, 'InventoryRequirement']);
const actionCode = (bod: XmlElement) => path(bod, [NS.inv, 'DataArea'], [NS.oa, 'Process'], [NS.oa, 'ActionCriteria'], [NS.oa, 'ActionExpression'])?.attrs['actionCode'];

const ADDRESS = { firstName: 'Jane', lastName: 'Doe', lines: ['1 Example Street', 'Apt 2'], city: 'Springfield', state: 'IL', country: 'US', postalCode: '62701' };
function item(orderItemId: string, catentryId: string, partNumber: string, quantity: number, pickupStore?: string): OrderItem {
  return {
    orderItemId, lineNo: 1, catentryId, partNumber, quantity: String(quantity), uom: 'C62', unitPrice: '10.00', shipModeCode: pickupStore ? 'PickupInStore' : 'Standard',
    carrier: pickupStore ? null : 'UPS', physicalStoreId: pickupStore ?? null, shippingAddress: pickupStore ? null : ADDRESS, shippingInstruction: null,
    requestedShipDate: '2024-05-08T00:00:00.000Z', status: 'P', inventoryStatus: null, fulfillmentCenter: null, availableDate: null, expectedShipDate: null,
    timeReleased: null, timeShipped: null, correlationGroup: null, itemPrice: null, adjustment: null, shippingCharge: null, salesTax: null, shippingTax: null,
  };
}
const ORDER: Order = {
  orderId: '8001', storeId: '10201', currency: 'USD', buyerId: null, buyerEmail: null, status: 'P', prepared: false, locked: false, shipAsComplete: false,
  promotionCodes: [], appliedPromotions: [], totals: null, reserved: false, placedAt: null, externalOrderId: null, transferAttempts: 0, lastTransferAt: null,
  items: [item('80011', '20311', 'TEST-SKU-0001', 2), item('80012', '20312', 'TEST-SKU-0002', 1, '7101')], payments: [], shipments: [], version: 1,
};

describe('inventory BODs to DOM, as the mediation maps read them', () => {
  describe('GetInventoryAvailability (GetInventoryAvailabilityToMultiApiHTTPInput)', () => {
    const pairs: DomAvailabilityPair[] = [
      { partNumber: 'TEST-SKU-0001', location: { kind: 'online', nameIdentifier: 'DemoDOMStore' } },
      { partNumber: 'TEST-SKU-0002', location: { kind: 'online', nameIdentifier: 'DemoDOMStore' } },
      { partNumber: 'TEST-SKU-0001', location: { kind: 'physical', externalId: 'STORE-7101' } },
      { partNumber: 'TEST-SKU-0001', location: { kind: 'physical', externalId: 'STORE-7102' } },
      { partNumber: 'TEST-SKU-0001', location: { kind: 'online', nameIdentifier: 'DemoDOMStore' } },
    ];

    it('the map reads PartNumber, NameIdentifier, ExternalIdentifier by position: one request per store kind, every position paired, no unique id', async () => {
      const { transport, sent } = fakeTransport([fixture('show-inventory-availability.xml'), fixture('show-inventory-availability.xml')]);
      await new SoapDomInventoryClient(transport).getInventoryAvailability(pairs, '10201');
      expect(sent).to.have.length(2);
      const [online, physical] = sent.map((b) => childText(path(b, [NS.inv, 'DataArea'], [NS.oa, 'Get']), NS.oa, 'Expression')!);
      // The map reads the organization from the business context storeId.
      for (const b of sent) expect(contextStoreId(b)).to.equal('10201');
      // Online request: PartNumber[i] pairs with NameIdentifier[i]; the repeated pair is asked once.
      expect(parameter(online!, 'PartNumber')).to.deep.equal(['TEST-SKU-0001', 'TEST-SKU-0002']);
      expect(parameter(online!, 'NameIdentifier')).to.deep.equal(['DemoDOMStore', 'DemoDOMStore']);
      expect(parameter(online!, 'ExternalIdentifier')).to.deep.equal([]);
      // Physical request: PartNumber[i] pairs with ExternalIdentifier[i]; no store name that would shift the online index.
      expect(parameter(physical!, 'PartNumber')).to.deep.equal(['TEST-SKU-0001', 'TEST-SKU-0001']);
      expect(parameter(physical!, 'ExternalIdentifier')).to.deep.equal(['STORE-7101', 'STORE-7102']);
      expect(parameter(physical!, 'NameIdentifier')).to.deep.equal([]);
      for (const e of [online!, physical!]) expect(parameter(e, 'UniqueID')).to.deep.equal([]);
      expect(online).to.contain('CatalogEntryIdentifier/ExternalIdentifier[(').and.to.contain('OnlineStoreIdentifier/ExternalIdentifier[(');
      expect(physical).to.contain('PhysicalStoreIdentifier[(ExternalIdentifier=');
    });

    it('reads the answer as the map writes it (no oa:Show, part numbers and store names, quantity text with whitespace)', async () => {
      const { transport } = fakeTransport([fixture('show-inventory-availability.xml')]);
      const r = await new SoapDomInventoryClient(transport).getInventoryAvailability(pairs.slice(0, 1), '10201');
      if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.detail}`);
      expect(r.value.map((n) => [n.item, n.location, n.status, n.quantity, n.lastUpdate])).to.deep.equal([
        [{ by: 'partNumber', value: 'TEST-SKU-0001' }, { kind: 'online', by: 'nameIdentifier', value: 'DemoDOMStore' }, 'Available', 17, null],
        [{ by: 'partNumber', value: 'TEST-SKU-0002' }, { kind: 'online', by: 'nameIdentifier', value: 'DemoDOMStore' }, 'Unavailable', 0, null],
        [{ by: 'partNumber', value: 'TEST-SKU-0001' }, { kind: 'physical', by: 'externalId', value: 'STORE-7101' }, 'Available', 3, null],
        [{ by: 'partNumber', value: 'TEST-SKU-0002' }, { kind: 'physical', by: 'externalId', value: 'STORE-7101' }, 'Unavailable', null, null],
      ]);
    });
  });

  describe('ReserveInventory (ProcessInventoryRequirementToReserveAvailableInventoryHTTPInput)', () => {
    const bod = readXml(reserveInventoryBod(ORDER, { physicalStoreExternalIds: new Map([['7101', 'STORE-7101']]) }));
    const items = childrenNamed(requirement(bod), NS.ord, 'OrderItem');

    it('the map reads storeId (organization) and OrderIdentifier/UniqueID (ReservationID WC_<id>)', () => {
      expect(actionCode(bod)).to.equal('ReserveInventory');
      expect(contextStoreId(bod)).to.equal('10201');
      expect(childText(child(requirement(bod), NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')).to.equal('8001');
    });

    it('per OrderItem the map reads LineId, ItemID, RequiredQty, uom, ReqStartDate, CarrierServiceCode and the ship-to address', () => {
      expect(items).to.have.length(2);
      const it0 = items[0]!;
      expect(childText(child(it0, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID')).to.equal('80011');
      expect(childText(path(it0, [NS.ord, 'CatalogEntryIdentifier'], [NS.wcf, 'ExternalIdentifier']), NS.wcf, 'PartNumber')).to.equal('TEST-SKU-0001');
      expect(child(it0, NS.ord, 'Quantity')!.text).to.equal('2.0');
      expect(child(it0, NS.ord, 'Quantity')!.attrs['uom']).to.equal('C62');
      const ship = child(it0, NS.ord, 'OrderItemShippingInfo');
      expect(childText(ship, NS.ord, 'RequestedShipDate')).to.equal('2024-05-08T00:00:00.000Z');
      expect(childText(path(ship, [NS.ord, 'ShippingMode'], [NS.ord, 'ShippingModeIdentifier'], [NS.ord, 'ExternalIdentifier']), NS.ord, 'ShipModeCode')).to.equal('Standard');
      const address = path(ship, [NS.ord, 'ShippingAddress'], [NS.wcf, 'Address']);
      expect(childrenNamed(address, NS.wcf, 'AddressLine').map((l) => l.text)).to.deep.equal(['1 Example Street', 'Apt 2']);
      expect([childText(address, NS.wcf, 'City'), childText(address, NS.wcf, 'StateOrProvinceName'), childText(address, NS.wcf, 'Country'), childText(address, NS.wcf, 'PostalCode')]).to.deep.equal(['Springfield', 'IL', 'US', '62701']);
    });

    it('the map sets ShipNode only for ShipModeCode PickupInStore with PhysicalStoreIdentifier/ExternalIdentifier', () => {
      const ship = child(items[1], NS.ord, 'OrderItemShippingInfo');
      expect(childText(path(ship, [NS.ord, 'ShippingMode'], [NS.ord, 'ShippingModeIdentifier'], [NS.ord, 'ExternalIdentifier']), NS.ord, 'ShipModeCode')).to.equal('PickupInStore');
      expect(childText(child(ship, NS.ord, 'PhysicalStoreIdentifier'), NS.wcf, 'ExternalIdentifier')).to.equal('STORE-7101');
      const shipped = child(items[0], NS.ord, 'OrderItemShippingInfo');
      expect(child(shipped, NS.ord, 'PhysicalStoreIdentifier')).to.equal(undefined);
    });

    it('reads the acknowledgement as the map writes it: no verb, a line without Quantity is Unallocated', async () => {
      const { transport } = fakeTransport([fixture('reserve-acknowledgement.xml', { orderId: '8001', item1: '80011', item2: '80012' })]);
      const r = await new SoapDomReservationClient(transport).reserve(reserveInventoryBod(ORDER, {}));
      if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.detail}`);
      expect(r.value).to.deep.equal([
        { orderItemId: '80011', correlationGroup: undefined, quantity: 2, uom: 'C62', inventoryStatus: 'Allocated', availableDate: '2024-05-06T00:00:00.000Z', expectedShipDate: '2024-05-07T00:00:00', fulfillmentCenterName: 'DC-EAST' },
        { orderItemId: '80012', correlationGroup: undefined, quantity: undefined, uom: undefined, inventoryStatus: 'Unallocated', availableDate: undefined, expectedShipDate: undefined, fulfillmentCenterName: undefined },
      ]);
      const none = fakeTransport([fixture('reserve-nothing.xml', { item1: '80011' })]);
      const r2 = await new SoapDomReservationClient(none.transport).reserve(reserveInventoryBod(ORDER, {}));
      expect(r2.ok && r2.value.map((l) => [l.orderItemId, l.quantity, l.inventoryStatus])).to.deep.equal([['80011', undefined, 'Unallocated']]);
    });

    it('refuses an allocated line without Quantity (only Unallocated may lack one)', async () => {
      const text = fixture('reserve-acknowledgement.xml', { orderId: '8001', item1: '80011', item2: '80012' }).replace('<_ord:Quantity uom="C62">2.00</_ord:Quantity>', '');
      const { transport } = fakeTransport([text]);
      const r = await new SoapDomReservationClient(transport).reserve(reserveInventoryBod(ORDER, {}));
      expect(!r.ok && r.failure.kind).to.equal('unparseable');
    });
  });

  describe('CancelInventoryReservation (ProcessInventoryRequirementToMultiApiHTTPInput)', () => {
    const held: Order = {
      ...ORDER, reserved: true,
      domReservation: [
        { orderItemId: '80011', partNumber: 'TEST-SKU-0001', quantity: '2', uom: 'C62', inventoryStatus: 'Allocated', fulfillmentCenterName: 'DC-EAST', expectedShipDate: '2024-05-07T00:00:00' },
        { orderItemId: '80012', partNumber: 'TEST-SKU-0002', quantity: '1', uom: 'C62', inventoryStatus: 'Allocated', fulfillmentCenterName: 'STORE-7101', expectedShipDate: '2024-05-06T00:00:00' },
      ],
    };
    const bod = readXml(cancelReservationBod(held, 'bod-1'));

    it('the map builds one cancelReservation per OrderItem from ReservationID, ItemID, QtyToBeCancelled, uom, ShipNode, ShipDate', () => {
      expect(actionCode(bod)).to.equal('CancelInventoryReservation');
      expect(contextStoreId(bod)).to.equal('10201');
      expect(childText(child(requirement(bod), NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')).to.equal('8001');
      const lines = childrenNamed(requirement(bod), NS.ord, 'OrderItem').map((it) => ({
        partNumber: childText(path(it, [NS.ord, 'CatalogEntryIdentifier'], [NS.wcf, 'ExternalIdentifier']), NS.wcf, 'PartNumber'),
        quantity: child(it, NS.ord, 'Quantity')?.text,
        uom: child(it, NS.ord, 'Quantity')?.attrs['uom'],
        shipNode: childText(path(it, [NS.ord, 'FulfillmentCenter'], [NS.ord, 'FulfillmentCenterIdentifier']), NS.wcf, 'Name'),
        shipDate: childText(child(it, NS.ord, 'OrderItemFulfillmentInfo'), NS.ord, 'ExpectedShipDate'),
        // The map skips a line whose InventoryStatus is Unallocated.
        status: childText(child(it, NS.ord, 'OrderItemStatus'), NS.ord, 'InventoryStatus'),
      }));
      expect(lines).to.deep.equal([
        { partNumber: 'TEST-SKU-0001', quantity: '2.0', uom: 'C62', shipNode: 'DC-EAST', shipDate: '2024-05-07T00:00:00', status: 'Allocated' },
        { partNumber: 'TEST-SKU-0002', quantity: '1.0', uom: 'C62', shipNode: 'STORE-7101', shipDate: '2024-05-06T00:00:00', status: 'Allocated' },
      ]);
    });

    it('the acknowledgement counts only when it names the order; an empty one (nothing cancelled) is not a release', async () => {
      const ok = fakeTransport([fixture('cancel-acknowledgement.xml', { orderId: '8001' })]);
      expect((await new SoapDomReservationClient(ok.transport).cancelReservation(cancelReservationBod(held, 'b'), '8001')).ok).to.equal(true);
      const nothing = fakeTransport([fixture('cancel-nothing.xml')]);
      const r = await new SoapDomReservationClient(nothing.transport).cancelReservation(cancelReservationBod(held, 'b'), '8001');
      expect(!r.ok && r.failure.detail).to.contain('no order');
      const other = fakeTransport([fixture('cancel-acknowledgement.xml', { orderId: '9999' })]);
      expect((await new SoapDomReservationClient(other.transport).cancelReservation(cancelReservationBod(held, 'b'), '8001')).ok).to.equal(false);
    });
  });
});
