/**
 * End to end: templates rendered and delivered through a real SMTP peer (smtp-server on a free local port)
 * and through the .eml outbox. Assertions are made on the raw message as it arrived, so what is checked is
 * what a mail client would get.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';

import { emailMessageId, mailbox, statusNotifyType, type EmailMessage, type EmailType, type OrderEmailData } from '../../src/email/email-model.js';
import { EmailTemplates } from '../../src/email/email-templates.js';
import { createEmailTransport, type EmailTransport } from '../../src/email/email-transport.js';

function sampleOrder(overrides: Partial<OrderEmailData> = {}): OrderEmailData {
  return {
    orderId: '12345',
    storeName: 'Aurora',
    customerName: 'Jane Doe',
    currency: 'USD',
    placedDate: '2025-03-01T22:15:00-06:00',
    status: 'M',
    statusText: 'Submitted',
    items: [
      { partNumber: 'TEST-SKU-0001', name: 'Garden Chair', quantity: '2.0', unitPrice: '10.00000', itemPrice: '20.00000', fulfillment: 'Ship to address (Standard)' },
      { partNumber: 'TEST-SKU-0002', name: 'Lamp & Shade', quantity: '1', unitPrice: '5.50', itemPrice: '5.50', fulfillment: 'Pick up at Springfield Downtown' },
    ],
    totals: { product: '25.50', adjustment: '-2.00', shipping: '4.99', salesTax: '1.80', shippingTax: '0', grand: '30.29' },
    shippingAddress: { name: 'Jane Doe', lines: ['1 Main St'], city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
    billingAddress: { name: 'Jane Doe', lines: ['PO Box 9'], city: 'Springfield', state: 'IL', postalCode: '62702', country: 'US' },
    ...overrides,
  };
}

const SHIPMENT = { carrier: 'UPS', trackingNumber: '1Z999AA10123456784', shipDate: '2025-03-04', items: [{ partNumber: 'TEST-SKU-0001', quantity: '2' }] };

const templates = new EmailTemplates();

function message(type: EmailType, data: OrderEmailData, to = mailbox(data.customerName, 'jane@example.com')): EmailMessage {
  const discriminator = type === 'ReleaseShipNotify' ? data.shipment?.trackingNumber : undefined;
  return { type, to, from: mailbox('Aurora', 'orders@aurora.example'), orderId: data.orderId, messageId: emailMessageId(type, data.orderId, discriminator), ...templates.render(type, data) };
}

/** Header lines unfolded (RFC 5322 §2.2.3), so a long Subject folded by the composer reads as one line. */
function headerLines(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  return head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/);
}

