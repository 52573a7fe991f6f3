import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DombridgeFault } from '../errors/error-catalogue.js';
import { NS } from '../xml/namespaces.js';
import { readXml } from '../xml/xml-reader.js';
import { bodOf } from './canonical-xml.js';
import { EMPTY_DEFAULTS, JsonReader, loadDefaults, mergeRules, readVars, type FixtureDefaults } from './fixture-json.js';
import {
  DEFAULT_EMAIL_TIMEOUT_MS, DEFAULT_WAIT_EVERY_MS, DEFAULT_WAIT_TIMEOUT_MS, FixtureError, SERVICE_PATHS,
  type Capture, type EmailExpectation, type Fixture, type Step, type StepExpect, type StepRequest, type WaitFor,
} from './fixture-model.js';
import type { JsonNode } from './json-source.js';
import { checkFixtureVariables } from './fixture-variables.js';
import { parseCondition, PathSyntaxError } from './xml-path.js';

export interface LoadOptions {
  /** Expected-response files may be missing (--update writes them). */
  readonly update?: boolean;
  /** Paths in messages are shown relative to this directory. Default: the process's. */
  readonly cwd?: string;
}

export interface LoadResult {
  readonly fixtures: Fixture[];
  /** Fixtures that could not be read, each naming file and line. */
  readonly errors: FixtureError[];
}

const FIXTURE_JSON = '.fixture.json';
const REQUEST_XML = '.request.xml';
const RESPONSE_XML = '.response.xml';
/** `<!-- replay: { …JSON… } -->` in a pair's request file. */
const DIRECTIVE = /<!--\s*replay:([\s\S]*?)-->/;

/**
 * Finds fixtures under the given files and directories: every `*.fixture.json`, and every `NAME.request.xml` that
 * no fixture.json uses as a step, which is a single-step fixture with `NAME.response.xml` as its expected answer.
 * Below a directory, subdirectories whose name starts with `_` are not searched.
 */
export function loadFixtures(paths: readonly string[], opts: LoadOptions = {}): LoadResult {
  const cwd = opts.cwd ?? process.cwd();
  const display = (abs: string) => (abs.startsWith(cwd + sep) ? relative(cwd, abs) : abs);
  const jsonFiles = new Set<string>();
  const requestFiles = new Set<string>();
  const errors: FixtureError[] = [];
  const visit = (abs: string, explicit: boolean) => {
    let st;
    try {
      st = statSync(abs);
    } catch {
      errors.push(new FixtureError(display(abs), 0, 'no such file or directory'));
      return;
    }
    if (st.isDirectory()) {
      // Directories named _something hold shared parts (defaults, steps several fixtures use), not fixtures.
      for (const e of readdirSync(abs).sort()) if (!e.startsWith('.') && !e.startsWith('_') && e !== 'node_modules') visit(join(abs, e), false);
    } else if (abs.endsWith(FIXTURE_JSON)) jsonFiles.add(abs);
    else if (abs.endsWith(REQUEST_XML)) requestFiles.add(abs);
    else if (explicit) errors.push(new FixtureError(display(abs), 0, `not a fixture (expected *${FIXTURE_JSON} or *${REQUEST_XML})`));
  };
  for (const p of paths) visit(isAbsolute(p) ? p : resolve(cwd, p), true);

  const fixtures: Fixture[] = [];
  const usedRequests = new Set<string>();
  for (const file of [...jsonFiles].sort()) {
    try {
      const f = readJsonFixture(file, display, opts, usedRequests);
      checkFixtureVariables(f);
      fixtures.push(f);
    } catch (e) {
      if (!(e instanceof FixtureError)) throw e;
      errors.push(e);
    }
  }
  for (const file of [...requestFiles].sort()) {
    if (usedRequests.has(file)) continue;
    try {
      const f = readPairFixture(file, display, opts);
      checkFixtureVariables(f);
      fixtures.push(f);
    } catch (e) {
      if (!(e instanceof FixtureError)) throw e;
      errors.push(e);
    }
  }
  fixtures.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { fixtures, errors };
}

function readText(file: string, shown: string, at: { file: string; line: number }): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new FixtureError(at.file, at.line, `${shown} cannot be read`);
  }
}

/** Line of a reader error ("… (line 3, column 7)"), for pointing at the bad spot of an XML file. */
function xmlErrorLine(e: unknown): { line: number; message: string } {
  const message = e instanceof DombridgeFault ? String(e.params['detail'] ?? e.message) : e instanceof Error ? e.message : String(e);
  return { line: Number(/\(line (\d+), column \d+\)/.exec(message)?.[1] ?? /line (\d+)/.exec(message)?.[1] ?? 1), message: e instanceof DombridgeFault && e.code === 'XML_DOCTYPE_FORBIDDEN' ? 'holds a DOCTYPE (mark the step "raw" to send it as it is)' : message };
}

