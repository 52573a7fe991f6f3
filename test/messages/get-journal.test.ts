import { onlyOnSqlite } from '../support/test-store.js';
import { expect } from 'chai';
import { journalNumberOf, parseMessageId } from '../../src/messages/message-ids.js';
import { readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runMessagesCommand } from '../../src/cli/messages.command.js';
import { loadConfig } from '../../src/config/config.js';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { startDomSimulator, type DomSimulator } from '../../src/dom/simulator/dom-simulator.js';
import { silentLogger } from '../../src/log/logger.js';
import { contentHash } from '../../src/messages/bod-text.js';
import { GetJournal, isJournalId, JOURNAL_ID_BASE, journalDir, SEGMENT_BYTES, type JournalEntry } from '../../src/messages/get-journal.js';
import { startDombridge, type Dombridge } from '../../src/server/dombridge-app.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { faultOf, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, post, soap11 } from '../support/test-app.js';
import { collidingBodIds, uniqueBodId, withBodId } from './message-support.js';
import { scratchDir } from '../support/scratch.js';

const REQUEST = (bodId: string) => `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><_inv:GetInventoryAvailability xmlns:_inv="http://www.ibm.com/xmlns/prod/commerce/9/inventory" xmlns:oa="http://www.openapplications.org/oagis/9"><oa:ApplicationArea><oa:BODID>${bodId}</oa:BODID></oa:ApplicationArea><_inv:DataArea><oa:Get><oa:Expression>/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier[(UniqueID='20311')]]]</oa:Expression></oa:Get></_inv:DataArea></_inv:GetInventoryAvailability></soapenv:Body></soapenv:Envelope>`;

function entry(bodId: string, at: number, over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    service: 'InventoryServices', operation: 'GetInventoryAvailability', verb: 'Get', noun: 'InventoryAvailability', bodId, senderId: '', status: 'processed',
    requestXml: REQUEST(bodId), responseXml: `<_inv:ShowInventoryAvailability>answer to ${bodId}</_inv:ShowInventoryAvailability>`, error: null,
    receivedAt: at, answeredAt: at + 1, ...over,
  };
}

const tempJournal = () => join(scratchDir('dombridge-journal-'), 'db.sqlite.get-journal');
const segmentFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();

