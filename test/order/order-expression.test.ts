import { expect } from 'chai';
import { orderExpressionErrorDetail, parseOrderExpression } from '../../src/order/order-expression.js';

describe('parseOrderExpression', () => {
  it('reads the order ids and the access profile', () => {
    expect(parseOrderExpression("{_wcf.ap=IBM_Details}/Order[OrderIdentifier[(UniqueID='1' or UniqueID='2')]]")).to.deep.equal({ ok: true, accessProfile: 'IBM_Details', orderIds: ['1', '2'] });
  });

  it('an unreadable value is refused with its position given once, as a character', () => {
    const text = "/Order[OrderIdentifier[(UniqueID='1' or OrderId='2')]]";
    const r = parseOrderExpression(text);
    if (r.ok) throw new Error('expected a rejection');
    expect(r.position).to.equal(text.indexOf('OrderId='));
    expect(r.reason).not.to.match(/position|character \d/);
    const detail = orderExpressionErrorDetail(r);
    expect(detail.match(/position \d+|character \d+/g)).to.deep.equal([`character ${text.indexOf('OrderId=') + 1}`]);
  });

  it('a wrong shape has no position to give and states none', () => {
    const r = parseOrderExpression('/Orders');
    if (r.ok) throw new Error('expected a rejection');
    expect(orderExpressionErrorDetail(r)).not.to.match(/position|character \d/);
  });
});
