import { expect } from 'chai';
import { NS } from '../../src/xml/namespaces.js';
import { child, childrenNamed, type XmlElement } from '../../src/xml/xml-element.js';
import type { Node } from '../support/commerce-client/bod-tree.js';
import type { ClientStack } from '../support/commerce-client/client-stacks.js';
import {
  changeOrderAddItems, changeOrderDeleteItems, changeOrderItemShippingInfo, changeOrderSetPayment, changeOrderShippingInfo,
  changeOrderStatusFromDom, changeOrderUpdateItems, getOrder, JANE, JOHN, processOrder, syncOrder,
} from '../support/commerce-client/order-requests.js';
import { CommerceClient, nounsOf, type Answer } from '../support/commerce-client/wire-client.js';
import { changeStatus, startWorld, type TestWorld } from '../support/test-app.js';
import { loadBodValidator, type BodValidator } from '../support/xsd-validator.js';

const text = (e: XmlElement | undefined, ...path: Array<[string, string]>): string | undefined => {
  let cur = e;
  for (const [ns, name] of path) cur = child(cur, ns, name);
  return cur?.text;
};

/** What a test asserts of an answered order: status, flags, totals, payments and each line. */
function orderFacts(a: Answer) {
  const [o] = nounsOf(a, 'Order');
  const status = child(o, NS.ord, 'OrderStatus');
  const amount = child(o, NS.ord, 'OrderAmount');
  return {
    orderId: text(o, [NS.ord, 'OrderIdentifier'], [NS.wcf, 'UniqueID']) ?? '',
    externalOrderId: text(o, [NS.ord, 'OrderIdentifier'], [NS.wcf, 'ExternalOrderID']),
    status: text(status, [NS.ord, 'Status']),
    prepared: status?.attrs['prepareIndicator'],
    locked: status?.attrs['locked'],
    grandTotal: text(amount, [NS.wcf, 'GrandTotal']),
    productTotal: text(amount, [NS.wcf, 'TotalProductPrice']),
    adjustment: text(amount, [NS.wcf, 'TotalAdjustment']),
    payments: childrenNamed(child(o, NS.ord, 'OrderPaymentInfo'), NS.ord, 'PaymentInstruction').map((p) => ({
      id: text(p, [NS.ord, 'UniqueID']), method: text(p, [NS.ord, 'PaymentMethod'], [NS.ord, 'PaymentMethodName']),
      card: childrenNamed(p, NS.ord, 'ProtocolData').map((d) => `${d.attrs['name']}=${d.text}`).join(','),
    })),
    items: childrenNamed(o, NS.ord, 'OrderItem').map((i) => {
      const ship = child(i, NS.ord, 'OrderItemShippingInfo');
      return {
        id: text(i, [NS.ord, 'OrderItemIdentifier'], [NS.wcf, 'UniqueID']) ?? '',
        catentryId: text(i, [NS.ord, 'CatalogEntryIdentifier'], [NS.wcf, 'UniqueID']),
        quantity: text(i, [NS.ord, 'Quantity']),
        unitPrice: text(i, [NS.ord, 'OrderItemAmount'], [NS.wcf, 'UnitPrice'], [NS.wcf, 'Price']),
        status: text(i, [NS.ord, 'OrderItemStatus'], [NS.ord, 'Status']),
        inventoryStatus: text(i, [NS.ord, 'OrderItemStatus'], [NS.ord, 'InventoryStatus']),
        shipMode: text(ship, [NS.ord, 'ShippingMode'], [NS.ord, 'ShippingModeIdentifier'], [NS.ord, 'ExternalIdentifier'], [NS.ord, 'ShipModeCode']),
        city: text(ship, [NS.ord, 'ShippingAddress'], [NS.wcf, 'Address'], [NS.wcf, 'City']),
        pickupStore: text(ship, [NS.ord, 'PhysicalStoreIdentifier'], [NS.wcf, 'UniqueID']),
        timeShipped: text(i, [NS.ord, 'OrderItemFulfillmentInfo'], [NS.ord, 'TimeShipped']),
      };
    }),
  };
}

