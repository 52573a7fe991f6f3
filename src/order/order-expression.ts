/**
 * GetOrder's expression: `{_wcf.ap=IBM_Details}/Order[OrderIdentifier[(UniqueID='1' or UniqueID='2')]]`, the access
 * profile optional (IBM_Details, IBM_External_Details, IBM_Summary are all answered with the full order). Read by
 * a fixed pattern of tokens, never evaluated.
 */
export type OrderExpressionResult =
  | { ok: true; accessProfile?: string; orderIds: string[] }
  /** `position`, when known, is the 0-based offset of what could not be read; the reason never states it. */
  | { ok: false; reason: string; position?: number };

/** A rejected expression as a BOD error's detail, the position (if any) given once, as a 1-based character. */
export function orderExpressionErrorDetail(r: { readonly reason: string; readonly position?: number }): string {
  return r.position === undefined ? r.reason : `${r.reason} (at character ${r.position + 1})`;
}

const SHAPE = /^\s*(?:\{\s*_wcf\.ap\s*=\s*([A-Za-z_][\w.]*)\s*\})?\s*\/Order\s*\[\s*OrderIdentifier\s*\[\s*\(?\s*(.*?)\s*\)?\s*\]\s*\]\s*$/ds;
const VALUE = /^UniqueID\s*=\s*(?:'([^']*)'|"([^"]*)")\s*(?:or\s+|$)/;

export function parseOrderExpression(text: string): OrderExpressionResult {
  if (text.length > 4096) return { ok: false, reason: 'the expression is longer than 4096 characters' };
  const m = SHAPE.exec(text);
  if (!m) return { ok: false, reason: "expected {_wcf.ap=PROFILE}/Order[OrderIdentifier[(UniqueID='…')]]" };
  const ids: string[] = [];
  let rest = m[2]!;
  let at = m.indices![2]![0];
  while (rest.length) {
    const v = VALUE.exec(rest);
    if (!v) return { ok: false, reason: `cannot read "${rest.slice(0, 40)}": expected UniqueID='…' joined by or`, position: at };
    const id = v[1] ?? v[2] ?? '';
    if (id === '') return { ok: false, reason: 'an order UniqueID is empty' };
    ids.push(id);
    rest = rest.slice(v[0].length);
    at += v[0].length;
    if (ids.length > 100) return { ok: false, reason: 'at most 100 orders in one GetOrder' };
  }
  if (ids.length === 0) return { ok: false, reason: 'no UniqueID given' };
  return { ok: true, ...(m[1] ? { accessProfile: m[1] } : {}), orderIds: [...new Set(ids)] };
}
