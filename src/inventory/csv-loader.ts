/**
 * Batch load of Commerce's availability CSV (no header, 14 columns):
 *
 *   PartNumber, OnlineStoreUniqueID, PhysicalStoreIdentifier, InventoryStatus, AvailableQuantity,
 *   AvailableQuantityUOM, AvailabilityTime, AvailabilityOffset, LastUpdate, ContextStoreId, Field1, Field2, Field3, Delete
 *
 * Files arrive with millions of rows, so everything streams: the input is read chunk by chunk through a small
 * RFC 4180 record reader that keeps only the record being read, rows are validated and resolved one at a time,
 * and valid rows are applied in batches, one transaction each. A bad row is rejected (line number and reason)
 * before its batch is built, so it never stops the good ones and never half-loads a batch. Resolution lookups go
 * to the database once per distinct key while a bounded cache holds it, and the hot path awaits only on a miss.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { AvailabilityRecord, InventoryStatus, LocationKey } from './inventory-model.js';
import type { AvailabilityBatchOp, BatchLoadResult, Store } from '../store/store.js';

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

export interface LoadOptions {
  /** Rows per transaction; default 5,000. */
  batchSize?: number;
  /** Clock for the LastUpdate of rows that leave it empty (read once, at the start); default Date.now. */
  now?: () => number;
  /** Called after each batch is applied. */
  onProgress?: (p: LoadProgress) => void;
  /** Rejections kept with their reasons; beyond this they are only counted. Default 100,000. */
  maxRejectionsKept?: number;
  /**
   * Entries per resolution cache (part numbers, online stores, physical stores); a cache is cleared when full, so
   * memory stays bounded (about 100 bytes an entry). Default 200,000: a file that walks a catalog of up to that many
   * items store by store still hits the cache after its first store.
   */
  resolutionCacheSize?: number;
}

export interface LoadProgress {
  /** CSV records read so far (blank lines are not records). */
  linesRead: number;
  upserted: number;
  /** Deletes that removed a record. */
  deleted: number;
  rejected: number;
  bytesRead: number;
}

/** `line` is the 1-based line of the file on which the record starts. */
export interface Rejection {
  line: number;
  reason: string;
}

export interface LoadSummary extends LoadProgress {
  /** Deletes of records that did not exist: counted, not errors. */
  missingDeletes: number;
  /** In line order; at most `maxRejectionsKept` of them. */
  rejections: Rejection[];
  /** True when more rows were rejected than `rejections` holds. */
  rejectionsTruncated: boolean;
  durationMs: number;
  rowsPerSecond: number;
}

export const COLUMNS = [
  'PartNumber', 'OnlineStoreUniqueID', 'PhysicalStoreIdentifier', 'InventoryStatus', 'AvailableQuantity',
  'AvailableQuantityUOM', 'AvailabilityTime', 'AvailabilityOffset', 'LastUpdate', 'ContextStoreId', 'Field1', 'Field2',
  'Field3', 'Delete',
] as const;

/** Commerce's column width for every field of the load file. */
export const MAX_FIELD_LENGTH = 254;
export const DEFAULT_BATCH_SIZE = 5_000;
export const DEFAULT_MAX_REJECTIONS_KEPT = 100_000;
export const DEFAULT_RESOLUTION_CACHE_SIZE = 200_000;
export const DEFAULT_UOM = 'C62';

export { CsvRecordReader, type CsvRecord, type CsvReaderOptions } from '../csv/csv-record-reader.js';
import { CsvRecordReader, type CsvRecord } from '../csv/csv-record-reader.js';

// ---------------------------------------------------------------------------------------------------------------
// Field parsing
// ---------------------------------------------------------------------------------------------------------------

const STATUS_WORDS: Readonly<Record<string, InventoryStatus>> = {
  Available: 'Available', Backorderable: 'Backorderable', Unavailable: 'Unavailable',
  AVL: 'Available', BA: 'Backorderable', UAVL: 'Unavailable',
};

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ISO-8601 date-time to epoch milliseconds: `YYYY-MM-DDTHH:MM[:SS[.fff…]][Z|±HH[:MM]]`, with `T` or a space
 * between date and time. Without a zone the time is UTC. Returns undefined when it is not a valid date-time.
 */
