import type { MessageSummary } from '../../operations/operations-queries.js';
import type { ResendResult } from '../../operations/operations-actions.js';
import { html } from '../html.js';
import { layout, messageLink, messageTable, orderLink, postForm, type PageContext } from './layout.js';

/** Dead letters and failed DOM outbox messages, with a checkbox each: resend one, or all selected. */
export function deadLettersPage(ctx: PageContext, items: readonly MessageSummary[]): string {
  const body = items.length === 0
    ? html`<p class="empty">No dead letters and no failed DOM outbox messages.</p>`
    : postForm(ctx, '/console/resend', html`
<p>DOM outbox messages given up on (dead) or failed. Resending puts one back in the queue with its original BODID and
payload; the relay sends it at once and the attempt shows in the order's timeline.</p>
${messageTable(items, { select: true })}
<p class="actions"><button type="submit" id="resend-selected">Resend selected…</button></p>`, html` id="dead-letters"`);
  return layout(ctx, 'dead-letters', 'Dead letters and failed outbox messages', body);
}

/** The confirmation step (works without JavaScript): what will be resent, and one button to go on. */
export function confirmResendPage(ctx: PageContext, items: readonly MessageSummary[], missing: readonly string[]): string {
  const body = html`
<p>Resend ${items.length === 1 ? 'this message' : `these ${items.length} messages`} to DOM with ${items.length === 1 ? 'its' : 'their'} original BODID?</p>
${messageTable(items)}
${missing.length ? html`<p class="notice error">Not found: ${missing.join(', ')}</p>` : ''}
${items.length ? postForm(ctx, '/console/resend', html`${items.map((m) => html`<input type="hidden" name="id" value="${m.id}">`)}<input type="hidden" name="confirmed" value="yes">
<p class="actions"><button type="submit" id="confirm-resend">Yes, resend</button> <a href="/console/dead-letters">Cancel</a></p>`) : ''}`;
  return layout(ctx, 'dead-letters', 'Confirm resend', body);
}

export function resendResultPage(ctx: PageContext, results: readonly ResendResult[], orders: ReadonlyMap<string, string | null>): string {
  const body = html`<table class="grid" id="resend-results">
<thead><tr><th>Message</th><th>Order</th><th>Result</th><th></th></tr></thead>
<tbody>${results.map((r) => html`<tr><td>${messageLink(r.id)}</td><td>${orderLink(orders.get(r.id) ?? null)}</td><td><span class="badge ${r.ok ? 's-processed' : 's-failed'}">${r.outcome}</span></td><td>${r.message}</td></tr>`)}</tbody>
</table>
<p><a href="/console/dead-letters">Back to dead letters</a></p>`;
  return layout(ctx, 'dead-letters', 'Resend', body);
}
