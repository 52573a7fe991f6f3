/**
 * `dombridge load-inventory FILE.csv`: the batch load of Commerce's availability CSV into the store, with a
 * progress line on a terminal and a summary (counts, speed, every rejected line with its reason) at the end.
 * Exit codes: 0 every line loaded, 2 some lines were rejected, 1 the file (or the database) could not be used.
 */
import { open } from 'node:fs/promises';
import { openStore, type StoreLocation } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { loadInventoryCsv, type LoadProgress, type LoadSummary } from '../inventory/csv-loader.js';

export interface LoadInventoryArgs {
  file: string;
  dbPath: string;
  /** The configured store (PostgreSQL or SQLite); without it, the SQLite file dbPath. */
  db?: StoreLocation;
  batchSize?: number;
  out: NodeJS.WritableStream;
  /** Show a progress line rewritten in place. */
  isTTY: boolean;
}

const PROGRESS_INTERVAL_MS = 250;
/** Small chunks keep the process's peak memory low; larger ones are no faster. */
const READ_CHUNK_BYTES = 64 * 1024;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function runLoadInventory(args: LoadInventoryArgs): Promise<number> {
  const { out } = args;
  const write = (s: string): void => {
    out.write(s);
  };

  let handle;
  try {
    handle = await open(args.file, 'r');
    if ((await handle.stat()).isDirectory()) throw new Error('it is a directory');
  } catch (e) {
    await handle?.close().catch(() => undefined);
    write(`Cannot read ${args.file}: ${errorMessage(e)}\n`);
    return 1;
  }

  let store: Store;
  try {
    store = await openStore(args.db ?? { dbPath: args.dbPath, dbUrl: undefined });
  } catch (e) {
    await handle.close().catch(() => undefined);
    write(`Cannot open the database ${args.dbPath}: ${errorMessage(e)}\n`);
    return 1;
  }

  const started = Date.now();
  let lastShown = 0;
  let progressWidth = 0;
  let last: LoadProgress | undefined;
  const showProgress = (p: LoadProgress, force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastShown < PROGRESS_INTERVAL_MS) return;
    lastShown = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? Math.round(p.linesRead / seconds) : 0;
    const text = `${p.linesRead} lines, ${rate} rows/s, ${p.rejected} rejected`;
    write(`\r${text.padEnd(progressWidth)}`);
    progressWidth = Math.max(progressWidth, text.length);
  };

  let summary: LoadSummary;
  try {
    const input = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    summary = await loadInventoryCsv(input, store, {
      ...(args.batchSize !== undefined ? { batchSize: args.batchSize } : {}),
      onProgress: (p) => {
        last = p;
        if (args.isTTY) showProgress(p, false);
      },
    });
  } catch (e) {
    if (progressWidth > 0) write('\n');
    write(`Reading ${args.file} failed: ${errorMessage(e)}\n`);
    if (last) {
      write(`The rows applied before the failure stay loaded: ${last.linesRead} lines read, ${last.upserted} upserted, ` +
        `${last.deleted} deleted, ${last.rejected} rejected.\n`);
    }
    await store.close().catch(() => undefined);
    await handle.close().catch(() => undefined);
    return 1;
  }
  await store.close().catch(() => undefined);
  await handle.close().catch(() => undefined);

  if (args.isTTY) showProgress(summary, true);
  if (progressWidth > 0) write('\n');
  write(formatSummary(args.file, summary));
  return summary.rejected > 0 ? 2 : 0;
}

/** The end-of-load report: counts, duration and speed, then every kept rejection with its line number. */
export function formatSummary(file: string, s: LoadSummary): string {
  const lines: string[] = [];
  lines.push(`Loaded ${file}: ${s.linesRead} lines read in ${(s.durationMs / 1000).toFixed(1)} s (${s.rowsPerSecond} rows/s)`);
  lines.push(`  upserted: ${s.upserted}`);
  lines.push(`  deleted: ${s.deleted}${s.missingDeletes > 0 ? ` (and ${s.missingDeletes} deletes of records that did not exist)` : ''}`);
  lines.push(`  rejected: ${s.rejected}`);
  if (s.rejections.length > 0) {
    lines.push('Rejected lines:');
    for (const r of s.rejections) lines.push(`  line ${r.line}: ${r.reason}`);
    const more = s.rejected - s.rejections.length;
    if (more > 0) lines.push(`  … and ${more} more rejected lines not listed (only the first ${s.rejections.length} are kept)`);
  }
  return `${lines.join('\n')}\n`;
}
