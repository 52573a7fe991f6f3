import type { XmlElement } from '../xml/xml-element.js';
import { describeWanted, mismatch, readOutbox, type OutboxMail } from './email-outbox.js';
import type { Fixture, Step } from './fixture-model.js';
import { buildRequest, compareAnswer, readAnswer, writeExpected } from './replay-step.js';
import { serverEmailTransport, SMTP_EMAIL_NOTE, startInProcessTarget, UrlTarget, type ReplayTarget, type TargetAnswer } from './replay-target.js';
import { builtinValues, substitute, UnknownVariableError } from './variables.js';
import { evaluateCondition, selectValue } from './xml-path.js';

export interface ReplayObserver {
  onStepStart?(e: { fixture: Fixture; step: Step }): void;
  onStepEnd?(e: { fixture: Fixture; step: Step; result: StepResult }): void;
  /** A request was sent and answered (each poll of a waitFor included). */
  onExchange?(e: { fixture: Fixture; step: Step; attempt: number; request: XmlElement | undefined; answer: TargetAnswer; bod: XmlElement | undefined }): void;
  onEmail?(e: { fixture: Fixture; step: Step; mail: OutboxMail }): void;
}

export interface ReplayOptions {
  /** A running server; without it every fixture gets a fresh in-process world. */
  readonly url?: string | undefined;
  /** --url only: where that server writes e-mails (its $DOMBRIDGE_DATA/outbox); without it e-mail steps are skipped. */
  readonly outboxDir?: string | undefined;
  /** --url only: whether the server's DOM calls back on its own. Default true. */
  readonly domCallbacks?: boolean | undefined;
  /** Rewrite expected responses that differ from what the server answered. */
  readonly update?: boolean | undefined;
  /** false: only send, capture and wait (the demo's transcript mode). Default true. */
  readonly compare?: boolean | undefined;
  /** Fixtures replayed at once in-process (each has its own world). Default 4; --url runs one at a time. */
  readonly jobs?: number | undefined;
  readonly observer?: ReplayObserver | undefined;
}

export type StepStatus = 'passed' | 'failed' | 'skipped' | 'updated';

export interface StepResult {
  readonly index: number;
  readonly name: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  readonly message?: string;
  readonly diff?: string;
}

export interface FixtureResult {
  readonly fixture: Fixture;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly skipReason?: string;
  readonly durationMs: number;
  readonly steps: readonly StepResult[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class StepFailure extends Error {
  constructor(message: string, readonly diff?: string) {
    super(message);
  }
}

/** Replays fixtures; `onResult` sees each fixture's result as it completes, in the given order. */
export async function replayFixtures(fixtures: readonly Fixture[], opts: ReplayOptions = {}, onResult?: (r: FixtureResult) => void): Promise<FixtureResult[]> {
  const results: (FixtureResult | undefined)[] = new Array(fixtures.length);
  let emitted = 0;
  const done = (i: number, r: FixtureResult) => {
    results[i] = r;
    for (; emitted < fixtures.length && results[emitted]; emitted++) onResult?.(results[emitted]!);
  };
  if (opts.url) {
    // A server that sends by SMTP writes no .eml: expecting one in --outbox would only time out.
    const smtp = (await serverEmailTransport(opts.url)) === 'smtp';
    const target = new UrlTarget(opts.url, smtp ? undefined : opts.outboxDir, opts.domCallbacks ?? true, smtp ? SMTP_EMAIL_NOTE : undefined);
    for (const [i, f] of fixtures.entries()) done(i, await replayFixture(f, target, opts));
    return results as FixtureResult[];
  }
  let next = 0;
  const worker = async () => {
    while (next < fixtures.length) {
      const i = next++;
      const f = fixtures[i]!;
      const started = Date.now();
      let target: ReplayTarget;
      try {
        target = await startInProcessTarget({ domCallbacks: f.domCallbacks ?? true });
      } catch (e) {
        done(i, { fixture: f, status: 'failed', durationMs: Date.now() - started, steps: [{ index: 0, name: 'start an in-process world', status: 'failed', durationMs: 0, message: String(e) }] });
        continue;
      }
      try {
        done(i, await replayFixture(f, target, opts));
      } finally {
        await target.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 4, fixtures.length)) }, worker));
  return results as FixtureResult[];
}

export async function replayFixture(f: Fixture, target: ReplayTarget, opts: ReplayOptions = {}): Promise<FixtureResult> {
  const started = Date.now();
  if (f.domCallbacks !== undefined && f.domCallbacks !== target.domCallbacks) {
    const skipReason = f.domCallbacks
      ? "needs DOM's own callbacks, and the target's DOM does not send them (--dom-callbacks off)"
      : "plays DOM itself, and the target's DOM calls back on its own (use --dom-callbacks off against a DOM that does not)";
    return { fixture: f, status: 'skipped', skipReason, durationMs: 0, steps: [] };
  }
  const scope = new Map<string, string>();
  const steps: StepResult[] = [];
  let failed = false;
  try {
    for (const v of f.vars) scope.set(v.name, substitute(v.template, withBuiltins(scope, builtinValues())));
  } catch (e) {
    return { fixture: f, status: 'failed', durationMs: Date.now() - started, steps: [{ index: 0, name: 'vars', status: 'failed', durationMs: 0, message: String(e) }] };
  }
  for (const step of f.steps) {
    if (failed) {
      steps.push({ index: step.index, name: step.name, status: 'skipped', durationMs: 0, message: 'not run: an earlier step failed' });
      continue;
    }
    const t0 = Date.now();
    opts.observer?.onStepStart?.({ fixture: f, step });
    try {
      const outcome = await runStep(f, step, target, scope, opts);
      steps.push({ index: step.index, name: step.name, durationMs: Date.now() - t0, ...outcome });
    } catch (e) {
      failed = true;
      const message = e instanceof UnknownVariableError ? `${e.message} (line ${e.line})` : e instanceof Error ? e.message : String(e);
      steps.push({ index: step.index, name: step.name, status: 'failed', durationMs: Date.now() - t0, message, ...(e instanceof StepFailure && e.diff ? { diff: e.diff } : {}) });
    }
    opts.observer?.onStepEnd?.({ fixture: f, step, result: steps[steps.length - 1]! });
  }
  const status = steps.some((s) => s.status === 'failed') ? 'failed' : 'passed';
  return { fixture: f, status, durationMs: Date.now() - started, steps };
}

