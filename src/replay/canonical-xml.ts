import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/xml-element.js';
import { resolveQNameValue } from '../xml/xml-reader.js';
import { selectAll, type XmlPath } from './xml-path.js';

/**
 * The canonical form responses are compared in: one line per element, namespaces shown by a fixed prefix per URI
 * (never the sender's prefix), attributes sorted, whitespace-only text gone, QName values (xsi:type, faultcode)
 * resolved. Two documents are equal exactly when their canonical lines are, and a line diff of them reads like XML.
 */
export const DISPLAY_PREFIX: Readonly<Record<string, string>> = {
  [NS.oa]: 'oa', [NS.wcf]: '_wcf', [NS.inv]: '_inv', [NS.ord]: '_ord', [NS.xsi]: 'xsi', [NS.xml]: 'xml',
  [NS.soap11]: 'soapenv', [NS.soap12]: 'soap12', [NS.wsse]: 'wsse', [NS.wsu]: 'wsu', 'http://dombridge.dev/fault/1': 'dbf',
};

/** What a fixture declares about values that must vary: ignored entirely, or checked against a pattern. */
export interface ComparisonRules {
  readonly ignore: readonly XmlPath[];
  readonly match: ReadonlyArray<{ readonly path: XmlPath; readonly pattern: RegExp }>;
}

export const IGNORED = '(ignored)';

type Mask = { readonly kind: 'ignore' } | { readonly kind: 'match'; readonly pattern: RegExp };

/** The masks the rules put on one document. `side` decides how a match rule shows a value (see canonicalLines). */
function masks(root: XmlElement, rules: ComparisonRules): { elements: Map<XmlElement, Mask>; attrs: Map<XmlElement, Map<string, Mask>> } {
  const elements = new Map<XmlElement, Mask>();
  const attrs = new Map<XmlElement, Map<string, Mask>>();
  const put = (hitEl: XmlElement, attr: string | undefined, mask: Mask) => {
    if (attr === undefined) {
      if (elements.get(hitEl)?.kind !== 'ignore') elements.set(hitEl, mask);
    } else {
      const m = attrs.get(hitEl) ?? new Map<string, Mask>();
      if (m.get(attr)?.kind !== 'ignore') m.set(attr, mask);
      attrs.set(hitEl, m);
    }
  };
  for (const { path, pattern } of rules.match) for (const h of selectAll(root, path)) put(h.el, h.attr, { kind: 'match', pattern });
  for (const path of rules.ignore) for (const h of selectAll(root, path)) put(h.el, h.attr, { kind: 'ignore' });
  return { elements, attrs };
}

export function displayName(ns: string, local: string): string {
  if (!ns) return local;
  const p = DISPLAY_PREFIX[ns];
  return p ? `${p}:${local}` : `{${ns}}${local}`;
}

function displayAttrName(key: string): string {
  const m = /^\{([^}]*)\}(.*)$/.exec(key);
  return m ? displayName(m[1]!, m[2]!) : key;
}

function localOf(key: string): string {
  return key.replace(/^\{[^}]*\}/, '');
}

/** A QName-valued text or attribute, shown with the display prefix of the namespace it resolves to. */
function qnameValue(el: XmlElement, value: string): string {
  const r = resolveQNameValue(el, value.trim());
  return r ? displayName(r[0], r[1]) : value;
}

function isQNameText(el: XmlElement): boolean {
  return (el.ns === '' && el.name === 'faultcode') || (el.ns === NS.soap12 && el.name === 'Value');
}

function show(value: string): string {
  return value.replace(/\r?\n/g, '\\n');
}

/**
 * Canonical lines of a document under the rules. The expected side shows a match rule as its pattern; the
 * actual side shows the pattern too when the value fits it, and the value itself when it does not, so a
 * mismatch appears in the diff as pattern against value. Rule paths start at the BOD (or Fault), also when `root`
 * is the whole envelope.
 */
export function canonicalLines(root: XmlElement, rules: ComparisonRules, side: 'expected' | 'actual'): string[] {
  // Paths are read from the BOD even when a whole envelope is compared.
  const { elements, attrs } = masks(bodOf(root), rules);
  const masked = (mask: Mask | undefined, value: string): string => {
    if (!mask) return value;
    if (mask.kind === 'ignore') return IGNORED;
    return side === 'expected' || mask.pattern.test(value) ? `(matches /${mask.pattern.source}/)` : value;
  };
  const lines: string[] = [];
  const walk = (el: XmlElement, depth: number) => {
    const indent = '  '.repeat(depth);
    const name = displayName(el.ns, el.name);
    const mask = elements.get(el);
    if (mask?.kind === 'ignore') {
      lines.push(`${indent}<${name}>${IGNORED}</${name}>`);
      return;
    }
    const attrMasks = attrs.get(el);
    const attrText = Object.keys(el.attrs)
      .map((k) => {
        const raw = el.attrs[k]!;
        const value = k === `{${NS.xsi}}type` ? qnameValue(el, raw) : raw;
        return [displayAttrName(k), masked(attrMasks?.get(localOf(k)), value)] as const;
      })
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([k, v]) => ` ${k}="${show(v)}"`)
      .join('');
    const text = masked(mask, isQNameText(el) ? qnameValue(el, el.text) : el.text);
    if (el.children.length === 0 || mask) {
      lines.push(text === '' ? `${indent}<${name}${attrText}/>` : `${indent}<${name}${attrText}>${show(text)}</${name}>`);
      return;
    }
    lines.push(`${indent}<${name}${attrText}>`);
    if (text !== '') lines.push(`${indent}  ${show(text)}`);
    for (const c of el.children) walk(c, depth + 1);
    lines.push(`${indent}</${name}>`);
  };
  walk(root, 0);
  return lines;
}

/** The SOAP Body's element (BOD or Fault) when `root` is an Envelope; otherwise `root` itself. */
export function bodOf(root: XmlElement): XmlElement {
  if (root.name === 'Envelope' && (root.ns === NS.soap11 || root.ns === NS.soap12)) {
    const body = root.children.find((c) => c.name === 'Body' && c.ns === root.ns);
    if (body?.children[0]) return body.children[0];
  }
  return root;
}

export function isEnvelope(root: XmlElement): boolean {
  return root.name === 'Envelope' && (root.ns === NS.soap11 || root.ns === NS.soap12);
}
