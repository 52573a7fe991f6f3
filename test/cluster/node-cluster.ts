import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { describeExit, freePort, httpRequest, ManagedProcess, sleep } from '../support/process-world.js';

/**
 * Several dombridge processes for the multi-node tests (docs/several-nodes.md): `serve` nodes and a `dom-sim`, each a
 * real process, and a tiny round-robin HTTP proxy in the test process standing for the load balancer in front of
 * the nodes (DOM's callbacks go through it, so they land on any node; a node that refuses the connection is skipped,
 * as a load balancer's health check would).
 */

const BIN = join(PACKAGE_ROOT, 'bin', 'dombridge.js');
/** Settings that must come from the test, never from the environment it runs in. */
const OWN_ENV = /^(PORT|HOST|DOMBRIDGE_.*|DOM_.*|OUTBOX_.*|RETRANSFER_PENDING_S|SMTP_URL|LOG_LEVEL|EMAIL_FROM)$/;

export function spawnDombridge(label: string, args: readonly string[], env: Readonly<Record<string, string>>): ManagedProcess {
  const inherited: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !OWN_ENV.test(k)) inherited[k] = v;
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: PACKAGE_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new ManagedProcess(label, proc);
}

/** Waits until `url`/healthz answers 200, or fails naming the process and its output. */
export async function waitHealthy(p: ManagedProcess, url: string, timeoutMs = 40_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (p.exit) throw new Error(`${p.label} exited while starting (${describeExit(p.exit)})\n${p.lines.join('\n')}`);
    try {
      if ((await httpRequest('GET', `${url}/healthz`, undefined, {}, 2_000)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${p.label} did not answer ${url}/healthz within ${timeoutMs} ms\n${p.lines.join('\n')}`);
    await sleep(100);
  }
}

/** A round-robin HTTP proxy over `targets`; a target refusing the connection is skipped for the next one. */
export class RoundRobinProxy {
  private next = 0;
  /** Requests each target answered, by its URL. */
  readonly answered = new Map<string, number>();
  private constructor(private readonly server: http.Server, readonly url: string, private readonly targets: readonly string[]) {}

  static async start(targets: readonly string[]): Promise<RoundRobinProxy> {
    const port = await freePort();
    let proxy!: RoundRobinProxy;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void proxy.forward(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    proxy = new RoundRobinProxy(server, `http://127.0.0.1:${port}`, targets);
    return proxy;
  }

  private async forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    for (let tries = 0; tries < this.targets.length; tries++) {
      const target = this.targets[this.next++ % this.targets.length]!;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      try {
        const answer = await httpRequest(req.method ?? 'GET', target + (req.url ?? '/'), body.length ? body : undefined, headers, 60_000);
        this.answered.set(target, (this.answered.get(target) ?? 0) + 1);
        res.writeHead(answer.status, { 'Content-Type': String(answer.headers['content-type'] ?? 'text/plain') });
        res.end(answer.text);
        return;
      } catch (e) {
        // Only a refused connection is safe to try elsewhere: the node never saw the request.
        if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED') {
          res.writeHead(502).end(String(e));
          return;
        }
      }
    }
    res.writeHead(503).end('no node answered');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
