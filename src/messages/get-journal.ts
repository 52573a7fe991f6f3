import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnsweredGet, AnsweredGetJournal, AnsweredStatus, BodMessage, MessageQuery } from '../store/store.js';
import { businessKeys, contentHash, soapBodyText } from './bod-text.js';
import { JOURNAL_ID_BASE, journalMessageId } from './message-ids.js';

/**
 * The journal of answered Gets: append-only segment files in `<dbPath>.get-journal/`, one framed record per Get.
 *
 * Why not a table: a cache-hit Get costs about 130 µs of CPU, and the message store's bar is 15 % of that. A row
 * of a few KB of raw XML in SQLite costs 15–25 µs of CPU to insert even off the event loop (a worker thread
 * shares the machine's cores with the event loop), and keeping the rows waiting for their batch made the young
 * generation's collections three times as long. Here a Get's record is encoded at once into the batch buffer
 * (its strings copied out of the JS heap, so nothing of it survives a collection: `v8.serialize` did the same at
 * eight times the cost) and the batch is one append on libuv's thread pool. What a table gives for free is done
 * when reading instead: the content hash and the business keys are derived from the stored XML, and listing scans
 * segments newest first. Gets are the high-volume, effect-free messages, so that trade is made for them alone;
 * everything with an effect stays in the database, in the transaction of its effect.
 *
 * Format: a segment is `NNNNNNNNNN.seg`, a sequence of records `[u32 LE length][record]` (see {@link encode}).
 * A record's message id is {@link JOURNAL_ID_BASE} + segment × {@link SEGMENT_BYTES} + offset, digits like the
 * database's ids, known when the record is appended (offsets are handed out in append order and written in that
 * order). Every start opens a new segment: a record torn by a crash stays at the end of an older segment, where
 * reading stops. Retention deletes whole segments.
 *
 * Durability: write-behind, as the message log of calls to DOM is: a crash loses the last `flushMs` of Gets,
 * never an effect. A segment that fails to write is abandoned (its queued records are lost and counted); appends go on in
 * a new one.
 */
export { JOURNAL_ID_BASE } from './message-ids.js';
/** Segment size limit, and the stride of message ids between segments. */
export const SEGMENT_BYTES = 16 * 1024 * 1024;

/** What is kept of an answered Get. The content hash and business keys are derived from `requestXml` when read. */
export type JournalEntry = AnsweredGet;
/** A record as read back: its XML as text. */
type StoredEntry = AnsweredGet<string>;

export interface JournalOptions {
  /** How long a record may wait before it is written, ms. Default 50. */
  readonly flushMs?: number;
  /** Bytes queued beyond which new records are dropped (and counted): the disk does not keep up. Default 64 MiB. */
  readonly maxQueuedBytes?: number;
}

/**
 * Records encoded into one buffer, written with one append to one segment. Until written, its records are read
 * from here: a record's offset in the segment is `segmentOffset` + its position in `buf`.
 */
interface Batch {
  readonly segment: number;
  readonly segmentOffset: number;
  readonly buf: Buffer;
  length: number;
  count: number;
}

/** Room each batch buffer has; a record larger than that gets a buffer of its own size. */
const BATCH_BYTES = 1024 * 1024;

const SEGMENT_NAME = /^(\d{10})\.seg$/;
const segmentFile = (n: number) => `${String(n).padStart(10, '0')}.seg`;

export function journalDir(dbPath: string): string {
  return `${dbPath}.get-journal`;
}

export function isJournalId(id: string): boolean {
  return /^\d{15}$/.test(id) && Number(id) >= JOURNAL_ID_BASE;
}

