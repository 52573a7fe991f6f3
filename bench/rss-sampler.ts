/**
 * A child process's own peak memory: `process.memoryUsage.rss()` sampled every 50 ms (what the process looked
 * like while it ran), and the kernel's high-water mark (`resourceUsage().maxRSS`, which no sample can miss).
 */
const SAMPLE_MS = 50;

export interface RssPeak {
  /** Highest sampled RSS, bytes. */
  readonly sampledPeakBytes: number;
  /** The kernel's peak resident set size for the process, bytes. */
  readonly maxRssBytes: number;
}

export function startRssSampler(): { stop(): RssPeak } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    const r = process.memoryUsage.rss();
    if (r > peak) peak = r;
  }, SAMPLE_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return { sampledPeakBytes: peak, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    },
  };
}

/** Children report one JSON line starting with this marker on stdout. */
export const RESULT_MARKER = 'BENCH-RESULT ';