export function parseDateTime(s: string): number | undefined {
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const year = +m[1]!, month = +m[2]!, day = +m[3]!, hour = +m[4]!, minute = +m[5]!;
  const second = m[6] === undefined ? 0 : +m[6];
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return undefined;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] === undefined ? 0 : +(m[7] + '00').slice(0, 3);
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const oh = +zone.slice(1, 3);
    const om = zone.length > 3 ? +zone.slice(zone.length - 2) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.charCodeAt(0) === 0x2d ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // Date.UTC would map years 0–99 to 1900–1999
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime() - offsetMinutes * 60_000;
}

const DATE_TIME_HINT = 'give an ISO-8601 date-time such as 2024-05-01T10:00:00Z, or 2024-05-01 10:00:00 (UTC)';

function lengthProblem(f: readonly string[], i: number): string | null {
  return f[i]!.length <= MAX_FIELD_LENGTH ? null : `${COLUMNS[i]} is longer than ${MAX_FIELD_LENGTH} characters (Commerce's column width): shorten it`;
}

function show(v: string): string {
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------------------------
// The loader
// ---------------------------------------------------------------------------------------------------------------

/** A bounded map: cleared when full, so memory stays flat however many distinct keys a file has. */
class BoundedCache<V> {
  private map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(k: string): V | undefined {
    return this.map.get(k);
  }
  set(k: string, v: V): void {
    if (this.map.size >= this.limit) this.map = new Map();
    this.map.set(k, v);
  }
}

/**
 * A copy of `s` that does not share memory with the chunk it was cut from. V8 represents a substring of 13 or more
 * characters as a view into its parent string, so a cache key cut from a 64 KiB chunk would keep the whole chunk
 * alive for as long as the cache holds it. Concatenating and slicing again flattens the text into a string of its
 * own. Used only for strings that outlive their batch (cache keys and values), i.e. on cache misses.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Loads an availability CSV from `input` into `store`. Resolves with the summary once the input has ended; rejects
 * only when the input itself fails (read error), in which case every batch before the failure stays loaded.
 */
export async function loadInventoryCsv(input: Readable, store: Store, opts: LoadOptions = {}): Promise<LoadSummary> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const maxKept = Math.max(0, Math.floor(opts.maxRejectionsKept ?? DEFAULT_MAX_REJECTIONS_KEPT));
  const cacheSize = Math.max(1, Math.floor(opts.resolutionCacheSize ?? DEFAULT_RESOLUTION_CACHE_SIZE));
  const loadStart = (opts.now ?? Date.now)();
  const started = performance.now();
  const bulk = store.bulk;

  let linesRead = 0, upserted = 0, deleted = 0, missingDeletes = 0, rejected = 0, bytesRead = 0;
  const rejections: Rejection[] = [];
  let unsorted = false;
  const reject = (line: number, reason: string): void => {
    rejected++;
    if (rejections.length < maxKept) {
      if (rejections.length > 0 && rejections[rejections.length - 1]!.line > line) unsorted = true;
      rejections.push({ line, reason });
    }
  };
  const progress = (): LoadProgress => ({ linesRead, upserted, deleted, rejected, bytesRead });
  const count = (r: BatchLoadResult): void => {
    upserted += r.upserted;
    deleted += r.deleted;
    missingDeletes += r.missing;
  };

  // Resolution caches; null = known not to exist.
  const parts = new BoundedCache<string | null>(cacheSize);
  const onlineStores = new BoundedCache<LocationKey | null>(cacheSize);
  const physicalStores = new BoundedCache<LocationKey | null>(cacheSize);

  // One-entry memos for the date columns: consecutive rows usually repeat the same time.
  let lastTimeText = '', lastTime: number | undefined;
  let lastUpdateText = '', lastUpdate: number | undefined;

  let batch: AvailabilityBatchOp[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const ops = batch;
    batch = [];
    try {
      count(await bulk.applyAvailabilityBatch(ops));
    } catch {
      // The batch rolled back as a whole: apply its rows one by one so only the failing ones are rejected.
      for (const op of ops) {
        try {
          count(await bulk.applyAvailabilityBatch([op]));
        } catch (e) {
          reject(op.line, `the database refused the row: ${errorMessage(e)}`);
        }
      }
    }
    opts.onProgress?.(progress());
  };

  const reader = new CsvRecordReader({ maxFieldLength: MAX_FIELD_LENGTH, maxFields: COLUMNS.length + 1, columnNames: COLUMNS });
  const decoder = new StringDecoder('utf8');
  const records: CsvRecord[] = [];

  const processRecords = async (): Promise<void> => {
    for (let r = 0; r < records.length; r++) {
      const rec = records[r]!;
      const line = rec.line;
      linesRead++;
      if (rec.error !== null) {
        reject(line, rec.error);
        continue;
      }
      if (rec.fieldCount !== COLUMNS.length) {
        reject(line, `has ${rec.fieldCount} field${rec.fieldCount === 1 ? '' : 's'}, expected ${COLUMNS.length} (PartNumber … Delete): ` +
          'look for a missing or extra comma, or a value containing a comma that is not quoted');
        continue;
      }
      const f = rec.fields;
      const partNumber = f[0]!, onlineId = f[1]!, physicalId = f[2]!, deleteFlag = f[13]!;
      let problems: string[] | null = null;
      let p: string | null;

      if (line === 1 && partNumber.toLowerCase() === 'partnumber') {
        reject(line, 'looks like a header row (PartNumber, …): the load file has no header, remove the line');
        continue;
      }
      let isDelete = false;
      if (deleteFlag === '1') isDelete = true;
      else if (deleteFlag !== '' && deleteFlag !== '0') {
        (problems ??= []).push(lengthProblem(f, 13) ?? `Delete is ${show(deleteFlag)}: give 1 to remove the record, or 0 or nothing to load it`);
      }

      if (partNumber === '') (problems ??= []).push('PartNumber is empty: every row names the item it is for');
      else if ((p = lengthProblem(f, 0)) !== null) (problems ??= []).push(p);
      if (onlineId === '' && physicalId === '') {
        (problems ??= []).push('no location: give either OnlineStoreUniqueID or PhysicalStoreIdentifier');
      } else if (onlineId !== '' && physicalId !== '') {
        (problems ??= []).push(`both OnlineStoreUniqueID (${show(onlineId)}) and PhysicalStoreIdentifier (${show(physicalId)}) are given: give exactly one`);
      } else if ((p = lengthProblem(f, onlineId !== '' ? 1 : 2)) !== null) (problems ??= []).push(p);

      // The record's values; a delete needs only the part number and the location.
      let status: InventoryStatus = 'Available';
      let quantity: number | null = null;
      let uom = DEFAULT_UOM;
      let availabilityTime: number | null = null, availabilityOffset: number | null = null;
      let updated = loadStart;
      if (!isDelete) {
        for (let i = 3; i < 13; i++) if ((p = lengthProblem(f, i)) !== null) (problems ??= []).push(p);
        const statusText = f[3]!;
        const s = STATUS_WORDS[statusText];
        if (s !== undefined) status = s;
        else if (statusText === '') (problems ??= []).push('InventoryStatus is empty: give Available, Backorderable or Unavailable (or AVL, BA, UAVL)');
        else if (statusText.length <= MAX_FIELD_LENGTH) {
          (problems ??= []).push(`InventoryStatus ${show(statusText)} is not Available, Backorderable or Unavailable (or AVL, BA, UAVL; the case matters)`);
        }

        const qtyText = f[4]!;
        if (qtyText === '') {
          if (s !== undefined && status !== 'Available') {
            (problems ??= []).push(`AvailableQuantity is empty, which means unlimited and only goes with Available, not ${status}: give a quantity`);
          }
        } else if (DECIMAL.test(qtyText)) {
          const q = Number(qtyText);
          if (Number.isFinite(q)) quantity = q;
          else (problems ??= []).push(`AvailableQuantity ${show(qtyText)} is too large`);
        } else if (qtyText.length <= MAX_FIELD_LENGTH) {
          (problems ??= []).push(qtyText.charCodeAt(0) === 0x2d && DECIMAL.test(qtyText.slice(1))
            ? `AvailableQuantity ${show(qtyText)} is negative: give 0 or more, or leave it empty for unlimited`
            : `AvailableQuantity ${show(qtyText)} is not a decimal number: give a number of 0 or more (e.g. 12 or 2.5), or leave it empty for unlimited`);
        }

        if (f[5]! !== '') uom = f[5]!;

        const timeText = f[6]!;
        if (timeText !== '') {
          if (timeText !== lastTimeText) {
            lastTimeText = timeText;
            lastTime = parseDateTime(timeText);
          }
          if (lastTime !== undefined) availabilityTime = lastTime;
          else if (timeText.length <= MAX_FIELD_LENGTH) (problems ??= []).push(`AvailabilityTime ${show(timeText)} is not a valid date-time: ${DATE_TIME_HINT}`);
        }

        const offsetText = f[7]!;
        if (offsetText !== '') {
          const o = INTEGER.test(offsetText) ? Number(offsetText) : NaN;
          if (Number.isSafeInteger(o)) availabilityOffset = o;
          else if (offsetText.length <= MAX_FIELD_LENGTH) {
            (problems ??= []).push(`AvailabilityOffset ${show(offsetText)} is not a whole number of seconds of 0 or more`);
          }
        }

        const updateText = f[8]!;
        if (updateText !== '') {
          if (updateText !== lastUpdateText) {
            lastUpdateText = updateText;
            lastUpdate = parseDateTime(updateText);
          }
          if (lastUpdate !== undefined) updated = lastUpdate;
          else if (updateText.length <= MAX_FIELD_LENGTH) (problems ??= []).push(`LastUpdate ${show(updateText)} is not a valid date-time: ${DATE_TIME_HINT} (or leave it empty for the load's start time)`);
        }
      }

      // Resolution: await only when the cache misses. Looked up even when the row already has a problem, so the
      // reason lists everything wrong with it at once.
      let catentryId: string | null | undefined = null;
      if (partNumber !== '' && partNumber.length <= MAX_FIELD_LENGTH) {
        catentryId = parts.get(partNumber);
        if (catentryId === undefined) {
          catentryId = (await bulk.catentryIdForPartNumber(partNumber)) ?? null;
          parts.set(detach(partNumber), catentryId);
        }
        if (catentryId === null) (problems ??= []).push(`PartNumber ${show(partNumber)} is not in the catalog`);
      }
      let location: LocationKey | null | undefined = null;
      if (onlineId !== '' && physicalId === '' && onlineId.length <= MAX_FIELD_LENGTH) {
        location = onlineStores.get(onlineId);
        if (location === undefined) {
          const key = detach(onlineId);
          location = (await bulk.onlineStoreExists(onlineId)) ? { kind: 'online', storeId: key } : null;
          onlineStores.set(key, location);
        }
        if (location === null) (problems ??= []).push(`OnlineStoreUniqueID ${show(onlineId)} is not a known online store`);
      } else if (physicalId !== '' && onlineId === '' && physicalId.length <= MAX_FIELD_LENGTH) {
        location = physicalStores.get(physicalId);
        if (location === undefined) {
          const id = await bulk.physicalStoreIdFor(physicalId);
          location = id === undefined ? null : { kind: 'physical', storeId: id };
          physicalStores.set(detach(physicalId), location);
        }
        if (location === null) {
          (problems ??= []).push(`PhysicalStoreIdentifier ${show(physicalId)} is not a known physical store (neither an external identifier nor a unique id)`);
        }
      }

      if (problems !== null || catentryId === null || location === null) {
        reject(line, problems === null ? 'the row cannot be resolved' : (problems as string[]).join('; '));
        continue;
      }

      if (isDelete) batch.push({ op: 'delete', line, catentryId, location });
      else {
        const record: AvailabilityRecord = {
          catentryId, location, status, quantity, uom, availabilityTime, availabilityOffset, lastUpdate: updated,
          contextStoreId: f[9]! === '' ? null : f[9]!,
          field1: f[10]! === '' ? null : f[10]!,
          field2: f[11]! === '' ? null : f[11]!,
          field3: f[12]! === '' ? null : f[12]!,
        };
        batch.push({ op: 'upsert', line, record });
      }
      if (batch.length >= batchSize) await flush();
    }
    records.length = 0;
  };

  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    if (typeof chunk === 'string') {
      bytesRead += Buffer.byteLength(chunk);
      reader.push(chunk, records);
    } else {
      bytesRead += chunk.length;
      reader.push(decoder.write(chunk), records);
    }
    if (records.length > 0) await processRecords();
  }
  reader.push(decoder.end(), records);
  reader.end(records);
  await processRecords();
  await flush();

  if (unsorted) rejections.sort((a, b) => a.line - b.line);
  const durationMs = performance.now() - started;
  return {
    linesRead, upserted, deleted, rejected, bytesRead, missingDeletes, rejections,
    rejectionsTruncated: rejected > rejections.length,
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((linesRead * 1000) / durationMs) : 0,
  };
}
