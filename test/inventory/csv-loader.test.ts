import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import {
  CsvRecordReader, loadInventoryCsv, parseDateTime, type CsvRecord, type LoadOptions, type LoadProgress, type LoadSummary,
} from '../../src/inventory/csv-loader.js';
import { runLoadInventory } from '../../src/cli/load-inventory.command.js';
import { testStoreLocation } from '../support/test-store.js';
import { openStore, type StoreLocation } from '../../src/store/open-store.js';
import type { AvailabilityBatchOp, Store } from '../../src/store/store.js';
import type { LocationKey } from '../../src/inventory/inventory-model.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

interface Row {
  pn?: string; online?: string; physical?: string; status?: string; qty?: string; uom?: string; time?: string; offset?: string;
  last?: string; ctx?: string; f1?: string; f2?: string; f3?: string; del?: string;
}

/** One CSV line (no line end); fields are written as given, so a test can put quotes in them itself. */
function row(r: Row): string {
  return [
    r.pn ?? '000PN-1', r.online ?? (r.physical === undefined ? '10101' : ''), r.physical ?? '', r.status ?? 'Available',
    r.qty ?? '5', r.uom ?? '', r.time ?? '', r.offset ?? '', r.last ?? '2024-05-01T10:00:00Z', r.ctx ?? '', r.f1 ?? '', r.f2 ?? '',
    r.f3 ?? '', r.del ?? '',
  ].join(',');
}

const online = (storeId: string): LocationKey => ({ kind: 'online', storeId });
const physical = (storeId: string): LocationKey => ({ kind: 'physical', storeId });

/** Seeded in `at` (a location from testStoreLocation), or in a fresh store of the kind under test. */
async function seededStore(at?: StoreLocation): Promise<Store> {
  const store = await openStore(at ?? (await testStoreLocation()));
  await store.directory.upsertFulfillmentCenter({ fulfillmentCenterId: '0001', name: 'Main warehouse' });
  await store.directory.upsertOnlineStore({
    storeId: '10101', nameIdentifier: 'Aurora', inventorySystem: -5, currency: 'USD', fulfillmentCenterId: '0001', inventoryFlags: 0,
  });
  await store.directory.upsertOnlineStore({
    storeId: '0010202', nameIdentifier: 'Madisons', inventorySystem: -5, currency: 'USD', fulfillmentCenterId: null, inventoryFlags: 0,
  });
  await store.directory.upsertPhysicalStore({ storeId: '900001', externalId: 'STORE-0042', onlineStoreId: '10101', name: 'Downtown' });
  await store.directory.upsertPhysicalStore({ storeId: '00777', externalId: 'EXT-777', onlineStoreId: null, name: null });
  await store.catalog.upsertCatalogEntry({ catentryId: '0012345', partNumber: '000PN-1', name: 'Widget', price: '24.99' });
  await store.catalog.upsertCatalogEntry({ catentryId: '20002', partNumber: 'PN-2', name: 'Gadget', price: null });
  await store.catalog.upsertCatalogEntry({ catentryId: '20003', partNumber: 'PN, "quoted"', name: 'Odd', price: null });
  return store;
}

function fromText(text: string | Buffer): Readable {
  return Readable.from([typeof text === 'string' ? Buffer.from(text, 'utf8') : text]);
}

function byteByByte(text: string): Readable {
  const bytes = Buffer.from(text, 'utf8');
  return Readable.from((function* () {
    for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
  })());
}

function reasonsByLine(s: LoadSummary): Map<number, string> {
  return new Map(s.rejections.map((r) => [r.line, r.reason]));
}

