import { expect } from 'chai';
import { TestPaymentProvider, type AuthorizationRequest } from '../../src/payment/payment-provider.js';

describe('test payment provider', function () {
  const req = async (p: TestPaymentProvider, card: string, key: string): Promise<AuthorizationRequest> => {
    const t = await p.tokenize(card);
    return { orderId: '90000101', amount: '10.00', currency: 'USD', token: 'token' in t ? t.token : '', method: 'VISA', idempotencyKey: key };
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

  it('an authorization without a card token is a provider error, never an approval', async function () {
    const p = new TestPaymentProvider();
    const r = await p.authorize({ orderId: '90000101', amount: '10.00', currency: 'USD', token: '', method: 'VISA', idempotencyKey: 'n' });
    expect(r.outcome).to.equal('error');
    expect(p.openHolds()).to.deep.equal([]);
  });

  it('keeps each approval as an open hold until it is voided; a void is safe to run twice', async function () {
    const p = new TestPaymentProvider();
    const a = await p.authorize(await req(p, '4111111111111111', '90000101:3'));
    if (a.outcome !== 'approved') throw new Error('expected an approval');
    await p.authorize(await req(p, '4000000000000002', '90000101:4'));
    expect(p.openHolds().map((h) => h.authorizationCode)).to.deep.equal([a.authorizationCode]);
    expect(await p.void({ orderId: '90000101', authorizationCode: a.authorizationCode })).to.deep.equal({ outcome: 'voided' });
    expect(await p.void({ orderId: '90000101', authorizationCode: a.authorizationCode })).to.deep.equal({ outcome: 'voided' });
    expect(p.openHolds()).to.deep.equal([]);
  });

  it('a voided hold spends its idempotency key: a repeat places a new hold instead of answering with the voided one', async function () {
    const p = new TestPaymentProvider();
    const a = await p.authorize(await req(p, '4111111111111111', '90000101:5'));
    if (a.outcome !== 'approved') throw new Error('expected an approval');
    await p.void({ orderId: '90000101', authorizationCode: a.authorizationCode });
    const b = await p.authorize(await req(p, '4111111111111111', '90000101:5'));
    expect(b.outcome).to.equal('approved');
    expect(b).not.to.deep.equal(a);
    expect(p.openHolds()).to.have.length(1);
  });
});
