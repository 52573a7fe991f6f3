/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and ranks functions by self time, so the harness can
 * print where a slow figure spends its CPU without a profiler UI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface HotFunction {
  /** `name (file:line)`, the file relative to the package root, or node's internal name. */
  readonly where: string;
  readonly selfMs: number;
  /** Share of all sampled time, idle included, in percent. */
  readonly selfPercent: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly idlePercent: number;
  readonly top: readonly HotFunction[];
}

/** The newest `.cpuprofile` in `dir`, or undefined when none was written. */
export function findProfile(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  // One profile per thread (CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile): the main thread's is thread 0;
  // a worker's (the message log writer) is not the one that answers requests.
  const main = files.filter((f) => f.split('.')[4] === '0');
  const pick = main.length ? main : files;
  return pick.length ? join(dir, pick[pick.length - 1]!) : undefined;
}

/**
 * Self time per function, highest first. `lastMs`: count only the samples of the profile's last `lastMs`
 * milliseconds (the load phase, leaving out start-up: module loading, migrations, demo seed).
 */
export function summariseProfile(file: string, root: string, topN = 15, lastMs = Infinity): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i (µs); attribute each interval to the sample that ends it.
  const at: number[] = new Array(samples.length);
  let t = p.startTime;
  for (let i = 0; i < samples.length; i++) at[i] = t += deltas[i] ?? 0;
  const from = samples.length ? at[samples.length - 1]! - lastMs * 1000 : 0;
  for (let i = 0; i < samples.length; i++) {
    if (at[i]! < from) continue;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, deltas[i] ?? 0));
  }
  let total = 0;
  const byFunction = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of selfUs) {
    total += us;
    const n = byId.get(id);
    if (!n) continue;
    const name = describe(n, root);
    if (n.callFrame.functionName === '(idle)') idle += us;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const top = [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([where, us]) => ({ where, selfMs: us / 1000, selfPercent: total > 0 ? (100 * us) / total : 0 }));
  return { file, totalMs: total / 1000, idlePercent: total > 0 ? (100 * idle) / total : 0, top };
}

function describe(n: ProfileNode, root: string): string {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  let file = f.url;
  if (file.startsWith('file://')) {
    try {
      file = relative(root, fileURLToPath(file));
    } catch {
      // keep the URL
    }
  }
  return `${name} (${file}:${f.lineNumber + 1})`;
}
