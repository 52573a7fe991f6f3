import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ComparisonRules } from './canonical-xml.js';
import { FixtureError, type ServiceName, SERVICE_PATHS } from './fixture-model.js';
import { JsonSyntaxError, parseJsonSource, type JsonNode } from './json-source.js';
import { parsePath, PathSyntaxError, type XmlPath } from './xml-path.js';

/** Typed reading of a fixture's JSON with the file and line of every mistake. */
export class JsonReader {
  /** Lines of JSON embedded in another file (a directive comment) are offset by where it starts. */
  constructor(readonly file: string, private readonly lineOffset = 0) {}

  parse(text: string): JsonNode {
    try {
      return parseJsonSource(text);
    } catch (e) {
      if (e instanceof JsonSyntaxError) throw this.error(e.line, `not valid JSON: ${e.message} (column ${e.column})`);
      throw e;
    }
  }

  error(line: number, problem: string): FixtureError {
    return new FixtureError(this.file, line + this.lineOffset, problem);
  }

  line(node: JsonNode): number {
    return node.line + this.lineOffset;
  }

  object(node: JsonNode, what: string, known: readonly string[]): Map<string, JsonNode> {
    if (node.kind !== 'object') throw this.error(node.line, `${what} must be a JSON object`);
    const out = new Map<string, JsonNode>();
    for (const e of node.entries) {
      if (!known.includes(e.key)) throw this.error(e.keyLine, `unknown key "${e.key}" in ${what} (known: ${known.join(', ')})`);
      out.set(e.key, e.value);
    }
    return out;
  }

  string(node: JsonNode | undefined, what: string): string | undefined {
    if (node === undefined) return undefined;
    if (node.kind !== 'string') throw this.error(node.line, `${what} must be a string`);
    return node.value;
  }

  boolean(node: JsonNode | undefined, what: string): boolean | undefined {
    if (node === undefined) return undefined;
    if (node.kind !== 'boolean') throw this.error(node.line, `${what} must be true or false`);
    return node.value;
  }

  number(node: JsonNode | undefined, what: string, min: number, max: number): number | undefined {
    if (node === undefined) return undefined;
    if (node.kind !== 'number' || !Number.isInteger(node.value) || node.value < min || node.value > max) {
      throw this.error(node.line, `${what} must be a whole number from ${min} to ${max}`);
    }
    return node.value;
  }

  strings(node: JsonNode | undefined, what: string): string[] {
    if (node === undefined) return [];
    if (node.kind === 'string') return [node.value];
    if (node.kind !== 'array') throw this.error(node.line, `${what} must be a string or a list of strings`);
    return node.items.map((i) => this.string(i, `each of ${what}`)!);
  }

  path(node: JsonNode, text: string, what: string): XmlPath {
    try {
      return parsePath(text);
    } catch (e) {
      if (e instanceof PathSyntaxError) throw this.error(node.line, `${what} "${text}": ${e.message}`);
      throw e;
    }
  }

  /** `ignore`: a path or list of paths. `match`: { path: regular expression }. */
  rules(ignore: JsonNode | undefined, match: JsonNode | undefined): ComparisonRules {
    const ig: XmlPath[] = [];
    if (ignore) {
      const items = ignore.kind === 'array' ? ignore.items : [ignore];
      for (const n of items) ig.push(this.path(n, this.string(n, 'each ignore rule')!, 'ignore rule'));
    }
    const ma: { path: XmlPath; pattern: RegExp }[] = [];
    if (match) {
      if (match.kind !== 'object') throw this.error(match.line, 'match must be an object of { "path": "regular expression" }');
      for (const e of match.entries) {
        const source = this.string(e.value, `match "${e.key}"`)!;
        let pattern: RegExp;
        try {
          pattern = new RegExp(source);
        } catch (err) {
          throw this.error(e.value.line, `match "${e.key}": ${(err as Error).message}`);
        }
        ma.push({ path: this.path(e.value, e.key, 'match path'), pattern });
      }
    }
    return { ignore: ig, match: ma };
  }

  service(node: JsonNode | undefined): string | undefined {
    const s = this.string(node, 'service');
    if (s === undefined) return undefined;
    if (!(s in SERVICE_PATHS)) throw this.error(node!.line, `service must be ${Object.keys(SERVICE_PATHS).join(' or ')}, not "${s}"`);
    return SERVICE_PATHS[s as ServiceName];
  }
}

/** Defaults a fixture takes from the file its `extends` names (which may extend another). */
export interface FixtureDefaults {
  readonly tags: readonly string[];
  readonly vars: ReadonlyArray<{ name: string; template: string; line: number; file: string }>;
  readonly rules: ComparisonRules;
  readonly path: string | undefined;
}

export const EMPTY_DEFAULTS: FixtureDefaults = { tags: [], vars: [], rules: { ignore: [], match: [] }, path: undefined };

export function mergeRules(...all: ComparisonRules[]): ComparisonRules {
  return { ignore: all.flatMap((r) => r.ignore), match: all.flatMap((r) => r.match) };
}

export function readVars(r: JsonReader, node: JsonNode | undefined): Array<{ name: string; template: string; line: number; file: string }> {
  if (node === undefined) return [];
  if (node.kind !== 'object') throw r.error(node.line, 'vars must be an object of { "name": "value" }');
  return node.entries.map((e) => {
    if (!/^[A-Za-z_][\w.-]*$/.test(e.key)) throw r.error(e.keyLine, `"${e.key}" is not a variable name (letters, digits, _ . -)`);
    return { name: e.key, template: r.string(e.value, `vars.${e.key}`)!, line: r.line(e.value), file: r.file };
  });
}

export function loadDefaults(fromFile: string, ref: string, line: number, display: (abs: string) => string, seen: Set<string> = new Set()): FixtureDefaults {
  const abs = resolve(dirname(fromFile), ref);
  if (seen.has(abs)) throw new FixtureError(display(fromFile), line, `extends "${ref}" forms a cycle`);
  seen.add(abs);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    throw new FixtureError(display(fromFile), line, `extends "${ref}", which cannot be read`);
  }
  const r = new JsonReader(display(abs));
  const o = r.object(r.parse(text), 'a defaults file', ['description', 'extends', 'tags', 'vars', 'ignore', 'match', 'service']);
  const parentRef = r.string(o.get('extends'), 'extends');
  const parent = parentRef ? loadDefaults(abs, parentRef, r.line(o.get('extends')!), display, seen) : EMPTY_DEFAULTS;
  return {
    tags: [...parent.tags, ...r.strings(o.get('tags'), 'tags')],
    vars: [...parent.vars, ...readVars(r, o.get('vars'))],
    rules: mergeRules(parent.rules, r.rules(o.get('ignore'), o.get('match'))),
    path: r.service(o.get('service')) ?? parent.path,
  };
}
