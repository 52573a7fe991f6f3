/** Rendering rules of the e-mail templates: fallbacks, errors, escaping and formatting. */
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

import { emailMessageId, mailbox, type EmailType, type OrderEmailData } from '../../src/email/email-model.js';
import { DEFAULT_EMAIL_TEMPLATE_DIR, EmailTemplates, formatDate, formatMoney } from '../../src/email/email-templates.js';

function order(overrides: Partial<OrderEmailData> = {}): OrderEmailData {
  return {
    orderId: '777',
    storeName: 'Aurora',
    currency: 'USD',
    status: 'R',
    statusText: 'Released',
    items: [{ partNumber: 'P-1', name: 'Salt & Pepper "Set"', quantity: '3', unitPrice: '1.5', itemPrice: '4.5', fulfillment: 'Ship to address (Standard)' }],
    totals: { product: '4.5', adjustment: '0', shipping: '0', salesTax: '0.36', shippingTax: '0', grand: '4.86' },
    ...overrides,
  };
}

describe('e-mail templates', function () {
  const templates = new EmailTemplates();
  let scratch: string;

  beforeEach(function () {
    scratch = mkdtempSync(join(tmpdir(), 'dombridge-tpl-'));
    cpSync(DEFAULT_EMAIL_TEMPLATE_DIR, scratch, { recursive: true });
  });

  afterEach(function () {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('renders every type to a one-line subject, a text and an HTML body', function () {
    const types: EmailType[] = ['OrderReceived', 'ReleaseShipNotify', 'OrderStatusNotify_R', 'OrderStatusNotify_B', 'OrderStatusNotify_X', 'OrderStatusNotify_Q'];
    for (const type of types) {
      const r = templates.render(type, order({ customerName: 'Ann', shipment: { carrier: 'FedEx', trackingNumber: 'T1', shipDate: '2025-01-02', items: [{ partNumber: 'P-1', quantity: '3' }] } }));
      expect(r.subject, type).to.match(/^\S.*\S$/).and.contain('777');
      expect(r.subject, type).to.not.match(/[\r\n]|\s{2}/);
      expect(r.text, type).to.contain('Hello Ann,').and.contain('777');
      expect(r.html, type).to.match(/^<!DOCTYPE html>/).and.contain('</html>').and.contain('Hello Ann,');
    }
  });

  it('uses OrderStatusNotify_default for a status without its own templates, showing the status text', function () {
    expect(templates.templateFor('OrderStatusNotify_Q')).to.equal('OrderStatusNotify_default');
    expect(templates.templateFor('OrderStatusNotify_X')).to.equal('OrderStatusNotify_X');
    const r = templates.render('OrderStatusNotify_Q', order({ statusText: 'Pending review' }));
    expect(r.subject).to.equal('An update on your Aurora order 777: Pending review');
    expect(r.text).to.contain('Pending review');
  });

  it('refuses an unknown message type at render time, naming it', function () {
    expect(() => templates.render('Bogus' as EmailType, order())).to.throw(/no e-mail template for message type "Bogus"/);
  });

  it('fails at construction when a template file of a known type is missing, naming the file', function () {
    unlinkSync(join(scratch, 'OrderStatusNotify_B.txt.mustache'));
    expect(() => new EmailTemplates({ dir: scratch })).to.throw(/OrderStatusNotify_B\.txt\.mustache is missing/);
  });

  it('fails at construction on a template that does not parse, naming the file', function () {
    writeFileSync(join(scratch, 'OrderReceived.html.mustache'), '{{#items}}unclosed');
    expect(() => new EmailTemplates({ dir: scratch })).to.throw(/OrderReceived\.html\.mustache .*does not parse/);
  });

  it('picks up an extra OrderStatusNotify_<status> set a deployment adds', function () {
    writeFileSync(join(scratch, 'OrderStatusNotify_S.subject.mustache'), 'Order {{orderId}} is complete\n');
    writeFileSync(join(scratch, 'OrderStatusNotify_S.txt.mustache'), 'Done: {{orderId}}\n');
    writeFileSync(join(scratch, 'OrderStatusNotify_S.html.mustache'), '<p>Done: {{orderId}}</p>\n');
    const custom = new EmailTemplates({ dir: scratch });
    expect(custom.render('OrderStatusNotify_S', order())).to.deep.equal({ subject: 'Order 777 is complete', text: 'Done: 777\n', html: '<p>Done: 777</p>\n' });
    expect(() => { writeFileSync(join(scratch, 'OrderStatusNotify_T.subject.mustache'), 'x'); new EmailTemplates({ dir: scratch }); })
      .to.throw(/OrderStatusNotify_T\.txt\.mustache is missing/);
  });

  it('escapes HTML in the HTML body only; the text body and subject keep characters as they are', function () {
    const r = templates.render('OrderReceived', order({ storeName: 'A&B <Shop>' }));
    expect(r.text).to.contain('3 x Salt & Pepper "Set" (item P-1)');
    expect(r.subject).to.equal('We received your A&B <Shop> order 777');
    expect(r.html).to.contain('Salt &amp; Pepper &quot;Set&quot;').and.contain('A&amp;B &lt;Shop&gt;');
    expect(r.html).to.not.contain('<Shop>');
  });

  it('strips CR/LF from values in the subject but keeps them harmlessly in the bodies', function () {
    const r = templates.render('OrderStatusNotify_X', order({ storeName: 'Evil\r\nBcc: x@example.com\r\n' }));
    expect(r.subject).to.equal('Your Evil Bcc: x@example.com order 777 has been canceled');
  });

  it('shows totals, discounts only when there are any, and both addresses', function () {
    const plain = templates.render('OrderReceived', order());
    expect(plain.text).to.contain('Order total:   $4.86');
    for (const absent of ['Discounts', 'Shipping tax', 'Shipping to:', 'Billing address:']) expect(plain.text).to.not.contain(absent);
    const full = templates.render('OrderReceived', order({
      totals: { product: '4.5', adjustment: '-1', shipping: '2', salesTax: '0.36', shippingTax: '0.16', grand: '6.02' },
      shippingAddress: { lines: ['9 Elm St', ''], city: 'Springfield', state: 'IL', postalCode: '62701' },
      billingAddress: { name: 'Bo Bill', lines: ['1 Bank Rd'], country: 'CA' },
    }));
    expect(full.text).to.contain('Discounts:     -$1.00').and.contain('Shipping tax:  $0.16');
    expect(full.text).to.contain('Shipping to:\n  9 Elm St\n  Springfield, IL 62701\n');
    expect(full.text).to.contain('Billing address:\n  Bo Bill\n  1 Bank Rd\n  CA\n');
    // An address without a name must not borrow one from an enclosing context (Mustache looks names up).
    expect(full.text.split('Shipping to:\n')[1]?.split('\n')[0]).to.equal('  9 Elm St');
  });

  it('formats money in the order currency and dates as written', function () {
    expect(formatMoney('19.99000', 'USD')).to.equal('$19.99');
    expect(formatMoney('-5', 'EUR')).to.equal('-€5.00');
    expect(formatMoney('1234.5', 'JPY')).to.equal('¥1,235');
    expect(formatMoney('n/a', 'USD')).to.equal('n/a');
    expect(formatMoney('3.10', 'XX')).to.equal('3.10 XX');
    expect(formatDate('2025-03-01T23:30:00-06:00')).to.equal('March 1, 2025');
    expect(formatDate('soon')).to.equal('soon');
  });

  it('builds stable, header-safe Message-IDs and mailboxes', function () {
    expect(emailMessageId('OrderReceived', '123')).to.equal('<order-123.OrderReceived@dombridge>');
    expect(emailMessageId('ReleaseShipNotify', '123', '1Z 9')).to.equal('<order-123.ReleaseShipNotify.1Z=209@dombridge>');
    expect(emailMessageId('OrderReceived', 'a>b\r\n')).to.equal('<order-a=3Eb=0D=0A.OrderReceived@dombridge>');
    expect(emailMessageId('OrderReceived', 'a.b')).to.not.equal(emailMessageId('OrderReceived', 'a_b'));
    expect(mailbox('Jane "JD" Doe\\', 'jane@example.com')).to.equal('"Jane \\"JD\\" Doe\\\\" <jane@example.com>');
    expect(mailbox('Eve\r\nBcc: x@y', 'eve@example.com')).to.equal('"Eve Bcc: x@y" <eve@example.com>');
    expect(mailbox(undefined, ' bob@example.com ')).to.equal('bob@example.com');
  });
});
