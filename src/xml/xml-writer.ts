import { BOD_ROOT_XMLNS, OUTPUT_PREFIX } from './namespaces.js';
import type { XmlElement } from './xml-element.js';

const TEXT_SPECIAL = /[&<>]/;
const ATTR_SPECIAL = /[&<>"]/;

/** Escapes character data. The test-first path keeps the common (nothing to escape) case allocation-free. */
export function escText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escAttr(s: string): string {
  if (!ATTR_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<p:name>text</p:name>`, or '' when the value is absent: optional elements vanish. */
export function leaf(qname: string, value: string | number | undefined | null, attrs = ''): string {
  if (value === undefined || value === null || value === '') return '';
  return `<${qname}${attrs}>${escText(String(value))}</${qname}>`;
}

/**
 * Serializes a parsed element (a BOD forwarded to DOM, a noun DOM answered) with our prefixes.
 * Namespaces outside the contract get ns1, ns2 … declared where first used.
 */
export function writeElement(el: XmlElement, rename?: { ns: string; name: string }): string {
  const extra = new Map<string, string>();
  return write(el, rename, extra, true);
}

function prefixFor(ns: string, extra: Map<string, string>, decls: string[]): string {
  if (ns === '') return '';
  const known = OUTPUT_PREFIX[ns];
  if (known) return known + ':';
  let p = extra.get(ns);
  if (!p) {
    p = `ns${extra.size + 1}`;
    extra.set(ns, p);
    decls.push(` xmlns:${p}="${escAttr(ns)}"`);
  }
  return p + ':';
}

function write(el: XmlElement, rename: { ns: string; name: string } | undefined, extra: Map<string, string>, top: boolean): string {
  const decls: string[] = [];
  const ns = rename?.ns ?? el.ns;
  const qn = prefixFor(ns, extra, decls) + (rename?.name ?? el.name);
  let attrs = '';
  for (const k in el.attrs) {
    const v = el.attrs[k]!;
    if (k.startsWith('{')) {
      const end = k.indexOf('}');
      const ans = k.slice(1, end);
      attrs += ` ${prefixFor(ans, extra, decls)}${k.slice(end + 1)}="${escAttr(rewriteQNameValue(el, ans, k.slice(end + 1), v, extra, decls))}"`;
    } else attrs += ` ${k}="${escAttr(v)}"`;
  }
  let body = el.text ? escText(el.text) : '';
  for (const c of el.children) body += write(c, undefined, extra, false);
  // The top element declares our prefixes, so what is written stands alone wherever it is placed.
  return `<${qn}${top ? BOD_ROOT_XMLNS : ''}${decls.join('')}${attrs}>${body}</${qn}>`;
}

/** xsi:type values are QNames in the sender's prefixes; rewrite them into ours so the echo stays valid. */
function rewriteQNameValue(el: XmlElement, ans: string, aname: string, v: string, extra: Map<string, string>, decls: string[]): string {
  if (ans !== 'http://www.w3.org/2001/XMLSchema-instance' || aname !== 'type') return v;
  const colon = v.indexOf(':');
  const uri = el.scope[colon === -1 ? '' : v.slice(0, colon)];
  if (uri === undefined) return v;
  return prefixFor(uri, extra, decls) + v.slice(colon + 1);
}
