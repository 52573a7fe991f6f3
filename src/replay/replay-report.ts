import type { FixtureError } from './fixture-model.js';
import type { FixtureResult } from './replay-runner.js';

/** Console lines for one fixture's result: one line when it passed, the failing step with its diff when not. */
export function formatResult(r: FixtureResult): string {
  const n = r.fixture.steps.length;
  const head = `${n} step${n === 1 ? '' : 's'}, ${r.durationMs} ms`;
  if (r.status === 'skipped') return `  skip  ${r.fixture.name} (${r.skipReason})\n`;
  const updated = r.steps.filter((s) => s.status === 'updated');
  const skipped = r.steps.filter((s) => s.status === 'skipped' && !s.message?.startsWith('not run'));
  if (r.status === 'passed') {
    let out = `  ${updated.length ? 'upd ' : 'ok  '}  ${r.fixture.name} (${head})\n`;
    for (const s of updated) out += `        step ${s.index} "${s.name}": ${s.message}\n`;
    for (const s of skipped) out += `        step ${s.index} "${s.name}": ${s.message}\n`;
    return out;
  }
  let out = `  FAIL  ${r.fixture.name} (${head})\n`;
  for (const s of r.steps) {
    if (s.status !== 'failed') continue;
    out += `        step ${s.index} "${s.name}": ${s.message}\n`;
    if (s.diff) out += s.diff.split('\n').map((l) => `          ${l}`).join('\n') + '\n';
  }
  const notRun = r.steps.filter((s) => s.status === 'skipped' && s.message?.startsWith('not run')).length;
  if (notRun) out += `        (${notRun} later step${notRun === 1 ? '' : 's'} not run)\n`;
  return out;
}

export interface Totals {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly broken: number;
  readonly updated: number;
}

export function totals(results: readonly FixtureResult[], errors: readonly FixtureError[]): Totals {
  return {
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    broken: errors.length,
    updated: results.reduce((n, r) => n + r.steps.filter((s) => s.status === 'updated').length, 0),
  };
}

export function formatSummary(t: Totals, ms: number): string {
  const parts = [`${t.passed} passed`, t.failed ? `${t.failed} failed` : '', t.broken ? `${t.broken} unreadable` : '', t.skipped ? `${t.skipped} skipped` : '', t.updated ? `${t.updated} expected response(s) rewritten` : ''].filter(Boolean);
  return `${t.passed + t.failed + t.skipped + t.broken} fixtures: ${parts.join(', ')} (${(ms / 1000).toFixed(1)} s)\n`;
}

function esc(s: string): string {
  // XML 1.0 cannot carry most control characters even escaped: drop them.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

/** JUnit XML as CI servers read it: a testsuite per fixture, a testcase per step; unreadable fixtures are errors. */
export function junitXml(results: readonly FixtureResult[], errors: readonly FixtureError[], ms: number): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const r of results) {
    const cases = r.status === 'skipped'
      ? [`    <testcase classname="${esc(r.fixture.name)}" name="(all steps)" time="0"><skipped message="${esc(r.skipReason ?? '')}"/></testcase>`]
      : r.steps.map((s) => {
        const name = `step ${s.index}: ${s.name}`;
        const inner = s.status === 'failed'
          ? `<failure message="${esc(s.message ?? 'failed')}" type="mismatch">${esc([s.message, s.diff].filter(Boolean).join('\n'))}</failure>`
          : s.status === 'skipped' ? `<skipped message="${esc(s.message ?? '')}"/>` : s.message ? `<system-out>${esc(s.message)}</system-out>` : '';
        return `    <testcase classname="${esc(r.fixture.name)}" name="${esc(name)}" time="${secs(s.durationMs)}"${inner ? `>${inner}</testcase>` : '/>'}`;
      });
    const f = r.steps.filter((s) => s.status === 'failed').length;
    const k = r.status === 'skipped' ? 1 : r.steps.filter((s) => s.status === 'skipped').length;
    tests += cases.length;
    failures += f;
    skipped += k;
    suites.push(`  <testsuite name="${esc(r.fixture.name)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${k}" time="${secs(r.durationMs)}" file="${esc(r.fixture.file)}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  for (const e of errors) {
    tests++;
    suites.push(`  <testsuite name="${esc(e.file)}" tests="1" failures="0" errors="1" skipped="0" time="0" file="${esc(e.file)}">\n    <testcase classname="${esc(e.file)}" name="read the fixture" time="0"><error message="${esc(e.message)}" type="FixtureError">${esc(e.message)}</error></testcase>\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="dombridge replay" tests="${tests}" failures="${failures}" errors="${errors.length}" skipped="${skipped}" time="${secs(ms)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