function withBuiltins(scope: ReadonlyMap<string, string>, builtins: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...builtins, ...scope]);
}

async function runStep(f: Fixture, step: Step, target: ReplayTarget, scope: Map<string, string>, opts: ReplayOptions): Promise<{ status: StepStatus; message?: string }> {
  let status: StepStatus = 'passed';
  let message: string | undefined;
  if (step.request) {
    const { answer, xml, sendScope } = await exchange(f, step, target, scope, opts);
    for (const c of step.captures) {
      const v = xml ? selectValue(xml.bod, c.path) : undefined;
      if (v === undefined || v === '') throw new StepFailure(`capture ${c.name}: ${c.path.source} selects nothing in the answer (HTTP ${answer.status})`);
      scope.set(c.name, v);
      sendScope.set(c.name, v);
    }
    if (step.expect && opts.compare !== false) {
      const cmp = compareAnswer(step, step.expect, answer, xml, sendScope, target.description);
      if (!cmp.equal) {
        if (!opts.update) throw new StepFailure(`the answer differs from ${step.expect.file}`, cmp.diff);
        const vars = [...step.captures.map((c) => [c.name, sendScope.get(c.name)!] as const), ...[...scope].filter(([k]) => !step.captures.some((c) => c.name === k)), ...sendScope];
        if (!writeExpected(step.expect, answer, xml, vars, new Set(scope.keys()))) throw new StepFailure(`cannot update ${step.expect.file}: the answer is not XML (HTTP ${answer.status})`);
        status = 'updated';
        message = `wrote ${step.expect.file}`;
      }
    }
  }
  if (step.email) {
    if (!target.outboxDir) return { status: 'skipped', message: target.emailNote ?? 'e-mail not checked: the outbox directory is unknown (pass --outbox DIR)' };
    await expectEmail(f, step, target.outboxDir, scope, opts);
  }
  return message ? { status, message } : { status };
}

/** Sends the step's request once, or until its waitFor condition holds. */
async function exchange(f: Fixture, step: Step, target: ReplayTarget, scope: ReadonlyMap<string, string>, opts: ReplayOptions) {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const sendScope = withBuiltins(scope, builtinValues());
    const req = buildRequest(step.request!, sendScope);
    const answer = await target.send(step.request!.path, req.body, req.contentType);
    const xml = readAnswer(answer);
    opts.observer?.onExchange?.({ fixture: f, step, attempt, request: req.bod, answer, bod: xml?.bod });
    if (!step.waitFor) return { answer, xml, sendScope };
    const cond = { ...step.waitFor.until, tests: step.waitFor.until.tests.map((t) => ({ ...t, value: substitute(t.value, sendScope) })) };
    const r = xml ? evaluateCondition(xml.bod, cond) : { ok: false, seen: `the answer is not XML (HTTP ${answer.status})` };
    if (r.ok) return { answer, xml, sendScope };
    const elapsed = Date.now() - started;
    if (elapsed >= step.waitFor.timeoutMs) {
      throw new StepFailure(`timed out after ${step.waitFor.timeoutMs} ms (${attempt} tries) waiting for ${step.waitFor.until.source}; last answer: ${r.seen}`);
    }
    await sleep(Math.min(step.waitFor.everyMs, step.waitFor.timeoutMs - elapsed));
  }
}

async function expectEmail(f: Fixture, step: Step, dir: string, scope: ReadonlyMap<string, string>, opts: ReplayOptions): Promise<void> {
  const e = step.email!;
  const v = (s: string | undefined) => (s === undefined ? undefined : substitute(s, scope));
  const wanted = { type: v(e.type), to: v(e.to), orderId: v(e.orderId), subject: v(e.subject), contains: e.contains.map((c) => v(c)!) };
  const started = Date.now();
  for (;;) {
    const mails = await readOutbox(dir);
    const hit = mails.find((m) => mismatch(m, wanted) === undefined);
    if (hit) {
      opts.observer?.onEmail?.({ fixture: f, step, mail: hit });
      return;
    }
    if (Date.now() - started >= e.timeoutMs) {
      const near = mails.filter((m) => (wanted.type === undefined || m.type === wanted.type)).map((m) => `${m.file} (${mismatch(m, wanted)})`);
      throw new StepFailure(`timed out after ${e.timeoutMs} ms waiting for ${describeWanted(wanted)}; the outbox holds ${mails.length} e-mail(s)${near.length ? `, of which near: ${near.join('; ')}` : ''}`);
    }
    await sleep(100);
  }
}