/** The journal of answered Gets (src/messages/get-journal.ts): append-only segments, ids known at once. */
describe('Get journal', function () {
  it('hands out digit ids at once; a record reads back the same before and after it is written, with hash and business keys derived', async function () {
    const j = new GetJournal(tempJournal());
    const t = Date.now();
    const id = String(j.append(entry('bod-1', t))!);
    expect(isJournalId(id)).to.equal(true);
    expect(Number(id)).to.be.at.least(JOURNAL_ID_BASE);
    const before = j.read(id)!;
    expect(before).to.include({ bodId: 'bod-1', status: 'processed', direction: 'in', verb: 'Get', catentryId: '20311', createdAt: t, updatedAt: t + 1 });
    expect(before.requestHash).to.equal(contentHash(REQUEST('bod-1')));
    expect(before.responseXml).to.contain('answer to bod-1');
    await j.flush();
    expect(j.read(id)).to.deep.equal(before);
    await j.close();
  });

  it('keeps text and bytes exactly, multibyte UTF-8 included, and nulls as nulls', async function () {
    const dir = tempJournal();
    const j = new GetJournal(dir);
    const t = Date.now();
    const text = REQUEST('bod-ü-名前');
    const a = String(j.append(entry('bod-ü-名前', t, { requestXml: Buffer.from(text, 'utf8'), responseXml: null, status: 'failed', error: 'a fault: not kept', senderId: 'SHOP-É' }))!);
    const b = String(j.append(entry('bod-2', t, { bodId: null, responseXml: Buffer.from('<r>ça marche — ✓</r>', 'utf8') }))!);
    await j.close();
    const again = new GetJournal(dir);
    expect(again.read(a)).to.include({ requestXml: text, responseXml: null, status: 'failed', error: 'a fault: not kept', senderId: 'SHOP-É', bodId: 'bod-ü-名前' });
    expect(again.read(b)).to.include({ bodId: null, responseXml: '<r>ça marche — ✓</r>' });
    await again.close();
  });

  it('lists newest first with status, time and limit, merging what is written with what is queued', async function () {
    const j = new GetJournal(tempJournal());
    const t = Date.now() - 10_000;
    for (let i = 0; i < 5; i++) j.append(entry(`old-${i}`, t + i));
    await j.flush();
    j.append(entry('failed-one', t + 100, { status: 'failed', responseXml: null }));
    j.append(entry('newest', t + 200));
    const all = j.list({ limit: 100 });
    expect(all.map((m) => m.bodId)).to.deep.equal(['newest', 'failed-one', 'old-4', 'old-3', 'old-2', 'old-1', 'old-0']);
    expect(all[0]!.requestXml, 'listings carry no XML').to.equal('');
    expect(j.list({ limit: 2 }).map((m) => m.bodId)).to.deep.equal(['newest', 'failed-one']);
    expect(j.list({ status: 'failed', limit: 10 }).map((m) => m.bodId)).to.deep.equal(['failed-one']);
    expect(j.list({ since: t + 3, limit: 10 }).map((m) => m.bodId)).to.deep.equal(['newest', 'failed-one', 'old-4', 'old-3']);
    expect(j.list({ direction: 'out', limit: 10 })).to.deep.equal([]);
    expect(j.list({ status: 'dead', limit: 10 })).to.deep.equal([]);
    expect(j.findByKey('', 'old-2')?.bodId).to.equal('old-2');
    expect(j.findByKey('SOMEONE', 'old-2')).to.equal(undefined);
    await j.close();
  });

  it('opens a new segment at every start; a record torn by a crash ends its segment and the rest stays readable', async function () {
    const dir = tempJournal();
    const first = new GetJournal(dir);
    const t = Date.now();
    const kept = String(first.append(entry('kept', t))!);
    const torn = String(first.append(entry('torn', t + 1))!);
    await first.close();
    const [segment] = segmentFiles(dir);
    // A crash in the middle of the second record's write.
    truncateSync(join(dir, segment!), statSync(join(dir, segment!)).size - 25);
    const second = new GetJournal(dir);
    expect(second.read(kept)?.bodId).to.equal('kept');
    expect(second.read(torn)).to.equal(undefined);
    const next = String(second.append(entry('after restart', t + 2))!);
    await second.flush();
    expect(segmentFiles(dir)).to.have.length(2);
    expect(Math.floor((Number(next) - JOURNAL_ID_BASE) / SEGMENT_BYTES)).to.equal(Math.floor((Number(kept) - JOURNAL_ID_BASE) / SEGMENT_BYTES) + 1);
    expect(second.list({ limit: 10 }).map((m) => m.bodId)).to.deep.equal(['after restart', 'kept']);
    // Garbage where a segment should be is no record at all.
    writeFileSync(join(dir, '0000000099.seg'), Buffer.from([5, 0, 0, 0, 9, 9, 9, 9, 9]));
    expect(second.list({ limit: 10 }).map((m) => m.bodId)).to.deep.equal(['after restart', 'kept']);
    await second.close();
  });

  it('prunes whole segments whose every record is older than the cut, never the open one', async function () {
    const dir = tempJournal();
    const old = Date.now() - 40 * 86_400_000;
    const a = new GetJournal(dir);
    a.append(entry('very old', old));
    await a.close();
    const b = new GetJournal(dir);
    b.append(entry('old but mixed', old));
    b.append(entry('recent', Date.now()));
    await b.close();
    const c = new GetJournal(dir);
    c.append(entry('open segment, old record', old));
    await c.flush();
    expect(c.prune(Date.now() - 30 * 86_400_000)).to.equal(1);
    expect(c.list({ limit: 10 }).map((m) => m.bodId)).to.have.members(['old but mixed', 'recent', 'open segment, old record']);
    await c.close();
  });

  it('a record bigger than a batch buffer gets one of its own', async function () {
    const j = new GetJournal(tempJournal());
    const big = `<r>${'x'.repeat(1_500_000)}</r>`;
    const id = String(j.append(entry('big', Date.now(), { responseXml: big }))!);
    await j.flush();
    expect(j.read(id)?.responseXml).to.equal(big);
    await j.close();
  });
});