describe('loadInventoryCsv', () => {
  let store: Store;
  beforeEach(async () => {
    store = await seededStore();
  });
  afterEach(async () => {
    await store.close();
  });

  const load = (input: Readable | string, opts: LoadOptions = {}): Promise<LoadSummary> =>
    loadInventoryCsv(typeof input === 'string' ? fromText(input) : input, store, { now: () => NOW, ...opts });

  describe('loading', () => {
    it('loads a good file and the records read back, leading zeros and NULL quantity kept', async () => {
      const text = [
        row({ pn: '000PN-1', online: '10101', status: 'Available', qty: '', time: '', last: '2024-05-01T10:00:00Z' }),
        row({ pn: '000PN-1', online: '0010202', status: 'Backorderable', qty: '0', uom: 'EA', time: '2024-06-10T08:30:00Z', offset: '3600', last: '2024-05-02 11:12:13.456' }),
        row({ pn: 'PN-2', physical: 'STORE-0042', status: 'Unavailable', qty: '0.5', ctx: '0010202', f1: 'a', f2: '007', f3: 'c' }),
        row({ pn: 'PN-2', physical: '00777', status: 'Available', qty: '12', last: '' }),
      ].join('\n') + '\n';
      const s = await load(text);
      expect(s.rejections).to.deep.equal([]);
      expect(s).to.include({ linesRead: 4, upserted: 4, deleted: 0, rejected: 0, missingDeletes: 0, rejectionsTruncated: false });
      expect(s.bytesRead).to.equal(Buffer.byteLength(text));

      expect(await store.availability.get('0012345', online('10101'))).to.deep.equal({
        catentryId: '0012345', location: online('10101'), status: 'Available', quantity: null, uom: 'C62', availabilityTime: null,
        availabilityOffset: null, lastUpdate: Date.UTC(2024, 4, 1, 10, 0, 0), contextStoreId: null, field1: null, field2: null, field3: null,
      });
      expect(await store.availability.get('0012345', online('0010202'))).to.deep.include({
        status: 'Backorderable', quantity: 0, uom: 'EA', availabilityTime: Date.UTC(2024, 5, 10, 8, 30), availabilityOffset: 3600,
        lastUpdate: Date.UTC(2024, 4, 2, 11, 12, 13, 456),
      });
      expect(await store.availability.get('20002', physical('900001'))).to.deep.include({
        status: 'Unavailable', quantity: 0.5, contextStoreId: '0010202', field1: 'a', field2: '007', field3: 'c',
      });
      // LastUpdate empty = the load's start time; the physical store found by its unique id.
      expect(await store.availability.get('20002', physical('00777'))).to.deep.include({ quantity: 12, lastUpdate: NOW });
    });

    it("accepts Commerce's status codes AVL, BA and UAVL", async () => {
      const s = await load([
        row({ pn: '000PN-1', online: '10101', status: 'AVL' }),
        row({ pn: '000PN-1', online: '0010202', status: 'BA' }),
        row({ pn: 'PN-2', online: '10101', status: 'UAVL' }),
      ].join('\n'));
      expect(s).to.include({ upserted: 3, rejected: 0 });
      expect((await store.availability.get('0012345', online('10101')))?.status).to.equal('Available');
      expect((await store.availability.get('0012345', online('0010202')))?.status).to.equal('Backorderable');
      expect((await store.availability.get('20002', online('10101')))?.status).to.equal('Unavailable');
    });

    it('replaces an existing record; the last row for a key wins', async () => {
      const s = await load([row({ qty: '1' }), row({ qty: '2' }), row({ qty: '3', status: 'BA' })].join('\n'));
      expect(s).to.include({ upserted: 3, rejected: 0 });
      expect(await store.availability.get('0012345', online('10101'))).to.deep.include({ quantity: 3, status: 'Backorderable' });
    });

    it('Delete=1 removes the record, needing only the part number and the location', async () => {
      await load([row({ qty: '4' }), row({ pn: 'PN-2', physical: 'EXT-777' })].join('\n'));
      expect(await store.availability.get('0012345', online('10101'))).to.not.equal(undefined);
      const s = await load([
        row({ status: '', qty: 'garbage', time: 'never', last: 'x', offset: '-1', del: '1' }),
        row({ pn: 'PN-2', physical: '00777', status: 'nonsense', del: '1' }),
        row({ pn: 'PN-2', online: '0010202', del: '1' }),
      ].join('\r\n'));
      expect(s.rejections).to.deep.equal([]);
      expect(s).to.include({ linesRead: 3, upserted: 0, deleted: 2, missingDeletes: 1, rejected: 0 });
      expect(await store.availability.get('0012345', online('10101'))).to.equal(undefined);
      expect(await store.availability.get('20002', physical('00777'))).to.equal(undefined);
    });

    it('takes Delete 0 or empty as a load', async () => {
      const s = await load([row({ del: '0' }), row({ pn: 'PN-2', del: '' })].join('\n'));
      expect(s).to.include({ upserted: 2, rejected: 0 });
    });

    it('reads the accepted date-time forms as UTC unless a zone is given', async () => {
      expect(parseDateTime('2024-05-01T10:00:00Z')).to.equal(Date.UTC(2024, 4, 1, 10));
      expect(parseDateTime('2024-05-01T10:00:00')).to.equal(Date.UTC(2024, 4, 1, 10));
      expect(parseDateTime('2024-05-01 10:00:00')).to.equal(Date.UTC(2024, 4, 1, 10));
      expect(parseDateTime('2024-05-01 10:00:00.5')).to.equal(Date.UTC(2024, 4, 1, 10, 0, 0, 500));
      expect(parseDateTime('2024-05-01T10:00:00.123456+02:00')).to.equal(Date.UTC(2024, 4, 1, 8, 0, 0, 123));
      expect(parseDateTime('2024-05-01T10:00-0130')).to.equal(Date.UTC(2024, 4, 1, 11, 30));
      expect(parseDateTime('2024-02-29T00:00:00Z')).to.equal(Date.UTC(2024, 1, 29));
      for (const bad of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-04-31 00:00:00', '2024-05-01T24:00:00Z',
        '2024-05-01', '2024-05-01T10:00:60Z', 'yesterday', '1714557600000', '2024-05-01T10:00:00+25:00']) {
        expect(parseDateTime(bad), bad).to.equal(undefined);
      }
    });

    it('calls onProgress after each batch, each batch in one applyAvailabilityBatch call', async () => {
      const sizes: number[] = [];
      const wrapped = wrapStore(store, async (ops) => {
        sizes.push(ops.length);
        return store.bulk.applyAvailabilityBatch(ops);
      });
      const seen: LoadProgress[] = [];
      const lines = Array.from({ length: 7 }, (_, i) => row({ qty: String(i), online: i % 2 ? '10101' : '0010202', pn: i < 4 ? '000PN-1' : 'PN-2' }));
      lines.splice(3, 0, row({ pn: 'nope' }));
      const s = await loadInventoryCsv(fromText(lines.join('\n')), wrapped, { batchSize: 3, onProgress: (p) => seen.push(p) });
      expect(sizes).to.deep.equal([3, 3, 1]);
      expect(seen.map((p) => p.upserted)).to.deep.equal([3, 6, 7]);
      expect(seen.at(-1)).to.include({ linesRead: 8, rejected: 1 });
      expect(s).to.include({ linesRead: 8, upserted: 7, rejected: 1 });
    });
  });

  describe('rejections', () => {
    it('rejects each kind of bad row with its line number and loads the good ones', async () => {
      const long = 'x'.repeat(255);
      const lines: [string, string | null][] = [
        [row({}), null], // 1
        [row({}).split(',').slice(0, 13).join(','), 'has 13 fields, expected 14'], // 2
        [`${row({})},extra`, 'has 15 fields, expected 14'], // 3
        [row({ pn: '' }), 'PartNumber is empty'], // 4
        [row({ pn: 'PN-404' }), 'PartNumber "PN-404" is not in the catalog'], // 5
        [row({ pn: 'PN-1' }), 'PartNumber "PN-1" is not in the catalog'], // 6: leading zeros matter
        [row({ online: '10101', physical: 'EXT-777' }), 'give exactly one'], // 7
        [row({ online: '', physical: '' }), 'no location'], // 8
        [row({ online: '99999' }), 'OnlineStoreUniqueID "99999" is not a known online store'], // 9
        [row({ physical: 'STORE-9999' }), 'PhysicalStoreIdentifier "STORE-9999" is not a known physical store'], // 10
        [row({ status: 'available' }), 'InventoryStatus "available" is not Available'], // 11
        [row({ status: 'avl' }), 'InventoryStatus "avl"'], // 12
        [row({ status: '' }), 'InventoryStatus is empty'], // 13
        [row({ qty: 'NaN' }), 'AvailableQuantity "NaN" is not a decimal number'], // 14
        [row({ qty: 'Infinity' }), 'AvailableQuantity "Infinity" is not a decimal number'], // 15
        [row({ qty: '1e309' }), 'AvailableQuantity "1e309" is too large'], // 16
        [row({ qty: '-1' }), 'AvailableQuantity "-1" is negative'], // 17
        [row({ qty: '0x10' }), 'AvailableQuantity "0x10" is not a decimal number'], // 18
        [row({ qty: '', status: 'Backorderable' }), 'only goes with Available, not Backorderable'], // 19
        [row({ qty: '', status: 'UAVL' }), 'only goes with Available, not Unavailable'], // 20
        [row({ time: '2024-13-01T00:00:00Z' }), 'AvailabilityTime "2024-13-01T00:00:00Z" is not a valid date-time'], // 21
        [row({ time: 'tomorrow' }), 'AvailabilityTime "tomorrow"'], // 22
        [row({ last: '01/05/2024 10:00' }), 'LastUpdate "01/05/2024 10:00" is not a valid date-time'], // 23
        [row({ offset: '-5' }), 'AvailabilityOffset "-5" is not a whole number of seconds'], // 24
        [row({ offset: '1.5' }), 'AvailabilityOffset "1.5"'], // 25
        [row({ del: '2' }), 'Delete is "2"'], // 26
        [row({ del: 'yes' }), 'Delete is "yes"'], // 27
        [row({ f1: long }), 'Field1 is longer than 254 characters'], // 28
        [row({ pn: 'PN-2', online: '0010202', f3: 'y'.repeat(254), uom: 'z'.repeat(254) }), null], // 29: exactly 254 is fine
        [row({ pn: long }), 'PartNumber is longer than 254 characters'], // 30
        [row({ online: '', physical: long }), 'PhysicalStoreIdentifier is longer than 254 characters'], // 31
        [row({ qty: '1.5e2' }), null], // 32
        [row({ qty: '.5' }), null], // 33
        [row({ pn: 'PN-404', online: '99999', status: 'nope' }), 'InventoryStatus "nope"'], // 34: all problems listed
        [`${row({ f1: '"ab"c' })}`, 'Field1 has text after its closing quote'], // 35
        [`${row({ f1: 'ab"c' })}`, 'Field1 contains a quote'], // 36
        [row({ pn: 'PN-2' }), null], // 37
      ];
      const s = await load(lines.map(([l]) => l).join('\n') + '\n');
      const reasons = reasonsByLine(s);
      lines.forEach(([, expected], i) => {
        const got = reasons.get(i + 1);
        if (expected === null) expect(got, `line ${i + 1}`).to.equal(undefined);
        else expect(got, `line ${i + 1}`).to.be.a('string').and.to.contain(expected);
      });
      const r34 = reasons.get(34)!;
      expect(r34).to.contain('PartNumber "PN-404" is not in the catalog').and.to.contain('OnlineStoreUniqueID "99999"');
      const bad = lines.filter(([, e]) => e !== null).length;
      expect(s).to.include({ linesRead: lines.length, rejected: bad, upserted: lines.length - bad });
      expect(s.rejections.map((r) => r.line)).to.deep.equal([...s.rejections.map((r) => r.line)].sort((a, b) => a - b));
      expect((await store.availability.get('20002', online('0010202')))?.field3).to.equal('y'.repeat(254));
    });

    it('names a header row as such', async () => {
      const s = await load(`PartNumber,OnlineStoreUniqueID,PhysicalStoreIdentifier,InventoryStatus,AvailableQuantity,AvailableQuantityUOM,AvailabilityTime,AvailabilityOffset,LastUpdate,ContextStoreId,Field1,Field2,Field3,Delete\n${row({})}\n`);
      expect(s.rejections).to.have.length(1);
      expect(s.rejections[0]).to.include({ line: 1 }).and.to.have.property('reason').that.contains('header');
      expect(s.upserted).to.equal(1);
    });

    it('rejects a quote that is never closed, with bounded memory, and keeps the rows before it', async () => {
      const s = await load(`${row({})}\n${row({ pn: 'PN-2', f1: '"never closed' })}\n${row({})}\n${'z'.repeat(100_000)}\n`);
      expect(s).to.include({ linesRead: 2, upserted: 1, rejected: 1 });
      expect(s.rejections[0]!.line).to.equal(2);
      expect(s.rejections[0]!.reason).to.contain('Field1 opens a quote on line 2 that is never closed');
    });

    it('keeps at most maxRejectionsKept reasons and counts the rest', async () => {
      const lines = Array.from({ length: 10 }, () => row({ pn: 'unknown' }));
      const s = await load(lines.join('\n'), { maxRejectionsKept: 4 });
      expect(s).to.include({ rejected: 10, rejectionsTruncated: true });
      expect(s.rejections.map((r) => r.line)).to.deep.equal([1, 2, 3, 4]);
    });
  });

  describe('CSV reading', () => {
    it('reads quoted fields with commas, line breaks and doubled quotes, counting lines from where each record starts', async () => {
      const text = [
        row({ pn: '"PN, ""quoted"""', f1: '"a, b"', f2: '"line 1\nline 2\r\nline 3"', f3: '"say ""hi"""' }), // lines 1-3
        row({ pn: '"PN-2"', online: '"0010202"', qty: '"7"' }), // line 4
        row({ pn: 'missing' }), // line 5
        row({ f1: '""', f2: '","' }), // line 6
      ].join('\n');
      const s = await load(text);
      expect(s.rejections).to.deep.equal([{ line: 5, reason: 'PartNumber "missing" is not in the catalog' }]);
      expect(s).to.include({ linesRead: 4, upserted: 3 });
      expect(await store.availability.get('20003', online('10101'))).to.deep.include({
        field1: 'a, b', field2: 'line 1\nline 2\r\nline 3', field3: 'say "hi"',
      });
      expect((await store.availability.get('20002', online('0010202')))?.quantity).to.equal(7);
      expect(await store.availability.get('0012345', online('10101'))).to.deep.include({ field1: null, field2: ',' });
    });

    it('reads CRLF line ends, skips blank lines and reads a last line without a line end', async () => {
      const text = `${row({ pn: 'PN-2', f3: 'end' })}\r\n\r\n${row({ pn: 'nope' })}\r\n${row({ f3: 'last' })}`;
      const s = await load(text);
      expect(s.rejections.map((r) => r.line)).to.deep.equal([3]);
      expect(s).to.include({ linesRead: 3, upserted: 2 });
      expect((await store.availability.get('20002', online('10101')))?.field3).to.equal('end');
      expect((await store.availability.get('0012345', online('10101')))?.field3).to.equal('last');
    });

    it('skips a UTF-8 BOM at the start', async () => {
      const s = await load(fromText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${row({})}\n`)])));
      expect(s.rejections).to.deep.equal([]);
      expect(s.upserted).to.equal(1);
    });

    it('reads a file fed one byte at a time: chunk boundaries inside quotes, CRLF, BOM and multi-byte characters', async () => {
      const text = '\uFEFF' + [
        row({ pn: '"PN, ""quoted"""', f1: '"Zürich, 東京 €"', f2: '"x\r\ny"' }),
        row({ pn: 'PN-2', f1: 'naïve' }),
        row({ pn: 'bad' }),
        '',
      ].join('\r\n');
      const s = await load(byteByByte(text));
      expect(s.rejections).to.deep.equal([{ line: 4, reason: 'PartNumber "bad" is not in the catalog' }]);
      expect(s).to.include({ linesRead: 3, upserted: 2, bytesRead: Buffer.byteLength(text) });
      expect(await store.availability.get('20003', online('10101'))).to.deep.include({ field1: 'Zürich, 東京 €', field2: 'x\r\ny' });
      expect((await store.availability.get('20002', online('10101')))?.field1).to.equal('naïve');
    });

    it('gives the same records for every way of cutting the text into chunks', () => {
      const text = 'a,"b,""c""\nd",e\r\n"",x\r\n\n"q"\rlast,"';
      const whole = readAll([text]);
      expect(whole.map((r) => r.fields)).to.deep.equal([['a', 'b,"c"\nd', 'e'], ['', 'x'], ['q'], ['last', '']]);
      expect(whole.map((r) => r.line)).to.deep.equal([1, 3, 5, 6]);
      expect(whole[3]!.error).to.contain('never closed');
      for (let cut = 0; cut <= text.length; cut++) {
        for (let cut2 = cut; cut2 <= text.length; cut2 += 3) {
          expect(readAll([text.slice(0, cut), text.slice(cut, cut2), text.slice(cut2)]), `cut at ${cut}, ${cut2}`).to.deep.equal(whole);
        }
      }
    });

    it('cuts over-long fields so memory stays bounded, and counts extra fields without keeping them', () => {
      const reader = new CsvRecordReader({ maxFieldLength: 4, maxFields: 2 });
      const out: CsvRecord[] = [];
      reader.push('abcdefgh,"ijklmnop",x,y\n"12', out);
      reader.push('345678""9"', out);
      reader.end(out);
      expect(out.map((r) => [r.fields, r.fieldCount])).to.deep.equal([[['abcde', 'ijklm'], 4], [['12345'], 1]]);
    });
  });

  describe('database failures', () => {
    it('retries a batch whose apply fails row by row and rejects only the failing row', async () => {
      const calls: number[][] = [];
      const wrapped = wrapStore(store, async (ops) => {
        calls.push(ops.map((o) => o.line));
        if (ops.some((o) => o.line === 5)) throw new Error('SQLITE_CONSTRAINT: simulated failure');
        return store.bulk.applyAvailabilityBatch(ops);
      });
      const lines = Array.from({ length: 9 }, (_, i) => row({ pn: i % 2 ? 'PN-2' : '000PN-1', online: i < 4 ? '10101' : '0010202', qty: String(i) }));
      lines[6] = row({ pn: 'unknown' });
      const s = await loadInventoryCsv(fromText(lines.join('\n')), wrapped, { batchSize: 4, now: () => NOW });
      expect(calls).to.deep.equal([[1, 2, 3, 4], [5, 6, 8, 9], [5], [6], [8], [9]]);
      expect(s.rejections).to.deep.equal([
        { line: 5, reason: 'the database refused the row: SQLITE_CONSTRAINT: simulated failure' },
        { line: 7, reason: 'PartNumber "unknown" is not in the catalog' },
      ]);
      expect(s).to.include({ linesRead: 9, upserted: 7, rejected: 2 });
      expect((await store.availability.get('20002', online('0010202')))?.quantity).to.equal(7);
      expect((await store.availability.get('0012345', online('0010202')))?.quantity).to.equal(8);
    });
  });

  describe('volume', () => {
    it('loads a generated 200,000-row file', async function () {
      this.timeout(120_000);
      const items = 10_000;
      for (let i = 0; i < items; i++) {
        await store.catalog.upsertCatalogEntry({ catentryId: String(100_000 + i), partNumber: `P${String(i).padStart(6, '0')}`, name: 'x', price: null });
      }
      const stores = ['10101', '0010202', 'STORE-0042', 'EXT-777'];
      const perChunk = 1_000;
      const total = 200_000;
      function* chunks(): Generator<Buffer> {
        for (let start = 0; start < total; start += perChunk) {
          const lines: string[] = [];
          for (let n = start; n < start + perChunk; n++) {
            const item = n % items, where = stores[Math.floor(n / items) % stores.length]!;
            const isOnline = where.startsWith('STORE') || where.startsWith('EXT') ? false : true;
            lines.push(row({
              pn: `P${String(item).padStart(6, '0')}`, online: isOnline ? where : '', physical: isOnline ? undefined : where,
              qty: n === 123_456 ? 'bad' : String(n % 50), time: '2024-06-01T00:00:00Z', offset: '60',
            }));
          }
          yield Buffer.from(lines.join('\n') + '\n');
        }
      }
      let batches = 0;
      const s = await loadInventoryCsv(Readable.from(chunks()), store, { onProgress: () => batches++, resolutionCacheSize: 5_000 });
      expect(s).to.include({ linesRead: total, upserted: total - 1, rejected: 1 });
      expect(s.rejections).to.deep.equal([{ line: 123_457, reason: s.rejections[0]!.reason }]);
      expect(batches).to.equal(40);
      expect((await store.availability.get('100042', physical('00777')))?.quantity).to.equal((190_042) % 50);
    });
  });
});

describe('runLoadInventory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dombridge-load-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function sink(): { out: Writable; text: () => string } {
    const parts: string[] = [];
    return {
      out: new Writable({
        write(chunk: Buffer | string, _enc, cb) {
          parts.push(chunk.toString());
          cb();
        },
      }),
      text: () => parts.join(''),
    };
  }

  it('loads a file into a database file and prints the summary with every rejected line', async () => {
    const dbPath = join(dir, 'db', 'dombridge.sqlite');
    const db = await testStoreLocation(dbPath);
    const seed = await seededStore(db);
    await seed.close();
    const file = join(dir, 'availability.csv');
    writeFileSync(file, [row({ qty: '9' }), row({ pn: 'nope' }), row({ pn: 'PN-2', del: '1' }), row({ status: 'maybe' })].join('\n'));
    const { out, text } = sink();
    const code = await runLoadInventory({ file, dbPath, db, out, isTTY: true, batchSize: 2 });
    expect(code).to.equal(2);
    const printed = text();
    expect(printed).to.match(/\r4 lines, \d+ rows\/s, 2 rejected/);
    expect(printed).to.match(/4 lines read in [\d.]+ s \(\d+ rows\/s\)/);
    expect(printed).to.contain('upserted: 1').and.to.contain('rejected: 2');
    expect(printed).to.contain('1 deletes of records that did not exist');
    expect(printed).to.contain('line 2: PartNumber "nope" is not in the catalog');
    expect(printed).to.contain('line 4: InventoryStatus "maybe"');

    const check = await openStore(db);
    try {
      expect((await check.availability.get('0012345', online('10101')))?.quantity).to.equal(9);
    } finally {
      await check.close();
    }
  });

  it('exits 0 when every line loaded, without progress output when not on a terminal', async () => {
    const dbPath = join(dir, 'ok.sqlite');
    const db = await testStoreLocation(dbPath);
    await (await seededStore(db)).close();
    const file = join(dir, 'ok.csv');
    writeFileSync(file, `${row({})}\n`);
    const { out, text } = sink();
    expect(await runLoadInventory({ file, dbPath, db, out, isTTY: false })).to.equal(0);
    expect(text()).to.not.contain('\r');
    expect(text()).to.contain('rejected: 0');
    expect(text()).to.not.contain('Rejected lines');
  });

  it('exits 1 when the file cannot be read', async () => {
    const { out, text } = sink();
    expect(await runLoadInventory({ file: join(dir, 'missing.csv'), dbPath: join(dir, 'x.sqlite'), out, isTTY: false })).to.equal(1);
    expect(text()).to.contain('Cannot read').and.to.contain('missing.csv');
    expect(await runLoadInventory({ file: dir, dbPath: join(dir, 'x.sqlite'), out, isTTY: false })).to.equal(1);
  });
});

function readAll(chunks: string[]): CsvRecord[] {
  const reader = new CsvRecordReader();
  const out: CsvRecord[] = [];
  for (const c of chunks) reader.push(c, out);
  reader.end(out);
  return out;
}

function wrapStore(inner: Store, apply: (ops: readonly AvailabilityBatchOp[]) => ReturnType<Store['bulk']['applyAvailabilityBatch']>): Store {
  return {
    catalog: inner.catalog,
    directory: inner.directory,
    availability: inner.availability,
    cacheRules: inner.cacheRules,
    localInventory: inner.localInventory,
    orders: inner.orders,
    domOutbox: inner.domOutbox,
    emailOutbox: inner.emailOutbox,
    localReservations: inner.localReservations,
    messages: inner.messages,
    nodes: inner.nodes,
    bulk: {
      applyAvailabilityBatch: apply,
      catentryIdForPartNumber: (pn) => inner.bulk.catentryIdForPartNumber(pn),
      physicalStoreIdFor: (id) => inner.bulk.physicalStoreIdFor(id),
      onlineStoreExists: (id) => inner.bulk.onlineStoreExists(id),
    },
    transaction: (fn) => inner.transaction(fn),
    markAppliedOnCommit: (current) => inner.markAppliedOnCommit(current),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
