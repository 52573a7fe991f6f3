import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommand, usage } from './command-spec.js';
import { DEMO } from './command-table.js';
import { PACKAGE_ROOT } from '../paths.js';
import { loadFixtures } from '../replay/fixture-loader.js';
import { replayFixture } from '../replay/replay-runner.js';
import { serverEmailTransport, SMTP_EMAIL_NOTE, UrlTarget } from '../replay/replay-target.js';
import { transcript } from '../replay/transcript.js';
import type { Output } from './replay.command.js';

export const DEMO_USAGE = usage(DEMO);

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n  ');
}

/** Whether anything answers /healthz at `url` within 3 s; the reason when not. */
async function reachable(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) });
    return r.ok ? undefined : `GET /healthz answered HTTP ${r.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    return (e as Error).name === 'TimeoutError' ? 'no answer within 3 s' : cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (e as Error).message;
  }
}

export async function runDemoCommand(argv: string[], out: Output, err: Output, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseCommand(DEMO, argv);
  } catch (e) {
    err.write(`dombridge demo: ${(e as Error).message}\n\n${DEMO_USAGE}`);
    return 64;
  }
  if (parsed.help) {
    out.write(DEMO_USAGE);
    return 0;
  }
  const v = parsed.values;
  const url = (v.url ?? env['DOMBRIDGE_URL'] ?? `http://127.0.0.1:${env['PORT'] || '8080'}`).replace(/\/+$/, '');
  const why = await reachable(url);
  if (why) {
    err.write(`dombridge demo: no dombridge answers at ${url} (${why}).\nStart one with \`npm start\` in another terminal, or point DOMBRIDGE_URL (or --url) at a running one.\n`);
    return 1;
  }
  const fixtureFile = v.fixture ?? join(PACKAGE_ROOT, 'fixtures', 'scenarios', 'checkout-dom-store.fixture.json');
  const { fixtures, errors } = loadFixtures([fixtureFile]);
  if (errors.length || fixtures.length !== 1) {
    err.write(`dombridge demo: ${errors.map((e) => e.message).join('\n') || `${fixtureFile} holds no fixture`}\n`);
    return 1;
  }
  const fixture = fixtures[0]!;
  const smtp = (await serverEmailTransport(url)) === 'smtp';
  const outbox = v.outbox ?? join(resolve(env['DOMBRIDGE_DATA'] || './var'), 'outbox');
  const outboxKnown = !smtp && (v.outbox !== undefined || existsSync(outbox) || existsSync(resolve(env['DOMBRIDGE_DATA'] || './var')));
  const mail = smtp ? ', e-mails not checked (the server sends them by SMTP; look for them in that mail server)' : outboxKnown ? `, e-mails from ${outbox}` : ', e-mails not checked (no outbox directory here)';
  out.write(`dombridge demo: ${wrap(fixture.description ?? fixture.name, 110)}\nserver ${url}${mail}\n`);

  const t = transcript((line) => out.write(`${line}\n`));
  // The demo tells a story: every step is sent, captured and waited for, but answers are not compared with the
  // fixture's expected files (a long-running demo server's stock and ids drift from a fresh one's).
  const result = await replayFixture(fixture, new UrlTarget(url, outboxKnown ? outbox : undefined, true, smtp ? SMTP_EMAIL_NOTE : undefined), { compare: false, observer: t });
  out.write(`\norder status: ${t.statuses.join(' → ') || '(none seen)'}\n`);
  if (result.status === 'failed') {
    const failed = result.steps.find((s) => s.status === 'failed');
    err.write(`dombridge demo: step ${failed?.index} "${failed?.name}" failed: ${failed?.message}\n`);
    return 1;
  }
  out.write(`done in ${(result.durationMs / 1000).toFixed(1)} s\n`);
  return 0;
}
