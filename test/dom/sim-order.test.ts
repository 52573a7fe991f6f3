import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEMO_CATALOG } from '../../src/demo/demo-data.js';
import { SoapDomOrderClient } from '../../src/dom/dom-order.client.js';
import { SoapDomReservationClient } from '../../src/dom/dom-reservation.client.js';
import { DomTransport, type DomResult } from '../../src/dom/dom-transport.js';
import { startDomSimulator, type DomSimulator, type FulfillmentOptions } from '../../src/dom/simulator/dom-simulator.js';
import { trackingNumber, type SyncOrderForm } from '../../src/dom/simulator/sim-fulfillment.js';
import { reserveInventoryBod, transferOrderBod } from '../../src/order/dom-order-bods.js';
import type { Order, OrderItem } from '../../src/order/order-model.js';
import { WSDL_DIR } from '../../src/paths.js';
import { readEnvelope } from '../../src/soap/soap-envelope.js';
import { NS } from '../../src/xml/namespaces.js';
import { child, childText, childrenNamed, path, qualifiedAttr, type XmlElement } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';

const ADDRESS = { firstName: 'Jane', lastName: 'Doe', lines: ['1 Example Street'], city: 'Springfield', state: 'IL', country: 'US', postalCode: '62701', email: 'jane@example.com' };

function item(orderItemId: string, catentryId: string, quantity: number, pickupStore?: string): OrderItem {
  return {
    orderItemId, lineNo: 1, catentryId, partNumber: DEMO_CATALOG.find((c) => c.catentryId === catentryId)?.partNumber ?? '', quantity: String(quantity), uom: 'C62',
    unitPrice: '10.00', shipModeCode: pickupStore ? 'PickupInStore' : 'Standard', carrier: pickupStore ? null : 'UPS', physicalStoreId: pickupStore ?? null,
    shippingAddress: pickupStore ? null : ADDRESS, shippingInstruction: null, requestedShipDate: null, status: 'M', inventoryStatus: null, fulfillmentCenter: null,
    availableDate: null, expectedShipDate: null, timeReleased: null, timeShipped: null, correlationGroup: null,
    itemPrice: null, adjustment: null, shippingCharge: null, salesTax: null, shippingTax: null,
  };
}

function order(orderId: string, items: OrderItem[], reserved = true): Order {
  return {
    orderId, storeId: '10201', currency: 'USD', buyerId: '1100000501', buyerEmail: 'jane@example.com', status: 'M', prepared: true, locked: false, shipAsComplete: false,
    promotionCodes: [], appliedPromotions: [], totals: null, reserved, placedAt: '2024-05-06T15:02:10.000Z', externalOrderId: null, transferAttempts: 0, lastTransferAt: null,
    items: items.map((i, n) => ({ ...i, lineNo: n + 1 })), payments: [], shipments: [], version: 1,
  };
}

function value<T>(r: DomResult<T>): T {
  if (!r.ok) throw new Error(`${r.failure.kind}: ${r.failure.detail}`);
  return r.value;
}

