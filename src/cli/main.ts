import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { createLogger } from '../log/logger.js';

const USAGE = `dombridge — OAGIS 9 BOD adapter between commerce clients and DOM

Usage:
  dombridge serve [--config FILE] [--port N] [--db PATH|postgres://…] [--demo]
  dombridge dom-sim [--port N] [--callback-url URL] [--fulfillment off|CONFIRM_MS,RELEASE_MS,SHIP_MS]
  dombridge load-inventory FILE.csv [--db PATH] [--config FILE] [--batch-size N]
  dombridge import FILE.csv|DIR… [--db PATH] [--config FILE] [--dry-run]   (your shop's catalog, physical stores, stock)
  dombridge migrate [--db PATH|URL] [--config FILE]   (applies pending schema migrations; serve also does at start-up)
  dombridge messages list [--status S] [--since T] [--direction in|out] [--order ID] … | show ID | resend ID  [--db PATH]
  dombridge dom probe [--url URL] [--user NAME]   (asks a running dombridge to probe DOM now; exit 0 up, 1 down)
  dombridge replay [--url URL] [--update] [--grep T] [--tag T] [--skip-tag T] [--junit FILE] [--jobs N] [--list] PATH…
  dombridge record --listen PORT --target URL [--name N] DIR
  dombridge demo [--url URL]           (walks the checkout against a running server, DOMBRIDGE_URL or :$PORT)
  dombridge hash-password            (reads a password on stdin, prints a scrypt passwordHash for the config file)
  dombridge help
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, port: { type: 'string' }, db: { type: 'string' }, demo: { type: 'boolean' }, host: { type: 'string' } } });
      const config = loadConfig({
        ...(values.config ? { file: values.config } : {}),
        overrides: {
          ...(values.port !== undefined ? { port: portArg(values.port) } : {}),
          ...(values.db ? { dbPath: values.db } : {}),
          ...(values.demo ? { demo: true } : {}),
          ...(values.host ? { host: values.host } : {}),
        },
      });
      const log = createLogger(config.logLevel, { service: 'dombridge' });
      const { startDombridge } = await import('../server/dombridge-app.js');
      const app = await startDombridge(config, log);
      await waitForSignal(log, () => app.close());
      return 0;
    }
    case 'dom-sim': {
      const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, 'callback-url': { type: 'string' }, host: { type: 'string' }, fulfillment: { type: 'string' }, compat: { type: 'string' } } });
      if (values.compat !== undefined && values.compat !== 'dombridge') throw new UsageError('--compat takes only dombridge (the older answers by unique id); without it the simulator speaks as Sterling behind IBM\'s mediation');
      const config = loadConfig();
      const cb = config.domSimCallback;
      const fulfillment = fulfillmentArg(values.fulfillment);
      const log = createLogger(config.logLevel, { service: 'dom-sim' });
      const { startDomSimulator } = await import('../dom/simulator/dom-simulator.js');
      const sim = await startDomSimulator({
        port: values.port !== undefined ? portArg(values.port) : config.domSimPort,
        host: values.host ?? '127.0.0.1',
        ...(values['callback-url'] ? { callbackUrl: values['callback-url'] } : {}),
        ...(cb.username ? { callbackCredentials: { username: cb.username, password: cb.password ?? '' } } : {}),
        ...(fulfillment !== undefined ? { fulfillment } : {}),
        ...(values.compat === 'dombridge' ? { mode: 'dombridge' as const } : {}),
        log,
      });
      await waitForSignal(log, () => sim.close());
      return 0;
    }
    case 'load-inventory': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { db: { type: 'string' }, config: { type: 'string' }, 'batch-size': { type: 'string' } } });
      if (positionals.length !== 1) throw new UsageError('load-inventory takes exactly one CSV file');
      if (values.db !== undefined) mustExist(values.db);
      const config = loadConfig({ ...(values.config ? { file: values.config } : {}), overrides: values.db ? { dbPath: values.db } : {} });
      const { runLoadInventory } = await import('./load-inventory.command.js');
      const batch = values['batch-size'] !== undefined ? Number(values['batch-size']) : undefined;
      if (batch !== undefined && !(Number.isInteger(batch) && batch > 0)) throw new UsageError('--batch-size must be a whole number above 0');
      return runLoadInventory({ file: positionals[0]!, dbPath: config.dbPath, db: config, ...(batch ? { batchSize: batch } : {}), out: process.stdout, isTTY: Boolean(process.stdout.isTTY) });
    }
    case 'import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { db: { type: 'string' }, config: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
      if (positionals.length === 0) throw new UsageError('import takes one or more CSV files or folders');
      if (values.db !== undefined) mustExist(values.db);
      const { importPaths, runImport } = await import('./import.command.js');
      const { files, folderConfig } = importPaths(positionals);
      const file = values.config ?? folderConfig;
      const config = loadConfig({ ...(file ? { file } : {}), overrides: values.db ? { dbPath: values.db } : {} });
      return runImport(files, config, values['dry-run'] === true, process.stdout);
    }
    case 'messages': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: false, options: { db: { type: 'string' }, config: { type: 'string' } } });
      const config = loadConfig({ ...(typeof values.config === 'string' ? { file: values.config } : {}), overrides: typeof values.db === 'string' ? { dbPath: values.db } : {} });
      const passOn = rest.filter((a, i) => !['--db', '--config'].includes(a) && !['--db', '--config'].includes(rest[i - 1] ?? '') && !/^--(db|config)=/.test(a));
      void positionals;
      const { runMessagesCommand } = await import('./messages.command.js');
      return runMessagesCommand(passOn, process.stdout, config);
    }
    case 'migrate': {
      const { values } = parseArgs({ args: rest, options: { db: { type: 'string' }, config: { type: 'string' } } });
      const config = loadConfig({ ...(values.config ? { file: values.config } : {}), overrides: values.db ? { dbPath: values.db } : {} });
      const { migrateStore, describeStore } = await import('../store/open-store.js');
      const applied = await migrateStore(config);
      process.stdout.write(applied.length ? `Migrated ${describeStore(config)}: applied ${applied.join(', ')}.\n` : `${describeStore(config)} is up to date.\n`);
      return 0;
    }
    case 'dom': {
      const { runDomCommand } = await import('./dom.command.js');
      return runDomCommand(rest, process.stdout);
    }
    case 'replay': {
      const { runReplayCommand } = await import('./replay.command.js');
      return runReplayCommand(rest, process.stdout, process.stderr);
    }
    case 'record': {
      const { runRecordCommand } = await import('./record.command.js');
      return runRecordCommand(rest, process.stdout, process.stderr);
    }
    case 'demo': {
      const { runDemoCommand } = await import('./demo.command.js');
      return runDemoCommand(rest, process.stdout, process.stderr);
    }
    case 'hash-password': {
      const { runHashPassword } = await import('../security/hash-password.command.js');
      return runHashPassword({ input: process.stdin, out: process.stdout, err: process.stderr });
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 64 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

/** `--db PATH` names a database to load into: a path that does not exist is a typo, not a new empty database. */
function mustExist(dbPath: string): void {
  if (dbPath !== ':memory:' && !/^postgres(ql)?:\/\//i.test(dbPath) && !existsSync(dbPath)) throw new ConfigError('--db', `names ${dbPath}, which does not exist; start the server once with --db ${dbPath} to create it, or check the path`);
}

/** `--fulfillment off` (no confirm/release/ship callbacks) or `--fulfillment CONFIRM_MS,RELEASE_MS,SHIP_MS`. */
function fulfillmentArg(v: string | undefined): false | { confirmAfterMs: number; releaseAfterMs: number; shipAfterMs: number } | undefined {
  if (v === undefined) return undefined;
  if (v === 'off') return false;
  const ms = v.split(',').map(Number);
  if (ms.length !== 3 || !ms.every((n) => Number.isInteger(n) && n >= 0)) throw new UsageError(`--fulfillment takes "off" or three delays in ms, e.g. 1000,2000,3000; not "${v}"`);
  return { confirmAfterMs: ms[0]!, releaseAfterMs: ms[1]!, shipAfterMs: ms[2]! };
}

function portArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${v}"`);
  return n;
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the store, exit 0. */
function waitForSignal(log: ReturnType<typeof createLogger>, close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      log.info('shutting down', { signal });
      close().then(resolve, (e: unknown) => {
        log.error('shutdown failed', { error: String(e) });
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ConfigError || e instanceof UsageError || (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`dombridge: ${(e as Error).message}\n\n${e instanceof UsageError || e instanceof TypeError ? USAGE : ''}`);
      exitNow(64);
    } else {
      process.stderr.write(`dombridge: ${e instanceof Error ? e.message : String(e)}\n`);
      exitNow(1);
    }
  },
);

/**
 * A failed command ends the process now: a listener, timer or socket something started before the failure must not
 * keep it running (a supervisor would take it for up). stderr to a pipe or file is written synchronously.
 */
function exitNow(code: number): never {
  process.exit(code);
}