function readRequest(abs: string, display: (a: string) => string, at: { file: string; line: number }, raw: boolean, contentType: string | undefined, explicitPath: string | undefined): StepRequest {
  const text = readText(abs, `request file ${display(abs)}`, at).replace(DIRECTIVE, (m) => m.replace(/[^\n]/g, ''));
  const file = display(abs);
  let path = explicitPath;
  if (!raw) {
    try {
      const bod = bodOf(readXml(text));
      path ??= bod.ns === NS.inv ? SERVICE_PATHS.inventory : bod.ns === NS.ord ? SERVICE_PATHS.order : undefined;
    } catch (e) {
      const { line, message } = xmlErrorLine(e);
      throw new FixtureError(file, line, `the request is not well-formed XML: ${message}; fix it, or mark the step "raw" to send it as it is`);
    }
  }
  if (!path) throw new FixtureError(at.file, at.line, `cannot tell which service ${file} is for: give "service" ("inventory" or "order")`);
  return { file, text, raw, contentType, path };
}

function readExpect(abs: string, display: (a: string) => string, at: { file: string; line: number }, opts: LoadOptions): StepExpect {
  const file = display(abs);
  if (!existsSync(abs)) {
    if (opts.update) return { file, path: abs, text: undefined, status: 200 };
    throw new FixtureError(at.file, at.line, `expected response ${file} does not exist (run with --update to write it from the server's answer)`);
  }
  const text = readText(abs, `expected response ${file}`, at);
  try {
    readXml(text);
  } catch (e) {
    const { line, message } = xmlErrorLine(e);
    throw new FixtureError(file, line, `the expected response is not well-formed XML: ${message}`);
  }
  const status = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--(?:(?!-->)[\s\S])*-->\s*)*?<!--\s*HTTP\s+(\d{3})\s*-->/.exec(text)?.[1];
  return { file, path: abs, text, status: status ? Number(status) : 200 };
}

function readStep(r: JsonReader, node: JsonNode, index: number, base: string, defaults: FixtureDefaults, fixtureRules: ReturnType<JsonReader['rules']>, fixturePath: string | undefined, display: (a: string) => string, opts: LoadOptions, used: Set<string>): Step {
  const o = r.object(node, `step ${index}`, ['name', 'service', 'path', 'request', 'raw', 'contentType', 'expect', 'ignore', 'match', 'capture', 'waitFor', 'expectEmail']);
  const at = { file: r.file, line: r.line(node) };
  const requestRef = r.string(o.get('request'), 'request');
  const expectRef = r.string(o.get('expect'), 'expect');
  const explicitPath = r.string(o.get('path'), 'path') ?? r.service(o.get('service')) ?? fixturePath ?? defaults.path;
  let request: StepRequest | undefined;
  if (requestRef !== undefined) {
    const abs = resolve(base, requestRef);
    used.add(abs);
    request = readRequest(abs, display, { file: r.file, line: r.line(o.get('request')!) }, r.boolean(o.get('raw'), 'raw') ?? false, r.string(o.get('contentType'), 'contentType'), explicitPath);
  }
  const expect = expectRef !== undefined ? readExpect(resolve(base, expectRef), display, { file: r.file, line: r.line(o.get('expect')!) }, opts) : undefined;
  const captures: Capture[] = [];
  const cap = o.get('capture');
  if (cap) {
    if (cap.kind !== 'object') throw r.error(cap.line, 'capture must be an object of { "variable": "path" }');
    for (const e of cap.entries) {
      if (!/^[A-Za-z_][\w.-]*$/.test(e.key)) throw r.error(e.keyLine, `"${e.key}" is not a variable name`);
      captures.push({ name: e.key, path: r.path(e.value, r.string(e.value, `capture.${e.key}`)!, 'capture path'), at: { file: r.file, line: r.line(e.value) } });
    }
  }
  let waitFor: WaitFor | undefined;
  const wf = o.get('waitFor');
  if (wf) {
    const w = r.object(wf, 'waitFor', ['until', 'timeoutMs', 'everyMs']);
    const until = r.string(w.get('until'), 'waitFor.until');
    if (until === undefined) throw r.error(wf.line, 'waitFor needs "until": a condition such as "DataArea/Order/OrderStatus/Status = \'S\'"');
    let condition;
    try {
      condition = parseCondition(until);
    } catch (e) {
      if (e instanceof PathSyntaxError) throw r.error(w.get('until')!.line, `waitFor.until: ${e.message}`);
      throw e;
    }
    waitFor = { until: condition, timeoutMs: r.number(w.get('timeoutMs'), 'waitFor.timeoutMs', 1, 3_600_000) ?? DEFAULT_WAIT_TIMEOUT_MS, everyMs: r.number(w.get('everyMs'), 'waitFor.everyMs', 1, 600_000) ?? DEFAULT_WAIT_EVERY_MS, at: { file: r.file, line: r.line(wf) } };
  }
  let email: EmailExpectation | undefined;
  const em = o.get('expectEmail');
  if (em) {
    const e = r.object(em, 'expectEmail', ['type', 'to', 'orderId', 'subject', 'contains', 'timeoutMs']);
    email = {
      type: r.string(e.get('type'), 'expectEmail.type'), to: r.string(e.get('to'), 'expectEmail.to'), orderId: r.string(e.get('orderId'), 'expectEmail.orderId'),
      subject: r.string(e.get('subject'), 'expectEmail.subject'), contains: r.strings(e.get('contains'), 'expectEmail.contains'),
      timeoutMs: r.number(e.get('timeoutMs'), 'expectEmail.timeoutMs', 1, 3_600_000) ?? DEFAULT_EMAIL_TIMEOUT_MS, at: { file: r.file, line: r.line(em) },
    };
  }
  if (!request && !email) throw r.error(node.line, `step ${index} needs a "request" (or an "expectEmail")`);
  if (!request && (expect || waitFor || captures.length)) throw r.error(node.line, `step ${index} has "expect", "waitFor" or "capture" but no "request"`);
  const name = r.string(o.get('name'), 'name') ?? (requestRef ? basename(requestRef).replace(/\.request\.xml$|\.xml$/, '') : `e-mail ${email?.type ?? ''}`.trim());
  return { index, name, at, request, expect, rules: mergeRules(defaults.rules, fixtureRules, r.rules(o.get('ignore'), o.get('match'))), captures, waitFor, email };
}

