import { html, query, seg, type HtmlValue, type SafeHtml } from '../html.js';
import type { MessageSummary } from '../../operations/operations-queries.js';

/** What every page needs besides its body: who is signed in and the token its forms carry (console-security.ts). */
export interface PageContext {
  readonly user: string;
  readonly csrf: string;
}

export type Section = 'overview' | 'messages' | 'orders' | 'dead-letters';

const NAV: readonly [Section, string, string][] = [
  ['overview', 'Overview', '/console/'],
  ['messages', 'Messages', '/console/messages'],
  ['dead-letters', 'Dead letters', '/console/dead-letters'],
];

/** The page around a body: header with the sections and the order search box (every page), the served CSS and JS. */
export function layout(ctx: PageContext, section: Section, title: string, body: SafeHtml, orderId = ''): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · dombridge console</title>
<link rel="stylesheet" href="/console/console.css">
<script src="/console/console.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/console/">dombridge</a>
  <nav>${NAV.map(([s, label, href]) => html`<a href="${href}"${s === section ? html` class="current" aria-current="page"` : ''}>${label}</a>`)}</nav>
  <form class="search" method="get" action="/console/orders" role="search">
    <label for="order-search">Order</label>
    <input id="order-search" name="id" placeholder="order id" value="${orderId}" autocomplete="off">
    <button type="submit">Timeline</button>
  </form>
  <span class="user">${ctx.user}</span>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text;
}

/** A form posting to the console with its anti-forgery token. */
export function postForm(ctx: PageContext, action: string, inner: HtmlValue, attrs: SafeHtml | '' = ''): SafeHtml {
  return html`<form method="post" action="${action}"${attrs}><input type="hidden" name="csrf" value="${ctx.csrf}">${inner}</form>`;
}

export function statusBadge(status: string | null | undefined): SafeHtml {
  if (!status) return html``;
  return html`<span class="badge s-${status.replace(/[^a-z-]/gi, '')}">${status}</span>`;
}

export function messageLink(id: string | null | undefined): SafeHtml {
  return id ? html`<a class="mono" href="/console/messages/${seg(id)}">${id}</a>` : html``;
}

export function orderLink(orderId: string | null | undefined): SafeHtml {
  return orderId ? html`<a class="mono" href="/console/orders${query({ id: orderId })}">${orderId}</a>` : html`<span class="muted">—</span>`;
}

/** 2026-05-01T10:11:12.345Z → 2026-05-01 10:11:12 (UTC, as the records keep it). */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, '') : '';
}

/** The messages table of the Messages page and the overview's last errors; `select` adds a checkbox per resendable row. */
export function messageTable(items: readonly MessageSummary[], opts: { select?: boolean } = {}): SafeHtml {
  if (items.length === 0) return html`<p class="empty">No messages.</p>`;
  return html`<table class="grid">
<thead><tr>${opts.select ? html`<th class="pick"><input type="checkbox" data-select-all aria-label="select all"></th>` : ''}<th>Id</th><th>Time (UTC)</th><th>Dir</th><th>Operation</th><th>Status</th><th>Code</th><th>BODID</th><th>Order</th><th>Item</th></tr></thead>
<tbody>
${items.map((m) => html`<tr>${opts.select ? html`<td class="pick"><input type="checkbox" name="id" value="${m.id}" aria-label="select ${m.id}"></td>` : ''}<td>${messageLink(m.id)}</td><td class="nowrap">${shortTime(m.createdAt)}</td><td>${m.direction}</td><td>${m.operation}</td><td>${statusBadge(m.status)}</td><td class="mono">${m.code ?? ''}</td><td class="mono">${m.bodId ? html`<span class="clip" title="${m.bodId}">${m.bodId}</span>` : ''}</td><td>${orderLink(m.orderId)}</td><td class="mono nowrap">${m.partNumber ?? ''}</td></tr>
`)}</tbody>
</table>`;
}
