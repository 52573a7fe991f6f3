/**
 * The one CSV record reader of dombridge, serving the availability loader (load-inventory) and the data import
 * (import): RFC 4180, streamed, memory bounded.
 */

export interface CsvRecord {
  /** 1-based line of the file on which the record starts. */
  readonly line: number;
  /** The fields, at most `maxFields` of them; each at most `maxFieldLength + 1` characters (longer ones are cut). */
  readonly fields: string[];
  /** How many fields the record really has. */
  readonly fieldCount: number;
  /** A quoting error that makes the record unusable, or null. */
  readonly error: string | null;
}

export interface CsvReaderOptions {
  /** Fields longer than this are cut to maxFieldLength + 1 characters, so they stay recognisably too long. */
  readonly maxFieldLength?: number;
  /** Fields beyond this many are counted, not kept. */
  readonly maxFields?: number;
  /** Names of the columns, for errors ("PartNumber contains a quote …"); others are called "field N". */
  readonly columnNames?: readonly string[];
}

const COMMA = 0x2c, QUOTE = 0x22, LF = 0x0a, CR = 0x0d;
const S_START = 0, S_UNQUOTED = 1, S_QUOTED = 2, S_QUOTE = 3;

/**
 * An incremental RFC 4180 reader: quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF, LF or
 * CR line ends, a UTF-8 BOM at the start. Text is pushed chunk by chunk (chunks may split a record anywhere); only
 * the record being read is held, and each field at most `maxFieldLength + 1` characters of it, so memory stays
 * bounded even for a file whose quote is never closed. Blank lines are skipped (they still count as lines).
 */
export class CsvRecordReader {
  private readonly cap: number;
  private readonly maxFields: number;
  private state = S_START;
  /** Text of the current field gathered across chunk boundaries and doubled quotes. */
  private partial = '';
  private fields: string[] = [];
  private fieldCount = 0;
  private error: string | null = null;
  /** The line the reader is on, and the line where the current record started. */
  private line = 1;
  private recordLine = 1;
  private recordStarted = false;
  private quoteLine = 1;
  /** The previous chunk ended in a CR outside quotes: an LF starting the next chunk belongs to it. */
  private pendingCR = false;
  private atStart = true;

  constructor(private readonly opts: CsvReaderOptions = {}) {
    this.cap = (opts.maxFieldLength ?? 1 << 20) + 1;
    this.maxFields = opts.maxFields ?? 1 << 10;
  }

  /** Reads `text`, appending every record it completes to `out`. */
  push(text: string, out: CsvRecord[]): void {
    const n = text.length;
    if (n === 0) return;
    let i = 0;
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.charCodeAt(i) === LF) i++;
    }
    let seg = i; // start of the current field's text within this chunk (unquoted and quoted states)
    while (i < n) {
      switch (this.state) {
        case S_START: {
          const c = text.charCodeAt(i);
          if (c === LF || c === CR) {
            if (this.recordStarted) {
              this.addField('');
              this.emit(out);
            }
            i = this.lineEnd(text, i, c);
          } else {
            if (!this.recordStarted) {
              this.recordStarted = true;
              this.recordLine = this.line;
            }
            if (c === COMMA) {
              this.addField('');
              i++;
            } else if (c === QUOTE) {
              this.state = S_QUOTED;
              this.quoteLine = this.line;
              seg = ++i;
            } else {
              this.state = S_UNQUOTED; // scanned from this character on
              seg = i;
            }
          }
          break;
        }
        case S_UNQUOTED: {
          let c = 0;
          for (; i < n; i++) {
            c = text.charCodeAt(i);
            if (c === COMMA || c === LF || c === CR) break;
            if (c === QUOTE && this.error === null) {
              this.error = `${this.columnName(this.fieldCount)} contains a quote (") but is not quoted: enclose the field in quotes and double each quote inside it`;
            }
          }
          if (i === n) {
            this.append(text, seg, n);
            break;
          }
          this.addField(this.take(text, seg, i));
          this.state = S_START;
          if (c === COMMA) i++;
          else {
            this.emit(out);
            i = this.lineEnd(text, i, c);
          }
          break;
        }
        case S_QUOTED: {
          const q = text.indexOf('"', i);
          const stop = q === -1 ? n : q;
          for (let k = i; k < stop; k++) if (text.charCodeAt(k) === LF) this.line++;
          this.append(text, seg, stop);
          if (q === -1) i = n;
          else {
            i = q + 1;
            this.state = S_QUOTE;
          }
          break;
        }
        case S_QUOTE: {
          // Just after a quote inside a quoted field: a doubled quote, or the end of the field.
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.append('"', 0, 1);
            this.state = S_QUOTED;
            seg = ++i;
          } else if (c === COMMA) {
            this.addField(this.take(text, i, i));
            this.state = S_START;
            i++;
          } else if (c === LF || c === CR) {
            this.addField(this.take(text, i, i));
            this.state = S_START;
            this.emit(out);
            i = this.lineEnd(text, i, c);
          } else {
            if (this.error === null) {
              this.error = `${this.columnName(this.fieldCount)} has text after its closing quote: quote the whole field and double each quote inside it`;
            }
            this.state = S_UNQUOTED;
            seg = i;
          }
          break;
        }
      }
    }
  }

  /** Ends the input: completes a last record that has no line break after it. */
  end(out: CsvRecord[]): void {
    if (this.state === S_QUOTED && this.error === null) {
      this.error = `${this.columnName(this.fieldCount)} opens a quote on line ${this.quoteLine} that is never closed, so the rest of the file was read into it: close the quote`;
    }
    if (this.state !== S_START || this.recordStarted) {
      this.addField(this.take('', 0, 0));
      this.emit(out);
    }
    this.state = S_START;
  }

  private lineEnd(text: string, i: number, c: number): number {
    this.line++;
    if (c === CR) {
      if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      this.pendingCR = true;
    }
    return i + 1;
  }

  private append(text: string, from: number, to: number): void {
    const room = this.cap - this.partial.length;
    if (room <= 0 || to <= from) return;
    this.partial += text.slice(from, to - from > room ? from + room : to);
  }

  private take(text: string, from: number, to: number): string {
    let v: string;
    if (this.partial.length === 0) v = text.slice(from, to - from > this.cap ? from + this.cap : to);
    else {
      this.append(text, from, to);
      v = this.partial;
      this.partial = '';
    }
    return v;
  }

  private addField(v: string): void {
    if (this.fieldCount < this.maxFields) this.fields.push(v);
    this.fieldCount++;
  }

  private columnName(index: number): string {
    return this.opts.columnNames?.[index] ?? `field ${index + 1}`;
  }

  private emit(out: CsvRecord[]): void {
    out.push({ line: this.recordLine, fields: this.fields, fieldCount: this.fieldCount, error: this.error });
    this.fields = [];
    this.fieldCount = 0;
    this.error = null;
    this.recordStarted = false;
  }
}

