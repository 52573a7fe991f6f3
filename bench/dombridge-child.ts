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
}

export async function startDombridgeChild(name: string, o: DombridgeChildOptions): Promise<DombridgeChild> {
  const port = await freePort();
  let simPort = await freePort();
  while (simPort === port) simPort = await freePort();
  const child = spawnNode(name, join(o.root, 'bin', 'dombridge.js'), {
    args: ['serve', '--demo'],
    cwd: o.root,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    env: childEnv({ PORT: String(port), DOM_SIM_PORT: String(simPort), DOMBRIDGE_DATA: o.dataDir, LOG_LEVEL: 'silent', ...(o.env ?? {}) }),
  });
  try {
    await waitForHttp(port, '/healthz', o.startTimeoutMs ?? 20_000, child);
  } catch (e) {
    await child.stop(2000);
    throw e;
  }
  return { child, port, simPort, dataDir: o.dataDir, dbPath: join(o.dataDir, 'dombridge.db') };
}
