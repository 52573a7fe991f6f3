/**
 * `dombridge import`: CSV files with a header row, column names as in Commerce's Data Load files (matched without
 * regard to case), one kind per file, told by its header (docs/data-formats.md). Streamed through the shared CSV
 * record reader; each row is checked, then applied or rejected with its line number; a `Delete` column of 1
 * removes. Applying a row that is already so changes nothing, so importing a file twice changes nothing.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvRecordReader, type CsvRecord } from '../csv/csv-record-reader.js';
import type { Store } from '../store/store.js';

export type ImportKind = 'catalog' | 'physical-stores' | 'stock';

export const KIND_COLUMNS: Readonly<Record<ImportKind, { required: readonly string[]; optional: readonly string[] }>> = {
  'physical-stores': { required: ['PhysicalStoreId', 'Identifier', 'StoreId'], optional: ['Name', 'AddressLine', 'City', 'StateOrProvinceName', 'Country', 'PostalCode', 'Delete'] },
  catalog: { required: ['CatalogEntryUniqueId', 'PartNumber'], optional: ['Name', 'Price', 'CurrencyCode', 'StoreId', 'Buyable', 'Delete'] },
  stock: { required: ['PartNumber', 'FulfillmentCenterName', 'Quantity'], optional: ['InventoryFlags', 'Delete'] },
};

export interface ImportSummary {
  kind: ImportKind | undefined;
  linesRead: number;
  upserted: number;
  unchanged: number;
  deleted: number;
  rejected: number;
  rejections: { line: number; reason: string }[];
  warnings: string[];
}

/** The kind a header tells: the first whose required columns are all there. */
export function kindOf(header: readonly string[]): ImportKind | undefined {
  const has = new Set(header.map((h) => h.trim().toLowerCase()));
  return (['physical-stores', 'stock', 'catalog'] as const).find((k) => KIND_COLUMNS[k].required.every((c) => has.has(c.toLowerCase())));
}

export async function importCsv(input: Readable, store: Store, opts: { dryRun: boolean }): Promise<ImportSummary> {
  const sum: ImportSummary = { kind: undefined, linesRead: 0, upserted: 0, unchanged: 0, deleted: 0, rejected: 0, rejections: [], warnings: [] };
  const reject = (line: number, reason: string) => {
    sum.rejected++;
    if (sum.rejections.length < 100_000) sum.rejections.push({ line, reason });
  };
  const reader = new CsvRecordReader({ maxFieldLength: 254 });
  const decoder = new StringDecoder('utf8');
  let col: Map<string, number> | undefined;
  // Seen in this run, so a dry run can check references to rows it did not write.
  const seenParts = new Set<string>();
  const records: CsvRecord[] = [];
  const take = async () => {
    for (const rec of records) {
      if (!col) {
        const header = rec.fields.map((f) => f.trim());
        sum.kind = kindOf(header);
        if (!sum.kind) {
          reject(rec.line, `the header (${header.join(', ')}) tells no kind: see docs/data-formats.md for the columns of catalog entries, physical stores and stock`);
          return false;
        }
        const known = [...KIND_COLUMNS[sum.kind].required, ...KIND_COLUMNS[sum.kind].optional].map((c) => c.toLowerCase());
        col = new Map();
        header.forEach((h, i) => {
          if (known.includes(h.toLowerCase())) col!.set(h.toLowerCase(), i);
          else sum.warnings.push(`column ${h} is not a ${sum.kind} column and is ignored`);
        });
        continue;
      }
      sum.linesRead++;
      if (rec.error) {
        reject(rec.line, rec.error);
        continue;
      }
      const get = (name: string) => {
        const i = col!.get(name.toLowerCase());
        return i === undefined ? '' : (rec.fields[i] ?? '').trim();
      };
      const problem = await applyRow(sum.kind!, get, store, opts.dryRun, seenParts, sum);
      if (problem) reject(rec.line, problem);
    }
    records.length = 0;
    return true;
  };
  for await (const chunk of input) {
    reader.push(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer), records);
    if (!(await take())) return sum;
  }
  reader.push(decoder.end(), records);
  reader.end(records);
  await take();
  return sum;
}

type Get = (column: string) => string;