/** Over HTTP with a database file: Gets are journaled, shown by the CLI, and repeats answered from the journal. */
describe('Get journal behind a real server (file database)', function () {
  before(function () {
    onlyOnSqlite(this, 'the Get journal is the SQLite store\'s (PostgreSQL records answered Gets in bod_message)');
  });
  this.timeout(30_000);
  let sim: DomSimulator;
  let app: Dombridge;
  let store: SqliteStore;
  let dbPath: string;

  before(async function () {
    const dir = scratchDir('dombridge-journal-app-');
    dbPath = join(dir, 'dombridge.db');
    sim = await startDomSimulator({ port: 0, host: '127.0.0.1', log: silentLogger });
    store = SqliteStore.open({ path: dbPath });
    await seedDemo(store);
    const config = loadConfig({ env: { PORT: '0', DOM_URL: sim.url, DOMBRIDGE_DATA: dir } });
    app = await startDombridge(config, silentLogger, { store });
  });
  after(async function () {
    await app?.close();
    await sim?.close();
    await store?.close();
  });

  const get = (bodId: string, item = '20311') => post(app.url, INVENTORY_PATH, soap11(withBodId(getAvailabilityBod(itemAtOnline(item, '10201')), bodId)));

  it('records every answered Get in the journal, not in the database, and the CLI lists and shows it', async function () {
    const bodId = uniqueBodId('journal');
    const first = await get(bodId);
    expect(first.body.name).to.equal('ShowInventoryAvailability');
    await store.messages.answeredGets!.flush();
    expect(segmentFiles(journalDir(dbPath)).length).to.be.at.least(1);
    const listed = (await store.messages.list({ direction: 'in', limit: 50 })).find((m) => m.bodId === bodId);
    expect(listed).to.include({ status: 'processed', operation: 'GetInventoryAvailability', catentryId: '20311' });
    // One id scheme (src/messages/message-ids.ts): a journal record is get-N.
    expect(listed!.messageId).to.match(/^get-\d+$/);
    expect(isJournalId(String(journalNumberOf(parseMessageId(listed!.messageId)!.n)))).to.equal(true);

    let out = '';
    const sink = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
    expect(await runMessagesCommand(['show', listed!.messageId], sink, dbPath)).to.equal(0);
    expect(out).to.contain(bodId).and.to.contain('ShowInventoryAvailability');
  });

  it('a repeated Get is answered from its record, while queued and once written; other content under its BODID is refused', async function () {
    const bodId = uniqueBodId('journal-repeat');
    const first = await get(bodId);
    expect((await get(bodId)).text, 'while queued').to.equal(first.text);
    await store.messages.answeredGets!.flush();
    expect((await get(bodId)).text, 'once written').to.equal(first.text);
    const other = await get(bodId, '20312');
    expect(faultOf(other.body).code).to.equal('DUPLICATE_BODID_CONFLICT');
  });

  it('a Get whose BODID shares the recent-keys hash with an earlier one is answered for itself, and its repeat gets its own answer', async function () {
    const [a, b] = collidingBodIds('journal-collide');
    const first = await get(a);
    const other = await get(b);
    expect(other.body.name).to.equal('ShowInventoryAvailability');
    expect(other.text).to.contain(`<oa:BODID>${b}</oa:BODID>`).and.not.to.contain(`<oa:BODID>${a}</oa:BODID>`);
    await store.messages.answeredGets!.flush();
    expect((await get(b)).text).to.equal(other.text);
    expect(first.text).to.contain(a);
  });
});
