import { NS } from '../xml/namespaces.js';
import { child, childrenNamed, childText, type XmlElement } from '../xml/xml-element.js';
import { escText, leaf } from '../xml/xml-writer.js';
import { randomUUID } from 'node:crypto';

/** What dombridge reads from a request's ApplicationArea. Everything is optional: real senders omit most of it. */
export interface ApplicationArea {
  readonly senderLogicalId: string | undefined;
  readonly creationDateTime: string | undefined;
  readonly bodId: string | undefined;
  /** _wcf:BusinessContext/_wcf:ContextData by name (storeId, langId, currency, …). */
  readonly context: Readonly<Record<string, string>>;
}

export const EMPTY_APPLICATION_AREA: ApplicationArea = { senderLogicalId: undefined, creationDateTime: undefined, bodId: undefined, context: {} };

/**
 * Finds the ApplicationArea in either form Commerce accepts: `oa:ApplicationArea` (often with
 * xsi:type="_wcf:ApplicationAreaType") or the substitution element `_wcf:ApplicationArea` that DOM sends.
 */
export function findApplicationArea(bodRoot: XmlElement): XmlElement | undefined {
  return child(bodRoot, NS.oa, 'ApplicationArea') ?? child(bodRoot, NS.wcf, 'ApplicationArea');
}

export function readApplicationArea(el: XmlElement | undefined): ApplicationArea {
  if (!el) return EMPTY_APPLICATION_AREA;
  const context: Record<string, string> = {};
  for (const cd of childrenNamed(child(el, NS.wcf, 'BusinessContext'), NS.wcf, 'ContextData')) {
    const name = cd.attrs['name'];
    if (name) context[name] = cd.text;
  }
  return {
    senderLogicalId: childText(child(el, NS.oa, 'Sender'), NS.oa, 'LogicalID'),
    creationDateTime: childText(el, NS.oa, 'CreationDateTime'),
    bodId: childText(el, NS.oa, 'BODID'),
    context,
  };
}

export function nowIso(): string {
  return isoTime(Date.now());
}

/** Recent conversions; cleared when full. */
const isoCache = new Map<number, string>();

/**
 * An epoch-ms time as ISO 8601, the recent ones remembered: under load many answers are written within the same
 * millisecond, and a cached availability record answers many requests with the same times. The conversion was a
 * measurable part of a cache-hit answer.
 */
export function isoTime(ms: number): string {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size >= 1024) isoCache.clear();
    iso = new Date(ms).toISOString();
    isoCache.set(ms, iso);
  }
  return iso;
}

/**
 * The ApplicationArea of a BOD dombridge writes: a fresh BODID and the creation time. `typed` = false writes the
 * plain OAGIS form (for oa:ConfirmBOD, whose schema knows no _wcf types); a BusinessContext needs the typed form.
 */
export function writeApplicationArea(bodId: string = randomUUID(), created: string = nowIso(), context?: Readonly<Record<string, string>>, typed = true): string {
  return `<oa:ApplicationArea${typed ? ' xsi:type="_wcf:ApplicationAreaType"' : ''}><oa:CreationDateTime>${created}</oa:CreationDateTime><oa:BODID>${escText(bodId)}</oa:BODID>${typed ? writeBusinessContext(context) : ''}</oa:ApplicationArea>`;
}

export function writeBusinessContext(context: Readonly<Record<string, string>> | undefined): string {
  if (!context) return '';
  let s = '';
  for (const k in context) s += `<_wcf:ContextData name="${escText(k)}">${escText(context[k]!)}</_wcf:ContextData>`;
  return s ? `<_wcf:BusinessContext>${s}</_wcf:BusinessContext>` : '';
}

/**
 * The echo of the request's ApplicationArea in a response. When the sender gave no CreationDateTime (DOM often
 * does not) the time dombridge received it stands in, since the schema requires one.
 */
export function writeOriginalApplicationArea(aa: ApplicationArea, receivedAt: string, withContext = false): string {
  const sender = aa.senderLogicalId ? `<oa:Sender>${leaf('oa:LogicalID', aa.senderLogicalId)}</oa:Sender>` : '';
  const ctx = withContext ? writeBusinessContext(aa.context) : '';
  const type = withContext ? ' xsi:type="_wcf:ApplicationAreaType"' : '';
  return `<oa:OriginalApplicationArea${type}>${sender}${leaf('oa:CreationDateTime', aa.creationDateTime ?? receivedAt)}${leaf('oa:BODID', aa.bodId)}${ctx}</oa:OriginalApplicationArea>`;
}
