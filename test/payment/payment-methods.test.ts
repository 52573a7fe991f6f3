import { expect } from 'chai';
import { ConfigError } from '../../src/config/config.js';
import { CommerceSettings } from '../../src/order/commerce-settings.js';
import { DEFAULT_PAYMENT_METHODS, paymentMethodKind } from '../../src/payment/payment-methods.js';

const refused = (raw: unknown): ConfigError => {
  try {
    new CommerceSettings(raw);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('payment methods: card brands, methods without a card, nothing else', function () {
  it('defaults: the card brands need a card, COD and PayInStore none, anything else is unknown', function () {
    expect(['VISA', 'MasterCard', 'AMEX', 'Discover'].map((m) => paymentMethodKind(DEFAULT_PAYMENT_METHODS, m))).to.deep.equal(['card', 'card', 'card', 'card']);
    expect(['COD', 'PayInStore'].map((m) => paymentMethodKind(DEFAULT_PAYMENT_METHODS, m))).to.deep.equal(['without-card', 'without-card']);
    expect(paymentMethodKind(DEFAULT_PAYMENT_METHODS, 'Bitcoin')).to.equal('unknown');
    expect(paymentMethodKind(DEFAULT_PAYMENT_METHODS, ' amex ')).to.equal('card');
  });

  it('commerce.defaults.payment and commerce.stores.<id>.payment set the lists, a store\'s list by list', function () {
    const s = new CommerceSettings({ defaults: { payment: { methodsWithoutCard: ['COD', 'Invoice'] } }, stores: { '10202': { payment: { cardMethods: ['VISA'] } } } });
    expect(paymentMethodKind(s.forStore('10201').payment, 'Invoice')).to.equal('without-card');
    expect(paymentMethodKind(s.forStore('10202').payment, 'Invoice')).to.equal('without-card');
    expect(paymentMethodKind(s.forStore('10202').payment, 'AMEX')).to.equal('unknown');
  });

  it('is checked at start-up: each error names the setting', function () {
    expect(refused({ defaults: { payment: { cardMethods: 'VISA' } } }).message).to.contain('commerce.defaults.payment').and.to.contain('cardMethods must be a list');
    expect(refused({ defaults: { payment: { methodsWithoutCard: ['VISA'] } } }).message).to.contain('VISA cannot both need a card and need none');
    expect(refused({ stores: { '10201': { payment: { cardMethod: ['VISA'] } } } }).message).to.contain('commerce.stores.10201.payment').and.to.contain('cardMethod is not a setting');
    expect(refused({ defaults: { payment: { cardMethods: [], methodsWithoutCard: [] } } }).message).to.contain('no payment method');
    expect(refused({ defaults: { payment: { cardMethods: [''] } } }).message).to.contain('cardMethods must be a list of method names');
  });
});
