/**
 * Child process of the load-inventory benchmark's baseline: the same rows inserted with better-sqlite3 alone,
 * the floor any loader on this store pays. Same table (taken from dombridge's own migration), same pragmas as
 * dombridge's store (WAL, synchronous FULL), one prepared INSERT, 5,000 rows per transaction, every row
 * generated as an array of column values before the clock starts. Reports one JSON line.
 *
 *   node sqlite-insert.child.js DB_PATH ROWS
 */
import Database from 'better-sqlite3';
import { STATUS_TO_CODE } from '../src/inventory/inventory-model.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { benchLocations, benchParts, benchRow, ROW_LAST_UPDATE } from './inventory-rows.js';
import { RESULT_MARKER, startRssSampler } from './rss-sampler.js';

const ROWS_PER_TRANSACTION = 5_000;
const TABLE = /CREATE TABLE inventory_availability \([\s\S]*?\) WITHOUT ROWID;/;

function main(): void {
  const [dbPath, rowsText] = process.argv.slice(2);
  const rows = Number(rowsText);
  if (!dbPath || !Number.isInteger(rows) || rows <= 0) throw new Error('usage: sqlite-insert.child.js DB_PATH ROWS');
  const rss = startRssSampler();
  const ddl = MIGRATIONS.map((m) => TABLE.exec(m.sql)?.[0]).find((s) => s !== undefined);
  if (!ddl) throw new Error('the inventory_availability table is not in the migrations');

  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(ddl);
  const insert = db.prepare(`INSERT INTO inventory_availability (catentry_id, location_kind, location_id, status, quantity, uom, availability_time,
    availability_offset, last_update, context_store_id, field1, field2, field3) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const parts = benchParts();
  const locations = benchLocations();
  const values: unknown[][] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = benchRow(i);
    values[i] = [parts[r.part]!.catentryId, 'physical', locations[r.location]!.storeId, STATUS_TO_CODE[r.status], r.quantity, 'C62', null, null, ROW_LAST_UPDATE, null, null, null, null];
  }
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(values[i]!);
  });

  const t0 = performance.now();
  for (let from = 0; from < rows; from += ROWS_PER_TRANSACTION) batch(from, Math.min(rows, from + ROWS_PER_TRANSACTION));
  const durationMs = performance.now() - t0;
  const count = (db.prepare('SELECT COUNT(*) AS n FROM inventory_availability').get() as { n: number }).n;
  db.close();
  const peak = rss.stop();
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ rows: count, durationMs, rowsPerSecond: (rows * 1000) / durationMs, ...peak })}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
}
