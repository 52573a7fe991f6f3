/**
 * Starts `dombridge serve --demo` as a child process the way a user would (`bin/dombridge.js`), with its own
 * temporary data directory, free loopback ports for the facade and the built-in DOM simulator, and silent logs.
 */
import { join } from 'node:path';
import { childEnv, freePort, spawnNode, waitForHttp, type BenchChild } from './bench-support.js';

export interface DombridgeChild {
  readonly child: BenchChild;
  readonly port: number;
  readonly simPort: number;
  readonly dataDir: string;
  /** The SQLite file the child writes. */
  readonly dbPath: string;
}

export interface DombridgeChildOptions {
  readonly root: string;
  readonly dataDir: string;
  /** More environment (e.g. DOMBRIDGE_DB_SYNC). */
  readonly env?: Record<string, string>;
  /** Node options before the script, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
  /** How long start-up (migrations, demo seed, simulator) may take, ms. */
  readonly startTimeoutMs?: number;
  /** The facade's port, when something must know it before the child starts (a DOM simulator calling back). */
  readonly port?: number;
}

/**
 * The children's LOG_LEVEL: silent, so logging costs nothing in the figures. BENCH_DOMBRIDGE_LOG_LEVEL (e.g.
 * error) overrides it to find out why a section fails; the log's last lines then appear in the failure.
 */
function childLogLevel(): string {
  return process.env['BENCH_DOMBRIDGE_LOG_LEVEL'] || 'silent';
}

/** What to add to a failure that dombridge answered with a fault: its log, or how to get it. */
export function logHint(c: DombridgeChild): string {
  const tail = c.child.stdoutTail();
  if (tail) return `\n  dombridge's log ends with:\n${tail.split('\n').map((l) => `    ${l.slice(0, 600)}`).join('\n')}`;
  return childLogLevel() === 'silent' ? '\n  (dombridge logs nothing in the bench; run with BENCH_DOMBRIDGE_LOG_LEVEL=error to see why)' : '';
}

export async function startDombridgeChild(name: string, o: DombridgeChildOptions): Promise<DombridgeChild> {
  const port = o.port ?? (await freePort());
  let simPort = await freePort();
  while (simPort === port) simPort = await freePort();
  const child = spawnNode(name, join(o.root, 'bin', 'dombridge.js'), {
    args: ['serve', '--demo'],
    cwd: o.root,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    env: childEnv({ PORT: String(port), DOM_SIM_PORT: String(simPort), DOMBRIDGE_DATA: o.dataDir, LOG_LEVEL: childLogLevel(), ...(o.env ?? {}) }),
  });
  try {
    await waitForHttp(port, '/healthz', o.startTimeoutMs ?? 20_000, child);
  } catch (e) {
    await child.stop(2000);
    throw e;
  }
  return { child, port, simPort, dataDir: o.dataDir, dbPath: join(o.dataDir, 'dombridge.db') };
}
