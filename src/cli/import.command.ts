/**
 * `dombridge import FILE|DIR… [--db PATH] [--config FILE] [--dry-run]`: your shop's big sets from CSV
 * (docs/data-formats.md). A folder stands for its *.csv files, and for its dombridge.json when no --config is
 * given; the config file's stores and fulfillment centers are written first, since the CSV rows refer to them.
 * Files are taken physical stores first, then catalog entries, then stock. Exit codes as load-inventory's:
 * 0 every row applied, 2 some rows rejected, 1 a file or the database could not be used.
 */
import { createReadStream, existsSync, readdirSync, readSync, openSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { importCsv, kindOf, type ImportKind, type ImportSummary } from '../shop/data-import.js';
import { readShopConfig } from '../shop/shop-config.js';
import { syncShop } from '../shop/shop-sync.js';
import { describeStore, openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

const ORDER: readonly ImportKind[] = ['physical-stores', 'catalog', 'stock'];

/** The files named (a folder: its *.csv) and the config file a folder brings. */
export function importPaths(paths: readonly string[]): { files: string[]; folderConfig: string | undefined } {
  const files: string[] = [];
  let folderConfig: string | undefined;
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.toLowerCase().endsWith('.csv')) files.push(join(p, f));
      if (!folderConfig && existsSync(join(p, 'dombridge.json'))) folderConfig = join(p, 'dombridge.json');
    } else files.push(p);
  }
  return { files, folderConfig };
}

function headerKind(file: string): ImportKind | undefined {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n|\r/)[0] ?? '';
    return kindOf(first.split(',').map((h) => h.replace(/^"|"$/g, '')));
  } finally {
    closeSync(fd);
  }
}

export async function runImport(files: readonly string[], config: Config, dryRun: boolean, out: NodeJS.WritableStream): Promise<number> {
  const write = (s: string) => void out.write(s);
  const shop = readShopConfig(config.commerce, config.inventory.cacheRules);
  for (const f of files) {
    if (!existsSync(f) || statSync(f).isDirectory()) {
      write(`Cannot read ${f}: no such file\n`);
      return 1;
    }
  }
  const ordered = [...files].sort((a, b) => rank(headerKind(a)) - rank(headerKind(b)));
  // A dry run works on a database of its own, so it writes nothing anywhere.
  let store: Store;
  try {
    store = await openStore(config, dryRun ? { path: ':memory:' } : {});
  } catch (e) {
    write(`Cannot open the database ${describeStore(config)}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  let rejected = 0;
  try {
    const first = await syncShop(store, shop);
    write(`${dryRun ? 'Dry run: nothing is written. ' : ''}Config: ${first.storesUpserted} store(s), ${shop.fulfillmentCenters.length} fulfillment center(s)` +
      `${first.storesRetired.length ? `, retired ${first.storesRetired.join(', ')}` : ''}\n`);
    for (const f of ordered) {
      const sum = await importCsv(createReadStream(f), store, { dryRun });
      rejected += sum.rejected;
      write(formatImportSummary(f, sum));
    }
    // Cache rules may name part numbers the files just brought.
    const last = await syncShop(store, shop);
    if (last.cacheRules !== undefined) write(`Cache rules: ${last.cacheRules} applied\n`);
    for (const w of last.warnings) write(`  warning: ${w}\n`);
  } finally {
    await store.close();
  }
  return rejected > 0 ? 2 : 0;
}

function rank(k: ImportKind | undefined): number {
  return k === undefined ? ORDER.length : ORDER.indexOf(k);
}

export function formatImportSummary(file: string, s: ImportSummary): string {
  const lines = [`Imported ${file} (${s.kind ?? 'unknown kind'}): ${s.linesRead} rows read`,
    `  upserted: ${s.upserted}`, `  unchanged: ${s.unchanged}`, `  deleted: ${s.deleted}`, `  rejected: ${s.rejected}`];
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  if (s.rejections.length) {
    lines.push('Rejected lines:');
    for (const r of s.rejections) lines.push(`  line ${r.line}: ${r.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
