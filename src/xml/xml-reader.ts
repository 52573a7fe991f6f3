import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DombridgeFault } from '../errors/error-catalogue.js';
import { NS } from './namespaces.js';
import type { XmlElement } from './xml-element.js';

/** Limits on a document, checked before any parsing work is spent on it. Defaults suit BODs of thousands of lines. */
export interface XmlLimits {
  /** Deepest element nesting (SOAP envelope included). Default 64. */
  maxDepth: number;
  /** Elements in the whole document. Default 100,000. */
  maxElements: number;
  /** Characters in one text node or attribute value. Default 65,536. */
  maxStringLength: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxDepth: 64, maxElements: 100_000, maxStringLength: 65_536 };

/*
 * Options chosen for correctness on the wire:
 * - parseTagValue/parseAttributeValue off: identifiers stay strings ("000123" is not 123);
 * - processEntities only for the five predefined entities and character references: a DOCTYPE is refused
 *   before the parser runs, so no entity can be declared;
 * - preserveOrder: we need document order and repeated siblings exactly as sent.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  maxNestedTags: 10_000,
});

type FxpNode = Record<string, unknown>;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes a request body, refusing invalid UTF-8 rather than silently replacing bytes. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return decoder.decode(body);
  } catch {
    throw new DombridgeFault('XML_ENCODING');
  }
}

/**
 * One pass over the raw text before the parser: refuses DOCTYPE/ENTITY declarations (XXE, billion laughs)
 * and documents too deep or too large, in linear time and without building anything.
 */
export function checkXmlLimits(xml: string, limits: XmlLimits): void {
  let depth = 0;
  let elements = 0;
  const n = xml.length;
  let i = xml.indexOf('<');
  while (i !== -1 && i < n) {
    const c = xml.charCodeAt(i + 1);
    if (c === 33 /* ! */) {
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end === -1) throw new DombridgeFault('XML_MALFORMED', { detail: 'unterminated comment' });
        i = xml.indexOf('<', end + 3);
        continue;
      }
      if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i + 9);
        if (end === -1) throw new DombridgeFault('XML_MALFORMED', { detail: 'unterminated CDATA section' });
        if (end - i - 9 > limits.maxStringLength) tooBig('string length', limits.maxStringLength);
        i = xml.indexOf('<', end + 3);
        continue;
      }
      throw new DombridgeFault('XML_DOCTYPE_FORBIDDEN');
    }
    if (c === 63 /* ? */) {
      const end = xml.indexOf('?>', i + 2);
      if (end === -1) throw new DombridgeFault('XML_MALFORMED', { detail: 'unterminated processing instruction' });
      i = xml.indexOf('<', end + 2);
      continue;
    }
    if (c === 47 /* / */) {
      depth--;
      const end = xml.indexOf('>', i);
      if (end === -1) break;
      i = xml.indexOf('<', end + 1);
      continue;
    }
    // A start tag: find its end, skipping quoted attribute values (which may contain '>').
    let j = i + 1;
    let quote = 0;
    let attrStart = 0;
    for (; j < n; j++) {
      const d = xml.charCodeAt(j);
      if (quote) {
        if (d === quote) {
          quote = 0;
          if (j - attrStart > limits.maxStringLength) tooBig('string length', limits.maxStringLength);
        }
      } else if (d === 34 || d === 39) {
        quote = d;
        attrStart = j;
      } else if (d === 62 /* > */) break;
    }
    if (j >= n) break; // truncated: the parser reports it with a position
    elements++;
    if (elements > limits.maxElements) tooBig('element count', limits.maxElements);
    if (xml.charCodeAt(j - 1) !== 47 /* self-closing */) {
      depth++;
      if (depth > limits.maxDepth) tooBig('nesting depth', limits.maxDepth);
    }
    const next = xml.indexOf('<', j + 1);
    if ((next === -1 ? n : next) - j - 1 > limits.maxStringLength) tooBig('string length', limits.maxStringLength);
    i = next;
  }
}

function tooBig(limit: string, value: number): never {
  throw new DombridgeFault('XML_LIMIT_EXCEEDED', { limit, value });
}

/** Parses a document into a namespace-resolved tree; throws a Client fault for anything malformed. */
export function readXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  checkXmlLimits(xml, limits);
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new DombridgeFault('XML_MALFORMED', { detail: `${msg.replace(/\.$/, '')} (line ${line}, column ${col})` });
  }
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(xml) as FxpNode[];
  } catch (e) {
    throw new DombridgeFault('XML_MALFORMED', { detail: e instanceof Error ? e.message.replace(/\.$/, '') : 'unreadable' });
  }
  const rootNodes = nodes.filter((n) => tagOf(n) !== undefined);
  if (rootNodes.length !== 1) throw new DombridgeFault('XML_MALFORMED', { detail: 'a document needs exactly one root element' });
  return convert(rootNodes[0]!, BASE_SCOPE);
}

const BASE_SCOPE: Readonly<Record<string, string>> = { xml: NS.xml };

function tagOf(node: FxpNode): string | undefined {
  for (const k in node) if (k !== ':@' && k !== '#text') return k;
  return undefined;
}

function convert(node: FxpNode, parentScope: Readonly<Record<string, string>>): XmlElement {
  const tag = tagOf(node)!;
  const rawAttrs = node[':@'] as Record<string, string> | undefined;
  let scope = parentScope;
  if (rawAttrs) {
    for (const k in rawAttrs) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) {
        if (scope === parentScope) scope = { ...parentScope };
        (scope as Record<string, string>)[k === 'xmlns' ? '' : k.slice(6)] = rawAttrs[k]!;
      }
    }
  }
  const [ns, name] = resolve(tag, scope, true);
  const attrs: Record<string, string> = {};
  if (rawAttrs) {
    for (const k in rawAttrs) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      const colon = k.indexOf(':');
      if (colon === -1) attrs[k] = rawAttrs[k]!;
      else {
        const [ans, aname] = resolve(k, scope, false);
        attrs[`{${ans}}${aname}`] = rawAttrs[k]!;
      }
    }
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const c of node[tag] as FxpNode[]) {
    if ('#text' in c) text += String(c['#text']);
    else if (tagOf(c) !== undefined) children.push(convert(c, scope));
  }
  return { ns, name, attrs, children, text: text.trim(), scope };
}

function resolve(qname: string, scope: Readonly<Record<string, string>>, isElement: boolean): [string, string] {
  const colon = qname.indexOf(':');
  if (colon === -1) return [isElement ? scope[''] ?? '' : '', qname];
  const prefix = qname.slice(0, colon);
  const uri = scope[prefix];
  if (uri === undefined) throw new DombridgeFault('XML_MALFORMED', { detail: `namespace prefix "${prefix}" is not declared` });
  return [uri, qname.slice(colon + 1)];
}

/** Resolves a QName-valued attribute (xsi:type="_wcf:ApplicationAreaType") against the element's scope. */
export function resolveQNameValue(el: XmlElement, value: string): [string, string] | undefined {
  const colon = value.indexOf(':');
  const prefix = colon === -1 ? '' : value.slice(0, colon);
  const uri = el.scope[prefix];
  return uri === undefined ? undefined : [uri, value.slice(colon + 1)];
}
