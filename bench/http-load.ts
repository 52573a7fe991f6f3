/**
 * A closed-loop HTTP load generator: N workers, each with its own keep-alive connection (one `http.Agent` with
 * `maxSockets: N`), each sending the same POST and waiting for the whole answer before sending the next.
 * Requests completing in the warm-up are not counted; the run ends at a fixed time, so every loop is bounded.
 */
import http from 'node:http';
import { LOOPBACK, percentile, sortedCopy } from './bench-support.js';

export interface HttpLoadOptions {
  readonly port: number;
  readonly path: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** A request taking longer than this is abandoned and counted as an error, ms. */
  readonly requestTimeoutMs?: number;
  /** The answer's length in bytes when known: other lengths are counted as errors. */
  readonly expectedBytes?: number;
  /**
   * Bytes of `body` rewritten with a value of their own for every request (the BODID: a real client never
   * repeats one, and a repeated BODID is answered by dombridge's idempotent receiver, not by the handler).
   */
  readonly uniqueSlot?: UniqueSlot;
  /** Called when the measured window opens (the warm-up is over) and when it closes: where to sample the server's CPU. */
  readonly onWindow?: (edge: 'open' | 'close') => void;
}

export interface UniqueSlot {
  readonly offset: number;
  readonly length: number;
}

/** The same text with `length` ASCII characters at `offset` replaced by a value no other call of the run returns. */
export function uniqueFiller(length: number): () => string {
  const run = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  let seq = 0;
  return () => `bench-${run}-${String(++seq).padStart(length - 15, '0')}`.slice(-length);
}

export interface HttpLoadResult {
  /** Requests completed (successfully) within the measured window. */
  readonly requests: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly measuredMs: number;
}

export interface PostAnswer {
  readonly status: number;
  readonly text: string;
}

/** One POST on a fresh connection (checks and warm-ups, not load). */
export function postOnce(port: number, path: string, body: string | Buffer, headers: Readonly<Record<string, string>>, timeoutMs = 10_000, agent?: http.Agent): Promise<PostAnswer> {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: LOOPBACK, port, path, method: 'POST', agent: agent ?? false, headers: { ...headers, 'Content-Length': String(payload.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export const SOAP11_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' };

export async function runHttpLoad(o: HttpLoadOptions): Promise<HttpLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  const headers = { ...o.headers, 'Content-Length': String(o.body.length) };
  const timeoutMs = o.requestTimeoutMs ?? 10_000;
  const started = performance.now();
  const measureFrom = started + o.warmupMs;
  const end = measureFrom + o.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const noteError = (msg: string, t: number) => {
    if (t >= measureFrom) errors++;
    firstError ??= msg;
  };

  const next = o.uniqueSlot ? uniqueFiller(o.uniqueSlot.length) : undefined;
  const bodyOf = (): Buffer => {
    if (!o.uniqueSlot || !next) return o.body;
    const b = Buffer.from(o.body);
    b.write(next(), o.uniqueSlot.offset, o.uniqueSlot.length, 'latin1');
    return b;
  };

  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: LOOPBACK, port: o.port, path: o.path, method: 'POST', agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else if (o.expectedBytes !== undefined && bytes !== o.expectedBytes) reject(new Error(`answer of ${bytes} bytes, expected ${o.expectedBytes}`));
          else resolve(bytes);
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(bodyOf());
    });

  const worker = async (): Promise<void> => {
    // Bounded by time: no request starts after `end`.
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await once();
        const t1 = performance.now();
        if (t1 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
      } catch (e) {
        const t1 = performance.now();
        noteError((e as Error).message, t1);
        // A refused connection fails at once: do not spin on it.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  // Timers rather than checks in the workers: the edges are then sampled once, at (about) the window's times.
  let windowClosed = false;
  const closeWindow = () => {
    if (windowClosed) return;
    windowClosed = true;
    o.onWindow?.('close');
  };
  const opening = o.onWindow ? setTimeout(() => o.onWindow?.('open'), o.warmupMs) : undefined;
  const closing = o.onWindow ? setTimeout(closeWindow, o.warmupMs + o.durationMs) : undefined;
  await Promise.all(Array.from({ length: o.connections }, worker));
  clearTimeout(opening);
  clearTimeout(closing);
  if (o.onWindow) closeWindow();
  agent.destroy();

  const sorted = sortedCopy(latencies);
  return {
    requests: latencies.length,
    errors,
    firstError,
    requestsPerSecond: (latencies.length * 1000) / o.durationMs,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
    measuredMs: o.durationMs,
  };
}
