import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy put between dombridge (its DOM_URL) and the DOM simulator, counting the SOAP requests
 * that set out for DOM. It is how the tests see that an open circuit answers without calling DOM at all, whatever
 * state the simulator is in: a request the circuit refused never reaches the socket, so it is never counted.
 * When the simulator does not answer (it is `down`), the proxy cuts the caller's connection, as a dead DOM would.
 */
export interface CountingProxy {
  readonly url: string;
  /** The simulator's base URL; set once it is known (dombridge is configured with the proxy's URL first). */
  target: string | undefined;
  /** SOAP requests to DOM's services (paths under /dom/) received so far. */
  readonly domRequests: number;
  close(): Promise<void>;
}

export async function startCountingProxy(): Promise<CountingProxy> {
  let domRequests = 0;
  const agent = new http.Agent({ keepAlive: false });
  const state = { target: undefined as string | undefined };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/dom/')) domRequests++;
    if (!state.target) return void req.socket.destroy();
    const upstream = http.request(new URL(req.url ?? '/', state.target), { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get target() {
      return state.target;
    },
    set target(t: string | undefined) {
      state.target = t;
    },
    get domRequests() {
      return domRequests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
