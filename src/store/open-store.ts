import type { Config } from '../config/config.js';
import { PostgresStore, migratePostgresUrl } from './postgres/postgres-store.js';
import { SqliteStore, migrateSqliteFile } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/**
 * The one place that knows which database the store is (docs/storage.md): PostgreSQL when `dbUrl` is set
 * (DOMBRIDGE_DB=postgres://…, or dbUrl in the config file), else the SQLite file `dbPath`. Other schemes never get
 * here: the settings table refuses them at start-up.
 */
export type StoreLocation = Pick<Config, 'dbPath' | 'dbUrl'> & Partial<Pick<Config, 'dbSynchronous' | 'dbPool'>>;

export async function openStore(config: StoreLocation, opts: { readonly path?: string } = {}): Promise<Store> {
  if (config.dbUrl && opts.path === undefined) {
    const pool = config.dbPool;
    return PostgresStore.open({ url: config.dbUrl, ...(pool ? { poolSize: pool.size, statementTimeoutMs: pool.statementTimeoutMs } : {}), ...(pool?.caFile ? { caFile: pool.caFile } : {}) });
  }
  return SqliteStore.open({ path: opts.path ?? config.dbPath, ...(config.dbSynchronous ? { synchronous: config.dbSynchronous } : {}) });
}

/** Whether the configured store is a database server (nothing to find on disk beforehand). */
export function isServerStore(config: Pick<Config, 'dbUrl'>): boolean {
  return config.dbUrl !== undefined;
}

/** Where the store is, for messages: the file, or the URL without its password. */
export function describeStore(config: Pick<Config, 'dbPath' | 'dbUrl'>): string {
  if (!config.dbUrl) return config.dbPath;
  const u = new URL(config.dbUrl);
  if (u.password) u.password = '***';
  return u.toString();
}

/** `dombridge migrate`: applies pending migrations; returns the versions applied (SQLite migrates on open). */
export async function migrateStore(config: StoreLocation): Promise<number[]> {
  if (config.dbUrl) {
    return migratePostgresUrl({ url: config.dbUrl, poolSize: 1, statementTimeoutMs: 0, ...(config.dbPool?.caFile ? { caFile: config.dbPool.caFile } : {}) });
  }
  return migrateSqliteFile(config.dbPath);
}