async function applyRow(kind: ImportKind, get: Get, store: Store, dryRun: boolean, seenParts: Set<string>, sum: ImportSummary): Promise<string | undefined> {
  const del = get('Delete');
  if (del !== '' && del !== '0' && del !== '1') return `Delete is "${del}": give 1 to remove, or 0 or nothing to load`;
  const remove = del === '1';
  const done = (what: 'upserted' | 'unchanged' | 'deleted') => {
    sum[what]++;
    return undefined;
  };
  if (kind === 'catalog') {
    const id = get('CatalogEntryUniqueId'), partNumber = get('PartNumber');
    if (id === '' || partNumber === '') return 'CatalogEntryUniqueId and PartNumber are needed';
    if (remove) return dryRun || (await store.catalog.deleteCatalogEntry(id)) ? done('deleted') : done('unchanged');
    const price = get('Price');
    if (price !== '' && !/^\d+(\.\d+)?$/.test(price)) return `Price is "${price}": give a decimal number such as 24.99`;
    const buyable = get('Buyable');
    if (buyable !== '' && !['0', '1', 'true', 'false'].includes(buyable.toLowerCase())) return `Buyable is "${buyable}": give 1 or 0`;
    const storeId = get('StoreId'), currency = get('CurrencyCode');
    if (storeId !== '') {
      const s = await store.directory.onlineStoreById(storeId);
      if (!s) return `StoreId ${storeId} is not an online store of the config file`;
      if (currency !== '' && currency !== s.currency) {
        // One price per entry, in its store's currency: a row in another currency is noted, not applied.
        sum.warnings.push(`PartNumber ${partNumber}: the ${currency} price is not kept (store ${storeId} sells in ${s.currency})`);
        return done('unchanged');
      }
    }
    const existing = await store.catalog.catalogEntryByPartNumber(partNumber);
    if (existing && existing.catentryId !== id) return `PartNumber ${partNumber} already belongs to catalog entry ${existing.catentryId}`;
    const entry = { catentryId: id, partNumber, name: get('Name') || (existing?.name ?? partNumber), price: price === '' ? (existing?.price ?? null) : price };
    seenParts.add(partNumber);
    const same = existing && existing.name === entry.name && existing.price === entry.price;
    if (same) return done('unchanged');
    if (!dryRun) await store.catalog.upsertCatalogEntry(entry);
    return done('upserted');
  }
  if (kind === 'physical-stores') {
    const id = get('PhysicalStoreId'), identifier = get('Identifier'), online = get('StoreId');
    if (id === '' || identifier === '') return 'PhysicalStoreId and Identifier are needed';
    if (remove) return dryRun || (await store.directory.deletePhysicalStore(id)) ? done('deleted') : done('unchanged');
    if (online === '' || !(await store.directory.onlineStoreById(online))) return `StoreId "${online}" is not an online store of the config file`;
    const existing = await store.directory.physicalStoreById(id);
    const p = { storeId: id, externalId: identifier, onlineStoreId: online, name: get('Name') || null };
    if (existing && existing.externalId === p.externalId && existing.onlineStoreId === p.onlineStoreId && existing.name === p.name) return done('unchanged');
    if (!dryRun) await store.directory.upsertPhysicalStore(p);
    return done('upserted');
  }
  const partNumber = get('PartNumber'), fcName = get('FulfillmentCenterName'), qty = get('Quantity');
  const entry = await store.catalog.catalogEntryByPartNumber(partNumber);
  if (!entry && !(dryRun && seenParts.has(partNumber))) return `PartNumber ${partNumber} is not in the catalog: import the catalog entries first`;
  const fc = await store.directory.fulfillmentCenterByName(fcName);
  if (!fc) return `FulfillmentCenterName ${fcName} is not a fulfillment center of the config file`;
  const n = remove ? 0 : Number(qty);
  if (!remove && !(/^\d+$/.test(qty))) return `Quantity is "${qty}": give a whole number of at least 0`;
  const flags = get('InventoryFlags');
  if (flags !== '' && !/^\d+$/.test(flags)) return `InventoryFlags is "${flags}": give a whole number`;
  if (!entry) return done('upserted');
  if ((await store.localInventory.onHand(entry.catentryId, fc.fulfillmentCenterId)) === n) return done(remove ? 'deleted' : 'unchanged');
  if (!dryRun) await store.localInventory.setOnHand(entry.catentryId, fc.fulfillmentCenterId, n);
  return done(remove ? 'deleted' : 'upserted');
}
