import { parseCommand, usage } from './command-spec.js';
import { DOM_PROBE } from './command-table.js';

export const DOM_USAGE = usage(DOM_PROBE);

/** `dombridge dom probe`: the admin endpoint of a running server, its answer printed. */
export async function runDomCommand(args: string[], out: NodeJS.WritableStream, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const print = (s = '') => void out.write(`${s}\n`);
  const [sub, ...subArgs] = args;
  if (sub !== 'probe') {
    if (sub === '--help' || sub === '-h') {
      out.write(DOM_USAGE);
      return 0;
    }
    print(`dombridge dom: ${sub ? `unknown dom command "${sub}"` : 'name a dom command'}`);
    print(DOM_USAGE);
    return 64;
  }
  let parsed;
  try {
    parsed = parseCommand(DOM_PROBE, subArgs);
  } catch (e) {
    print(`dombridge dom probe: ${(e as Error).message}`);
    print(DOM_USAGE);
    return 64;
  }
  if (parsed.help) {
    out.write(DOM_USAGE);
    return 0;
  }
  const { values } = parsed;
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
