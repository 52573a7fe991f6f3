import { onlyOnSqlite } from '../support/test-store.js';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { EXTERNAL_CHANGE_CHECK_MS, SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import type { AvailabilityRecord } from '../../src/inventory/inventory-model.js';
import { scratchDir } from '../support/scratch.js';

const online = { kind: 'online' as const, storeId: '10201' };
const record = (catentryId: string, quantity: number): AvailabilityRecord => ({
  catentryId, location: online, status: 'Available', quantity, uom: 'C62', availabilityTime: null, availabilityOffset: null, lastUpdate: 1,
});

describe('SQLite store: group commit and cached reads (file database)', function () {
  before(function () {
    onlyOnSqlite(this, 'SQLite\'s group commit, WAL fsync and PRAGMA data_version');
  });
  let path: string;
  let store: SqliteStore;
  beforeEach(function () {
    path = join(scratchDir('dombridge-store-'), 'db.sqlite');
    store = SqliteStore.open({ path });
  });
  afterEach(async function () {
    await store.close();
  });

  it('transactions arriving together commit together, and one that fails rolls back alone', async function () {
    const results = await Promise.allSettled([
      store.transaction(async (tx) => { await tx.availability.upsert(record('a', 1), { ifNotOlder: false }); }),
      store.transaction(async (tx) => {
        await tx.availability.upsert(record('b', 2), { ifNotOlder: false });
        throw new Error('this one fails');
      }),
      store.transaction(async (tx) => { await tx.availability.upsert(record('c', 3), { ifNotOlder: false }); }),
      store.availability.upsert(record('d', 4), { ifNotOlder: false }),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    // Seen by a connection of its own: what was acknowledged is committed, the failed one left nothing.
    const other = new Database(path, { readonly: true });
    const ids = (other.prepare('SELECT catentry_id FROM inventory_availability ORDER BY catentry_id').all() as { catentry_id: string }[]).map((r) => r.catentry_id);
    other.close();
    expect(ids).to.deep.equal(['a', 'c', 'd']);
  });

  it('a cached availability record gives way to a commit by another connection (e.g. the load-inventory process) within the check interval', async function () {
    await store.availability.upsert(record('a', 1), { ifNotOlder: false });
    expect((await store.availability.get('a', online))?.quantity).to.equal(1);
    expect((await store.availability.get('a', online))?.quantity).to.equal(1);
    const other = new Database(path);
    other.prepare(`UPDATE inventory_availability SET quantity = 9 WHERE catentry_id = 'a'`).run();
    other.close();
    await new Promise((r) => setTimeout(r, EXTERNAL_CHANGE_CHECK_MS + 20));
    expect((await store.availability.get('a', online))?.quantity).to.equal(9);
  });

  it("a cached availability record gives way at once to this process's own commits, in or out of a transaction", async function () {
    await store.availability.upsert(record('a', 8), { ifNotOlder: false });
    expect((await store.availability.get('a', online))?.quantity).to.equal(8);
    await store.availability.decrement('a', online, 4);
    expect((await store.availability.get('a', online))?.quantity).to.equal(4);
    await store.transaction(async (tx) => { await tx.availability.decrement('a', online, 1); });
    expect((await store.availability.get('a', online))?.quantity).to.equal(3);
    await store.transaction(async (tx) => { await tx.availability.upsert(record('a', 7), { ifNotOlder: false }); });
    expect((await store.availability.get('a', online))?.quantity).to.equal(7);
  });
});

describe('SQLite store: migration 8 (message rows reserved ahead)', function () {
  before(function () {
    onlyOnSqlite(this, 'a SQLite file of an earlier version');
  });

  it('a database of version 7 keeps its messages and their ids, and reserves rows above them, never one of theirs', async function () {
    const path = join(scratchDir('dombridge-v7-'), 'dombridge.db');
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 7)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }
    const insert = db.prepare(`INSERT INTO bod_message (message_id, direction, service, operation, status, request_xml, created_at, updated_at)
      VALUES (?, 'in', 'OrderServices', 'ChangeOrder', 'processed', '<x/>', 1, 1)`);
    insert.run(5);
    insert.run(41);
    db.close();

    const store = SqliteStore.open({ path });
    try {
      expect((await store.messages.get('in-5'))?.operation).to.equal('ChangeOrder');
      expect((await store.messages.get('in-41'))?.operation).to.equal('ChangeOrder');
      const rows = await store.messages.reserveInboundRows(3);
      for (const r of rows) expect(r, 'above every row the table had').to.be.greaterThan(41);
      const begun = await store.messages.beginInbound({
        service: 'OrderServices', operation: 'ProcessOrder', verb: 'Process', noun: 'Order', bodId: 'after-v8', senderId: '', orderId: null, partNumber: null,
        catentryId: null, requestHash: 'h', requestXml: '<y/>', receivedAt: Date.now(),
      });
      const id = Number((begun as { messageId: string }).messageId.slice(3));
      expect(rows, 'an insert never takes a reserved row').to.not.include(id);
      expect(id).to.be.greaterThan(Math.max(...rows));
      // The newest row pruned: its id is never handed out again (the table's count does not go back).
      const raw = new Database(path);
      raw.prepare('DELETE FROM bod_message WHERE message_id = ?').run(id);
      raw.close();
      for (const r of await store.messages.reserveInboundRows(2)) expect(r).to.be.greaterThan(id);
    } finally {
      await store.close();
    }
  });
});