export class GetJournal implements AnsweredGetJournal {
  onProblem: (what: string, fields: Record<string, unknown>) => void = () => undefined;
  private segment: number;
  private offset = 0;
  private batch: Batch | undefined;
  private sealed: Batch[] = [];
  /** Batches sealed or being written: their records are read from memory, so reading never waits for the disk. */
  private readonly unwritten: Batch[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private file: { segment: number; handle: FileHandle } | undefined;
  private readonly abandoned = new Set<number>();
  /** Batch buffers whose batch is written, kept for the next batches: no megabyte allocated per batch. */
  private readonly free: Buffer[] = [];
  private droppedCount = 0;
  private reportedDrops = 0;
  private readonly flushMs: number;
  private readonly maxQueuedBytes: number;

  constructor(readonly dir: string, o: JournalOptions = {}) {
    this.flushMs = o.flushMs ?? 50;
    this.maxQueuedBytes = o.maxQueuedBytes ?? 64 * 1024 * 1024;
    mkdirSync(dir, { recursive: true });
    this.segment = this.claimSegment(Math.max(0, ...this.segments()) + 1);
  }

  /**
   * The first segment number from `n` whose file this process creates (exclusively): several processes on one
   * database (`serve --workers`) each write segments of their own, so record ids never collide.
   */
  private claimSegment(n: number): number {
    for (;;) {
      try {
        closeSync(openSync(join(this.dir, segmentFile(n)), 'wx'));
        return n;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return n;
        n++;
      }
    }
  }

  /** Records dropped because the queue was full or their segment could not be written. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Encodes the record into the current batch and returns its message id (a number here: turning it into the
   * digits of a message id is left to the rare reader). Synchronous: nothing waits for the disk.
   */
  append(entry: JournalEntry): number | undefined {
    const most = maxEncodedLength(entry);
    if (this.queuedBytes + most > this.maxQueuedBytes) {
      // Told once per full queue, not once per record.
      if (this.droppedCount++ === this.reportedDrops) this.onProblem('the Get journal fell behind the disk; records are being dropped', { queuedBytes: this.queuedBytes });
      return undefined;
    }
    if ((this.offset > 0 && this.offset + most > SEGMENT_BYTES) || this.abandoned.has(this.segment)) {
      this.seal();
      this.segment = this.claimSegment(this.segment + 1);
      this.offset = 0;
    }
    let b = this.batch;
    if (!b || b.buf.length - b.length < most) {
      this.seal();
      b = this.batch = { segment: this.segment, segmentOffset: this.offset, buf: this.freeBuffer(most), length: 0, count: 0 };
      this.unwritten.push(b);
    }
    const start = b.length;
    const end = encode(entry, b.buf, start);
    b.length = end;
    b.count++;
    this.offset += end - start;
    this.queuedBytes += end - start;
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
    return JOURNAL_ID_BASE + b.segment * SEGMENT_BYTES + b.segmentOffset + start;
  }

  /** A batch buffer: one a written batch gave back, or a new one (bigger when one record needs it). */
  private freeBuffer(most: number): Buffer {
    if (most <= BATCH_BYTES) {
      const reused = this.free.pop();
      if (reused) return reused;
    }
    return Buffer.allocUnsafeSlow(Math.max(BATCH_BYTES, most));
  }

  /** Writes everything queued; resolves when it is written (shutdown, tests). Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.seal();
    if (this.sealed.length === 0) return this.writing;
    const batches = this.sealed;
    this.sealed = [];
    this.reportedDrops = this.droppedCount;
    this.writing = this.writing.then(() => this.write(batches));
    return this.writing;
  }

  /** Ends the current batch: the next record starts another. A full batch is written without waiting for the timer. */
  private seal(): void {
    const b = this.batch;
    this.batch = undefined;
    if (!b || b.length === 0) return;
    this.sealed.push(b);
    if (b.length >= BATCH_BYTES / 2 && this.timer) void Promise.resolve().then(() => this.flush());
  }

  /** A recorded Get by message id, or undefined. */
  read(id: string): BodMessage | undefined {
    if (!isJournalId(id)) return undefined;
    const n = Number(id) - JOURNAL_ID_BASE;
    const segment = Math.floor(n / SEGMENT_BYTES);
    const offset = n % SEGMENT_BYTES;
    for (const b of this.unwritten) {
      if (b.segment !== segment || offset < b.segmentOffset || offset >= b.segmentOffset + b.length) continue;
      const at = offset - b.segmentOffset;
      const entry = tryDecode(b.buf, at + 4, at + 4 + b.buf.readUInt32LE(at));
      return entry && toMessage(id, entry);
    }
    const path = join(this.dir, segmentFile(segment));
    if (!existsSync(path)) return undefined;
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(4);
      if (readSync(fd, head, 0, 4, offset) !== 4) return undefined;
      const length = head.readUInt32LE(0);
      if (offset + 4 + length > fstatSync(fd).size) return undefined;
      const payload = Buffer.allocUnsafe(length);
      readSync(fd, payload, 0, length, offset + 4);
      const entry = tryDecode(payload, 0, length);
      return entry && toMessage(id, entry);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Recorded Gets, newest first, without the XML. Scans segments from the newest and stops once `limit` matches
   * are found in whole segments (or the segments are older than `since`): a listing reads at most a few segments
   * unless its filter matches little.
   */
  list(q: MessageQuery): BodMessage[] {
    const statuses: readonly string[] | undefined = q.status === undefined ? undefined : typeof q.status === 'string' ? [q.status] : q.status;
    if (q.direction === 'out' || (statuses && !statuses.some((s) => s in STATUS_BYTE))) return [];
    if (q.operation !== undefined && !q.operation.startsWith('Get')) return [];
    const found: BodMessage[] = [];
    const keep = (id: string, e: StoredEntry) => {
      if (statuses && !statuses.includes(e.status)) return;
      if ((q.since !== undefined && e.receivedAt < q.since) || (q.until !== undefined && e.receivedAt >= q.until)) return;
      if ((q.operation !== undefined && e.operation !== q.operation) || (q.bodId !== undefined && e.bodId !== q.bodId)) return;
      // Business keys are read from the XML: only when asked for.
      const m = toMessage(id, e);
      if (q.orderId !== undefined && m.orderId !== q.orderId) return;
      if (q.items?.length && !q.items.some((i) => i === m.partNumber || i === m.catentryId)) return;
      found.push(summary(m));
    };
    const inMemory = new Set<string>();
    for (const { id, entry } of this.unwrittenRecords()) {
      inMemory.add(id);
      keep(id, entry);
    }
    for (const segment of this.segments().sort((a, b) => b - a)) {
      if (found.length >= q.limit) break;
      let newest = -Infinity;
      for (const { id, entry } of this.records(segment)) {
        if (inMemory.has(id)) continue;
        newest = Math.max(newest, entry.receivedAt);
        keep(id, entry);
      }
      if (q.since !== undefined && newest < q.since) break;
    }
    return found.sort((a, b) => b.createdAt - a.createdAt || (a.messageId < b.messageId ? 1 : -1)).slice(0, q.limit);
  }

  /** The newest recorded Get with this key: a scan, newest segment first (the hot path finds Gets by id). */
  findByKey(senderId: string, bodId: string): BodMessage | undefined {
    let best: { id: string; entry: StoredEntry } | undefined;
    for (const r of this.unwrittenRecords()) if (r.entry.bodId === bodId && r.entry.senderId === senderId) best = r;
    if (best) return toMessage(best.id, best.entry);
    for (const segment of this.segments().sort((a, b) => b - a)) {
      for (const r of this.records(segment)) if (r.entry.bodId === bodId && r.entry.senderId === senderId) best = r;
      if (best) return toMessage(best.id, best.entry);
    }
    return undefined;
  }

  /**
   * Deletes, oldest first, the segments whose every record is older than `before` (epoch ms); returns how many
   * records went. Records are appended in answer order, so a segment is old enough when its last record was
   * answered before `before` (every record was received before it was answered); the first segment that is not
   * ends the pruning. Only the records' length prefixes and the last record are read.
   */
  prune(before: number): number {
    let removed = 0;
    for (const segment of this.segments().sort((a, b) => a - b)) {
      if (segment === this.segment || segment === this.file?.segment) break;
      const path = join(this.dir, segmentFile(segment));
      const tail = lastRecord(path);
      // A segment without a readable record is dated by its file.
      const newest = tail ? tail.entry.answeredAt : statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (newest >= before) break;
      rmSync(path, { force: true });
      removed += tail?.count ?? 0;
    }
    return removed;
  }

  /** Writes what is queued and closes the open segment. */
  async close(): Promise<void> {
    await this.flush();
    await this.writing;
    const f = this.file;
    this.file = undefined;
    await f?.handle.close().catch(() => undefined);
  }

  private segments(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).flatMap((f) => {
      const m = SEGMENT_NAME.exec(f);
      return m ? [Number(m[1])] : [];
    });
  }

  /** Every whole record of a segment, oldest first; a torn record at the end (a crash) ends the segment. */
  private *records(segment: number): Generator<{ id: string; entry: StoredEntry }> {
    const path = join(this.dir, segmentFile(segment));
    let data: Buffer;
    try {
      if (statSync(path).size === 0) return;
      data = readFileSync(path);
    } catch {
      return;
    }
    let at = 0;
    while (at + 4 <= data.length) {
      const length = data.readUInt32LE(at);
      if (at + 4 + length > data.length) return;
      const entry = tryDecode(data, at + 4, at + 4 + length);
      if (!entry) return;
      yield { id: String(JOURNAL_ID_BASE + segment * SEGMENT_BYTES + at), entry };
      at += 4 + length;
    }
  }

  /** The records not yet written, oldest first. */
  private *unwrittenRecords(): Generator<{ id: string; entry: StoredEntry }> {
    for (const b of [...this.unwritten]) {
      let at = 0;
      while (at < b.length) {
        const length = b.buf.readUInt32LE(at);
        const entry = tryDecode(b.buf, at + 4, at + 4 + length);
        if (entry) yield { id: String(JOURNAL_ID_BASE + b.segment * SEGMENT_BYTES + b.segmentOffset + at), entry };
        at += 4 + length;
      }
    }
  }

  private async write(batches: readonly Batch[]): Promise<void> {
    for (const b of batches) {
      try {
        if (this.abandoned.has(b.segment)) throw new Error('the segment was abandoned after a failed write');
        const handle = await this.handleFor(b.segment);
        // One append per batch; a short write leaves the offsets of what follows wrong, so it abandons the segment.
        const { bytesWritten } = await handle.write(b.buf, 0, b.length);
        if (bytesWritten !== b.length) throw new Error(`short write: ${bytesWritten} of ${b.length} bytes`);
      } catch (e) {
        this.abandoned.add(b.segment);
        this.droppedCount += b.count;
        this.onProblem('the Get journal could not write a batch; those records are lost', { segment: b.segment, records: b.count, error: e instanceof Error ? e.message : String(e) });
      } finally {
        this.queuedBytes -= b.length;
        const i = this.unwritten.indexOf(b);
        if (i >= 0) this.unwritten.splice(i, 1);
        if (b.buf.length === BATCH_BYTES && this.free.length < 4) this.free.push(b.buf);
      }
    }
  }

  private async handleFor(segment: number): Promise<FileHandle> {
    if (this.file?.segment === segment) return this.file.handle;
    const old = this.file;
    this.file = undefined;
    await old?.handle.close().catch(() => undefined);
    // 'a': every write lands at the end, in the order the batches are written.
    const handle = await open(join(this.dir, segmentFile(segment)), 'a');
    this.file = { segment, handle };
    return handle;
  }
}

/*
 * A record: [u32 LE length of the rest] [u8 format 1] [f64 receivedAt] [f64 answeredAt] [u8 status: 0 processed,
 * 1 failed], then nine strings in the order of STRING_FIELDS, each [u32 LE byte length, 0xFFFFFFFF for null]
 * [UTF-8]. Strings are written straight into the batch buffer: no intermediate copy, no per-record allocation.
 */
const FORMAT = 1;
const NULL_LENGTH = 0xffffffff;
const STRING_FIELDS = ['service', 'operation', 'verb', 'noun', 'bodId', 'senderId', 'requestXml', 'responseXml', 'error'] as const;
const FIXED_BYTES = 4 + 1 + 8 + 8 + 1 + 4 * STRING_FIELDS.length;

/** An upper bound of a record's encoded size: a UTF-16 code unit never takes more than 3 bytes of UTF-8. */
function maxEncodedLength(e: JournalEntry): number {
  let n = FIXED_BYTES;
  for (const f of STRING_FIELDS) {
    const v = e[f];
    if (v !== null) n += typeof v === 'string' ? 3 * v.length : v.byteLength;
  }
  return n;
}

/** Writes the record at `at` (room for {@link maxEncodedLength} assumed); returns where it ends. */
function encode(e: JournalEntry, buf: Buffer, at: number): number {
  let p = at + 4;
  buf[p++] = FORMAT;
  p = buf.writeDoubleLE(e.receivedAt, p);
  p = buf.writeDoubleLE(e.answeredAt, p);
  buf[p++] = STATUS_BYTE[e.status];
  for (const f of STRING_FIELDS) {
    const v = e[f];
    if (v === null) {
      p = buf.writeUInt32LE(NULL_LENGTH, p);
      continue;
    }
    let n: number;
    if (typeof v === 'string') n = v.length <= SHORT ? writeShort(v, buf, p + 4) : buf.write(v, p + 4, 'utf8');
    else {
      buf.set(v, p + 4);
      n = v.byteLength;
    }
    buf.writeUInt32LE(n, p);
    p += 4 + n;
  }
  buf.writeUInt32LE(p - at - 4, at);
  return p;
}

/** The last whole record of a segment and how many there are, hopping from length prefix to length prefix. */
function lastRecord(path: string): { entry: StoredEntry; count: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(4);
    let at = 0;
    let last = -1;
    let count = 0;
    while (at + 4 <= size && readSync(fd, head, 0, 4, at) === 4) {
      const length = head.readUInt32LE(0);
      if (at + 4 + length > size) break; // torn by a crash: the segment ends here
      last = at;
      count++;
      at += 4 + length;
    }
    if (last < 0) return undefined;
    const length = (readSync(fd, head, 0, 4, last), head.readUInt32LE(0));
    const payload = Buffer.allocUnsafe(length);
    readSync(fd, payload, 0, length, last + 4);
    const entry = tryDecode(payload, 0, length);
    return entry && { entry, count };
  } finally {
    closeSync(fd);
  }
}

