import postgres from 'postgres';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * Which store the tests run on: SQLite (default) or PostgreSQL (DOMBRIDGE_TEST_STORE=postgres; `npm test` runs the
 * suite once on each). On PostgreSQL every store a test opens is a database of its own, `dombridge_test_<pid>_<n>`,
 * created on the server of DOMBRIDGE_TEST_PG (default postgres://postgres@127.0.0.1:5432/test) and dropped when the
 * run ends.
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env['DOMBRIDGE_TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite';
export const ON_POSTGRES = TEST_STORE === 'postgres';

const ADMIN_URL = process.env['DOMBRIDGE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const created: string[] = [];
let admin: postgres.Sql | undefined;
let counter = 0;

function adminSql(): postgres.Sql {
  admin ??= postgres(ADMIN_URL, { max: 8, onnotice: () => undefined }) as unknown as postgres.Sql;
  return admin;
}

/** A new, empty PostgreSQL database for one store; its URL. */
export async function freshPostgresUrl(): Promise<string> {
  const name = `dombridge_test_${process.pid}_${++counter}`;
  await adminSql().unsafe(`CREATE DATABASE ${name}`);
  created.push(name);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Where a test's store lives: a fresh PostgreSQL database, or the given SQLite path (':memory:' by default). */
export async function testStoreLocation(sqlitePath = ':memory:'): Promise<{ dbPath: string; dbUrl: string | undefined }> {
  return ON_POSTGRES ? { dbPath: sqlitePath, dbUrl: await freshPostgresUrl() } : { dbPath: sqlitePath, dbUrl: undefined };
}

/** A fresh, migrated, empty store of the kind under test. */
export async function openTestStore(sqlitePath = ':memory:'): Promise<Store> {
  return openStore(await testStoreLocation(sqlitePath));
}

/** For tests of what only one store has (SQLite's file journal, PRAGMA data_version): skipped, saying why. */
export function onlyOnSqlite(ctx: Mocha.Context, reason: string): void {
  if (!ON_POSTGRES) return;
  // eslint-disable-next-line no-console
  console.log(`      (skipped on PostgreSQL: ${reason})`);
  ctx.skip();
}

/** For tests that need a database server (several nodes on one store): skipped on SQLite, saying why. */
export function onlyOnPostgres(ctx: Mocha.Context, reason: string): void {
  if (ON_POSTGRES) return;
  // eslint-disable-next-line no-console
  console.log(`      (skipped on SQLite: ${reason})`);
  ctx.skip();
}

/** Drops every database this run created (at the end of the run; FORCE: a connection a test leaked is cut). */
export async function dropTestDatabases(): Promise<void> {
  if (!admin) return;
  const names = created.splice(0);
  // A few at a time: each DROP removes a directory of files on the server.
  for (let i = 0; i < names.length; i += 8) {
    await Promise.all(names.slice(i, i + 8).map((name) => admin!.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)));
  }
  await admin.end({ timeout: 5 });
  admin = undefined;
}

// A root hook (mocha's globals exist while spec files load): runs once, after every test of the run.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(600_000);
    await dropTestDatabases();
  });
}