function readJsonFixture(abs: string, display: (a: string) => string, opts: LoadOptions, used: Set<string>): Fixture {
  const r = new JsonReader(display(abs));
  const root = r.parse(readText(abs, display(abs), { file: display(abs), line: 0 }));
  const o = r.object(root, 'a fixture', ['description', 'tags', 'extends', 'service', 'vars', 'ignore', 'match', 'domCallbacks', 'steps']);
  const ext = r.string(o.get('extends'), 'extends');
  const defaults = ext ? loadDefaults(abs, ext, r.line(o.get('extends')!), display) : EMPTY_DEFAULTS;
  const stepsNode = o.get('steps');
  if (!stepsNode || stepsNode.kind !== 'array' || stepsNode.items.length === 0) throw r.error(stepsNode?.line ?? root.line, 'a fixture needs "steps": a non-empty list');
  const rules = r.rules(o.get('ignore'), o.get('match'));
  const path = r.service(o.get('service'));
  const steps = stepsNode.items.map((n, i) => readStep(r, n, i + 1, dirname(abs), defaults, rules, path, display, opts, used));
  return {
    file: display(abs), name: display(abs).slice(0, -FIXTURE_JSON.length), description: r.string(o.get('description'), 'description'),
    tags: [...new Set([...defaults.tags, ...r.strings(o.get('tags'), 'tags')])],
    vars: [...defaults.vars, ...readVars(r, o.get('vars'))].map((v) => ({ name: v.name, template: v.template, at: { file: v.file, line: v.line } })),
    domCallbacks: r.boolean(o.get('domCallbacks'), 'domCallbacks'), steps,
  };
}

/** A pair: NAME.request.xml (optionally with a `<!-- replay: {…} -->` directive) and NAME.response.xml. */
function readPairFixture(abs: string, display: (a: string) => string, opts: LoadOptions): Fixture {
  const file = display(abs);
  const text = readText(abs, file, { file, line: 0 });
  const m = DIRECTIVE.exec(text);
  let o = new Map<string, JsonNode>();
  let r = new JsonReader(file);
  if (m) {
    const line = text.slice(0, m.index).split('\n').length;
    r = new JsonReader(file, line - 1);
    o = r.object(r.parse(m[1]!), 'the replay directive', ['description', 'tags', 'extends', 'service', 'vars', 'ignore', 'match', 'raw', 'contentType', 'domCallbacks']);
  }
  const ext = r.string(o.get('extends'), 'extends');
  const defaults = ext ? loadDefaults(abs, ext, r.line(o.get('extends')!), display) : EMPTY_DEFAULTS;
  const at = { file, line: m ? text.slice(0, m.index).split('\n').length : 1 };
  const request = readRequest(abs, display, at, r.boolean(o.get('raw'), 'raw') ?? false, r.string(o.get('contentType'), 'contentType'), r.service(o.get('service')) ?? defaults.path);
  const expect = readExpect(abs.slice(0, -REQUEST_XML.length) + RESPONSE_XML, display, at, opts);
  const name = file.slice(0, -REQUEST_XML.length);
  const step: Step = {
    index: 1, name: basename(name), at, request, expect, rules: mergeRules(defaults.rules, r.rules(o.get('ignore'), o.get('match'))),
    captures: [], waitFor: undefined, email: undefined,
  };
  return {
    file, name, description: r.string(o.get('description'), 'description'), tags: [...new Set([...defaults.tags, ...r.strings(o.get('tags'), 'tags')])],
    vars: [...defaults.vars, ...readVars(r, o.get('vars'))].map((v) => ({ name: v.name, template: v.template, at: { file: v.file, line: v.line } })),
    domCallbacks: r.boolean(o.get('domCallbacks'), 'domCallbacks'), steps: [step],
  };
}
