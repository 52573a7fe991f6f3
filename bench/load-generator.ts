/**
 * Which program generates the HTTP load: wrk when it is installed (a C client, light on a machine whose cores the
 * servers share with it), else the Node client of http-load.ts in the bench's own process.
 */
import { runHttpLoad, type HttpLoadOptions, type HttpLoadResult } from './http-load.js';
import { findWrk, runWrkLoad, wrkWindowMs } from './wrk-load.js';

export type LoaderChoice = 'node' | 'wrk' | 'auto';
export const LOADER_CHOICES: readonly LoaderChoice[] = ['node', 'wrk', 'auto'];

export interface LoadGenerator {
  readonly kind: 'wrk' | 'node';
  /** For the report, e.g. "wrk 4.1 (C, 1 thread)". */
  readonly description: string;
  /** The warm-up or measured window the generator really runs for a requested one, ms. */
  windowMs(ms: number): number;
  run(o: HttpLoadOptions): Promise<HttpLoadResult>;
}

export function pickLoadGenerator(choice: LoaderChoice): LoadGenerator {
  const wrk = choice === 'node' ? undefined : findWrk();
  if (wrk) {
    const shortVersion = wrk.version.split('.').slice(0, 2).join('.');
    return { kind: 'wrk', description: `wrk ${shortVersion} (C, 1 thread)`, windowMs: wrkWindowMs, run: (o) => runWrkLoad(wrk, o) };
  }
  if (choice === 'wrk') throw new Error('--loader wrk: there is no wrk on PATH (Debian: apt-get install wrk)');
  return {
    kind: 'node',
    description: "Node http client in the bench process (install Debian's wrk for figures less disturbed by the load generator)",
    windowMs: (ms) => ms,
    run: runHttpLoad,
  };
}
