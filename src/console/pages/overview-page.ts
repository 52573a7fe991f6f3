import type { Overview } from '../../operations/operations-queries.js';
import type { MinuteCounts } from '../../operations/request-rates.js';
import { html, type SafeHtml } from '../html.js';
import { layout, messageTable, postForm, shortTime, statusBadge, type PageContext } from './layout.js';

/** The overview: requests per minute by outcome, DOM and its last probe (probe now), the outboxes, the last errors. */
export function overviewPage(ctx: PageContext, o: Overview): string {
  const dom = o.dom;
  const probe = dom?.lastProbe ?? null;
  const body = html`
<section class="cards">
  <div class="card" id="dom-card">
    <h2>DOM</h2>
    <p class="big">${dom ? statusBadge(dom.state) : html`<span class="muted">not watched</span>`}</p>
    ${dom?.since ? html`<p class="muted">since ${shortTime(dom.since)}</p>` : ''}
    <p id="last-probe">${probe
      ? html`Last probe ${shortTime(probe.at)}: <strong>${probe.dom}</strong> (${probe.outcome}${probe.detail ? `: ${probe.detail}` : ''}, ${Math.round(probe.durationMs)} ms, ${probe.trigger})`
      : html`<span class="muted">No probe yet.</span>`}</p>
    ${dom ? postForm(ctx, '/console/probe', html`<button type="submit" id="probe-now">Probe now</button>`) : ''}
  </div>
  <div class="card">
    <h2>DOM outbox</h2>
    <p class="big">${o.outbox.pending}</p>
    <p class="muted">${o.outbox.oldestCreatedAt ? html`waiting; oldest ${shortTime(o.outbox.oldestCreatedAt)} (${age(o.outbox.oldestAgeS)} ago)` : 'nothing waiting'}</p>
  </div>
  <div class="card${o.outbox.deadLetters > 0 ? ' alert' : ''}">
    <h2>Dead letters</h2>
    <p class="big"><a href="/console/dead-letters">${o.outbox.deadLetters}</a></p>
    <p class="muted">DOM outbox messages given up on</p>
  </div>
  <div class="card">
    <h2>E-mails waiting</h2>
    <p class="big">${o.emailsWaiting}</p>
    <p class="muted">due in the e-mail outbox</p>
  </div>
</section>
<section>
  <h2>Requests per minute</h2>
  ${rateChart(o.requestsPerMinute)}
</section>
<section>
  <h2>Last errors</h2>
  ${messageTable(o.lastErrors)}
  <p><a href="/console/messages?status=rejected,faulted,failed,dead">All errors →</a></p>
</section>
<p class="muted">As of ${shortTime(o.at)} UTC · this process's counts.</p>`;
  return layout(ctx, 'overview', 'Overview', body);
}

function age(s: number | null): string {
  if (s === null) return '';
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** Stacked bars in SVG (presentation attributes, no inline style: the CSP allows none), then the numbers as a table. */
function rateChart(minutes: readonly MinuteCounts[]): SafeHtml {
  if (minutes.length === 0) return html`<p class="empty">No request counts in this process.</p>`;
  const W = 36;
  const H = 120;
  const max = Math.max(1, ...minutes.map((m) => m.ok + m.bod_error + m.fault));
  const bars = minutes.map((m, i) => {
    let y = H;
    const rect = (n: number, cls: string) => {
      const h = (n / max) * (H - 10);
      y -= h;
      return n > 0 ? html`<rect class="${cls}" x="${i * W + 4}" y="${y.toFixed(1)}" width="${W - 8}" height="${h.toFixed(1)}"><title>${n} ${cls}</title></rect>` : '';
    };
    return html`${rect(m.ok, 'ok')}${rect(m.bod_error, 'bod_error')}${rect(m.fault, 'fault')}<text x="${i * W + W / 2}" y="${H + 14}" text-anchor="middle">${m.minute.slice(11, 16)}</text>`;
  });
  const total = (k: 'ok' | 'bod_error' | 'fault') => minutes.reduce((n, m) => n + m[k], 0);
  return html`<div class="chart">
<svg viewBox="0 0 ${minutes.length * W} ${H + 20}" width="${minutes.length * W}" height="${H + 20}" role="img" aria-label="requests per minute by outcome">${bars}</svg>
<table class="legend"><tbody>
<tr><td><span class="key ok"></span>ok</td><td class="num" id="rate-ok">${total('ok')}</td></tr>
<tr><td><span class="key bod_error"></span>BOD error</td><td class="num" id="rate-bod_error">${total('bod_error')}</td></tr>
<tr><td><span class="key fault"></span>fault</td><td class="num" id="rate-fault">${total('fault')}</td></tr>
<tr><td class="muted" colspan="2">last ${minutes.length} minutes</td></tr>
</tbody></table>
</div>`;
}