async function until(cond: () => boolean, timeoutMs = 4000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function postSoap(url: string, bod: string): Promise<XmlElement> {
  const env = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>${bod}</soapenv:Body></soapenv:Envelope>`;
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: env });
  return readEnvelope(readXml(await res.text())).bod;
}

async function simState(sim: DomSimulator): Promise<Record<string, any>> {
  return (await (await fetch(sim.url + '/sim/state')).json()) as Record<string, any>;
}

/** A Commerce stand-in: records each callback and answers a RespondOrder (to ChangeOrder) or a ConfirmBOD. */
async function commerceStub(): Promise<{ url: string; received: { path: string; soapAction: string; bod: XmlElement }[]; failNext: { n: number }; close(): Promise<void> }> {
  const received: { path: string; soapAction: string; bod: XmlElement }[] = [];
  const failNext = { n: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext.n > 0) {
        failNext.n--;
        res.writeHead(503, { 'Content-Type': 'text/html' });
        return void res.end('<html>busy</html>');
      }
      const bod = readEnvelope(readXml(Buffer.concat(chunks).toString('utf8'))).bod;
      received.push({ path: req.url ?? '', soapAction: String(req.headers['soapaction']), bod });
      const answer = bod.name === 'ProcessOrder'
        ? `<_ord:AcknowledgeOrder xmlns:_ord="${NS.ord}" xmlns:oa="${NS.oa}" releaseID="9.0"><oa:ApplicationArea><oa:CreationDateTime>2024-01-01T00:00:00Z</oa:CreationDateTime></oa:ApplicationArea><_ord:DataArea><oa:Acknowledge><oa:OriginalApplicationArea/></oa:Acknowledge></_ord:DataArea></_ord:AcknowledgeOrder>`
        : bod.name === 'ChangeOrder'
        ? `<_ord:RespondOrder xmlns:_ord="${NS.ord}" xmlns:oa="${NS.oa}" releaseID="9.0"><oa:ApplicationArea><oa:CreationDateTime>2024-01-01T00:00:00Z</oa:CreationDateTime></oa:ApplicationArea><_ord:DataArea><oa:Respond><oa:OriginalApplicationArea/></oa:Respond></_ord:DataArea></_ord:RespondOrder>`
        : `<oa:ConfirmBOD xmlns:oa="${NS.oa}" releaseID="9.0"><oa:ApplicationArea><oa:CreationDateTime>2024-01-01T00:00:00Z</oa:CreationDateTime></oa:ApplicationArea><oa:DataArea><oa:Confirm/><oa:BOD><oa:OriginalApplicationArea/><oa:BODSuccessMessage/></oa:BOD></oa:DataArea></oa:ConfirmBOD>`;
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
      res.end(`<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>${answer}</soapenv:Body></soapenv:Envelope>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, failNext,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('DOM simulator: reservations and orders, called by the real order client', function () {
  let sim: DomSimulator;
  let client: SoapDomOrderClient;
  let reservations: SoapDomReservationClient;

  async function start(fulfillment: FulfillmentOptions | false = false, callbackUrl?: string, synchronousAcknowledge = false, syncOrderForm?: SyncOrderForm): Promise<void> {
    sim = await startDomSimulator({ port: 0, fulfillment, ...(callbackUrl ? { callbackUrl } : {}), ...(synchronousAcknowledge ? { synchronousAcknowledge } : {}), ...(syncOrderForm ? { syncOrderForm } : {}) });
    const transport = new DomTransport({ baseUrl: sim.url, connectTimeoutMs: 500, timeoutMs: 1000 }, join(WSDL_DIR, 'DOMServices.wsdl'));
    client = new SoapDomOrderClient(transport);
    reservations = new SoapDomReservationClient(transport);
  }
  afterEach(async () => {
    await sim?.close();
  });

  describe('order port', () => {
    beforeEach(() => start());

    it('creates an order once however often it is transferred, consuming its reservation once', async () => {
      const o = order('9101', [item('91011', '20311', 2), item('91012', '20312', 1, '7101')]);
      // The mediation names a pick-up line's ship node only by the store's external identifier.
      value(await reservations.reserve(reserveInventoryBod(o, { physicalStoreExternalIds: new Map([['7101', 'STORE-7101']]) })));
      // Behind the mediation the answer only says "accepted": no ExternalOrderID, so nothing is confirmed yet.
      for (let i = 0; i < 2; i++) expect(value(await client.transferOrder(transferOrderBod(o, {}, `bod-${i}`)))).to.deep.equal({ externalOrderId: undefined, confirmed: false });
      const state = await simState(sim);
      expect(state['orders']['WC_9101']).to.deep.include({ transfers: 2, created: 1, status: 'G', orderId: '9101', storeId: '10201', buyerEmail: 'jane@example.com' });
      expect(state['orders']['WC_9101']['lines'].map((l: { lineNo: number; orderItemId: string }) => [l.lineNo, l.orderItemId])).to.deep.equal([[1, '91011'], [2, '91012']]);
      expect(state['stock']['DC-EAST']['TEST-SKU-0001']).to.deep.equal({ onHand: 40, reserved: 0, available: 40 });
      expect(state['stock']['STORE-7101']['TEST-SKU-0002']).to.deep.equal({ onHand: 39, reserved: 0, available: 39 });
    });

    it('takes stock at transfer when there was no reservation; accepts the action code Transfer', async () => {
      const bod = transferOrderBod(order('9102', [item('91021', '20313', 3)], false), {}, 'bod-1').replace('actionCode="TransferOrder"', 'actionCode="Transfer"');
      expect(value(await client.transferOrder(bod)).confirmed).to.equal(false);
      expect(sim.state().orders['WC_9102']).to.deep.include({ created: 1 });
      expect(sim.stock.level('TEST-SKU-0003', 'DC-EAST')).to.deep.include({ onHand: 57, reserved: 0 });
    });

    it('answers other action codes, empty and malformed orders with an error ChangeStatus', async () => {
      const o = order('9103', [item('91031', '20311', 1)]);
      const other = await client.transferOrder(transferOrderBod(o, {}, 'b1').replace('actionCode="TransferOrder"', 'actionCode="Submit"'));
      expect(!other.ok && other.failure).to.deep.include({ kind: 'bod-error' });
      expect(!other.ok && other.failure.detail).to.include('ACTION_UNSUPPORTED');
      const empty = await client.transferOrder(transferOrderBod(order('9104', []), {}, 'b2'));
      expect(!empty.ok && empty.failure.detail).to.include('ORDER_EMPTY');
      const badQuantity = await client.transferOrder(transferOrderBod(o, {}, 'b3').replace('>1.0</_ord:Quantity>', '>lots</_ord:Quantity>'));
      expect(!badQuantity.ok && badQuantity.failure.detail).to.include('VALUE_INVALID');
      const unknownItem = await client.transferOrder(transferOrderBod(order('9105', [{ ...item('91051', '20311', 1), catentryId: '', partNumber: 'NO-SUCH' }]), {}, 'b4'));
      expect(!unknownItem.ok && unknownItem.failure.detail).to.include('CATALOG_ENTRY_NOT_FOUND');
      expect((await simState(sim))['orders']).to.deep.equal({});
    });

    it('GetOrder: hasOrder true for a transferred order, false otherwise; ShowOrder carries the status', async () => {
      value(await client.transferOrder(transferOrderBod(order('9105', [item('91051', '20311', 1)]), {}, 'b1')));
      expect(value(await client.hasOrder('9105', '10201'))).to.equal(true);
      expect(value(await client.hasOrder('9999', '10201'))).to.equal(false);
      // Only the store and buyer the map turns into getOrderList's EnterpriseCode and BuyerUserId find it.
      expect(value(await client.hasOrder('9105', '10202', 'jane@example.com'))).to.equal(false);
      expect(value(await client.hasOrder('9105', '10201', 'someone@example.com'))).to.equal(false);
      expect(value(await client.hasOrder('9105', '10201', 'jane@example.com'))).to.equal(true);
      const show = await postSoap(sim.url + '/dom/services/OrderServices',
        `<_ord:GetOrder xmlns:_ord="${NS.ord}" xmlns:oa="${NS.oa}" releaseID="9.0"><_ord:DataArea><oa:Get maxItems="1"><oa:Expression expressionLanguage="_wcf:XPath">/Order[OrderIdentifier[(UniqueID='9105')] and StoreIdentifier[(UniqueID='10201')]]</oa:Expression></oa:Get></_ord:DataArea></_ord:GetOrder>`);
      // GetPageOutputToShowOrder's shape: _wcf:ApplicationArea, Show with the list's counts, the order by number and key.
      expect(child(show, NS.wcf, 'ApplicationArea')).to.not.equal(undefined);
      expect(child(child(show, NS.ord, 'DataArea'), NS.oa, 'Show')!.attrs).to.deep.include({ recordSetCount: '1', recordSetTotal: '1', recordSetCompleteIndicator: 'true' });
      const noun = child(child(show, NS.ord, 'DataArea'), NS.ord, 'Order');
      expect(childText(child(noun, NS.ord, 'OrderIdentifier'), NS.wcf, 'ExternalOrderID')).to.match(/^\d{20}$/).and.equal(sim.state().orders['WC_9105']!.orderHeaderKey);
      expect(childText(child(noun, NS.ord, 'OrderStatus'), NS.ord, 'Status')).to.equal('G');
    });

    it('refuse: a transfer is answered with an error ChangeStatus (bod-error) and creates nothing', async () => {
      await sim.setFailureMode('refuse');
      expect(sim.state().failureMode.inventory.mode).to.equal('none');
      const o = order('9106', [item('91061', '20311', 1)]);
      const r = await client.transferOrder(transferOrderBod(o, {}, 'b1'));
      expect(!r.ok && r.failure.kind).to.equal('bod-error');
      expect(value(await client.hasOrder('9106', '10201'))).to.equal(false);
      await sim.setFailureMode('none');
      value(await client.transferOrder(transferOrderBod(o, {}, 'b2')));
      expect(sim.state().orders['WC_9106']).to.deep.include({ created: 1 });
    });

    it('synchronousAcknowledge (an explicit option): the answer names DOM\'s order and so confirms the transfer', async () => {
      await sim.close();
      await start(false, undefined, true);
      expect(value(await client.transferOrder(transferOrderBod(order('9107', [item('91071', '20311', 1)]), {}, 'b1')))).to.deep.equal({ externalOrderId: 'WC_9107', confirmed: true });
    });

    it('sterling-error: Sterling\'s own error list in the answer is a refusal (bod-error), never a retryable failure', async () => {
      await sim.setFailureMode('sterling-error', { port: 'order' });
      const r = await client.transferOrder(transferOrderBod(order('9108', [item('91081', '20311', 1)]), {}, 'b1'));
      expect(!r.ok && r.failure).to.deep.include({ kind: 'bod-error' });
      expect(!r.ok && r.failure.detail).to.include('YFS10001');
      expect(sim.state().orders['WC_9108']).to.equal(undefined);
    });
  });

  describe('fulfillment callbacks', () => {
    let commerce: Awaited<ReturnType<typeof commerceStub>>;
    beforeEach(async () => {
      commerce = await commerceStub();
    });
    afterEach(async () => {
      await sim?.close();
      await commerce.close();
    });

    it('confirms, releases and ships a transferred order on schedule, in Sterling’s shapes', async () => {
      await start({ confirmAfterMs: 50, releaseAfterMs: 100, shipAfterMs: 150 }, commerce.url);
      const o = order('9201', [item('92011', '20311', 2), item('92012', '20312', 1, '7101')]);
      value(await client.transferOrder(transferOrderBod(o, {}, 'b1')));
      await until(() => commerce.received.length === 4);
      for (const r of commerce.received) {
        expect(r.path).to.equal('/webapp/wcs/component/order/services/OrderServices');
        expect(r.soapAction).to.equal('"http://localhost/services/OrderServices.wsdl"');
        expect(r.bod.attrs['releaseID']).to.equal('');
        const aa = child(r.bod, NS.wcf, 'ApplicationArea');
        expect(child(r.bod, NS.oa, 'ApplicationArea')).to.equal(undefined);
        expect(child(aa, NS.oa, 'BODID')).to.equal(undefined);
        expect(childText(aa, NS.oa, 'CreationDateTime')).to.match(/^\d{4}-\d\d-\d\dT/);
        expect(childrenNamed(child(aa, NS.wcf, 'BusinessContext'), NS.wcf, 'ContextData').map((c) => [c.attrs['name'], c.text])).to.deep.equal([['storeId', '10201']]);
      }
      const [change, finalize, released, shipped] = commerce.received.map((r) => r.bod) as [XmlElement, XmlElement, XmlElement, XmlElement];
      const action = (b: XmlElement, verb: string) => path(b, [NS.ord, 'DataArea'], [NS.oa, verb], [NS.oa, 'ActionCriteria'], [NS.oa, 'ActionExpression'])!;
      const noun = (b: XmlElement) => child(child(b, NS.ord, 'DataArea'), NS.ord, 'Order')!;
      const status = (el: XmlElement | undefined, name: string) => childText(child(el, NS.ord, name), NS.ord, 'Status');
      const lineIds = (els: XmlElement[]) => els.map((i) => childText(child(i, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID'));

      expect([change.ns, change.name]).to.deep.equal([NS.ord, 'ChangeOrder']);
      expect([action(change, 'Change').attrs['actionCode'], action(change, 'Change').text]).to.deep.equal(['Change', '/Order/OrderStatus']);
      // CreateOrderOnSuccessToChangeOrder: the order by Commerce id and Sterling key, then the buyer; no status.
      const key = sim.state().orders['WC_9201']!.orderHeaderKey;
      expect(noun(change).children.map((c) => c.name)).to.deep.equal(['OrderIdentifier', 'BuyerIdentifier']);
      expect(childText(child(noun(change), NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')).to.equal('9201');
      expect(childText(child(noun(change), NS.ord, 'OrderIdentifier'), NS.wcf, 'ExternalOrderID')).to.equal(key);
      expect(path(noun(change), [NS.ord, 'BuyerIdentifier'], [NS.wcf, 'ExternalIdentifier'], [NS.wcf, 'Identifier'])?.text).to.equal('jane@example.com');
      // CreateOrderOnSuccessToProcessOrder: FinalizePromotionCalUsage naming the order only by Sterling's key.
      expect([finalize.name, action(finalize, 'Process').attrs['actionCode'], action(finalize, 'Process').text]).to.deep.equal(['ProcessOrder', 'FinalizePromotionCalUsage', '/Order[1]']);
      expect(child(noun(finalize), NS.ord, 'OrderIdentifier')!.children.map((c) => [c.name, c.text])).to.deep.equal([['ExternalOrderID', key]]);
      expect(path(noun(finalize), [NS.ord, 'StoreIdentifier'], [NS.wcf, 'UniqueID'])?.text).to.equal('10201');

      // The older maps' SyncOrder for the order's status: the order by Commerce's id and its status R; no items, no times.
      expect([released.name, action(released, 'Sync').attrs['actionCode'], action(released, 'Sync').text]).to.deep.equal(['SyncOrder', 'Change', '/Order[1]']);
      expect(qualifiedAttr(child(child(released, NS.wcf, 'ApplicationArea'), NS.oa, 'CreationDateTime')!, NS.xsi, 'type')).to.equal('udt:DateTimeType');
      expect(noun(released).children.map((c) => c.name)).to.deep.equal(['OrderIdentifier', 'OrderStatus']);
      expect(childText(child(noun(released), NS.ord, 'OrderIdentifier'), NS.wcf, 'UniqueID')).to.equal('9201');
      expect(status(noun(released), 'OrderStatus')).to.equal('R');

      // The older maps' SyncOrder for a shipment: S, and only the lines the carrier took (line 1; line 2 waits at
      // store 7101 for its customer), each D by PrimeLineNo, nothing else: no Shipment, no carrier, no tracking number.
      const order9201 = noun(shipped);
      expect(order9201.children.map((c) => c.name)).to.deep.equal(['OrderIdentifier', 'OrderStatus', 'OrderItem']);
      expect(status(order9201, 'OrderStatus')).to.equal('S');
      const shipItems = childrenNamed(order9201, NS.ord, 'OrderItem');
      expect(lineIds(shipItems)).to.deep.equal(['1']);
      expect(shipItems[0]!.children.map((c) => c.name)).to.deep.equal(['OrderItemIdentifier', 'OrderItemStatus']);
      expect(status(shipItems[0], 'OrderItemStatus')).to.equal('D');

      const state = (await simState(sim))['orders']['WC_9201'];
      expect(state['status']).to.equal('S');
      expect(state['callbacks'].map((c: { kind: string; outcome: string }) => [c.kind, c.outcome])).to.deep.equal([['confirm', 'confirmed'], ['finalize-promotions', 'confirmed'], ['release', 'confirmed'], ['ship', 'confirmed']]);
      // A re-transfer neither restarts the schedule nor changes the status.
      value(await client.transferOrder(transferOrderBod(o, {}, 'b2')));
      await new Promise((r) => setTimeout(r, 250));
      expect(commerce.received).to.have.length(4);
      expect(sim.state().orders['WC_9201']).to.deep.include({ transfers: 2, created: 1, status: 'S' });

      // The customer collects line 2 at the store: Sterling confirms that as a shipment too (S, line 2 D), once.
      const picked = await fetch(`${sim.url}/sim/orders/WC_9201/pickup`, { method: 'POST' });
      expect(picked.status).to.equal(200);
      const pickup = noun(commerce.received[4]!.bod);
      expect([pickup.children.map((c) => c.name), status(pickup, 'OrderStatus'), lineIds(childrenNamed(pickup, NS.ord, 'OrderItem'))]).to.deep.equal([['OrderIdentifier', 'OrderStatus', 'OrderItem'], 'S', ['2']]);
      expect((await fetch(`${sim.url}/sim/orders/WC_9201/pickup`, { method: 'POST' })).status).to.equal(409);
    });

    it('an order of pick-up lines only is released to its store and shipped by no carrier: no ship callback until the customer collects it', async () => {
      await start({ confirmAfterMs: 10, releaseAfterMs: 20, shipAfterMs: 30 }, commerce.url);
      const pickupPost = () => fetch(`${sim.url}/sim/orders/WC_9205/pickup`, { method: 'POST' });
      value(await client.transferOrder(transferOrderBod(order('9205', [item('92051', '20312', 1, '7101')]), {}, 'b1')));
      await until(() => sim.state().orders['WC_9205']!.callbacks.length === 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(sim.state().orders['WC_9205']!.callbacks.map((c) => c.kind)).to.deep.equal(['confirm', 'finalize-promotions', 'release']);
      expect(sim.state().orders['WC_9205']!.status).to.equal('R');
      expect((await pickupPost()).status).to.equal(200);
      expect(sim.state().orders['WC_9205']!.status).to.equal('S');
      expect(commerce.received.map((r) => r.bod.name)).to.deep.equal(['ChangeOrder', 'ProcessOrder', 'SyncOrder', 'SyncOrder']);
    });

    it('syncOrderForm detailed (an explicit option): dombridge\'s older SyncOrder with line statuses, times and an _ord:Shipment of the carrier\'s lines', async () => {
      await start({ confirmAfterMs: 10, releaseAfterMs: 20, shipAfterMs: 30 }, commerce.url, false, 'detailed');
      value(await client.transferOrder(transferOrderBod(order('9206', [item('92061', '20311', 2), item('92062', '20312', 1, '7101')]), {}, 'b1')));
      await until(() => commerce.received.length === 4);
      const noun = (b: XmlElement) => child(child(b, NS.ord, 'DataArea'), NS.ord, 'Order')!;
      const status = (el: XmlElement | undefined, name: string) => childText(child(el, NS.ord, name), NS.ord, 'Status');
      const lineIds = (els: XmlElement[]) => els.map((i) => childText(child(i, NS.ord, 'OrderItemIdentifier'), NS.wcf, 'UniqueID'));
      const released = noun(commerce.received[2]!.bod);
      expect(childrenNamed(released, NS.ord, 'OrderItem').map((i) => [status(i, 'OrderItemStatus'), /^\d{4}-/.test(childText(child(i, NS.ord, 'OrderItemFulfillmentInfo'), NS.ord, 'TimeReleased') ?? '')])).to.deep.equal([['R', true], ['R', true]]);
      const shipped = noun(commerce.received[3]!.bod);
      expect(shipped.children.map((c) => c.name)).to.deep.equal(['OrderIdentifier', 'StoreIdentifier', 'OrderStatus', 'OrderItem', 'Shipment']);
      expect(lineIds(childrenNamed(shipped, NS.ord, 'OrderItem'))).to.deep.equal(['1']);
      const shipment = child(shipped, NS.ord, 'Shipment');
      expect(childText(shipment, NS.ord, 'Carrier')).to.equal('UPS');
      expect(childText(shipment, NS.ord, 'TrackingNumber')).to.match(/^1Z\d{16}$/).and.equal(trackingNumber('WC_9206'));
      expect(childText(shipment, NS.ord, 'ShipDate')).to.match(/^\d{4}-/);
      const shippedItems = childrenNamed(shipment, NS.ord, 'ShippedItem');
      // The pick-up line is in no carrier's shipment.
      expect(lineIds(shippedItems)).to.deep.equal(['1']);
      expect(shippedItems.map((x) => [childText(x, NS.ord, 'Quantity'), child(x, NS.ord, 'Quantity')!.attrs['uom']])).to.deep.equal([['2.0', 'C62']]);
      expect((await fetch(`${sim.url}/sim/orders/WC_9206/pickup`, { method: 'POST' })).status).to.equal(200);
      const pickup = noun(commerce.received[4]!.bod);
      expect([status(pickup, 'OrderStatus'), lineIds(childrenNamed(pickup, NS.ord, 'OrderItem')), child(pickup, NS.ord, 'Shipment')]).to.deep.equal(['S', ['2'], undefined]);
      const x = await fetch(`${sim.url}/sim/orders/WC_9206/cancel`, { method: 'POST' });
      expect(x.status).to.equal(409);
    });

    it('retries a callback that fails, then records it as confirmed', async () => {
      await start({ confirmAfterMs: 10, releaseAfterMs: 5_000, shipAfterMs: 5_000, retryDelayMs: 20 }, commerce.url);
      commerce.failNext.n = 2;
      value(await client.transferOrder(transferOrderBod(order('9202', [item('92021', '20311', 1)]), {}, 'b1')));
      // (The FinalizePromotionCalUsage callback follows the confirmation at once; the first record is the confirmation's.)
      await until(() => sim.state().orders['WC_9202']!.callbacks.length >= 1);
      expect(sim.state().orders['WC_9202']!.callbacks[0]).to.deep.include({ kind: 'confirm', outcome: 'confirmed', attempts: 3 });
    });

    it('POST /sim/orders/<no>/backorder and /cancel: SyncOrder B (the order\'s status only), then the on-cancel map\'s CancelPromotionCalUsage; refused once canceled', async () => {
      await start(false, commerce.url);
      value(await client.transferOrder(transferOrderBod(order('9203', [item('92031', '20311', 1), item('92032', '20312', 2)]), {}, 'b1')));
      const post = (p: string) => fetch(sim.url + p, { method: 'POST' }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, any> }));
      const b = await post('/sim/orders/WC_9203/backorder');
      expect(b.status).to.equal(200);
      expect(b.json).to.deep.include({ orderNo: 'WC_9203', status: 'B' });
      expect(b.json['callback']).to.deep.include({ kind: 'backorder', outcome: 'confirmed' });
      const x = await post('/sim/orders/WC_9203/cancel');
      expect(x.json).to.deep.include({ status: 'X' });
      expect(x.json['callback']).to.deep.include({ kind: 'cancel', outcome: 'confirmed' });
      expect(commerce.received.map((r) => r.bod.name)).to.deep.equal(['SyncOrder', 'ProcessOrder']);
      const [backordered, canceled] = commerce.received.map((r) => child(child(r.bod, NS.ord, 'DataArea'), NS.ord, 'Order')!) as [XmlElement, XmlElement];
      expect(backordered.children.map((c) => [c.name, c.name === 'OrderStatus' ? childText(c, NS.ord, 'Status') : childText(c, NS.wcf, 'UniqueID')])).to.deep.equal([['OrderIdentifier', '9203'], ['OrderStatus', 'B']]);
      const cancelAction = path(commerce.received[1]!.bod, [NS.ord, 'DataArea'], [NS.oa, 'Process'], [NS.oa, 'ActionCriteria'], [NS.oa, 'ActionExpression'])!;
      expect([cancelAction.attrs['actionCode'], cancelAction.text]).to.deep.equal(['CancelPromotionCalUsage', '/Order[1]']);
      expect(child(canceled, NS.ord, 'OrderIdentifier')!.children.map((c) => [c.name, c.text])).to.deep.equal([['UniqueID', '9203'], ['ExternalOrderID', sim.state().orders['WC_9203']!.orderHeaderKey]]);
      expect(path(canceled, [NS.ord, 'StoreIdentifier'], [NS.wcf, 'UniqueID'])?.text).to.equal('10201');
      expect((await post('/sim/orders/WC_9203/cancel')).status).to.equal(409);
      expect((await post('/sim/orders/WC_0000/cancel')).status).to.equal(404);
    });

    it('skips callbacks (and still moves the order on) without a callback URL', async () => {
      await start({ confirmAfterMs: 10, releaseAfterMs: 20, shipAfterMs: 30 });
      value(await client.transferOrder(transferOrderBod(order('9204', [item('92041', '20311', 1)]), {}, 'b1')));
      await until(() => sim.state().orders['WC_9204']!.callbacks.length === 4);
      expect(sim.state().orders['WC_9204']!.callbacks.map((c) => c.outcome)).to.deep.equal(['skipped', 'skipped', 'skipped', 'skipped']);
      expect(sim.state().orders['WC_9204']!.status).to.equal('S');
    });
  });
});
