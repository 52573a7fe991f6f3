import { parseArgs } from 'node:util';

export const DOM_USAGE = `Usage:
  dombridge dom probe [--url URL] [--user NAME]
      Asks a running dombridge to probe DOM now (POST URL/admin/dom/probe) and prints what DOM answered and the
      circuit's state. URL: default DOMBRIDGE_URL, else http://127.0.0.1:$PORT (8080). With users configured, an
      admin user's name (--user or DOMBRIDGE_ADMIN_USER) and password (DOMBRIDGE_ADMIN_PASSWORD; never on the
      command line). Exit 0: DOM is up; 1: DOM is down; 2: dombridge could not be asked; 64: usage.
`;

/** `dombridge dom probe`: the admin endpoint of a running server, its answer printed. */
export async function runDomCommand(args: string[], out: NodeJS.WritableStream, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const print = (s = '') => void out.write(`${s}\n`);
  let values: { url?: string | undefined; user?: string | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, user: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (e) {
    print(`dombridge dom: ${(e as Error).message}`);
    print(DOM_USAGE);
    return 64;
  }
  if (values.help) {
    print(DOM_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'probe') {
    print(`dombridge dom: ${positionals.length ? `unknown dom command "${positionals.join(' ')}"` : 'name a dom command'}`);
    print(DOM_USAGE);
    return 64;
  }
  const base = (values.url ?? env['DOMBRIDGE_URL'] ?? `http://127.0.0.1:${env['PORT'] ?? '8080'}`).replace(/\/+$/, '');
  const user = values.user ?? env['DOMBRIDGE_ADMIN_USER'];
  const headers: Record<string, string> = {};
  if (user) headers['Authorization'] = `Basic ${Buffer.from(`${user}:${env['DOMBRIDGE_ADMIN_PASSWORD'] ?? ''}`).toString('base64')}`;
  let res: Response;
  try {
    res = await fetch(`${base}/admin/dom/probe`, { method: 'POST', headers, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    print(`Could not reach dombridge at ${base}: ${(e as Error).message}`);
    return 2;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status !== 200 && res.status !== 503) {
    print(`dombridge at ${base} refused (HTTP ${res.status}): ${String(body['error'] ?? res.statusText)}`);
    return 2;
  }
  const circuit = body['circuit'] as { state?: string; since?: string | null } | undefined;
  print(`DOM is ${body['dom'] === 'up' ? 'up' : 'down'}: ${String(body['outcome'])}${body['detail'] ? ` (${String(body['detail'])})` : ''}, ${String(body['durationMs'])} ms.`);
  print(`Circuit: ${circuit?.state ?? '?'}${circuit?.since ? ` since ${circuit.since}` : ''}.`);
  return body['dom'] === 'up' ? 0 : 1;
}
