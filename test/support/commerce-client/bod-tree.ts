/**
 * The BODs a client generated from Commerce's own WSDLs sends, as a small element tree that knows each element's
 * namespace but not how it is spelled: the stack (JAXB, .NET; see client-stacks.ts) chooses prefixes, default
 * namespaces, number and date formats, as the real marshallers do. Built by hand from the facts of Commerce's XSDs,
 * never with dombridge's own writers, so a test sees where dombridge's reading of the contract and Commerce's differ.
 *
 * Facts every builder here follows:
 * - Every element is namespace-qualified (elementFormDefault="qualified" in all of Commerce's schemas): a local
 *   element takes the namespace of the schema that declares its parent's type, so the children of an
 *   `_ord:CatalogEntryIdentifier` (type `_wcf:CatalogEntryIdentifierType`) are `_wcf:` elements.
 * - Elements come in the order of their type's xsd:sequence; a property that is null is left out, a String property
 *   set to "" is an empty element (`leaf(…, '')`).
 * - The BOD root is `oa:BusinessObjectDocumentType` + DataArea, `releaseID` required; the ApplicationArea element is
 *   OAGIS's, its value Commerce's subtype `_wcf:ApplicationAreaType`, so the marshaller names the type with
 *   xsi:type and `_wcf:BusinessContext` follows the OAGIS children (CreationDateTime, BODID).
 * - The verbs: `oa:Get` holds `oa:Expression`+; `oa:Change`, `oa:Process`, `oa:Sync` hold
 *   `oa:ActionCriteria/oa:ActionExpression[@actionCode]`.
 */

export const NAMESPACES = {
  oa: 'http://www.openapplications.org/oagis/9',
  wcf: 'http://www.ibm.com/xmlns/prod/commerce/9/foundation',
  inv: 'http://www.ibm.com/xmlns/prod/commerce/9/inventory',
  ord: 'http://www.ibm.com/xmlns/prod/commerce/9/order',
} as const;

export type NsKey = keyof typeof NAMESPACES;

/** A typed value the stack formats its own way (JAXB writes the double 2 as "2.0", .NET as "2"). */
export type Value = string | { readonly double: number } | { readonly dateTime: Date } | { readonly integer: number };

export interface Node {
  readonly ns: NsKey;
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** xsi:type naming a type in one of the BOD namespaces. */
  readonly xsiType?: readonly [NsKey, string];
  /** xsi:nil="true" (only stacks with nillable bindings write it). */
  readonly nil?: boolean;
  readonly children: readonly Node[];
  readonly text?: Value;
}

/** Content: nodes, with undefined/false/'' for "nothing here" (a null property), and nested lists. */
export type Content = Node | undefined | false | '' | readonly Content[];

function flatten(c: Content, out: Node[] = []): Node[] {
  if (Array.isArray(c)) for (const x of c) flatten(x, out);
  else if (c) out.push(c as Node);
  return out;
}

/**
 * An element with element content; left out (undefined) when it would be empty and `keepEmpty` is not set, as a
 * marshaller leaves out a null object property.
 */
export function el(ns: NsKey, name: string, content: Content, attrs: Record<string, string> = {}, opts: { keepEmpty?: boolean; xsiType?: readonly [NsKey, string] } = {}): Node | undefined {
  const children = flatten(content);
  if (children.length === 0 && !opts.keepEmpty && Object.keys(attrs).length === 0) return undefined;
  return { ns, name, attrs, children, ...(opts.xsiType ? { xsiType: opts.xsiType } : {}) };
}

/** An element with text; undefined leaves it out (null property), "" writes it empty (a String set to ""). */
export function leaf(ns: NsKey, name: string, value: Value | number | undefined, attrs: Record<string, string> = {}): Node | undefined {
  if (value === undefined) return undefined;
  return { ns, name, attrs, children: [], text: typeof value === 'number' ? String(value) : value };
}

export function nil(ns: NsKey, name: string): Node {
  return { ns, name, attrs: {}, children: [], nil: true };
}

export interface CommonOptions {
  readonly storeId?: string;
  readonly bodId?: string;
  readonly langId?: string;
}

let seq = 0;

/** oa:ApplicationArea with Commerce's subtype named by xsi:type: CreationDateTime, BODID, then _wcf:BusinessContext. */
export function applicationArea(o: CommonOptions): Node {
  return el('oa', 'ApplicationArea', [
    leaf('oa', 'CreationDateTime', { dateTime: new Date() }),
    leaf('oa', 'BODID', o.bodId ?? `client-${process.pid}-${++seq}`),
    el('wcf', 'BusinessContext', [
      leaf('wcf', 'ContextData', o.storeId ?? '10201', { name: 'storeId' }),
      leaf('wcf', 'ContextData', o.langId ?? '-1', { name: 'langId' }),
    ]),
  ], {}, { xsiType: ['wcf', 'ApplicationAreaType'] })!;
}

/** The BOD root: releaseID (required) and versionID (the noun's BODVersion, 7.0.0.0 for these nouns), then DataArea. */
export function bod(component: 'inv' | 'ord', root: string, o: CommonOptions, verb: Node, nouns: Content): Node {
  return el(component, root, [applicationArea(o), el(component, 'DataArea', [verb, nouns])], { releaseID: '9.0', versionID: '7.0.0.0' })!;
}

export function getVerb(expressions: readonly string[]): Node {
  return el('oa', 'Get', expressions.map((x) => leaf('oa', 'Expression', x, { expressionLanguage: '_wcf:XPath' })))!;
}

export function actionVerb(verb: 'Change' | 'Process' | 'Sync', actionCode: string, expression: string): Node {
  return el('oa', verb, el('oa', 'ActionCriteria', leaf('oa', 'ActionExpression', expression, { actionCode, expressionLanguage: '_wcf:XPath' })))!;
}

/** _wcf:CatalogEntryIdentifierType: UniqueID?, ExternalIdentifier{PartNumber}? (the element's own namespace varies). */
export function catalogEntryIdentifier(ns: NsKey, i: { readonly catentryId?: string; readonly partNumber?: string }): Node | undefined {
  return el(ns, 'CatalogEntryIdentifier', [leaf('wcf', 'UniqueID', i.catentryId), el('wcf', 'ExternalIdentifier', leaf('wcf', 'PartNumber', i.partNumber))]);
}