function header(raw: string, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`;
  const line = headerLines(raw).find((l) => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

/** Undoes quoted-printable (soft line breaks and =XX) across the whole message: enough to find tokens. */
function decodeQp(raw: string): string {
  const soft = raw.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

interface Received {
  rcptTo: string[];
  raw: string;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('e-mail delivery', function () {
  describe('over SMTP to a real SMTP server', function () {
    const received: Received[] = [];
    let server: SMTPServer;
    let transport: EmailTransport;

    before(async function () {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onRcptTo(address, _session, callback) {
          const code = address.address.startsWith('unknown') ? 550 : address.address.startsWith('busy') ? 451 : 0;
          if (code === 0) return callback();
          return callback(Object.assign(new Error(code === 550 ? 'No such user here' : 'Try again later'), { responseCode: code }));
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            received.push({ rcptTo: session.envelope.rcptTo.map((a) => a.address), raw: Buffer.concat(chunks).toString('utf8') });
            callback();
          });
        },
      });
      const listening = server.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
      const { port } = server.server.address() as AddressInfo;
      transport = createEmailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, outboxDir: 'unused-outbox' });
    });

    after(async function () {
      await transport?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const byMessageId = (id: string): Received => {
      const found = received.find((r) => header(r.raw, 'Message-ID') === id);
      if (!found) throw new Error(`no message ${id} arrived`);
      return found;
    };

    it('delivers every message type to the recipient with its subject, Message-ID and body', async function () {
      expect(transport.description).to.match(/^SMTP smtp:\/\/127\.0\.0\.1:\d+/);
      const cases: { type: EmailType; data: OrderEmailData; tokens: string[] }[] = [
        { type: 'OrderReceived', data: sampleOrder(), tokens: ['TEST-SKU-0002', '$30.29', '-$2.00', 'Pick up at Springfield Downtown', '1 Main St', 'March 1, 2025'] },
        { type: statusNotifyType('R'), data: sampleOrder({ status: 'R', statusText: 'Released' }), tokens: ['released', 'TEST-SKU-0001'] },
        { type: statusNotifyType('B'), data: sampleOrder({ status: 'B', statusText: 'Back ordered' }), tokens: ['backorder', 'TEST-SKU-0002'] },
        { type: statusNotifyType('X'), data: sampleOrder({ status: 'X', statusText: 'Canceled' }), tokens: ['has been canceled', '$30.29'] },
        { type: statusNotifyType('W'), data: sampleOrder({ status: 'W', statusText: 'Waiting for approval' }), tokens: ['Waiting for approval'] },
        { type: 'ReleaseShipNotify', data: sampleOrder({ status: 'S', statusText: 'Shipped', shipment: SHIPMENT }), tokens: ['UPS', '1Z999AA10123456784', 'March 4, 2025', 'Garden Chair'] },
      ];
      for (const c of cases) {
        const msg = message(c.type, c.data);
        expect(await transport.send(msg), c.type).to.deep.equal({ ok: true });
        const got = byMessageId(msg.messageId);
        expect(got.rcptTo, c.type).to.deep.equal(['jane@example.com']);
        expect(header(got.raw, 'Subject'), c.type).to.equal(msg.subject);
        expect(header(got.raw, 'To'), c.type).to.equal('Jane Doe <jane@example.com>');
        expect(header(got.raw, 'X-Dombridge-Email-Type'), c.type).to.equal(c.type);
        expect(got.raw).to.match(/Content-Type: multipart\/alternative/i);
        const body = decodeQp(got.raw);
        for (const token of ['12345', 'Hello Jane Doe', ...c.tokens]) expect(body, `${c.type}: ${token}`).to.contain(token);
      }
      expect(header(byMessageId('<order-12345.OrderStatusNotify_X@dombridge>').raw, 'Subject')).to.equal('Your Aurora order 12345 has been canceled');
      expect(header(byMessageId('<order-12345.ReleaseShipNotify.1Z999AA10123456784@dombridge>').raw, 'Subject')).to.equal('Your Aurora order 12345 has shipped');
    });

    it('reports a 550 unknown recipient as not retryable', async function () {
      const result = await transport.send(message('OrderReceived', sampleOrder(), 'unknown@example.com'));
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.retryable).to.equal(false);
      expect(result.reason).to.contain('550');
    });

    it('reports a 451 temporary rejection as retryable', async function () {
      const result = await transport.send(message('OrderReceived', sampleOrder(), 'busy@example.com'));
      expect(result).to.include({ ok: false, retryable: true });
    });

    it('neutralises header injection through a customer name and a raw subject', async function () {
      const evil = 'Eve\r\nBcc: victim@example.com';
      const msg = message('OrderReceived', sampleOrder({ orderId: 'INJ-1', customerName: evil }), mailbox(evil, 'eve@example.com'));
      expect(msg.subject).to.not.match(/[\r\n]/);
      expect(await transport.send(msg)).to.deep.equal({ ok: true });
      const direct = { ...msg, messageId: '<inj-2@dombridge>', subject: 'Hello\r\nBcc: victim@example.com\r\n\r\nforged body' };
      expect(await transport.send(direct)).to.deep.equal({ ok: true });

      for (const got of [byMessageId(msg.messageId), byMessageId('<inj-2@dombridge>')]) {
        expect(got.rcptTo).to.deep.equal(['eve@example.com']);
        const lines = headerLines(got.raw);
        expect(lines.filter((l) => /^bcc:/i.test(l))).to.deep.equal([]);
        expect(lines.filter((l) => /^subject:/i.test(l))).to.have.length(1);
      }
      expect(header(byMessageId(msg.messageId).raw, 'Subject')).to.equal('Eve Bcc: victim@example.com, we received your Aurora order INJ-1');
      expect(header(byMessageId(msg.messageId).raw, 'To')).to.equal('"Eve Bcc: victim@example.com" <eve@example.com>');
    });

    it('HTML-escapes a <script> in a part name, and keeps it literal in the text part', async function () {
      const data = sampleOrder({ orderId: 'XSS-1' });
      data.items[0]!.name = '<script>alert(1)</script>';
      const msg = message('OrderReceived', data);
      expect(msg.html).to.not.contain('<script>');
      expect(msg.html).to.contain('&lt;script&gt;alert(1)&lt;&#47;script&gt;');
      expect(msg.text).to.contain('2 x <script>alert(1)</script> (item TEST-SKU-0001)');
      expect(await transport.send(msg)).to.deep.equal({ ok: true });
      const html = decodeQp(byMessageId(msg.messageId).raw).split(/Content-Type: text\/html/i)[1] ?? '';
      expect(html).to.contain('&lt;script&gt;').and.not.contain('<script>');
    });

    it('reports a port with nothing listening as retryable, without leaking the password', async function () {
      const port = await freePort();
      const down = createEmailTransport({ smtpUrl: `smtp://mailer:s3cret-pa55@127.0.0.1:${port}`, outboxDir: 'unused-outbox' });
      try {
        expect(down.description).to.contain('mailer@127.0.0.1').and.not.contain('s3cret');
        const started = Date.now();
        const result = await down.send(message('OrderReceived', sampleOrder()));
        expect(result).to.include({ ok: false, retryable: true });
        if (!result.ok) expect(result.reason).to.match(/ECONNREFUSED|ESOCKET|ECONNECTION/).and.not.contain('s3cret');
        expect(Date.now() - started).to.be.below(15_000);
      } finally {
        await down.close();
      }
    });

    it('rejects an SMTP_URL that is not smtp:// or smtps://', function () {
      expect(() => createEmailTransport({ smtpUrl: 'http://x:topsecret@host', outboxDir: 'o' })).to.throw(/smtp:\/\//);
      let message = '';
      try {
        createEmailTransport({ smtpUrl: 'smtp://u:topsecret@bad host', outboxDir: 'o' });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.contain('not a valid URL');
      expect(message).to.not.contain('topsecret');
    });
  });

  describe('to the .eml outbox', function () {
    let dir: string;

    beforeEach(async function () {
      dir = await mkdtemp(join(tmpdir(), 'dombridge-email-'));
    });

    afterEach(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes a complete RFC 5322 message under a time-order-type name, creating the directory', async function () {
      const outbox = join(dir, 'outbox');
      const transport = createEmailTransport({ outboxDir: outbox });
      expect(transport.description).to.contain('outbox');
      const msg = message('ReleaseShipNotify', sampleOrder({ shipment: SHIPMENT }));
      expect(await transport.send(msg)).to.deep.equal({ ok: true });
      await transport.close();

      const files = await readdir(outbox);
      expect(files).to.have.length(1);
      expect(files[0]).to.match(/^\d{4}-\d{2}-\d{2}T\d{6}\.\d{3}Z-12345-ReleaseShipNotify\.eml$/);
      const raw = await readFile(join(outbox, files[0]!), 'utf8');
      expect(header(raw, 'Message-ID')).to.equal('<order-12345.ReleaseShipNotify.1Z999AA10123456784@dombridge>');
      expect(header(raw, 'Subject')).to.equal('Your Aurora order 12345 has shipped');
      expect(header(raw, 'To')).to.equal('Jane Doe <jane@example.com>');
      expect(header(raw, 'From')).to.equal('Aurora <orders@aurora.example>');
      expect(header(raw, 'Date')).to.be.a('string');
      expect(raw).to.contain('\r\n\r\n').and.not.match(/[^\r]\n/); // CRLF line ends throughout
      const body = decodeQp(raw);
      for (const token of ['1Z999AA10123456784', 'UPS', 'TEST-SKU-0001', 'Content-Type: text/html']) expect(body).to.contain(token);
    });

    it('never overwrites: the same message twice gives two files, and an odd order id stays inside the outbox', async function () {
      const transport = createEmailTransport({ outboxDir: dir });
      const msg = message('OrderReceived', sampleOrder({ orderId: '../../etc/x' }));
      expect(await transport.send(msg)).to.deep.equal({ ok: true });
      expect(await transport.send(msg)).to.deep.equal({ ok: true });
      const files = (await readdir(dir)).sort();
      expect(files).to.have.length(2); // no temp files left behind either
      for (const f of files) expect(f).to.match(/^[^/]*Z-\.\._\.\._etc_x-OrderReceived(-2)?\.eml$/);
    });

    it('reports an unwritable outbox as retryable', async function () {
      const blocker = join(dir, 'file');
      await writeFile(blocker, 'not a directory');
      const transport = createEmailTransport({ outboxDir: join(blocker, 'outbox') });
      const result = await transport.send(message('OrderReceived', sampleOrder()));
      expect(result).to.include({ ok: false, retryable: true });
    });
  });
});
