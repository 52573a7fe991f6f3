import { expect } from 'chai';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseSince, runMessagesCommand } from '../../src/cli/messages.command.js';
import { silentLogger } from '../../src/log/logger.js';
import { pruneMessages } from '../../src/messages/install-message-store.js';
import { openTestStore, testStoreLocation } from '../support/test-store.js';
import { openStore, type StoreLocation } from '../../src/store/open-store.js';
import { inboundRow } from './message-support.js';
import { scratchDir } from '../support/scratch.js';

function sink(): { out: Writable; text: () => string } {
  let s = '';
  return { out: new Writable({ write(chunk, _enc, cb) { s += String(chunk); cb(); } }), text: () => s };
}

/** `dombridge messages list | show | resend` against a database file, as an operator runs it beside the server. */
describe('messages CLI', function () {
  let db: StoreLocation;
  let inboundId: string;
  let callId: string;
  const outboxId = 'outbox-msg-0001';
  const bodId = 'bod-transfer-0001';

  before(async function () {
    db = await testStoreLocation(join(scratchDir('dombridge-messages-'), 'db.sqlite'));
    const store = await openStore(db);
    const begun = await store.messages.beginInbound(inboundRow({ bodId: 'bod-in-0001', senderId: 'STOREFRONT', orderId: '90000101', catentryId: '20311', requestXml: '<soapenv:Envelope>the request</soapenv:Envelope>' }));
    inboundId = begun.created ? begun.messageId : '';
    await store.messages.finishInbound(inboundId, { status: 'processed', responseXml: '<_ord:RespondOrder>the answer</_ord:RespondOrder>', error: null, at: Date.now() });
    const now = Date.now();
    await store.domOutbox.enqueue({ messageId: outboxId, kind: 'TransferOrder', orderId: '90000101', bodId, payload: '<_ord:ProcessOrder>transfer</_ord:ProcessOrder>', nextAttemptAt: now, createdAt: now });
    await store.domOutbox.settle(outboxId, 'sent', { attempts: 12 });
    await store.domOutbox.settle(outboxId, 'dead', { attempts: 12, lastError: 'refused: DOM refused the connection' });
    await store.messages.recordBatch({ inbound: [], calls: [{
      service: '/dom/services/OrderServices', operation: 'ProcessOrder', verb: 'Process', noun: 'Order', bodId, orderId: '90000101', partNumber: null, catentryId: null,
      status: 'failed', requestXml: '<_ord:ProcessOrder>transfer</_ord:ProcessOrder>', responseXml: null, error: 'refused: DOM refused the connection', durationMs: 3, causedBy: null, sentAt: now, answeredAt: now + 3,
    }] });
    callId = (await store.messages.callsWithBodId(bodId))[0]!.messageId;
    await store.close();
  });

  const run = async (...args: string[]) => {
    const { out, text } = sink();
    const code = await runMessagesCommand(args, out, db);
    return { code, text: text() };
  };

  it('list: a table of recorded messages and outbox rows, newest first, filtered by direction, status and time', async function () {
    const all = await run('list');
    expect(all.code).to.equal(0);
    const lines = all.text.split('\n');
    expect(lines[0]).to.match(/^ID\s+DIR\s+STATUS\s+OPERATION\s+BODID\s+SENDER\s+ORDER\s+ITEM\s+CREATED \(UTC\)\s+NOTE$/);
    // One id scheme: in-N, out-N, outbox-N (src/messages/message-ids.ts).
    expect(inboundId).to.match(/^in-\d+$/);
    expect(callId).to.match(/^out-\d+$/);
    expect(all.text).not.to.contain(outboxId);
    expect(all.text).to.contain('outbox-1').and.to.contain('12 attempts; refused').and.to.contain('bod-in-0001').and.to.contain('STOREFRONT');
    expect(all.text).to.contain('3 messages');

    const inbound = await run('list', '--direction', 'in');
    expect(inbound.text).to.contain('bod-in-0001').and.not.to.contain('outbox-1');
    const dead = await run('list', '--status', 'dead');
    expect(dead.text).to.contain('outbox-1').and.not.to.contain('bod-in-0001');
    expect((await run('list', '--since', '1h')).text).to.contain('3 messages');
    expect((await run('list', '--since', '2999-01-01T00:00:00Z')).text).to.contain('No messages.');
    expect((await run('list', '--limit', '1')).text).to.contain('the newest 1');
  });

  it('list refuses what it cannot read, with the usage (exit 64)', async function () {
    for (const args of [['list', '--since', 'yesterday'], ['list', '--status', 'lost'], ['list', '--direction', 'up'], ['list', '--limit', '0'], ['list', '--nope'], ['frobnicate'], ['show']]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).to.equal(64);
      expect(r.text).to.contain('Usage:');
    }
  });

  it('show: every field and the raw XML; an outbox message with its recorded attempts', async function () {
    const inbound = await run('show', inboundId);
    expect(inbound.code).to.equal(0);
    expect(inbound.text).to.match(/status:\s+processed/).and.to.match(/BODID:\s+bod-in-0001/).and.to.match(/sender:\s+STOREFRONT/);
    expect(inbound.text).to.contain('<soapenv:Envelope>the request</soapenv:Envelope>').and.to.contain('<_ord:RespondOrder>the answer</_ord:RespondOrder>');
    // The outbox message by its id, and by the id earlier versions showed.
    expect((await run('show', 'outbox-1')).text).to.match(/id:\s+outbox-1/);
    const outbox = await run('show', outboxId);
    expect(outbox.text).to.match(/source:\s+DOM outbox/).and.to.match(/attempts:\s+12/).and.to.contain('Attempts recorded (1):').and.to.contain(callId);
    expect(outbox.text).to.contain('<_ord:ProcessOrder>transfer</_ord:ProcessOrder>');
    expect((await run('show', '424242')).code).to.equal(1);
  });

  it('resend: a dead outbox message goes back to queued, attempts 0, with its original BODID and payload; nothing else is resent', async function () {
    const inbound = await run('resend', inboundId);
    expect(inbound.code).to.equal(1);
    expect(inbound.text).to.contain('does not resend what it received');
    const call = await run('resend', callId);
    expect(call.code).to.equal(1);
    expect(call.text).to.contain('only DOM outbox messages can be resent');

    const r = await run('resend', outboxId);
    expect(r.code, r.text).to.equal(0);
    expect(r.text).to.contain(`original BODID ${bodId}`);
    const store = await openStore(db);
    try {
      const m = (await store.domOutbox.get(outboxId))!;
      expect(m).to.include({ status: 'queued', attempts: 0, bodId, lastError: null, payload: '<_ord:ProcessOrder>transfer</_ord:ProcessOrder>' });
      expect(m.nextAttemptAt).to.be.at.most(Date.now());
    } finally {
      await store.close();
    }
    const again = await run('resend', outboxId);
    expect(again.code).to.equal(1);
    expect(again.text).to.contain('is queued, not dead or failed');
  });

  it('a database that does not exist is reported, not created', async function () {
    const { out, text } = sink();
    expect(await runMessagesCommand(['list'], out, join(tmpdir(), 'no-such-dir-dombridge', 'db.sqlite'))).to.equal(1);
    expect(text()).to.contain('No database at');
  });

  it('--since reads ISO times and spans back from now', function () {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(parseSince('15m', now)).to.equal(now - 15 * 60_000);
    expect(parseSince('2h', now)).to.equal(now - 2 * 3_600_000);
    expect(parseSince('1d', now)).to.equal(now - 86_400_000);
    expect(parseSince('30s', now)).to.equal(now - 30_000);
    expect(parseSince('2026-04-30T08:00:00Z', now)).to.equal(Date.parse('2026-04-30T08:00:00Z'));
    expect(() => parseSince('15 minutes', now)).to.throw(/--since/);
  });

  it('retention: messages older than the cut-off are pruned, outbox rows are left alone', async function () {
    const store = await openTestStore();
    try {
      const old = Date.now() - 40 * 86_400_000;
      await store.messages.beginInbound(inboundRow({ bodId: 'old-1', receivedAt: old }));
      await store.messages.beginInbound(inboundRow({ bodId: null, receivedAt: old }));
      await store.messages.beginInbound(inboundRow({ bodId: 'new-1' }));
      await store.domOutbox.enqueue({ messageId: 'o-1', kind: 'TransferOrder', orderId: '1', bodId: 'b', payload: '<x/>', nextAttemptAt: old, createdAt: old });
      expect(await pruneMessages(store.messages, Date.now() - 30 * 86_400_000, silentLogger)).to.equal(2);
      const left = await store.messages.list({ limit: 10 });
      expect(left.map((m) => m.bodId).sort()).to.deep.equal(['b', 'new-1']);
    } finally {
      await store.close();
    }
  });
});