/**
 * Every operation of Commerce's OrderServices.wsdl that dombridge serves (the Quote operations aside), sent as a
 * JAX-WS/JAXB client generated from that WSDL writes it, over real HTTP: the cart edits of ChangeOrder, each
 * ProcessOrder action, GetOrder with both access profiles, and DOM's ChangeOrder and SyncOrder. The .NET form of a
 * whole checkout is in commerce-client-checkout.test.ts. Each answer is validated against schemas/ by the client.
 */
describe('Order service by a client generated from Commerce\'s OrderServices.wsdl (JAXB requests, real HTTP)', function () {
  this.timeout(30_000);
  let w: TestWorld;
  let validator: BodValidator;

  before(async function () {
    validator = await loadBodValidator();
  });
  after(function () {
    validator.dispose();
  });
  beforeEach(async function () {
    w = await startWorld({}, undefined, { fulfillment: false } as never);
  });
  afterEach(async function () {
    await w.close();
  });

  /** Sends and expects no error in the answer. */
  async function ok(request: Node, answerName: string, stack: ClientStack = 'jaxb') {
    const a = await new CommerceClient(w.app.url, stack, validator).send(request, answerName);
    expect(changeStatus(a.bod), a.text).to.equal(undefined);
    return orderFacts(a);
  }

  async function refused(request: Node, answerName: string): Promise<string> {
    const a = await new CommerceClient(w.app.url, 'jaxb', validator).send(request, answerName);
    const cs = changeStatus(a.bod);
    expect(cs, a.text).not.to.equal(undefined);
    return cs!.reasonCode;
  }

  /** A cart: 3 × 20311 shipped Standard to John, 1 × 20312 picked up at store 7101. */
  async function cart(stack: ClientStack = 'jaxb') {
    return ok(changeOrderAddItems([
      { catentryId: '20311', quantity: 3, shipModeCode: 'Standard', address: JOHN, instruction: '' },
      { catentryId: '20312', quantity: 1, shipModeCode: 'PickupInStore', physicalStoreId: '7101' },
    ]), 'RespondOrder', stack);
  }

  describe('ChangeOrder', function () {
    for (const stack of ['jaxb', 'jaxb-default-ns'] as const) {
      it(`${stack}: Create makes a cart with a shipped line and a pick-up line, each checked against inventory`, async function () {
        const o = await cart(stack);
        expect(o.orderId).to.match(/^\d+$/);
        expect(o.status).to.equal('P');
        expect(o.items.map((i) => [i.catentryId, i.quantity, i.unitPrice, i.status, i.inventoryStatus, i.shipMode, i.city, i.pickupStore])).to.deep.equal([
          ['20311', '3.0', '24.99', 'P', 'Available', 'Standard', 'Chicago', undefined],
          ['20312', '1.0', '12.50', 'P', 'Available', 'PickupInStore', undefined, '7101'],
        ]);
      });
    }

    it('Create on an existing cart adds an item named by part number; Update changes a quantity; Delete removes a line', async function () {
      const o = await cart();
      const added = await ok(changeOrderAddItems([{ partNumber: 'TEST-SKU-0003', quantity: 2, shipModeCode: 'Standard', address: JOHN }], { orderId: o.orderId }), 'RespondOrder');
      expect(added.items.map((i) => [i.catentryId, i.quantity])).to.deep.equal([['20311', '3.0'], ['20312', '1.0'], ['20313', '2.0']]);
      const [first, second, third] = added.items;

      const updated = await ok(changeOrderUpdateItems(o.orderId, [{ orderItemId: first!.id, quantity: 5 }]), 'RespondOrder');
      expect(updated.items.map((i) => [i.id, i.quantity])).to.deep.equal([[first!.id, '5.0'], [second!.id, '1.0'], [third!.id, '2.0']]);

      const deleted = await ok(changeOrderDeleteItems(o.orderId, [second!.id]), 'RespondOrder');
      expect(deleted.items.map((i) => i.id)).to.deep.equal([first!.id, third!.id]);
      expect((await w.store.orders.get(o.orderId))!.items.map((i) => [i.orderItemId, i.quantity])).to.deep.equal([[first!.id, '5'], [third!.id, '2']]);
    });

    it('OrderShippingInfo sets every line\'s address and ship mode; OrderItemShippingInfo changes one line', async function () {
      const o = await ok(changeOrderAddItems([{ catentryId: '20311', quantity: 1 }, { catentryId: '20313', quantity: 1 }]), 'RespondOrder');
      const shipped = await ok(changeOrderShippingInfo(o.orderId, { address: JANE, shipModeCode: 'Express' }), 'RespondOrder');
      expect(shipped.items.map((i) => [i.shipMode, i.city])).to.deep.equal([['Express', 'Boston'], ['Express', 'Boston']]);

      const one = await ok(changeOrderItemShippingInfo(o.orderId, [{ orderItemId: o.items[1]!.id, shipModeCode: 'PickupInStore', physicalStoreExternalId: 'STORE-7102' }]), 'RespondOrder');
      expect(one.items.map((i) => [i.shipMode, i.pickupStore])).to.deep.equal([['Express', undefined], ['PickupInStore', '7102']]);
      const stored = (await w.store.orders.get(o.orderId))!;
      expect(stored.items.map((i) => [i.shipModeCode, i.carrier, i.physicalStoreId])).to.deep.equal([['Express', 'FedEx', null], ['PickupInStore', null, '7102']]);
    });

    it('PaymentInstruction: Create sets the card (echoed masked), Delete by UniqueID removes it', async function () {
      const o = await cart();
      const paid = await ok(changeOrderSetPayment({ orderId: o.orderId, method: 'VISA', billing: JOHN, card: { account: '4111111111111111', brand: 'VISA', expireMonth: '12', expireYear: '2030' } }), 'RespondOrder');
      expect(paid.payments).to.have.length(1);
      expect(paid.payments[0]).to.include({ method: 'VISA', card: 'account=************1111' });
      const removed = await ok(changeOrderSetPayment({ orderId: o.orderId, actionCode: 'Delete', paymentId: paid.payments[0]!.id! }), 'RespondOrder');
      expect(removed.payments).to.deep.equal([]);
      expect((await w.store.orders.get(o.orderId))!.payments).to.deep.equal([]);
    });

    it('an unknown ship mode and an unknown order are answered errors naming the problem', async function () {
      const o = await cart();
      expect(await refused(changeOrderItemShippingInfo(o.orderId, [{ orderItemId: o.items[0]!.id, shipModeCode: 'Teleport' }]), 'RespondOrder')).to.equal('SHIP_MODE_UNKNOWN');
      expect(await refused(changeOrderUpdateItems('99999999', [{ orderItemId: '1', quantity: 1 }]), 'RespondOrder')).to.equal('ORDER_NOT_FOUND');
    });
  });

  describe('ProcessOrder', function () {
    it('ApplyPromotionCode with Commerce\'s _ord:PromotionCode/_ord:Code takes the promotion off at Prepare; RemovePromotionCode puts it back', async function () {
      const o = await cart();
      await ok(processOrder('ApplyPromotionCode', { orderId: o.orderId, promotionCodes: ['SAVE20'] }), 'AcknowledgeOrder');
      expect((await w.store.orders.get(o.orderId))!.promotionCodes).to.deep.equal(['SAVE20']);
      const withCode = await ok(processOrder('Prepare', { orderId: o.orderId }), 'AcknowledgeOrder');
      await ok(processOrder('RemovePromotionCode', { orderId: o.orderId, promotionCodes: ['SAVE20'] }), 'AcknowledgeOrder');
      const without = await ok(processOrder('Prepare', { orderId: o.orderId }), 'AcknowledgeOrder');
      expect(withCode.productTotal).to.equal('87.47');
      expect(Number(withCode.adjustment ?? 0) - Number(without.adjustment ?? 0)).to.be.closeTo(-20, 0.001);
      expect(await refused(processOrder('ApplyPromotionCode', { orderId: o.orderId, promotionCodes: ['NOSUCHCODE'] }), 'AcknowledgeOrder')).to.equal('VALUE_INVALID');
    });

    it('Prepare prices the cart; Lock refuses cart edits until Unlock; Cancel cancels the cart', async function () {
      const o = await cart();
      const prepared = await ok(processOrder('Prepare', { orderId: o.orderId }), 'AcknowledgeOrder');
      expect(prepared).to.include({ status: 'P', prepared: 'true', productTotal: '87.47' });
      expect(Number(prepared.grandTotal)).to.be.greaterThan(87.47);

      expect(await ok(processOrder('Lock', { orderId: o.orderId }), 'AcknowledgeOrder')).to.include({ locked: 'true' });
      expect(await refused(changeOrderUpdateItems(o.orderId, [{ orderItemId: o.items[0]!.id, quantity: 1 }]), 'RespondOrder')).to.equal('ORDER_LOCKED');
      expect(await ok(processOrder('Unlock', { orderId: o.orderId }), 'AcknowledgeOrder')).to.include({ locked: 'false' });
      await ok(changeOrderUpdateItems(o.orderId, [{ orderItemId: o.items[0]!.id, quantity: 1 }]), 'RespondOrder');

      expect(await ok(processOrder('Cancel', { orderId: o.orderId }), 'AcknowledgeOrder')).to.include({ status: 'X' });
      expect((await w.store.orders.get(o.orderId))!.status).to.equal('X');
    });
  });

  describe('GetOrder, and DOM\'s ChangeOrder and SyncOrder', function () {
    /** A submitted order DOM has taken (its transfer sent): returns the order id and the item ids. */
    async function submitted() {
      const o = await cart();
      await ok(changeOrderSetPayment({ orderId: o.orderId, method: 'VISA', billing: JOHN, card: { account: '4111111111111111', expireMonth: '12', expireYear: '2030' } }), 'RespondOrder');
      await ok(processOrder('Prepare', { orderId: o.orderId }), 'AcknowledgeOrder');
      expect(await ok(processOrder('Submit', { orderId: o.orderId }), 'AcknowledgeOrder')).to.include({ status: 'M' });
      // The transfer to DOM runs after Submit; wait until it has been handed over (F) or confirmed (G).
      for (let i = 0; i < 200 && !['F', 'G'].includes((await w.store.orders.get(o.orderId))!.status); i++) await new Promise((r) => setTimeout(r, 25));
      return o;
    }

    it('GetOrder with IBM_Details and with IBM_External_Details reads the submitted order', async function () {
      const o = await submitted();
      for (const accessProfile of ['IBM_Details', 'IBM_External_Details']) {
        const shown = await ok(getOrder({ orderId: o.orderId, accessProfile }), 'ShowOrder');
        expect(shown.orderId).to.equal(o.orderId);
        expect(['F', 'G']).to.include(shown.status);
        expect(shown.items.map((i) => [i.catentryId, i.quantity, i.unitPrice])).to.deep.equal([['20311', '3.0', '24.99'], ['20312', '1.0', '12.50']]);
        expect(shown.payments.map((p) => p.card)).to.deep.equal(['account=************1111']);
      }
    });

    it('DOM confirms the transfer (ChangeOrder Change /Order/OrderStatus), releases (SyncOrder R) and ships (SyncOrder S) the order', async function () {
      const o = await submitted();
      const confirmed = await ok(changeOrderStatusFromDom({ orderId: o.orderId, externalOrderId: 'DOM-4711' }), 'RespondOrder');
      expect(confirmed.status).to.equal('G');

      const released = new Date(Date.now() - 60_000);
      const r = await new CommerceClient(w.app.url, 'jaxb', validator).send(syncOrder({ orderId: o.orderId, status: 'R', items: o.items.map((i) => ({ orderItemId: i.id, status: 'R', timeReleased: released })) }), 'ConfirmBOD');
      expect(r.text).to.contain('BODSuccessMessage');
      const afterRelease = (await w.store.orders.get(o.orderId))!;
      expect(afterRelease.status).to.equal('R');
      expect(afterRelease.items.map((i) => [i.status, i.timeReleased])).to.deep.equal(o.items.map(() => ['R', released.toISOString()]));

      const shipped = new Date();
      // DOM names the lines by its line numbers (PrimeLineNo) here, as the contract allows.
      const s = await new CommerceClient(w.app.url, 'jaxb', validator).send(syncOrder({ orderId: o.orderId, status: 'S', items: [{ orderItemId: '1', status: 'S', timeShipped: shipped }, { orderItemId: '2', status: 'S', timeShipped: shipped }] }), 'ConfirmBOD');
      expect(s.text).to.contain('BODSuccessMessage');
      const shown = await ok(getOrder({ orderId: o.orderId }), 'ShowOrder');
      expect(shown.status).to.equal('S');
      expect(shown.items.map((i) => i.timeShipped)).to.deep.equal([shipped.toISOString(), shipped.toISOString()]);
    });
  });
});
