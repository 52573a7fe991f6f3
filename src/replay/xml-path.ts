import type { XmlElement } from '../xml/xml-element.js';

/**
 * The path language of fixtures: XPath-like, by local name, blind to namespaces and prefixes, evaluated from
 * the BOD (or Fault) element, so `ApplicationArea/BODID` reads the same however the sender spelled `oa:`.
 *
 *   DataArea/Order/OrderIdentifier/UniqueID      child steps
 *   **\/CreationDateTime                          ** = any depth, zero or more levels
 *   DataArea/Order/*\/Status                      * = any one element
 *   DataArea/Order/OrderItem[2]/Quantity          [n] = the n-th (from 1) of the siblings the step matched
 *   **\/UserDataField[@name='availabilitySource'] [@attr='value'] filter
 *   DataArea/Order/OrderStatus/@prepareIndicator  @attr (last step only): the attribute's value
 */
export interface PathStep {
  readonly kind: 'name' | 'any' | 'deep' | 'attr';
  readonly name: string;
  readonly index?: number;
  readonly attrFilters: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export interface XmlPath {
  readonly source: string;
  readonly steps: readonly PathStep[];
}

/** A selected node: an element, or one attribute of it. */
export interface PathHit {
  readonly el: XmlElement;
  readonly attr?: string;
}

export class PathSyntaxError extends Error {}

const NAME = /^[A-Za-z_][\w.-]*$/;

export function parsePath(source: string): XmlPath {
  const text = source.trim().replace(/^\/+/, '');
  if (text === '') throw new PathSyntaxError('a path needs at least one step');
  const steps: PathStep[] = [];
  for (const raw of splitSteps(text)) {
    if (raw === '**') steps.push({ kind: 'deep', name: '**', attrFilters: [] });
    else if (raw.startsWith('@')) {
      if (!NAME.test(raw.slice(1))) throw new PathSyntaxError(`"${raw}" is not an attribute name`);
      steps.push({ kind: 'attr', name: raw.slice(1), attrFilters: [] });
    } else {
      const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(raw);
      if (!m || (m[1] !== '*' && !NAME.test(m[1]!))) throw new PathSyntaxError(`"${raw}" is not a step (a local name, *, ** or @attribute)`);
      let index: number | undefined;
      const attrFilters: { name: string; value: string }[] = [];
      for (const [, pred] of m[2]!.matchAll(/\[([^\]]*)\]/g)) {
        const p = pred!.trim();
        const a = /^@([A-Za-z_][\w.-]*)\s*=\s*'([^']*)'$/.exec(p);
        if (/^\d+$/.test(p) && Number(p) >= 1) index = Number(p);
        else if (a) attrFilters.push({ name: a[1]!, value: a[2]! });
        else throw new PathSyntaxError(`[${p}] is not a position (from 1) or an [@attribute='value'] filter`);
      }
      steps.push({ kind: m[1] === '*' ? 'any' : 'name', name: m[1]!, ...(index !== undefined ? { index } : {}), attrFilters });
    }
  }
  steps.forEach((s, i) => {
    if (s.kind === 'attr' && i !== steps.length - 1) throw new PathSyntaxError('an @attribute step must come last');
  });
  if (steps[steps.length - 1]!.kind === 'deep') throw new PathSyntaxError('a path cannot end with **');
  return { source, steps };
}

/** Splits on '/' outside [...] (a filter value may hold a slash). */
function splitSteps(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === '/' && depth === 0) {
      if (cur === '') throw new PathSyntaxError('empty step (//) in the path');
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur === '') throw new PathSyntaxError('the path ends with /');
  out.push(cur);
  return out;
}

export function attrByLocalName(el: XmlElement, local: string): string | undefined {
  if (local in el.attrs) return el.attrs[local];
  for (const k in el.attrs) if (k.endsWith(`}${local}`)) return el.attrs[k];
  return undefined;
}

function matches(step: PathStep, el: XmlElement): boolean {
  if (step.kind === 'name' && el.name !== step.name) return false;
  return step.attrFilters.every((f) => attrByLocalName(el, f.name) === f.value);
}

/** Every node the path selects below `root`, in document order. */
export function selectAll(root: XmlElement, path: XmlPath): PathHit[] {
  let context: XmlElement[] = [root];
  for (const [i, step] of path.steps.entries()) {
    if (step.kind === 'attr') return context.filter((el) => attrByLocalName(el, step.name) !== undefined).map((el) => ({ el, attr: step.name }));
    if (step.kind === 'deep') {
      const all: XmlElement[] = [];
      const walk = (el: XmlElement) => {
        all.push(el);
        for (const c of el.children) walk(c);
      };
      for (const el of context) walk(el);
      context = [...new Set(all)];
      continue;
    }
    const next: XmlElement[] = [];
    for (const el of context) {
      const hits = el.children.filter((c) => matches(step, c));
      if (step.index === undefined) next.push(...hits);
      else if (hits[step.index - 1]) next.push(hits[step.index - 1]!);
    }
    context = path.steps[i - 1]?.kind === 'deep' ? [...new Set(next)] : next;
  }
  return context.map((el) => ({ el }));
}

export function hitValue(hit: PathHit): string {
  return hit.attr !== undefined ? attrByLocalName(hit.el, hit.attr) ?? '' : hit.el.text;
}

/** The first selected value, or undefined when the path selects nothing. */
export function selectValue(root: XmlElement, path: XmlPath): string | undefined {
  const hit = selectAll(root, path)[0];
  return hit ? hitValue(hit) : undefined;
}

/**
 * A waitFor condition: one or more tests joined by `and`; each is `PATH` (selects something), `PATH = 'v'`
 * (some selected value is v) or `PATH != 'v'` (no selected value is v).
 */
export interface Condition {
  readonly source: string;
  readonly tests: ReadonlyArray<{ readonly path: XmlPath; readonly op: 'exists' | '=' | '!='; readonly value: string }>;
}

export function parseCondition(source: string): Condition {
  const parts = source.split(/\s+and\s+/);
  const tests = parts.map((part) => {
    const m = /^\s*(.+?)\s*(!=|=)\s*'([^']*)'\s*$/.exec(part);
    if (m) return { path: parsePath(m[1]!), op: m[2] as '=' | '!=', value: m[3]! };
    if (/[='"]/.test(part)) throw new PathSyntaxError(`"${part.trim()}" is not PATH, PATH = 'value' or PATH != 'value'`);
    return { path: parsePath(part), op: 'exists' as const, value: '' };
  });
  return { source, tests };
}

/** Whether the condition holds, and what was seen (for the timeout message). */
export function evaluateCondition(root: XmlElement, c: Condition): { ok: boolean; seen: string } {
  let ok = true;
  const seen: string[] = [];
  for (const t of c.tests) {
    const values = selectAll(root, t.path).map(hitValue);
    seen.push(`${t.path.source} ${values.length ? `= ${values.map((v) => `'${v}'`).join(', ')}` : 'selects nothing'}`);
    const pass = t.op === 'exists' ? values.length > 0 : t.op === '=' ? values.includes(t.value) : !values.includes(t.value);
    if (!pass) ok = false;
  }
  return { ok, seen: seen.join('; ') };
}
