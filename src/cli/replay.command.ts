import { writeFileSync } from 'node:fs';
import { parseCommand, usage } from './command-spec.js';
import { REPLAY } from './command-table.js';
import { loadFixtures } from '../replay/fixture-loader.js';
import type { Fixture } from '../replay/fixture-model.js';
import { formatResult, formatSummary, junitXml, totals } from '../replay/replay-report.js';
import { replayFixtures } from '../replay/replay-runner.js';

export interface Output {
  write(text: string): unknown;
}

export const REPLAY_USAGE = usage(REPLAY);

/** Which fixtures the options select. */
export function selectFixtures(all: readonly Fixture[], sel: { grep: readonly string[]; tags: readonly string[]; skipTags: readonly string[] }): Fixture[] {
  return all.filter((f) => {
    if (sel.skipTags.some((t) => f.tags.includes(t))) return false;
    if (sel.tags.length && !sel.tags.some((t) => f.tags.includes(t))) return false;
    if (sel.grep.length) {
      const hay = [f.name, ...f.tags].map((s) => s.toLowerCase());
      if (!sel.grep.some((g) => hay.some((h) => h.includes(g.toLowerCase())))) return false;
    }
    return true;
  });
}

export async function runReplayCommand(argv: string[], out: Output, err: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseCommand(REPLAY, argv);
  } catch (e) {
    err.write(`dombridge replay: ${(e as Error).message}\n\n${REPLAY_USAGE}`);
    return 64;
  }
  if (parsed.help) {
    out.write(REPLAY_USAGE);
    return 0;
  }
  const { values: v, positionals } = parsed;
  const refuse = (msg: string) => {
    err.write(`dombridge replay: ${msg}\n\n${REPLAY_USAGE}`);
    return 64;
  };
  if (v.url !== undefined) {
    try {
      const u = new URL(v.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return refuse(`--url must be an http(s) URL, not "${v.url}"`);
    } catch {
      return refuse(`--url must be an absolute URL, not "${v.url}"`);
    }
  }
  if (v['dom-callbacks'] !== undefined && !['on', 'off'].includes(v['dom-callbacks'])) return refuse('--dom-callbacks must be on or off');
  if ((v.outbox !== undefined || v['dom-callbacks'] !== undefined) && v.url === undefined) return refuse('--outbox and --dom-callbacks go with --url (in-process worlds know both)');
  const jobs = v.jobs === undefined ? 4 : Number(v.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) return refuse('--jobs must be a whole number from 1 to 64');

  const started = Date.now();
  const { fixtures: all, errors } = loadFixtures(positionals.length ? positionals : ['fixtures'], { update: Boolean(v.update) });
  for (const e of errors) err.write(`dombridge replay: ${e.message}\n`);
  const fixtures = selectFixtures(all, { grep: v.grep ?? [], tags: v.tag ?? [], skipTags: v['skip-tag'] ?? [] });
  if (v.list) {
    for (const f of fixtures) out.write(`${f.name}  [${f.tags.join(', ')}]  ${f.steps.length} step(s)\n`);
    return errors.length ? 1 : 0;
  }
  if (fixtures.length === 0 && errors.length === 0) {
    err.write(`dombridge replay: no fixtures ${all.length ? 'selected' : 'found'} in ${positionals.join(' ') || 'fixtures'}\n`);
    return 1;
  }
  out.write(`replaying ${fixtures.length} fixture(s) ${v.url ? `against ${v.url}` : 'in-process, each in a fresh demo world'}${v.update ? ', updating expected responses' : ''}\n`);
  const results = await replayFixtures(fixtures, {
    url: v.url, outboxDir: v.outbox, domCallbacks: v['dom-callbacks'] === undefined ? undefined : v['dom-callbacks'] === 'on', update: Boolean(v.update), jobs,
  }, (r) => out.write(formatResult(r)));
  const ms = Date.now() - started;
  const t = totals(results, errors);
  out.write(formatSummary(t, ms));
  if (v.junit) {
    try {
      writeFileSync(v.junit, junitXml(results, errors, ms));
    } catch (e) {
      err.write(`dombridge replay: cannot write the JUnit report ${v.junit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 1;
    }
  }
  return t.failed === 0 && t.broken === 0 ? 0 : 1;
}
