import type { MessageFilter, MessagePage } from '../../operations/operations-queries.js';
import type { MessageStatus } from '../../store/store.js';
import { html, query } from '../html.js';
import { layout, messageTable, type PageContext } from './layout.js';

export const STATUSES: readonly MessageStatus[] = ['processed', 'rejected', 'faulted', 'failed', 'received', 'applied', 'queued', 'sent', 'acknowledged', 'dead'];

/** The filters as they came in the URL (strings, for the form and the paging links) and as the read API takes them. */
export interface MessageQuery {
  readonly raw: Readonly<Record<string, string>>;
  readonly filter: MessageFilter;
  /** What could not be read (shown above the table; the filter leaves it out). */
  readonly problems: readonly string[];
}

const FIELDS = ['status', 'direction', 'operation', 'since', 'until', 'bodid', 'order', 'part'] as const;
const PAGE = 50;

/** Reads the Messages page's URL: every filter is a plain query parameter, so a filtered list is a URL to paste. */
export function readMessageQuery(q: URLSearchParams): MessageQuery {
  const raw: Record<string, string> = {};
  for (const k of [...FIELDS, 'offset']) {
    const v = q.get(k)?.trim();
    if (v) raw[k] = v;
  }
  const problems: string[] = [];
  const statuses = (raw['status'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = statuses.filter((s) => !STATUSES.includes(s as MessageStatus));
  if (unknown.length) problems.push(`unknown status ${unknown.join(', ')}`);
  const known = statuses.filter((s) => STATUSES.includes(s as MessageStatus)) as MessageStatus[];
  const time = (name: 'since' | 'until') => {
    const v = raw[name];
    if (!v) return undefined;
    // datetime-local gives 2026-05-01T10:11 without a zone: the console shows UTC, so it is read as UTC.
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
    if (Number.isNaN(ms)) problems.push(`${name} is not a time`);
    return Number.isNaN(ms) ? undefined : ms;
  };
  const direction = raw['direction'] === 'in' || raw['direction'] === 'out' ? raw['direction'] : undefined;
  if (raw['direction'] && !direction) problems.push('direction is in or out');
  const since = time('since');
  const until = time('until');
  const offset = Math.max(0, Math.floor(Number(raw['offset'] ?? 0)) || 0);
  const filter: MessageFilter = {
    limit: PAGE, offset,
    ...(known.length ? { status: known } : {}),
    ...(direction ? { direction } : {}),
    ...(raw['operation'] ? { operation: raw['operation'] } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(raw['bodid'] ? { bodId: raw['bodid'] } : {}),
    ...(raw['order'] ? { orderId: raw['order'] } : {}),
    ...(raw['part'] ? { partNumber: raw['part'] } : {}),
  };
  return { raw, filter, problems };
}

export function messagesPage(ctx: PageContext, mq: MessageQuery, page: MessagePage): string {
  const r = mq.raw;
  const keep = (offset: number) => `/console/messages${query({ ...r, offset: offset || undefined })}`;
  const statusOption = (value: string, label: string) => html`<option value="${value}"${(r['status'] ?? '') === value ? html` selected` : ''}>${label}</option>`;
  const known = ['', 'rejected,faulted,failed,dead', ...STATUSES];
  const body = html`
<form class="filters" method="get" action="/console/messages">
  <label>Status <select name="status">
    ${statusOption('', 'any')}${statusOption('rejected,faulted,failed,dead', 'any error')}
    ${STATUSES.map((s) => statusOption(s, s))}
    ${r['status'] && !known.includes(r['status']) ? statusOption(r['status'], r['status']) : ''}
  </select></label>
  <label>Direction <select name="direction">
    <option value="">any</option><option value="in"${r['direction'] === 'in' ? html` selected` : ''}>in</option><option value="out"${r['direction'] === 'out' ? html` selected` : ''}>out</option>
  </select></label>
  <label>Operation <input name="operation" value="${r['operation'] ?? ''}" placeholder="ChangeOrder" size="13"></label>
  <label>BODID <input name="bodid" value="${r['bodid'] ?? ''}" size="18"></label>
  <label>Order <input name="order" value="${r['order'] ?? ''}" size="9"></label>
  <label>Part number <input name="part" value="${r['part'] ?? ''}" size="11"></label>
  <label>Since (UTC) <input type="datetime-local" name="since" value="${r['since'] ?? ''}" step="1"></label>
  <label>Until (UTC) <input type="datetime-local" name="until" value="${r['until'] ?? ''}" step="1"></label>
  <button type="submit">Filter</button>
  <a href="/console/messages">Clear</a>
</form>
${mq.problems.length ? html`<p class="notice error">Left out of the filter: ${mq.problems.join('; ')}.</p>` : ''}
${messageTable(page.items)}
<nav class="pager">
  ${page.offset > 0 ? html`<a href="${keep(Math.max(0, page.offset - page.limit))}">← Newer</a>` : ''}
  <span class="muted">${page.items.length ? `${page.offset + 1}–${page.offset + page.items.length}` : ''}</span>
  ${page.more ? html`<a href="${keep(page.offset + page.limit)}">Older →</a>` : ''}
</nav>`;
  return layout(ctx, 'messages', 'Messages', body);
}
