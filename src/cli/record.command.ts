import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { startRecordingProxy } from '../replay/recording-proxy.js';
import type { Output } from './replay.command.js';

export const RECORD_USAGE = `Usage: dombridge record --listen PORT --target URL [--name NAME] [--keep-bodids] DIR

A recording proxy on 127.0.0.1:PORT: point a SOAP client at it instead of at URL. Every request is forwarded to
URL (same path and query) and the answer passed back unchanged; every POST is also written to DIR as a step of
one scenario fixture, DIR/NAME.fixture.json (default NAME: recording-<date>-<time>), which
\`dombridge replay DIR\` plays back. GETs (?wsdl, XSDs) pass through unrecorded. Ids the server generates (orders,
order items, payments) are captured and used as variables in later steps; BODIDs become \${uuid} unless
--keep-bodids; WS-Security headers are left out and card numbers other than well-known test cards become
4111111111111111. Runs until interrupted (Ctrl-C, SIGTERM).
`;

/**
 * `dombridge record`: runs until SIGINT/SIGTERM (or until `stop` resolves, for tests) and returns 0, or 64 for a
 * usage error, 1 when the port cannot be opened.
 */
export async function runRecordCommand(argv: string[], out: Output, err: Output, stop?: Promise<unknown>): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { listen: { type: 'string' }, target: { type: 'string' }, name: { type: 'string' }, 'keep-bodids': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    err.write(`dombridge record: ${(e as Error).message}\n\n${RECORD_USAGE}`);
    return 64;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    out.write(RECORD_USAGE);
    return 0;
  }
  const usage = (msg: string) => {
    err.write(`dombridge record: ${msg}\n\n${RECORD_USAGE}`);
    return 64;
  };
  const port = Number(v.listen);
  if (v.listen === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return usage('--listen PORT is required (a whole number from 0 to 65535)');
  if (!v.target) return usage('--target URL is required');
  try {
    const u = new URL(v.target);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return usage(`--target must be an http(s) URL, not "${v.target}"`);
  } catch {
    return usage(`--target must be an absolute URL, not "${v.target}"`);
  }
  if (positionals.length !== 1) return usage('give exactly one directory to write the fixture to');
  if (v.name !== undefined && !/^[\w.-]+$/.test(v.name)) return usage('--name may hold letters, digits, _ . - only');

  let proxy;
  try {
    proxy = await startRecordingProxy({ listenPort: port, target: v.target, dir: positionals[0]!, name: v.name, keepBodIds: v['keep-bodids'], log: (l) => out.write(`${l}\n`) });
  } catch (e) {
    err.write(`dombridge record: cannot listen on 127.0.0.1:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  const shown = relative(process.cwd(), proxy.fixtureFile) || proxy.fixtureFile;
  out.write(`recording: point your client at ${proxy.url} (forwarding to ${v.target}); writing ${shown}; Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    void stop?.then(done, done);
  });
  await proxy.close();
  const n = proxy.recorded();
  out.write(n ? `recorded ${n} exchange(s) in ${shown}; replay them with: dombridge replay ${shown}\n` : 'nothing was recorded\n');
  return 0;
}
