/**
 * Section 3: `load-inventory` throughput and memory. A temporary database gets the demo data plus the generated
 * catalog entries and physical stores; a temporary CSV holds `rows` rows over them. The loader runs in a child
 * process (as the CLI would), the bare better-sqlite3 baseline in another, each reporting its own peak RSS.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { DEMO_CATALOG, DEMO_PHYSICAL_STORES } from '../src/demo/demo-data.js';
import { seedDemo } from '../src/demo/demo-seed.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { errorMessage, spawnNode, tempDir } from './bench-support.js';
import { benchLocations, benchParts, benchRow, ROW_LAST_UPDATE_TEXT } from './inventory-rows.js';
import { RESULT_MARKER } from './rss-sampler.js';

export interface LoadInventoryOptions {
  readonly root: string;
  readonly rows: number;
  readonly log: (line: string) => void;
}

export const LOAD_RATIO_BAR = 0.5;
export const LOAD_PEAK_RSS_BAR_BYTES = 200 * 1024 * 1024;

export interface LoaderFigure {
  readonly linesRead: number;
  readonly upserted: number;
  readonly rejected: number;
  readonly firstRejection: string | null;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly sampledPeakBytes: number;
  readonly maxRssBytes: number;
}

export interface InsertFigure {
  readonly rows: number;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly sampledPeakBytes: number;
  readonly maxRssBytes: number;
}

export interface LoadInventoryResult {
  readonly rows: number;
  readonly csvBytes: number;
  readonly loader: LoaderFigure | { error: string };
  readonly sqlite: InsertFigure | { error: string };
  /** loader rows/s ÷ bare insert rows/s. */
  readonly ratio: number;
  readonly ratioBar: number;
  readonly ratioVerdict: 'PASS' | 'BELOW' | 'n/a';
  readonly peakRssBarBytes: number;
  readonly peakRssVerdict: 'PASS' | 'ABOVE' | 'n/a';
}

export async function runLoadInventoryBench(o: LoadInventoryOptions): Promise<LoadInventoryResult> {
  const work = tempDir('load');
  const dbPath = join(work, 'dombridge.db');
  const csvPath = join(work, 'availability.csv');
  o.log(`load-inventory: seeding ${benchParts().length} catalog entries and ${benchLocations().length} physical stores, writing ${o.rows.toLocaleString('en-US')} CSV rows`);
  await seedWorld(dbPath);
  const csvBytes = await writeCsv(csvPath, o.rows);

  o.log('load-inventory: loading with dombridge (child process)');
  const loader = await runChild<LoaderFigure>('load-inventory', join(o.root, 'dist', 'bench', 'load-inventory.child.js'), [csvPath, dbPath]);
  o.log('load-inventory: bare better-sqlite3 insert (child process)');
  const sqlite = await runChild<InsertFigure>('sqlite insert', join(o.root, 'dist', 'bench', 'sqlite-insert.child.js'), [join(work, 'bare.db'), String(o.rows)]);

  const ratio = 'error' in loader || 'error' in sqlite ? NaN : loader.rowsPerSecond / sqlite.rowsPerSecond;
  return {
    rows: o.rows, csvBytes, loader, sqlite, ratio,
    ratioBar: LOAD_RATIO_BAR,
    ratioVerdict: Number.isNaN(ratio) ? 'n/a' : ratio >= LOAD_RATIO_BAR ? 'PASS' : 'BELOW',
    peakRssBarBytes: LOAD_PEAK_RSS_BAR_BYTES,
    peakRssVerdict: 'error' in loader ? 'n/a' : loader.maxRssBytes < LOAD_PEAK_RSS_BAR_BYTES ? 'PASS' : 'ABOVE',
  };
}

async function seedWorld(dbPath: string): Promise<void> {
  const store = SqliteStore.open({ path: dbPath, synchronous: 'NORMAL' });
  try {
    await seedDemo(store);
    // The demo's own items and stores come first in the generated lists and are already there.
    await store.transaction(async (tx) => {
      for (const p of benchParts().slice(DEMO_CATALOG.length)) await tx.catalog.upsertCatalogEntry({ catentryId: p.catentryId, partNumber: p.partNumber, name: p.name, price: p.price });
      for (const l of benchLocations().slice(DEMO_PHYSICAL_STORES.length)) {
        await tx.directory.upsertPhysicalStore({ storeId: l.storeId, externalId: l.externalId, onlineStoreId: '10201', name: `Bench store ${l.storeId}` });
      }
    });
  } finally {
    await store.close();
  }
}

/** Writes `rows` CSV rows (14 columns, no header); returns the file's size in bytes. */
async function writeCsv(path: string, rows: number): Promise<number> {
  const parts = benchParts();
  const locations = benchLocations();
  const out = createWriteStream(path);
  let bytes = 0;
  const CHUNK_ROWS = 10_000;
  for (let from = 0; from < rows; from += CHUNK_ROWS) {
    let text = '';
    for (let i = from; i < Math.min(rows, from + CHUNK_ROWS); i++) {
      const r = benchRow(i);
      text += `${parts[r.part]!.partNumber},,${locations[r.location]!.externalId},${r.status},${r.quantity},C62,,,${ROW_LAST_UPDATE_TEXT},,,,,0\n`;
    }
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

async function runChild<T>(name: string, script: string, args: string[]): Promise<T | { error: string }> {
  const child = spawnNode(name, script, { args });
  try {
    const line = await child.waitForLine((l) => l.startsWith(RESULT_MARKER), 15 * 60_000);
    await child.exited;
    return JSON.parse(line.slice(RESULT_MARKER.length)) as T;
  } catch (e) {
    return { error: errorMessage(e) };
  } finally {
    await child.stop();
  }
}
