/**
 * Child process of the load-inventory benchmark: loads an availability CSV into a dombridge database exactly as
 * `dombridge load-inventory FILE --db PATH` does (same store, same 64 KiB reads, default batch size) and reports
 * the loader's summary and its own peak memory as one JSON line.
 *
 *   node load-inventory.child.js FILE.csv DB_PATH
 */
import { open } from 'node:fs/promises';
import { loadInventoryCsv } from '../src/inventory/csv-loader.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { RESULT_MARKER, startRssSampler } from './rss-sampler.js';

/** The CLI's read size (load-inventory.command.ts). */
const READ_CHUNK_BYTES = 64 * 1024;

async function main(): Promise<void> {
  const [file, dbPath] = process.argv.slice(2);
  if (!file || !dbPath) throw new Error('usage: load-inventory.child.js FILE.csv DB_PATH');
  const rss = startRssSampler();
  const handle = await open(file, 'r');
  const store = SqliteStore.open({ path: dbPath });
  try {
    const summary = await loadInventoryCsv(handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), store);
    const peak = rss.stop();
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify({
      linesRead: summary.linesRead, upserted: summary.upserted, rejected: summary.rejected,
      firstRejection: summary.rejections[0] ? `line ${summary.rejections[0].line}: ${summary.rejections[0].reason}` : null,
      durationMs: summary.durationMs, rowsPerSecond: (summary.linesRead * 1000) / summary.durationMs, ...peak,
    })}\n`);
  } finally {
    await store.close();
    await handle.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
