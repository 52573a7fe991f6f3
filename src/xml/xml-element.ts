/**
 * The namespace-resolved element tree every BOD is read into. Names are (namespace URI, local name) pairs,
 * so a client's choice of prefixes (or a default namespace) never matters to the code that reads BODs.
 */
export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  /** Unqualified attributes by local name; qualified ones as `{uri}local` (e.g. xsi:type). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text, trimmed (text of children is not included). */
  readonly text: string;
  /** In-scope prefix → URI map, needed only to resolve QName-valued attributes such as xsi:type. */
  readonly scope: Readonly<Record<string, string>>;
}

export function child(el: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.name === name && c.ns === ns) return c;
  return undefined;
}

export function childrenNamed(el: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  if (!el) return [];
  return el.children.filter((c) => c.name === name && c.ns === ns);
}

/** Follows a path of (ns, name) steps, first match at each step. */
export function path(el: XmlElement | undefined, ...steps: ReadonlyArray<readonly [string, string]>): XmlElement | undefined {
  let cur = el;
  for (const [ns, name] of steps) {
    cur = child(cur, ns, name);
    if (!cur) return undefined;
  }
  return cur;
}

/** Text of a child, or undefined when the child is absent or empty. */
export function childText(el: XmlElement | undefined, ns: string, name: string): string | undefined {
  const c = child(el, ns, name);
  return c && c.text !== '' ? c.text : undefined;
}

export function qualifiedAttr(el: XmlElement, ns: string, name: string): string | undefined {
  return el.attrs[`{${ns}}${name}`];
}