/** A record's status byte. 1 meant "answered with a fault" in the first format: it still does. */
const STATUS_BYTE = { processed: 0, faulted: 1, rejected: 2, failed: 3 } as const satisfies Record<AnsweredStatus, number>;
const BYTE_STATUS: readonly AnsweredStatus[] = ['processed', 'faulted', 'rejected', 'failed'];

/** Strings up to this long (names, ids) are copied by a loop: cheaper than a call into the encoder. */
const SHORT = 64;

/** Writes a short string as UTF-8; returns its byte length. ASCII by the loop, anything else by the encoder. */
function writeShort(v: string, buf: Buffer, at: number): number {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0x7f) return buf.write(v, at, 'utf8');
    buf[at + i] = c;
  }
  return v.length;
}

/** Reads the record in buf[start, end) (after its length); throws on anything that is not one. */
function decode(buf: Buffer, start: number, end: number): StoredEntry {
  let p = start;
  if (buf[p++] !== FORMAT) throw new Error('not a journal record');
  const receivedAt = buf.readDoubleLE(p);
  const answeredAt = buf.readDoubleLE(p + 8);
  p += 16;
  const status = BYTE_STATUS[buf[p++]!] ?? 'processed';
  const v: (string | null)[] = [];
  for (let i = 0; i < STRING_FIELDS.length; i++) {
    const n = buf.readUInt32LE(p);
    p += 4;
    if (n === NULL_LENGTH) v.push(null);
    else {
      if (p + n > end) throw new Error('a journal record runs past its end');
      v.push(buf.toString('utf8', p, p + n));
      p += n;
    }
  }
  const [service, operation, verb, noun, bodId, senderId, requestXml, responseXml, error] = v;
  if (service == null || operation == null || verb == null || noun == null || senderId == null || requestXml == null) throw new Error('a journal record lacks a field');
  return { service, operation, verb, noun, bodId: bodId ?? null, senderId, status, requestXml, responseXml: responseXml ?? null, error: error ?? null, receivedAt, answeredAt };
}

function tryDecode(buf: Buffer, start: number, end: number): StoredEntry | undefined {
  try {
    return decode(buf, start, end);
  } catch {
    return undefined;
  }
}

/** A journal record as the message store shows messages: hash and business keys derived from the stored XML. */
function toMessage(id: string, e: StoredEntry): BodMessage {
  const keys = businessKeys(soapBodyText(e.requestXml));
  return {
    messageId: journalMessageId(Number(id)), source: 'message', direction: 'in', service: e.service, operation: e.operation, verb: e.verb, noun: e.noun, bodId: e.bodId,
    senderId: e.senderId, orderId: keys.orderId, partNumber: keys.partNumber, catentryId: keys.catentryId, status: e.status,
    requestHash: contentHash(e.requestXml), requestXml: e.requestXml, responseXml: e.responseXml, error: e.error, attempts: null, durationMs: null,
    causedBy: null, createdAt: e.receivedAt, updatedAt: e.answeredAt, appliedAt: null,
  };
}

/** Listings carry no XML, as the database's do. */
function summary(m: BodMessage): BodMessage {
  return { ...m, requestXml: '', responseXml: null };
}
