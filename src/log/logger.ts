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
   * Lines already formatted as this logger's JSON lines (the access log gathers its own), written as one chunk
   * when `level` is enabled; nothing otherwise.
   */
  writeLines?(chunk: string, level: LogLevel): void;
  /** Whether a line at `level` would be written. */
  enabled?(level: LogLevel): boolean;
}

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, sink: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  return new JsonLogger(RANK[level], base, sink);
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
 * The dispatcher makes a child per request (operation, bodId), so child() is one object merge and nothing
 * else; a logger that writes nothing returns itself.
 */
class JsonLogger implements Logger {
  constructor(private readonly min: number, private readonly base: Record<string, unknown>, private readonly sink: (line: string) => void) {}

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

  writeLines(chunk: string, level: LogLevel): void {
    // The sink takes one line at a time: the trailing newline is its own.
    if (this.min <= RANK[level]) this.sink(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk);
  }

  enabled(level: LogLevel): boolean {
    return this.min <= RANK[level];
  }

  child(fields: Record<string, unknown>): Logger {
    if (this.min >= RANK.silent) return this;
    return new JsonLogger(this.min, { ...this.base, ...serialize(fields, this.min <= RANK.debug) }, this.sink);
  }

  private emit(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined): void {
    const extra = fields ? serialize(fields, this.min <= RANK.debug) : undefined;
    this.sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...this.base, ...extra }));
  }
}

export const silentLogger: Logger = createLogger('silent');
