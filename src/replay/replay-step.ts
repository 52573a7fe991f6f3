import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/xml-element.js';
import { readXml } from '../xml/xml-reader.js';
import { bodOf, canonicalLines, isEnvelope } from './canonical-xml.js';
import type { Step, StepExpect, StepRequest } from './fixture-model.js';
import { unifiedDiff } from './line-diff.js';
import type { TargetAnswer } from './replay-target.js';
import { reverseSubstitution, substitute, xmlEscape, type VariableScope } from './variables.js';
import { writePrettyXml } from './xml-pretty.js';

/** What one step sends: the request with its variables filled in, in a SOAP envelope unless it already is one. */
export interface BuiltRequest {
  readonly body: string;
  readonly contentType: string;
  /** The BOD sent (undefined for raw requests that are not XML). */
  readonly bod: XmlElement | undefined;
}

const SOAP11 = 'text/xml; charset=utf-8';
const SOAP12 = 'application/soap+xml; charset=utf-8';

export function buildRequest(req: StepRequest, scope: VariableScope): BuiltRequest {
  const text = substitute(req.text, scope, xmlEscape);
  let root: XmlElement | undefined;
  try {
    root = readXml(text);
  } catch {
    if (!req.raw) throw new Error(`${req.file} is not well-formed XML once its variables are filled in`);
  }
  if (req.raw || !root || isEnvelope(root)) {
    // Unparseable on purpose (a raw step): guess the SOAP version from the namespace it names.
    const v12 = root ? root.ns === NS.soap12 : text.includes(NS.soap12);
    return { body: text, contentType: req.contentType ?? (v12 ? SOAP12 : SOAP11), bod: root ? bodOf(root) : undefined };
  }
  const inner = text.replace(/^\uFEFF?\s*<\?xml[^>]*\?>\s*/, '');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>\n${inner}</soapenv:Body></soapenv:Envelope>`;
  return { body, contentType: req.contentType ?? SOAP11, bod: root };
}

/** An answer read as XML: the whole document and its BOD (or Fault). */
export interface AnswerXml {
  readonly root: XmlElement;
  readonly bod: XmlElement;
}

/** Undefined when the answer is not XML (a 404 page, say). */
export function readAnswer(answer: TargetAnswer): AnswerXml | undefined {
  try {
    const root = readXml(answer.body);
    return { root, bod: bodOf(root) };
  } catch {
    return undefined;
  }
}

export interface Comparison {
  readonly equal: boolean;
  /** A unified diff of the canonical forms, empty when equal. */
  readonly diff: string;
}

/**
 * Compares an answer with the step's expected response, both in canonical form under the step's rules: the BODs,
 * or the whole envelopes when the expected file holds one (to pin the SOAP version, say).
 */
export function compareAnswer(step: Step, expect: StepExpect, answer: TargetAnswer, xml: AnswerXml | undefined, scope: VariableScope, targetName: string): Comparison {
  if (expect.text === undefined) return { equal: false, diff: `(${expect.file} does not exist yet)` };
  const expectedDoc = readXml(substitute(expect.text, scope, xmlEscape));
  const whole = isEnvelope(expectedDoc);
  const expected = [`HTTP ${expect.status}`, ...canonicalLines(whole ? expectedDoc : bodOf(expectedDoc), step.rules, 'expected')];
  const actual = xml
    ? [`HTTP ${answer.status}`, ...canonicalLines(whole ? xml.root : xml.bod, step.rules, 'actual')]
    : [`HTTP ${answer.status}`, ...answer.body.split('\n').slice(0, 20).map((l) => `(not XML) ${l}`)];
  const diff = unifiedDiff(expected, actual, { expected: `expected ${expect.file}`, actual: `actual (${targetName})` });
  return { equal: diff === '', diff };
}

/** Comments before the root element of an existing expected file, kept by --update (the HTTP one is rewritten). */
function leadingComments(text: string | undefined): string {
  if (!text) return '';
  const head = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?((?:<!--(?:(?!-->)[\s\S])*-->\s*)*)/.exec(text)?.[1] ?? '';
  return [...head.matchAll(/<!--(?:(?!-->)[\s\S])*-->/g)].map((m) => m[0]).filter((c) => !/^<!--\s*HTTP\s+\d{3}\s*-->$/.test(c)).map((c) => `${c}\n`).join('');
}

/**
 * --update: writes the answer as the new expected response, with captured values and vars written back as their
 * `${name}`: the BOD alone, or the whole envelope when the file held one before or the answer is SOAP 1.2.
 * Returns false when the answer is not XML and so cannot be an expected response.
 */
export function writeExpected(expect: StepExpect, answer: TargetAnswer, xml: AnswerXml | undefined, vars: ReadonlyArray<readonly [string, string]>, inText: ReadonlySet<string>): boolean {
  if (!xml) return false;
  let existing: string | undefined;
  try {
    existing = readFileSync(expect.path, 'utf8');
  } catch {
    existing = undefined;
  }
  let wasEnvelope = false;
  try {
    wasEnvelope = existing !== undefined && isEnvelope(readXml(existing));
  } catch {
    wasEnvelope = false;
  }
  const whole = isEnvelope(xml.root) && (wasEnvelope || (existing === undefined && xml.root.ns === NS.soap12));
  const bod = whole ? xml.root : xml.bod;
  const status = answer.status === 200 ? '' : `<!-- HTTP ${answer.status} -->\n`;
  mkdirSync(dirname(expect.path), { recursive: true });
  writeFileSync(expect.path, leadingComments(existing) + status + writePrettyXml(bod, reverseSubstitution(vars, inText)));
  return true;
}
