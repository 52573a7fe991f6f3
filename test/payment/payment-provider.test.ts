import { expect } from 'chai';
import { TestPaymentProvider, type AuthorizationRequest } from '../../src/payment/payment-provider.js';

describe('test payment provider', function () {
  const req = async (p: TestPaymentProvider, card: string, key: string): Promise<AuthorizationRequest> => {
    const t = await p.tokenize(card);
    return { orderId: '90000101', amount: '10.00', currency: 'USD', token: 'token' in t ? t.token : undefined, method: 'VISA', idempotencyKey: key };
  };

  it('approves, declines and errs by test card; tokens never hold the card number', async function () {
    const p = new TestPaymentProvider();
    expect((await p.authorize(await req(p, '4111111111111111', 'a'))).outcome).to.equal('approved');
    expect(await p.authorize(await req(p, '4000000000000002', 'b'))).to.deep.equal({ outcome: 'declined', reason: 'card declined' });
    expect((await p.authorize(await req(p, '4000000000009995', 'c'))).outcome).to.equal('declined');
    expect((await p.authorize(await req(p, '4000000000000119', 'd'))).outcome).to.equal('error');
    const t = await p.tokenize('4111111111111111');
    expect(JSON.stringify(t)).not.to.contain('4111111111111111');
  });

  it('a repeat with the same idempotency key gets the first authorization, not a second hold', async function () {
    const p = new TestPaymentProvider();
    const first = await p.authorize(await req(p, '4111111111111111', '90000101:7'));
    const again = await p.authorize(await req(p, '4111111111111111', '90000101:7'));
    const other = await p.authorize(await req(p, '4111111111111111', '90000101:8'));
    expect(again).to.deep.equal(first);
    expect(other).not.to.deep.equal(first);
  });

  it('a provider error is not remembered: a retry with the same key is decided again', async function () {
    const p = new TestPaymentProvider();
    const r = await req(p, '4000000000000119', 'k');
    expect((await p.authorize(r)).outcome).to.equal('error');
    expect((await p.authorize(r)).outcome).to.equal('error');
  });
});
