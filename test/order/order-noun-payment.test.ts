import { expect } from 'chai';
import { readOrderInput, writeOrder } from '../../src/order/order-noun.js';
import type { Order } from '../../src/order/order-model.js';
import { NS } from '../../src/xml/namespaces.js';
import { readXml } from '../../src/xml/xml-reader.js';

const order = (paymentInstruction: string) =>
  readXml(`<_ord:Order xmlns:_ord="${NS.ord}" xmlns:_wcf="${NS.wcf}"><_ord:OrderPaymentInfo>${paymentInstruction}</_ord:OrderPaymentInfo></_ord:Order>`);

describe('order noun: PaymentInstruction ProtocolData in Commerce\'s form', function () {
  it('reads every ProtocolData pair by its name attribute: the card number, brand, expiry and CVC', function () {
    const r = readOrderInput(order(
      '<_ord:PaymentInstruction><_ord:PaymentMethod><_ord:PaymentMethodName>VISA</_ord:PaymentMethodName></_ord:PaymentMethod>' +
      '<_ord:ProtocolData name="account">4000 0000 0000 0002</_ord:ProtocolData><_ord:ProtocolData name="cc_brand">VISA</_ord:ProtocolData>' +
      '<_ord:ProtocolData name="expire_month">3</_ord:ProtocolData><_ord:ProtocolData name="expire_year">2031</_ord:ProtocolData>' +
      '<_ord:ProtocolData name="cc_cvc">123</_ord:ProtocolData><_ord:ProtocolData name="something_else">x</_ord:ProtocolData></_ord:PaymentInstruction>'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.payments).to.deep.equal([{ method: 'VISA', cardNumber: '4000000000000002', cardBrand: 'VISA', expireMonth: '03', expireYear: '2031', cvc: '123' }]);
  });

  it('reads cc_account as the card number too, and a default-namespace sender the same', function () {
    const el = readXml(`<Order xmlns="${NS.ord}"><OrderPaymentInfo><PaymentInstruction><ProtocolData name="cc_account">4111111111111111</ProtocolData></PaymentInstruction></OrderPaymentInfo></Order>`);
    const r = readOrderInput(el);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.payments[0]?.cardNumber).to.equal('4111111111111111');
  });

  it('refuses the <_ord:Name>/<_ord:Value> child form by name instead of reading it as "no card"', function () {
    const r = readOrderInput(order('<_ord:PaymentInstruction><_ord:ProtocolData><_ord:Name>account</_ord:Name><_ord:Value>4111111111111111</_ord:Value></_ord:ProtocolData></_ord:PaymentInstruction>'));
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.reason).to.contain('<Name>').and.to.contain('<_ord:ProtocolData name="account">');
  });

  it('refuses a ProtocolData without its name attribute', function () {
    const r = readOrderInput(order('<_ord:PaymentInstruction><_ord:ProtocolData>4111111111111111</_ord:ProtocolData></_ord:PaymentInstruction>'));
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.reason).to.contain('name attribute');
  });

  it('refuses a card number, expiry or CVC that is not one', function () {
    for (const [name, value] of [['account', '4111-abc'], ['expire_month', '13'], ['expire_year', '31a'], ['cc_cvc', '12']]) {
      const r = readOrderInput(order(`<_ord:PaymentInstruction><_ord:ProtocolData name="${name}">${value}</_ord:ProtocolData></_ord:PaymentInstruction>`));
      expect(r.ok, `${name}=${value}`).to.equal(false);
    }
  });

  it('echoes the card in Commerce\'s form, masked to its last four digits, after the payment method (PaymentInstructionType order)', function () {
    const o = {
      orderId: '1', storeId: '10201', currency: 'USD', buyerId: null, buyerEmail: null, status: 'P', prepared: false, locked: false, shipAsComplete: false,
      promotionCodes: [], appliedPromotions: [], totals: null, reserved: false, placedAt: null, externalOrderId: null, transferAttempts: 0, lastTransferAt: null,
      items: [], shipments: [], version: 1,
      payments: [{ paymentId: '7', method: 'VISA', cardLast4: '1111', token: 'tok', cardBrand: 'VISA', expireMonth: '03', expireYear: '2031', amount: '10.00', billingAddress: null, status: 'pending', authorizationCode: null }],
    } satisfies Order;
    const xml = writeOrder(o);
    expect(xml).to.contain('<_ord:PaymentInstruction><_ord:UniqueID>7</_ord:UniqueID><_ord:Amount currency="USD">10.00</_ord:Amount><_ord:PaymentMethod><_ord:PaymentMethodName>VISA</_ord:PaymentMethodName></_ord:PaymentMethod><_ord:ProtocolData name="account">************1111</_ord:ProtocolData></_ord:PaymentInstruction>');
    expect(xml).not.to.contain('<_ord:Name>').and.not.to.contain('tok');
  });
});
