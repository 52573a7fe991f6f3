import { SaxesParser, type SaxesTagNS } from 'saxes';
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

/**
 * Parses a document into a namespace-resolved tree; throws a Client fault for anything malformed.
 *
 * One pass of saxes (a strict, namespace-aware XML 1.0 parser: every well-formedness and namespace error is
 * fatal, only the five predefined entities and character references are known), building the tree as it goes.
 * Identifiers stay the strings they were sent as. A DOCTYPE never reaches it: {@link checkXmlLimits} refuses
 * it first, so no entity can be declared.
 */
export function readXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  checkXmlLimits(xml, limits);
  const builder = idleBuilder ?? new TreeBuilder();
  idleBuilder = undefined;
  try {
    const root = builder.read(xml);
    idleBuilder = builder; // reused only after a clean parse: a failed one may have left state behind
    return root;
  } catch (e) {
    if (e instanceof DombridgeFault) throw e;
    throw new DombridgeFault('XML_MALFORMED', { detail: saxesDetail(e, builder.mismatch(xml)) });
  }
}

/** The parser of the last clean read, ready for the next (readXml is synchronous, so one is enough). */
let idleBuilder: TreeBuilder | undefined;

const BASE_SCOPE: Readonly<Record<string, string>> = { xml: NS.xml };

interface OpenElement {
  readonly ns: string;
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
  readonly scope: Readonly<Record<string, string>>;
}

/** saxes events → XmlElement tree. Text and CDATA of an element are joined and trimmed; comments and PIs dropped. */
class TreeBuilder {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private stack: OpenElement[] = [];
  private root: OpenElement | undefined;
  /**
   * The qualified name of the element popped last. saxes pops the open element before it compares names, so after
   * "unexpected close tag" this is the end tag that was expected.
   */
  private lastClosed = '';

  constructor() {
    const p = this.parser;
    p.on('opentag', (tag: SaxesTagNS) => {
      const parent = this.stack[this.stack.length - 1];
      const parentScope = parent ? parent.scope : BASE_SCOPE;
      // A new scope object only where the tag declares a prefix: most elements share their parent's.
      const scope = declaresPrefix(tag.ns) ? { ...parentScope, ...tag.ns } : parentScope;
      const attrs: Record<string, string> = {};
      const raw = tag.attributes;
      for (const k in raw) {
        const a = raw[k]!;
        if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
        attrs[a.prefix === '' ? a.local : `{${a.uri}}${a.local}`] = a.value;
      }
      const el: OpenElement = { ns: tag.uri, name: tag.local, attrs, children: [], text: '', scope };
      if (parent) parent.children.push(el);
      else this.root = el;
      this.stack.push(el);
    });
    const addText = (t: string) => {
      const open = this.stack[this.stack.length - 1];
      if (open) open.text += t;
    };
    p.on('text', addText);
    p.on('cdata', addText);
    p.on('closetag', (tag) => {
      this.lastClosed = tag.name;
      const el = this.stack.pop()!;
      if (el.text !== '') el.text = el.text.trim();
    });
  }

  /**
   * After saxes's "unexpected close tag": which end tag came where which was expected, so the caller can find
   * the typo (saxes names neither). saxes fails right after the end tag's `>`, so the offending end tag is the
   * last `</` before that `>` (searching from the `>` itself, not from the character after it, which may already
   * be the next end tag in compact XML).
   */
  mismatch(xml: string): string | undefined {
    const gt = this.parser.position - 1;
    const at = gt < 0 ? -1 : xml.lastIndexOf('</', gt);
    const found = at === -1 ? undefined : /^<\/([^\s>]+)/.exec(xml.slice(at, at + 300))?.[1];
    return found && this.lastClosed ? `end tag </${found}> where </${this.lastClosed}> was expected` : undefined;
  }

  read(xml: string): XmlElement {
    this.lastClosed = '';
    this.stack = [];
    this.root = undefined;
    this.parser.write(xml).close();
    const root = this.root;
    this.root = undefined;
    if (!root) throw new DombridgeFault('XML_MALFORMED', { detail: 'a document needs exactly one root element' });
    return root;
  }
}

function declaresPrefix(ns: Record<string, string>): boolean {
  for (const _ in ns) return true;
  return false;
}

/** saxes says "LINE:COLUMN: message."; we say "message (line L, column C)", naming a mismatched end tag. */
function saxesDetail(e: unknown, mismatch: string | undefined): string {
  const msg = e instanceof Error ? e.message : 'unreadable';
  const m = /^(\d+):(\d+): (.*?)\.?$/s.exec(msg);
  if (!m) return msg.replace(/\.$/, '');
  const what = m[3] === 'unexpected close tag' && mismatch ? mismatch : m[3];
  return `${what} (line ${m[1]}, column ${m[2]})`;
}

/** Resolves a QName-valued attribute (xsi:type="_wcf:ApplicationAreaType") against the element's scope. */
export function resolveQNameValue(el: XmlElement, value: string): [string, string] | undefined {
  const colon = value.indexOf(':');
  const prefix = colon === -1 ? '' : value.slice(0, colon);
  const uri = el.scope[prefix];
  return uri === undefined ? undefined : [uri, value.slice(colon + 1)];
}
