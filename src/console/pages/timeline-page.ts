import type { TimelineEvent, TimelineKind } from '../../operations/operations-queries.js';
import { html } from '../html.js';
import { layout, messageLink, shortTime, statusBadge, type PageContext } from './layout.js';

/** Who talks to whom in each kind of event (a BOD in comes from the storefront or, for DOM's callbacks, from DOM). */
const FLOW: Readonly<Record<TimelineKind, string>> = {
  'bod-in': 'in, to dombridge',
  'bod-out': 'dombridge → DOM',
  outbox: 'outbox → DOM',
  status: 'order status',
  email: 'e-mail to customer',
};

/** One order's story in time order; each message a click away from its raw XML. */
export function timelinePage(ctx: PageContext, orderId: string, events: readonly TimelineEvent[]): string {
  const body = events.length === 0
    ? html`<p class="empty">Nothing recorded for order <span class="mono">${orderId}</span>.</p>`
    : html`<p class="muted">${events.length} events · <a href="/console/messages?order=${encodeURIComponent(orderId)}">messages of this order</a></p>
<ol class="timeline" id="timeline">
${events.map((e) => html`<li class="ev k-${e.kind}">
  <span class="when nowrap">${shortTime(e.at)}</span>
  <span class="flow">${FLOW[e.kind]}</span>
  <span class="what">${e.title} ${e.kind === 'status' ? '' : statusBadge(e.status)}</span>
  <span class="more">${e.messageId ? html`${messageLink(e.messageId)} <a href="/console/messages/${encodeURIComponent(e.messageId)}#request-xml">XML</a>` : ''}${e.bodId ? html` <span class="mono muted clip" title="${e.bodId}">${e.bodId}</span>` : ''}${e.detail ? html` <span class="detail">${e.detail}</span>` : ''}</span>
</li>`)}
</ol>`;
  return layout(ctx, 'orders', `Order ${orderId}`, body, orderId);
}

export function orderSearchPage(ctx: PageContext): string {
  return layout(ctx, 'orders', 'Order timeline', html`<p>Type an order id into the box at the top of any page.</p>`);
}
