import type postgres from 'postgres';

export type Row = Record<string, unknown>;
export type Rows = Row[] & { readonly count: number };

/** Runs one statement with `?` placeholders (as the SQLite store writes them) on a pool or a transaction. */
export type Query = (sql: string, params?: readonly unknown[]) => Promise<Rows>;

const converted = new Map<string, string>();

/** `?` → `$1, $2 …`, once per statement text (none of our statements has a `?` inside a literal). */
export function numbered(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    converted.set(sql, out);
  }
  return out;
}

export function queryOn(db: postgres.Sql): Query {
  // Prepared per connection by the driver, keyed by text: the hot path compiles each statement once.
  return (sql, params = []) => db.unsafe(numbered(sql), params as postgres.ParameterOrJSON<never>[], { prepare: true }) as unknown as Promise<Rows>;
}

/** Work registered to run after a commit; outside a transaction, it runs at once (a lone statement commits itself). */
export type After = (hook: () => void) => void;
