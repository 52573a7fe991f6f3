/**
 * How each SOAP stack spells a BOD tree (bod-tree.ts) on the wire, as clients generated from Commerce's WSDLs do.
 *
 * `jaxb` — JAX-WS (wsimport) with JAXB: the `S:` envelope; every namespace the JAXB context knows declared once, on
 *   the BOD root, with generated prefixes ns2, ns3 …; empty strings as `<ns4:Comments></ns4:Comments>`; xs:double
 *   printed with a decimal point ("2.0"); dates as XMLGregorianCalendar prints them (milliseconds and zone).
 * `jaxb-default-ns` — the same, with the component namespace (_inv or _ord) as the default namespace, as JAXB
 *   writes it when a package-level @XmlSchema gives it the empty prefix.
 * `dotnet` — .NET's XmlSerializer (wsdl.exe / svcutil proxies): the `soap:` envelope declaring xsi and xsd; no
 *   prefixes chosen up front: each element whose namespace differs from its parent's redeclares the default
 *   namespace (`<ApplicationArea xmlns="…oagis/9">`), unless a prefix for it is already in scope, which
 *   XmlWriter then reuses; the xsi:type value gets its own prefix (`xmlns:q1`), so the foundation elements
 *   inside that ApplicationArea come out as `q1:BusinessContext`; empty strings as `<Comments />`; xs:double
 *   without a decimal point ("2"); dates with seven fraction digits.
 * zeep's form is covered by the generated-client test (test/server/generated-clients.test.ts).
 */
import { NAMESPACES, type Node, type NsKey, type Value } from './bod-tree.js';

export type ClientStack = 'jaxb' | 'jaxb-default-ns' | 'dotnet';
export const CLIENT_STACKS: readonly ClientStack[] = ['jaxb', 'jaxb-default-ns', 'dotnet'];

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';

const escText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string): string => escText(s).replace(/"/g, '&quot;');

function jaxbValue(v: Value): string {
  if (typeof v === 'string') return escText(v);
  if ('double' in v) return Number.isInteger(v.double) ? `${v.double}.0` : String(v.double);
  if ('integer' in v) return String(v.integer);
  return v.dateTime.toISOString();
}

function dotnetValue(v: Value): string {
  if (typeof v === 'string') return escText(v);
  if ('double' in v) return String(v.double);
  if ('integer' in v) return String(v.integer);
  return v.dateTime.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function attrs(a: Readonly<Record<string, string>>): string {
  return Object.entries(a).map(([k, v]) => ` ${k}="${escAttr(v)}"`).join('');
}

/** JAXB: one prefix per namespace, all declared on the root; the component namespace may be the default one. */
function jaxb(root: Node, defaultNs: boolean): string {
  const component = root.ns;
  // The JAXB context of an inventory service also knows the order package (InventoryRequirement is an OrderType).
  const order: NsKey[] = component === 'inv' ? ['oa', 'wcf', 'inv', 'ord'] : ['oa', 'wcf', 'ord'];
  const prefix = new Map<NsKey, string>();
  let n = 2;
  for (const k of order) prefix.set(k, defaultNs && k === component ? '' : `ns${n++}`);
  const decls = order.map((k) => (prefix.get(k) ? ` xmlns:${prefix.get(k)}="${NAMESPACES[k]}"` : ` xmlns="${NAMESPACES[k]}"`)).join('') + ` xmlns:xsi="${XSI}"`;
  const q = (k: NsKey, local: string) => (prefix.get(k) ? `${prefix.get(k)}:${local}` : local);
  const write = (e: Node, isRoot: boolean): string => {
    const name = q(e.ns, e.name);
    const open = `<${name}${isRoot ? decls : ''}${attrs(e.attrs)}${e.xsiType ? ` xsi:type="${q(e.xsiType[0], e.xsiType[1])}"` : ''}`;
    if (e.nil) return `${open} xsi:nil="true"/>`;
    const inner = e.text !== undefined ? jaxbValue(e.text) : e.children.map((c) => write(c, false)).join('');
    return `${open}>${inner}</${name}>`;
  };
  return `<?xml version='1.0' encoding='UTF-8'?><S:Envelope xmlns:S="${SOAP11}"><S:Body>${write(root, true)}</S:Body></S:Envelope>`;
}

interface Scope {
  readonly defaultNs: string;
  /** namespace URI → prefix in scope. */
  readonly prefixes: ReadonlyMap<string, string>;
}

/** .NET XmlSerializer: default-namespace redeclarations per element, in-scope prefixes reused. */
function dotnet(root: Node): string {
  let q = 0;
  const write = (e: Node, scope: Scope): string => {
    const uri = NAMESPACES[e.ns];
    let name = e.name;
    let defaultNs = scope.defaultNs;
    const prefixes = new Map(scope.prefixes);
    let decl = '';
    if (uri !== scope.defaultNs) {
      const p = scope.prefixes.get(uri);
      if (p) name = `${p}:${e.name}`;
      else {
        defaultNs = uri;
        decl = ` xmlns="${uri}"`;
      }
    }
    let typeAttr = '';
    if (e.xsiType) {
      const typeUri = NAMESPACES[e.xsiType[0]];
      let p = prefixes.get(typeUri);
      if (!p && typeUri !== defaultNs) {
        p = `q${++q}`;
        prefixes.set(typeUri, p);
        typeAttr += ` xmlns:${p}="${typeUri}"`;
      }
      typeAttr += ` xsi:type="${p ? `${p}:` : ''}${e.xsiType[1]}"`;
    }
    const open = `<${name}${attrs(e.attrs)}${typeAttr}${decl}`;
    if (e.nil) return `${open} xsi:nil="true" />`;
    if (e.text === '' || (e.text === undefined && e.children.length === 0)) return `${open} />`;
    const inner = e.text !== undefined ? dotnetValue(e.text) : e.children.map((c) => write(c, { defaultNs, prefixes })).join('');
    return `${open}>${inner}</${name}>`;
  };
  const body = write(root, { defaultNs: '', prefixes: new Map([[XSI, 'xsi'], [XSD, 'xsd']]) });
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}" xmlns:xsi="${XSI}" xmlns:xsd="${XSD}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** The SOAP 1.1 request document the stack sends for a BOD tree. */
export function serialize(stack: ClientStack, root: Node): string {
  return stack === 'dotnet' ? dotnet(root) : jaxb(root, stack === 'jaxb-default-ns');
}
