/**
 * Structured JSON logs, one object a line on stdout: what log shippers expect. Fields about a message (bodId,
 * orderId, partNumber) go in `fields`, never baked into the text, so they can be searched.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /**
   * Lines already formatted as this logger's JSON lines, as UTF-8 with a newline after each (the access log
   * gathers its own), written as one chunk when `level` is enabled; nothing otherwise.
   */
  writeLines?(chunk: Uint8Array, level: LogLevel): void;
  /** Whether a line at `level` would be written. */
  enabled?(level: LogLevel): boolean;
}

/**
 * `sink` takes one line at a time (default: stdout). Chunks of ready lines (writeLines) go to stdout as they are;
 * with a sink of the caller's, they are cut into its lines.
 */
export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, sink?: (line: string) => void): Logger {
  const out: Sinks = sink
    ? { line: sink, chunk: (c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('utf8').split('\n').forEach((l) => l && sink(l)) }
    : { line: (l) => process.stdout.write(l + '\n'), chunk: (c) => process.stdout.write(c) };
  return new JsonLogger(RANK[level], out, base);
}

interface Sinks {
  readonly line: (line: string) => void;
  readonly chunk: (lines: Uint8Array) => void;
}

/**
 * A field holding an Error is written as its message: stacks carry file paths and are noise in production
 * logs. At debug level the stack follows in `<field>Stack`.
 */
function serialize(fields: Record<string, unknown>, withStacks: boolean): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    const v = fields[key];
    if (!(v instanceof Error)) continue;
    out ??= { ...fields };
    out[key] = v.message;
    if (withStacks && v.stack) out[`${key}Stack`] = v.stack;
  }
  return out ?? fields;
}

/**
 * The dispatcher makes a child per request (operation, bodId), and most requests log nothing: so child() only
 * keeps its fields and its parent, and the fields are merged when a line is written. A logger that writes
 * nothing returns itself.
 */
class JsonLogger implements Logger {
  /** The merged fields of this logger and its parents, worked out at the first line it writes. */
  private merged: Record<string, unknown> | undefined;

  constructor(
    private readonly min: number, private readonly sinks: Sinks,
    private readonly own: Record<string, unknown>, private readonly parent?: JsonLogger,
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    if (this.min <= RANK.debug) this.emit('debug', msg, fields);
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    if (this.min <= RANK.info) this.emit('info', msg, fields);
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    if (this.min <= RANK.warn) this.emit('warn', msg, fields);
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    if (this.min <= RANK.error) this.emit('error', msg, fields);
  }

  writeLines(chunk: Uint8Array, level: LogLevel): void {
    if (this.min <= RANK[level]) this.sinks.chunk(chunk);
  }

  enabled(level: LogLevel): boolean {
    return this.min <= RANK[level];
  }

  child(fields: Record<string, unknown>): Logger {
    if (this.min >= RANK.silent) return this;
    return new JsonLogger(this.min, this.sinks, fields, this);
  }

  private base(): Record<string, unknown> {
    return (this.merged ??= { ...this.parent?.base(), ...serialize(this.own, this.min <= RANK.debug) });
  }

  private emit(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined): void {
    const extra = fields ? serialize(fields, this.min <= RANK.debug) : undefined;
    this.sinks.line(JSON.stringify({ time: new Date().toISOString(), level, msg, ...this.base(), ...extra }));
  }
}

export const silentLogger: Logger = createLogger('silent');
