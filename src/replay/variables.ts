import { randomUUID } from 'node:crypto';

/**
 * `${name}` in requests, expected responses, paths and e-mail checks. Names come from the fixture's `vars`, from
 * `capture` of earlier steps, or are built in:
 *   ${uuid}  a fresh UUID for each request sent (the same within that request and its expected response), so
 *            every BODID is new and a resent or polled request is never taken for a duplicate;
 *   ${now}   the time the request is sent, ISO 8601 UTC.
 * `$${` writes a literal `${`.
 */
export const BUILTIN_VARIABLES = ['uuid', 'now'] as const;

const REF = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][\w.-]*$/;

export interface VariableRef {
  readonly name: string;
  /** 1-based line within the text. */
  readonly line: number;
  readonly valid: boolean;
}

/** Every `${…}` in a text, with its line, for checking a fixture before it runs. */
export function variableRefs(text: string): VariableRef[] {
  const refs: VariableRef[] = [];
  for (const m of text.matchAll(REF)) {
    if (m[1]) continue;
    const line = text.slice(0, m.index).split('\n').length;
    refs.push({ name: m[2]!, line, valid: NAME.test(m[2]!) });
  }
  return refs;
}

export type VariableScope = ReadonlyMap<string, string>;

export class UnknownVariableError extends Error {
  constructor(readonly variable: string, readonly line: number) {
    super(`unknown variable \${${variable}}`);
  }
}

/** Replaces every reference; `escape` is applied to substituted values (XML escaping for XML files). */
export function substitute(text: string, scope: VariableScope, escape: (v: string) => string = (v) => v): string {
  return text.replace(REF, (whole, literal: string, name: string, offset: number) => {
    if (literal) return whole.slice(1);
    const v = scope.get(name);
    if (v === undefined) throw new UnknownVariableError(name, text.slice(0, offset).split('\n').length);
    return escape(v);
  });
}

export function xmlEscape(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The built-in values for one request. */
export function builtinValues(): Map<string, string> {
  return new Map([['uuid', randomUUID()], ['now', new Date().toISOString()]]);
}

/**
 * For `--update` and `record`: a whole text or attribute value equal to a variable's value is written as the
 * reference instead, and so is a captured id inside a longer text ("Order 90000101 is locked", "WC_90000101")
 * where it is not part of a longer run of letters and digits. Values under 3 characters are never replaced (a
 * status "S" is not an order id), nor values under 5 inside texts; only
 * the fixture's own names (vars and captures, listed in `inText`) are looked for inside texts, never built-ins.
 */
export function reverseSubstitution(vars: ReadonlyArray<readonly [string, string]>, inText: ReadonlySet<string> = new Set()): (value: string) => string {
  const byValue = new Map<string, string>();
  for (const [name, value] of vars) if (value.length >= 3 && !byValue.has(value)) byValue.set(value, name);
  const inner = [...byValue].filter(([value, name]) => inText.has(name) && value.length >= 5).sort((a, b) => b[0].length - a[0].length);
  const pattern = inner.length ? new RegExp(`(?<![0-9A-Za-z])(?:${inner.map(([v]) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![0-9A-Za-z])`, 'g') : undefined;
  return (value) => {
    const name = byValue.get(value);
    if (name) return `\${${name}}`;
    const escaped = value.replace(/\$\{/g, '$$$${');
    return pattern ? escaped.replace(pattern, (v) => `\${${byValue.get(v)}}`) : escaped;
  };
}
