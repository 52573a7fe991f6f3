import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/xml-element.js';
import { resolveQNameValue } from '../xml/xml-reader.js';

/**
 * Writes an element tree as indented XML for fixture files (what `--update` and `record` write): every namespace
 * declared once on the root with the prefix Commerce uses, one element per line. `rewrite` may replace a text or
 * attribute value (e.g. by `${orderId}`); values come in unescaped and are escaped here.
 */
const PREFERRED: Readonly<Record<string, string>> = {
  [NS.oa]: 'oa', [NS.wcf]: '_wcf', [NS.inv]: '_inv', [NS.ord]: '_ord', [NS.xsi]: 'xsi',
  [NS.soap11]: 'soapenv', [NS.soap12]: 'soapenv', [NS.wsse]: 'wsse', [NS.wsu]: 'wsu', 'http://dombridge.dev/fault/1': 'dbf',
};

export type ValueRewrite = (value: string) => string;

function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escAttr(s: string): string {
  return escText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;').replace(/\r/g, '&#13;');
}

export function writePrettyXml(root: XmlElement, rewrite: ValueRewrite = (v) => v): string {
  const prefixOf = new Map<string, string>();
  const used = new Set<string>(['xml', 'xmlns']);
  const claim = (uri: string, wanted: string | undefined) => {
    if (prefixOf.has(uri) || uri === NS.xml) return;
    let p = wanted && !used.has(wanted) && /^[A-Za-z_][\w.-]*$/.test(wanted) ? wanted : '';
    for (let n = 1; !p; n++) if (!used.has(`ns${n}`)) p = `ns${n}`;
    prefixOf.set(uri, p);
    used.add(p);
  };
  const senderPrefix = (el: XmlElement, uri: string) => Object.keys(el.scope).find((k) => k !== '' && el.scope[k] === uri);
  const collect = (el: XmlElement) => {
    if (el.ns) claim(el.ns, PREFERRED[el.ns] ?? senderPrefix(el, el.ns));
    for (const k of Object.keys(el.attrs)) {
      const m = /^\{([^}]*)\}/.exec(k);
      if (m) claim(m[1]!, PREFERRED[m[1]!] ?? senderPrefix(el, m[1]!));
      if (k === `{${NS.xsi}}type`) {
        const q = resolveQNameValue(el, el.attrs[k]!);
        if (q) claim(q[0], PREFERRED[q[0]] ?? senderPrefix(el, q[0]));
      }
    }
    if (el.name === 'faultcode' || (el.ns === NS.soap12 && el.name === 'Value')) {
      const q = resolveQNameValue(el, el.text);
      if (q) claim(q[0], PREFERRED[q[0]] ?? senderPrefix(el, q[0]));
    }
    el.children.forEach(collect);
  };
  collect(root);

  const qname = (ns: string, local: string) => (ns === NS.xml ? `xml:${local}` : ns ? `${prefixOf.get(ns)}:${local}` : local);
  const qvalue = (el: XmlElement, value: string) => {
    const q = resolveQNameValue(el, value.trim());
    return q ? qname(q[0], q[1]) : value;
  };
  const out: string[] = [];
  const walk = (el: XmlElement, depth: number) => {
    const indent = '  '.repeat(depth);
    let attrs = '';
    for (const k of Object.keys(el.attrs)) {
      const m = /^\{([^}]*)\}(.*)$/.exec(k);
      const name = m ? qname(m[1]!, m[2]!) : k;
      const value = k === `{${NS.xsi}}type` ? qvalue(el, el.attrs[k]!) : rewrite(el.attrs[k]!);
      attrs += ` ${name}="${escAttr(value)}"`;
    }
    if (depth === 0) attrs += [...prefixOf].map(([uri, p]) => `\n    xmlns:${p}="${escAttr(uri)}"`).join('');
    const name = qname(el.ns, el.name);
    const text = el.name === 'faultcode' || (el.ns === NS.soap12 && el.name === 'Value') ? qvalue(el, el.text) : el.text === '' ? '' : rewrite(el.text);
    if (el.children.length === 0) {
      out.push(text === '' ? `${indent}<${name}${attrs}/>` : `${indent}<${name}${attrs}>${escText(text)}</${name}>`);
      return;
    }
    out.push(`${indent}<${name}${attrs}>`);
    if (text !== '') out.push(`${indent}  ${escText(text)}`);
    for (const c of el.children) walk(c, depth + 1);
    out.push(`${indent}</${name}>`);
  };
  walk(root, 0);
  return out.join('\n') + '\n';
}
