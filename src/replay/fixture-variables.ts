import { FixtureError, type Fixture, type SourceRef } from './fixture-model.js';
import { BUILTIN_VARIABLES, variableRefs } from './variables.js';

/**
 * Checks, before anything is sent, that every `${name}` a fixture uses is defined by then: a built-in, one of the
 * fixture's vars (earlier ones only, for a var's own value), or captured by an earlier step (or by the same step,
 * for its expected response and e-mail check, since capture happens first). Reports the first unknown one by
 * file and line.
 */
export function checkFixtureVariables(f: Fixture): void {
  const known = new Set<string>(BUILTIN_VARIABLES);
  const check = (text: string | undefined, at: SourceRef, lineWithinText: boolean) => {
    if (text === undefined) return;
    for (const ref of variableRefs(text)) {
      const line = lineWithinText ? ref.line : at.line;
      if (!ref.valid) throw new FixtureError(at.file, line, `\${${ref.name}} is not a variable reference (names are letters, digits, _ . -)`);
      if (!known.has(ref.name)) {
        throw new FixtureError(at.file, line, `unknown variable \${${ref.name}} (defined at this point: ${[...known].join(', ')})`);
      }
    }
  };
  for (const v of f.vars) {
    check(v.template, v.at, false);
    known.add(v.name);
  }
  for (const s of f.steps) {
    if (s.request) check(s.request.text, { file: s.request.file, line: 1 }, true);
    if (s.waitFor) for (const t of s.waitFor.until.tests) check(t.value, s.waitFor.at, false);
    for (const c of s.captures) known.add(c.name);
    if (s.expect) check(s.expect.text, { file: s.expect.file, line: 1 }, true);
    if (s.email) for (const t of [s.email.type, s.email.to, s.email.orderId, s.email.subject, ...s.email.contains]) check(t, s.email.at, false);
  }
}
