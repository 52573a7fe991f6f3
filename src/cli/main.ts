import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { parseCommand, synopsis, usage, UsageError, type CommandSpec, type OptionSpec, type OptionValues } from './command-spec.js';
import { COMMANDS, DOM_SIM, HASH_PASSWORD, IMPORT, LOAD_INVENTORY, MIGRATE, SERVE } from './command-table.js';
import { endQuietlyOnClosedOutput } from './closed-output.js';

/** The overview `dombridge --help` prints: one synopsis per command. */
const USAGE = `dombridge — OAGIS 9 BOD adapter between commerce clients and DOM

Usage:
${COMMANDS.map((c) => `  ${synopsis(c)}`).join('\n')}
  dombridge help

\`dombridge COMMAND --help\` tells what a command does and every option it takes.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const p = parsed(SERVE, rest);
      if (!p) return 0;
      const { values } = p;
      const config = loadConfig({
        ...(values.config ? { file: values.config } : {}),
        overrides: {
          ...(values.port !== undefined ? { port: portArg(values.port, SERVE) } : {}),
          ...(values.db ? { dbPath: values.db } : {}),
          ...(values.demo ? { demo: true } : {}),
          ...(values.host ? { host: values.host } : {}),
          ...(values.workers !== undefined ? { workers: workersArg(values.workers) } : {}),
        },
      });
      const cluster = (await import('node:cluster')).default;
      const { checkWorkersStore, startCluster, workerStartOptions } = await import('../server/worker-cluster.js');
      checkWorkersStore(config);
      const worker = workerStartOptions();
      const log = createLogger(config.logLevel, { service: 'dombridge', ...(worker?.worker !== undefined ? { worker: worker.worker } : {}) });
      if (config.workers > 1 && cluster.isPrimary) {
        const running = await startCluster(config, log);
        await waitForSignal(log, (signal) => running.stop(signal));
        return 0;
      }
      const { startDombridge } = await import('../server/dombridge-app.js');
      const app = await startDombridge(config, log, worker ?? {});
      // A worker whose primary is gone (killed) has nobody to hand it connections: it stops as on SIGTERM.
      await waitForSignal(log, () => app.close(), cluster.isWorker);
      // The IPC channel to the primary would keep a worker alive after its close.
      if (cluster.isWorker && process.connected) process.disconnect();
      return 0;
    }
    case 'dom-sim': {
      const p = parsed(DOM_SIM, rest);
      if (!p) return 0;
      const { values } = p;
      if (values.compat !== undefined && values.compat !== 'dombridge') throw new UsageError('--compat takes only dombridge (the older answers by unique id); without it the simulator speaks as Sterling behind IBM\'s mediation', DOM_SIM);
      const config = loadConfig();
      const cb = config.domSimCallback;
      const fulfillment = fulfillmentArg(values.fulfillment);
      const log = createLogger(config.logLevel, { service: 'dom-sim' });
      const { startDomSimulator } = await import('../dom/simulator/dom-simulator.js');
      const sim = await startDomSimulator({
        port: values.port !== undefined ? portArg(values.port, DOM_SIM) : config.domSimPort,
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
      const p = parsed(LOAD_INVENTORY, rest);
      if (!p) return 0;
      const { values, positionals } = p;
      if (positionals.length !== 1) throw new UsageError('load-inventory takes exactly one CSV file', LOAD_INVENTORY);
      if (values.db !== undefined) mustExist(values.db);
      const config = loadConfig({ ...(values.config ? { file: values.config } : {}), overrides: values.db ? { dbPath: values.db } : {} });
      const { runLoadInventory } = await import('./load-inventory.command.js');
      const batch = values['batch-size'] !== undefined ? Number(values['batch-size']) : undefined;
      if (batch !== undefined && !(Number.isInteger(batch) && batch > 0)) throw new UsageError('--batch-size must be a whole number above 0', LOAD_INVENTORY);
      return runLoadInventory({ file: positionals[0]!, dbPath: config.dbPath, db: config, ...(batch ? { batchSize: batch } : {}), out: process.stdout, isTTY: Boolean(process.stdout.isTTY) });
    }
    case 'import': {
      const p = parsed(IMPORT, rest);
      if (!p) return 0;
      const { values, positionals } = p;
      if (positionals.length === 0) throw new UsageError('import takes one or more CSV files or folders', IMPORT);
      if (values.db !== undefined) mustExist(values.db);
      const { importPaths, runImport } = await import('./import.command.js');
      const { files, folderConfig } = importPaths(positionals);
      const file = values.config ?? folderConfig;
      const config = loadConfig({ ...(file ? { file } : {}), overrides: values.db ? { dbPath: values.db } : {} });
      return runImport(files, config, values['dry-run'] === true, process.stdout);
    }
    case 'messages': {
      const { messagesSubcommand, runMessagesCommand, MESSAGES_USAGE } = await import('./messages.command.js');
      const [sub, ...subArgs] = rest;
      const spec = messagesSubcommand(sub);
      if (!spec) {
        if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
          (sub === undefined ? process.stderr : process.stdout).write(MESSAGES_USAGE);
          return sub === undefined ? 64 : 0;
        }
        process.stderr.write(`dombridge messages: unknown command "${sub}"; one of list, show, resend\n\n${MESSAGES_USAGE}`);
        return 64;
      }
      const p = parsed(spec, subArgs);
      if (!p) return 0;
      const { db, config: file, ...own } = p.values as OptionValues<Record<string, OptionSpec>> & { db?: string; config?: string };
      const config = loadConfig({ ...(file ? { file } : {}), overrides: db ? { dbPath: db } : {} });
      return runMessagesCommand([sub!, ...toArgs(own), ...p.positionals], process.stdout, config);
    }
    case 'migrate': {
      const p = parsed(MIGRATE, rest);
      if (!p) return 0;
      const { values } = p;
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
      if (!parsed(HASH_PASSWORD, rest)) return 0;
      const { runHashPassword } = await import('../security/hash-password.command.js');
      return runHashPassword({ input: process.stdin, out: process.stdout, err: process.stderr });
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h': {
      const spec = command === 'help' ? COMMANDS.find((c) => c.name === rest.join(' ')) : undefined;
      (command === undefined ? process.stderr : process.stdout).write(spec ? usage(spec) : USAGE);
      return command === undefined ? 64 : 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Parses by the command's table; undefined when --help was asked for, after printing the command's usage. */
function parsed<const O extends Readonly<Record<string, OptionSpec>>>(spec: CommandSpec<O>, args: readonly string[]): { values: OptionValues<O>; positionals: string[] } | undefined {
  const p = parseCommand(spec, args);
  if (p.help) {
    process.stdout.write(usage(spec));
    return undefined;
  }
  return p;
}

/** Parsed option values back to arguments, for a command module that parses its own. */
function toArgs(values: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>): string[] {
  return Object.entries(values).flatMap(([k, v]) => (v === undefined || v === false ? [] : v === true ? [`--${k}`] : [v].flat().flatMap((x) => [`--${k}`, String(x)])));
}

/** `--db PATH` names a database to load into: a path that does not exist is a typo, not a new empty database. */
function mustExist(dbPath: string): void {
  if (dbPath !== ':memory:' && !/^postgres(ql)?:\/\//i.test(dbPath) && !existsSync(dbPath)) throw new ConfigError('--db', `names ${dbPath}, which does not exist; start the server once with --db ${dbPath} to create it, or check the path`);
}

/** `--fulfillment off` (no confirm/release/ship callbacks) or `--fulfillment CONFIRM_MS,RELEASE_MS,SHIP_MS`. */
function fulfillmentArg(v: string | undefined): false | { confirmAfterMs: number; releaseAfterMs: number; shipAfterMs: number } | undefined {
  if (v === undefined) return undefined;
  if (v === 'off') return false;
  const ms = v.split(',').map(Number);
  if (ms.length !== 3 || !ms.every((n) => Number.isInteger(n) && n >= 0)) throw new UsageError(`--fulfillment takes "off" or three delays in ms, e.g. 1000,2000,3000; not "${v}"`, DOM_SIM);
  return { confirmAfterMs: ms[0]!, releaseAfterMs: ms[1]!, shipAfterMs: ms[2]! };
}

function workersArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--workers must be a whole number from 1 to 64, not "${v}"`, SERVE);
  return n;
}

function portArg(v: string, spec: CommandSpec): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${v}"`, spec);
  return n;
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the store, exit 0. */
function waitForSignal(log: ReturnType<typeof createLogger>, close: (signal: string) => Promise<void>, onDisconnect = false): Promise<void> {
  return new Promise((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      log.info('shutting down', { signal });
      close(signal).then(resolve, (e: unknown) => {
        log.error('shutdown failed', { error: String(e) });
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    if (onDisconnect) process.once('disconnect', () => stop('primary gone'));
  });
}

endQuietlyOnClosedOutput();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ConfigError || e instanceof UsageError) {
      const help = e instanceof UsageError ? (e.spec ? usage(e.spec) : USAGE) : '';
      process.stderr.write(`dombridge${e instanceof UsageError && e.spec ? ` ${e.spec.name}` : ''}: ${e.message}\n${help ? `\n${help}` : ''}`);
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
