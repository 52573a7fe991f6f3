import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { ServiceDefinition } from '../soap/bod-operation.js';
import { buildFault } from '../soap/soap-envelope.js';
import type { SoapAnswer, SoapDispatcher } from '../soap/soap-dispatcher.js';
import type { AccessLog } from '../observability/access-log.js';
import type { AdminRequest, AdminVerdict } from '../security/install-security.js';
import { WsdlPublisher } from './wsdl-publisher.js';
import { CONSOLE_MAX_FORM_BYTES, type ConsoleAnswer, type ConsoleRequest } from '../console/console-routes.js';

export interface HttpServerOptions {
  readonly maxBodyBytes: number;
  readonly host: string;
  readonly port: number;
  /** Extra GET routes answered as JSON (health, readiness). */
  readonly probes?: Readonly<Record<string, () => Promise<{ status: number; body: unknown }>>>;
  /** Extra GET routes answered as text with their own content type (metrics), given the request's Accept. */
  readonly textRoutes?: Readonly<Record<string, (accept: string | undefined) => Promise<{ status: number; contentType: string; body: string }>>>;
  /** POST routes for operators, answered as JSON once `adminGate` lets the caller in (POST /admin/dom/probe). */
  readonly adminRoutes?: Readonly<Record<string, (user: string) => Promise<{ status: number; body: unknown }>>>;
  readonly adminGate?: (req: AdminRequest) => Promise<AdminVerdict>;
  /** One line per request (src/observability/access-log.ts); none when undefined. */
  readonly accessLog?: AccessLog | undefined;
  /** The operations console under /console/ (src/console/console-routes.ts); it checks who may see it itself. */
  readonly console?: ((req: ConsoleRequest) => Promise<ConsoleAnswer>) | undefined;
}

export interface RunningServer {
  readonly server: http.Server;
  readonly url: string;
  close(drainMs?: number): Promise<void>;
}

/**
 * The facade's HTTP layer on node:http directly: the SOAP hot path needs no middleware, and every byte of a
 * request is bounded before it is buffered (Content-Length checked first, then counted while streaming).
 */
