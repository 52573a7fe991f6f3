import type Database from 'better-sqlite3';
import type { NodeCoordination, StoreChange } from '../store.js';

/** How often another process's commit is looked for while someone watches, ms. */
const CHECK_MS = 100;

/**
 * Several processes on one SQLite file (`serve --workers`, or `load-inventory` beside a server): SQLite tells a
 * connection that another connection has committed by `PRAGMA data_version`. Asked of the writer connection, which
 * only this process writes with, it changes exactly when another process committed; then every copy in memory may
 * be out of date and is dropped ('all'). Checked every 100 ms while anyone watches, well within
 * CHANGE_STALENESS_MS (store.ts). Singleton jobs are always held: one process per file, or `serve --workers`, whose
 * primary gives them to one worker (src/server/worker-cluster.ts).
 */
export class SqliteNodeCoordination implements NodeCoordination {
  private readonly listeners = new Set<(c: StoreChange) => void>();
  private timer: NodeJS.Timeout | undefined;
  private version: unknown;

  /** `writer` undefined: an in-memory database, private to this process (nothing to watch). */
  constructor(private readonly writer: Database.Database | undefined, private readonly onExternalChange: () => void) {}

  watch(listener: (c: StoreChange) => void): () => void {
    this.listeners.add(listener);
    if (this.writer && !this.timer) {
      const pragma = this.writer.prepare('PRAGMA data_version').pluck();
      this.version = pragma.get();
      this.timer = setInterval(() => {
        let v: unknown;
        try {
          v = pragma.get();
        } catch {
          return; // closed, or busy: next time
        }
        if (v === this.version) return;
        this.version = v;
        this.onExternalChange();
        for (const l of this.listeners) l({ kind: 'all' });
      }, CHECK_MS);
      this.timer.unref();
    }
    return () => this.listeners.delete(listener);
  }

  async hold(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {
    // nothing held
  }

  async announce(): Promise<void> {
    // Every process on a file holds every job, so each probes DOM itself: nobody waits to be told.
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }
}
