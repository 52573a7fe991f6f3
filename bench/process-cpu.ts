/**
 * CPU time a server child spends in a measured window, read from /proc/<pid>/stat (Linux): user + system time of
 * every thread of the process, so work moved off the event loop (dombridge's message-log worker thread, libuv's
 * thread pool) is counted as well. Where there is no /proc the figures are not available (NaN, printed n/a).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (the unit of utime and stime), asked once; 100 when getconf cannot say. */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    let ticks = NaN;
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    } catch {
      // no getconf: Linux's USER_HZ is 100 everywhere in practice
    }
    ticksPerSecond = Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  }
  return ticksPerSecond;
}

/** CPU time used so far by `pid` (user + system, all threads), ms; undefined without /proc or once it has exited. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses: count from the last ')'.
  // What follows starts at field 3 (state); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

export interface CpuUse {
  /** CPU time the process used between `open` and `close`, ms. */
  readonly cpuMs: number;
  /** Wall time between `open` and `close`, ms. */
  readonly wallMs: number;
}

export interface CpuMeter {
  open(): void;
  close(): void;
  /** Undefined when the window was not both opened and closed, or /proc could not be read. */
  use(): CpuUse | undefined;
}

/** Samples `pid`'s CPU time at the edges of a window. */
export function cpuMeter(pid: number | undefined): CpuMeter {
  let start: { cpuMs: number; at: number } | undefined;
  let use: CpuUse | undefined;
  const sample = () => {
    const cpuMs = pid === undefined ? undefined : processCpuMs(pid);
    return cpuMs === undefined ? undefined : { cpuMs, at: performance.now() };
  };
  return {
    open() {
      start = sample();
      use = undefined;
    },
    close() {
      const end = sample();
      if (start && end) use = { cpuMs: end.cpuMs - start.cpuMs, wallMs: end.at - start.at };
    },
    use: () => use,
  };
}

export interface CpuFigure {
  /** Server CPU time (user + system, all threads) per request completed in the window, µs; NaN when not measured. */
  readonly cpuUsPerRequest: number;
  /** The server's CPU time over the window's wall time, percent (100 = one core busy); NaN when not measured. */
  readonly cpuPercent: number;
}

export function cpuFigure(use: CpuUse | undefined, requests: number): CpuFigure {
  if (!use) return { cpuUsPerRequest: NaN, cpuPercent: NaN };
  return {
    cpuUsPerRequest: requests > 0 ? (use.cpuMs * 1000) / requests : NaN,
    cpuPercent: use.wallMs > 0 ? (use.cpuMs * 100) / use.wallMs : NaN,
  };
}
