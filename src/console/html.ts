/**
 * The console's one escaping helper. Pages are written as `html\`…\`` templates: every interpolated value is
 * escaped for HTML text and attribute values (quotes included) unless it is itself the result of `html` (or of
 * `raw`, used only for markup built here, never for data). Arrays are joined; null and undefined print nothing.
 * So data from the records (BODIDs, order ids, notes, XML) cannot open a tag or leave an attribute.
 */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup made by this module's callers from constants only (never data). */
export function raw(text: string): SafeHtml {
  return new SafeHtml(text);
}

/** A query string from the defined, non-empty values (for links that keep a page's filters). */
export function query(params: Readonly<Record<string, string | number | undefined | null>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A path segment for a URL (message ids, order ids). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
