import postgres from 'postgres';
import type { NodeCoordination, SingletonJob, StoreChange } from '../store.js';
import { CHANGE_STALENESS_MS } from '../store.js';
import type { Query } from './pg-query.js';

/** The NOTIFY channel of committed changes. */
export const CHANGE_CHANNEL = 'dombridge_change';

/** Advisory lock keys of the singleton jobs (beside the migrations' 4242001). */
const JOB_LOCKS: Readonly<Record<SingletonJob, number>> = { retransfer: 4_242_101, 'dom-heartbeat': 4_242_102 };

/**
 * The payload of a change: short, as NOTIFY payloads are limited to 8,000 bytes. `a` an availability record
 * (item, location kind, store id), `r` the cache rules, `*` anything.
 */
export function changePayload(c: StoreChange): string {
  if (c.kind === 'availability') return JSON.stringify(['a', c.catentryId, c.location.kind, c.location.storeId]);
  return JSON.stringify([c.kind === 'cacheRules' ? 'r' : c.kind === 'domUp' ? 'd' : '*']);
}

function parseChange(payload: string): StoreChange {
  try {
    const p = JSON.parse(payload) as unknown[];
    if (p[0] === 'a' && typeof p[1] === 'string' && (p[2] === 'online' || p[2] === 'physical') && typeof p[3] === 'string') {
      return { kind: 'availability', catentryId: p[1], location: { kind: p[2], storeId: p[3] } };
    }
    if (p[0] === 'r') return { kind: 'cacheRules' };
    if (p[0] === 'd') return { kind: 'domUp' };
  } catch {
    // a payload we do not read: treat it as "anything changed"
  }
  return { kind: 'all' };
}

/** Sends a change to every listening node when the surrounding transaction commits (at once outside one). */
export async function notifyChange(q: Query, c: StoreChange): Promise<void> {
  await q('SELECT pg_notify(?, ?)', [CHANGE_CHANNEL, changePayload(c)]);
}

/**
 * One connection of this process's own, apart from the pool, that LISTENs for changes and holds the singleton jobs'
 * session advisory locks. Both die with the connection: a node killed with -9 loses its locks as the server sees
 * the socket close, and another node takes the job at its next try.
 *
 * While the connection is down this process cannot hear changes: it reports 'all' at once and then every half of
 * {@link CHANGE_STALENESS_MS} until it listens again (and once more then), so copies in memory never outlive the
 * bound. The connection is opened on the first watch or hold (a store used by a CLI command never opens it).
 */
export class PgNodeCoordination implements NodeCoordination {
  private sql: postgres.Sql | undefined;
  private readonly listeners = new Set<(c: StoreChange) => void>();
  private listening = false;
  private connecting: Promise<void> | undefined;
  private blindTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly held = new Set<SingletonJob>();

  constructor(private readonly open: (opts: postgres.Options<Record<string, never>>) => postgres.Sql) {}

  watch(listener: (c: StoreChange) => void): () => void {
    this.listeners.add(listener);
    if (!this.listening) void this.listen();
    return () => this.listeners.delete(listener);
  }

  async hold(job: SingletonJob): Promise<boolean> {
    if (this.closed) return false;
    const key = JOB_LOCKS[job];
    try {
      // Already ours on this very session (pg_locks), else try to take it: pg_try_advisory_lock is re-entrant, so it
      // is called only when not held, and a lock lost with a dropped connection is taken again on the new one.
      const rows = await this.connection()`
        SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ${key} AND objsubid = 1
                                   AND pid = pg_backend_pid() AND granted)
               THEN true ELSE pg_try_advisory_lock(${key}::bigint) END AS held`;
      const held = rows[0]?.['held'] === true;
      if (held) this.held.add(job);
      else this.held.delete(job);
      return held;
    } catch {
      this.held.delete(job);
      return false;
    }
  }

  async release(job: SingletonJob): Promise<void> {
    if (!this.held.delete(job) || !this.sql || this.closed) return;
    await this.sql`SELECT pg_advisory_unlock(${JOB_LOCKS[job]}::bigint)`.catch(() => undefined);
  }

  async announce(change: StoreChange): Promise<void> {
    if (this.closed) return;
    try {
      await this.connection()`SELECT pg_notify(${CHANGE_CHANNEL}, ${changePayload(change)})`;
    } catch {
      // Not told: the others find DOM back at their own next probe, as without this.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.blindTimer);
    clearTimeout(this.retryTimer);
    this.listeners.clear();
    await this.sql?.end({ timeout: 2 }).catch(() => undefined);
  }

  private connection(): postgres.Sql {
    this.sql ??= this.open({
      max: 1,
      // One long-lived session: the locks and the LISTEN live exactly as long as it does.
      idle_timeout: 0,
      max_lifetime: null,
      onnotify: (channel: string, payload: string) => {
        if (channel === CHANGE_CHANNEL) this.emit(parseChange(payload));
      },
      onclose: () => {
        // The session is gone, and with it the LISTEN and every lock.
        this.held.clear();
        if (this.closed) return;
        if (this.listening) {
          this.listening = false;
          this.blind();
          this.retryTimer = setTimeout(() => void this.listen(), 200);
          this.retryTimer.unref();
        }
      },
    } as postgres.Options<Record<string, never>>);
    return this.sql;
  }

  private listen(): Promise<void> {
    if (this.closed || this.listening || this.listeners.size === 0) return Promise.resolve();
    this.connecting ??= (async () => {
      try {
        await this.connection().unsafe(`LISTEN ${CHANGE_CHANNEL}`);
        this.listening = true;
        clearInterval(this.blindTimer);
        this.blindTimer = undefined;
        // What changed while nobody listened is unknown.
        this.emit({ kind: 'all' });
      } catch {
        this.blind();
        this.retryTimer = setTimeout(() => void this.listen(), 500);
        this.retryTimer.unref();
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  /** Not listening: whatever is in memory may be out of date by now, and again every half staleness bound. */
  private blind(): void {
    this.emit({ kind: 'all' });
    if (this.blindTimer || this.closed) return;
    this.blindTimer = setInterval(() => this.emit({ kind: 'all' }), CHANGE_STALENESS_MS / 2);
    this.blindTimer.unref();
  }

  private emit(c: StoreChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
