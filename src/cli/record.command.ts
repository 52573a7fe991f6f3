import { relative } from 'node:path';
import { parseCommand, usage } from './command-spec.js';
import { RECORD } from './command-table.js';
import { startRecordingProxy } from '../replay/recording-proxy.js';
import type { Output } from './replay.command.js';

export const RECORD_USAGE = usage(RECORD);

/**
 * `dombridge record`: runs until SIGINT/SIGTERM (or until `stop` resolves, for tests) and returns 0, or 64 for a
 * usage error, 1 when the port cannot be opened.
 */
export async function runRecordCommand(argv: string[], out: Output, err: Output, stop?: Promise<unknown>): Promise<number> {
  let parsed;
  try {
    parsed = parseCommand(RECORD, argv);
  } catch (e) {
    err.write(`dombridge record: ${(e as Error).message}\n\n${RECORD_USAGE}`);
    return 64;
  }
  if (parsed.help) {
    out.write(RECORD_USAGE);
    return 0;
  }
  const { values: v, positionals } = parsed;
  const refuse = (msg: string) => {
    err.write(`dombridge record: ${msg}\n\n${RECORD_USAGE}`);
    return 64;
  };
  const port = Number(v.listen);
  if (v.listen === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return refuse('--listen PORT is required (a whole number from 0 to 65535)');
  if (!v.target) return refuse('--target URL is required');
  try {
    const u = new URL(v.target);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return refuse(`--target must be an http(s) URL, not "${v.target}"`);
  } catch {
    return refuse(`--target must be an absolute URL, not "${v.target}"`);
  }
  if (positionals.length !== 1) return refuse('give exactly one directory to write the fixture to');
  if (v.name !== undefined && !/^[\w.-]+$/.test(v.name)) return refuse('--name may hold letters, digits, _ . - only');

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