export async function startHttpServer(dispatcher: SoapDispatcher, services: readonly ServiceDefinition[], opts: HttpServerOptions, log: Logger): Promise<RunningServer> {
  const publisher = new WsdlPublisher();
  const byPath = new Map(services.map((s) => [s.path, s]));
  const fallbackHost = `${opts.host}:${opts.port}`;

  let closing = false;
  const access = opts.accessLog;
  /** Sends the answer and writes its access-log line. */
  const answer = (req: http.IncomingMessage, res: http.ServerResponse, started: number, pathname: string, status: number, contentType: string, body: string | Buffer, soap?: SoapAnswer, bytesIn?: number): void => {
    send(res, status, contentType, body);
    if (!access) return;
    // The debug fields' closure only at debug: at info, nothing is allocated for them.
    access.line({ method: req.method ?? '', path: pathname, status, durationMs: performance.now() - started, answer: soap },
      access.debug ? () => ({ remoteAddress: req.socket.remoteAddress, bytesIn, bytesOut: typeof body === 'string' ? Buffer.byteLength(body) : body.length }) : undefined);
  };
  const server = http.createServer((req, res) => {
    const started = performance.now();
    // While shutting down, every answer closes its connection, so keep-alive clients let go at once.
    if (closing) res.setHeader('Connection', 'close');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const service = byPath.get(pathname);
    if (service && req.method === 'POST') return void handleSoap(service, req, res, started, pathname);
    if (opts.console && (pathname === '/console' || pathname.startsWith('/console/'))) return void handleConsole(opts.console, req, res, started, pathname, query);
    const admin = opts.adminRoutes?.[pathname];
    if (admin && opts.adminGate) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return answer(req, res, started, pathname, 405, 'application/json', '{"error":"use POST"}');
      }
      req.resume();
      const json = (status: number, body: unknown) => answer(req, res, started, pathname, status, 'application/json', JSON.stringify(body));
      opts.adminGate({ authorization: req.headers.authorization, remoteAddress: req.socket.remoteAddress }).then(async (v) => {
        if (!v.ok) {
          if (v.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="dombridge admin", charset="UTF-8"');
          return json(v.status, { error: v.reason });
        }
        const r = await admin(v.user);
        json(r.status, r.body);
      }).catch((e: unknown) => {
        log.error('admin request failed', { path: pathname, error: e instanceof Error ? e.message : String(e) });
        json(500, { error: 'failed; see the log' });
      });
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const base = WsdlPublisher.baseUrl(req.headers.host, fallbackHost);
      if (service && /^wsdl$/i.test(query.split('&')[0] ?? '')) {
        return answer(req, res, started, pathname, 200, 'text/xml; charset=utf-8', publisher.serviceWsdl(service.wsdlFile, service.path, base)!);
      }
      if (pathname.startsWith('/schemas/')) {
        const xsd = publisher.schema(decodeURIComponent(pathname.slice(9)));
        return xsd ? answer(req, res, started, pathname, 200, 'text/xml; charset=utf-8', xsd) : answer(req, res, started, pathname, 404, 'text/plain', 'no such schema\n');
      }
      if (pathname.startsWith('/wsdl/')) {
        const w = publisher.wsdlFile(decodeURIComponent(pathname.slice(6)), base);
        return w ? answer(req, res, started, pathname, 200, 'text/xml; charset=utf-8', w) : answer(req, res, started, pathname, 404, 'text/plain', 'no such WSDL\n');
      }
      const text = opts.textRoutes?.[pathname];
      if (text) {
        text(req.headers.accept).then(
          (r) => answer(req, res, started, pathname, r.status, r.contentType, r.body),
          () => answer(req, res, started, pathname, 500, 'text/plain', 'error\n'),
        );
        return;
      }
      const probe = opts.probes?.[pathname];
      if (probe) {
        probe().then(
          (r) => answer(req, res, started, pathname, r.status, 'application/json', JSON.stringify(r.body)),
          () => answer(req, res, started, pathname, 503, 'application/json', '{"status":"error"}'),
        );
        return;
      }
    }
    if (service) {
      const f = buildFault('1.1', 'HTTP_METHOD_NOT_ALLOWED');
      res.setHeader('Allow', 'POST, GET');
      return answer(req, res, started, pathname, 405, f.contentType, f.body);
    }
    answer(req, res, started, pathname, 404, 'text/plain', 'not found\n');
  });

  /** Reads a console form (bounded), lets the console answer, sends its headers with the answer. */
  function handleConsole(route: (req: ConsoleRequest) => Promise<ConsoleAnswer>, req: http.IncomingMessage, res: http.ServerResponse, started: number, pathname: string, query: string): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const run = (body: string) => {
      route({ method: req.method ?? 'GET', pathname, query: new URLSearchParams(query), headers: req.headers, remoteAddress: req.socket.remoteAddress, body }).then((a) => {
        for (const [k, v] of Object.entries(a.headers)) res.setHeader(k, v);
        answer(req, res, started, pathname, a.status, a.contentType, a.body);
      }).catch((e: unknown) => {
        log.error('console request failed', { path: pathname, error: e instanceof Error ? e.message : String(e) });
        answer(req, res, started, pathname, 500, 'text/plain', 'failed; see the log\n');
      });
    };
    if (req.method !== 'POST') {
      req.resume();
      return run('');
    }
    if (Number(req.headers['content-length'] ?? 0) > CONSOLE_MAX_FORM_BYTES) {
      answer(req, res, started, pathname, 413, 'text/plain', 'form too large\n');
      return lingeringClose(req);
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > CONSOLE_MAX_FORM_BYTES) {
        if (!res.headersSent) answer(req, res, started, pathname, 413, 'text/plain', 'form too large\n');
        return lingeringClose(req);
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size <= CONSOLE_MAX_FORM_BYTES) run(Buffer.concat(chunks).toString('utf8'));
    });
  }

  async function handleSoap(service: ServiceDefinition, req: http.IncomingMessage, res: http.ServerResponse, started: number, pathname: string): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const version = String(req.headers['content-type'] ?? '').includes('application/soap+xml') ? '1.2' : '1.1';
    /** The body limit: answered, recorded (with the start of the body, when any was read) and counted. */
    const tooLarge = (head: string) => {
      const a = dispatcher.refuse(service, version, 'HTTP_BODY_TOO_LARGE', { limit: opts.maxBodyBytes }, head);
      answer(req, res, started, pathname, a.status, a.contentType, a.body, a);
      lingeringClose(req);
    };
    if (declared > opts.maxBodyBytes) return tooLarge('');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > opts.maxBodyBytes) {
        tooBig = true;
        const head = Buffer.concat(chunks).subarray(0, 16 * 1024).toString('utf8');
        chunks.length = 0;
        tooLarge(head);
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooBig) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      dispatcher.dispatch(service, body, req.headers['content-type']).then(
        (a) => answer(req, res, started, pathname, a.status, a.contentType, a.bytes ?? a.body, a, size),
        (e: unknown) => {
          log.error('dispatch failed', { error: String(e) });
          const f = buildFault(version, 'INTERNAL_ERROR', { reference: 'dispatch' });
          answer(req, res, started, pathname, 500, f.contentType, f.body, undefined, size);
        },
      );
    });
  }

  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    /**
     * Stops accepting, lets in-flight requests finish (answered with Connection: close), closes idle keep-alive
     * connections as they become idle, and after `drainMs` (default 10 s) closes whatever is left.
     */
    close: (drainMs = 10_000) => new Promise<void>((resolve) => {
      closing = true;
      server.close(() => {
        clearInterval(idle);
        clearTimeout(deadline);
        access?.flush();
        resolve();
      });
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => server.closeAllConnections(), drainMs);
      deadline.unref();
    }),
  };
}

/** Discard at most this much of a refused body, or for this long, before closing the connection. */
const LINGER_BYTES = 256 * 1024 * 1024;
const LINGER_MS = 10_000;

/**
 * After answering 413 the rest of the body is read and thrown away for a bounded time and size (RFC 9112 §9.6):
 * closing at once would reset the connection while the client is still sending, and most clients then lose the
 * answer. Then the connection is closed.
 */
function lingeringClose(req: http.IncomingMessage): void {
  let discarded = 0;
  const stop = () => {
    clearTimeout(timer);
    req.socket.destroySoon();
  };
  const timer = setTimeout(stop, LINGER_MS);
  timer.unref();
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    discarded += c.length;
    if (discarded > LINGER_BYTES) stop();
  });
  req.on('end', stop);
  req.resume();
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
