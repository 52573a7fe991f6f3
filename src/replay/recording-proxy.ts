import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordingWriter } from './recording-writer.js';

export interface RecordingProxyOptions {
  /** Port to listen on (loopback only); 0 picks a free one. */
  readonly listenPort: number;
  /** Base URL of the real endpoint; each request goes to it with the same path and query. */
  readonly target: string;
  /** Directory the fixture is written to (created when missing). */
  readonly dir: string;
  /** The fixture's name: DIR/NAME.fixture.json and DIR/NAME/…; default recording-<date>-<time>. */
  readonly name?: string | undefined;
  /** Keep the BODIDs as sent instead of writing ${uuid}. */
  readonly keepBodIds?: boolean | undefined;
  /** One line per exchange. */
  readonly log?: (line: string) => void;
}

export interface RecordingProxy {
  readonly url: string;
  /** Steps recorded so far. */
  readonly recorded: () => number;
  readonly fixtureFile: string;
  close(): Promise<void>;
}

/** Largest body passed through, bytes. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Hop-by-hop headers (RFC 9110 §7.6.1) and those fetch sets itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length', 'proxy-authorization', 'proxy-authenticate', 'expect']);

/**
 * A WSDL names its service's address (`<soap:address location="…">`, SOAP 1.1 or 1.2): passed back unchanged it
 * would point a client generated from it at the target, and every call would bypass the recording. Each address
 * is given the proxy's origin instead, keeping the path below the target's base; so is each schemaLocation on the
 * target, so the XSDs come through the proxy too.
 */
export function addressedToProxy(wsdl: string, target: string, proxyUrl: string): string {
  const base = new URL(target);
  const basePath = base.pathname.replace(/\/+$/, '');
  const moved = (location: string, always: boolean): string => {
    let at: URL;
    try {
      at = new URL(location);
    } catch {
      return location;
    }
    const onTarget = at.origin === base.origin && at.pathname.startsWith(basePath);
    if (!onTarget && !always) return location;
    const below = onTarget ? at.pathname.slice(basePath.length) : at.pathname;
    return `${proxyUrl}${below}${at.search}`;
  };
  return wsdl
    .replace(/(<(?:[\w-]+:)?address\b[^>]*\blocation=")([^"]*)(")/g, (_, open: string, location: string, close: string) => `${open}${moved(location, true)}${close}`)
    .replace(/(\bschemaLocation=")([^"]*)(")/g, (_, open: string, location: string, close: string) => `${open}${moved(location, false)}${close}`);
}

/**
 * A recording proxy: every request is forwarded to the target and its answer passed back (a WSDL addressed to the
 * proxy, see addressedToProxy); every POST (a SOAP exchange) is also written down as a step of one scenario fixture,
 * so a real conversation can be replayed later. GETs (?wsdl, XSDs) pass through unrecorded.
 */
export async function startRecordingProxy(opts: RecordingProxyOptions): Promise<RecordingProxy> {
  const target = opts.target.replace(/\/+$/, '');
  const writer = new RecordingWriter(opts.dir, opts.name, { keepBodIds: Boolean(opts.keepBodIds) });
  let queue: Promise<void> = Promise.resolve();

  let proxyUrl = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'Content-Type': 'text/plain' }).end('request too large for the recording proxy\n');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      void forward(req, body).then(
        async (answer) => {
          const described = req.method === 'GET' && answer.status === 200 && /[?&]wsdl\b|\.xsd(\?|$)/i.test(req.url ?? '');
          const passed = described ? Buffer.from(addressedToProxy(answer.body.toString('utf8'), target, proxyUrl), 'utf8') : answer.body;
          res.writeHead(answer.status, answer.headers);
          res.end(passed);
          if (req.method === 'POST') {
            // One at a time and in arrival order, so step numbers follow the conversation.
            queue = queue.then(() => {
              const line = writer.record({
                path: (req.url ?? '/').split('?')[0]!, requestContentType: String(req.headers['content-type'] ?? ''), request: body.toString('utf8'),
                status: answer.status, response: answer.body.toString('utf8'),
              });
              opts.log?.(line);
            }).catch((e: unknown) => opts.log?.(`could not write the exchange: ${(e as Error).message}`));
          }
        },
        (e: unknown) => {
          opts.log?.(`${req.method} ${req.url}: the target did not answer (${(e as Error).message})`);
          res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`the recording proxy could not reach ${target}\n`);
        },
      );
    });
  });

  async function forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !NOT_FORWARDED.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const method = req.method ?? 'GET';
    const r = await fetch(target + (req.url ?? '/'), { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }), redirect: 'manual', signal: AbortSignal.timeout(120_000) });
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (!NOT_FORWARDED.has(k) && k !== 'content-encoding') out[k] = v;
    });
    return { status: r.status, headers: out, body: Buffer.from(await r.arrayBuffer()) };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  proxyUrl = `http://127.0.0.1:${port}`;
  return {
    url: proxyUrl,
    recorded: () => writer.steps,
    fixtureFile: writer.fixtureFile,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queue;
    },
  };
}
