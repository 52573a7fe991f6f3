import type { MessageDetail } from '../../operations/operations-queries.js';
import { unifiedDiff } from '../../replay/line-diff.js';
import { writePrettyXml } from '../../replay/xml-pretty.js';
import { readXml } from '../../xml/xml-reader.js';
import { html, type SafeHtml } from '../html.js';
import { layout, messageLink, messageTable, orderLink, postForm, shortTime, statusBadge, type PageContext } from './layout.js';

/** One message: its fields, its XML pretty-printed, and for a resent BODID the difference from the earlier record. */
export function messagePage(ctx: PageContext, m: MessageDetail, earlier: MessageDetail | undefined): string {
  const resendable = m.source === 'outbox' && (m.status === 'dead' || m.status === 'failed');
  const fields: [string, SafeHtml | string | number | null][] = [
    ['Status', statusBadge(m.status)], ['Code', m.code], ['Direction', m.direction === 'in' ? 'in (to dombridge)' : 'out (to DOM)'],
    ['Source', m.source === 'outbox' ? 'DOM outbox' : 'message record'], ['Operation', m.operation], ['Service', m.service], ['BODID', m.bodId],
    ['Sender', m.senderId], ['Order', orderLink(m.orderId)], ['Item', m.partNumber], ['Attempts', m.attempts], ['Duration', m.durationMs === null ? null : `${m.durationMs} ms`],
    ['Caused by', m.causedBy ? messageLink(m.causedBy) : null], ['Created', shortTime(m.createdAt)], ['Updated', shortTime(m.updatedAt)], ['Applied', shortTime(m.appliedAt)],
  ];
  const body = html`
<dl class="fields">
${fields.filter(([, v]) => v !== null && v !== '' && v !== undefined).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
</dl>
${m.note ? html`<p class="notice${m.status === 'processed' || m.status === 'acknowledged' ? '' : ' error'}" id="note">${m.note}</p>` : ''}
${resendable ? postForm(ctx, '/console/resend', html`<input type="hidden" name="id" value="${m.id}"><button type="submit" id="resend-one">Resend…</button>`, html` class="actions"`) : ''}
${m.attemptsRecorded.length ? html`<h2>Attempts</h2>${messageTable(m.attemptsRecorded)}` : ''}
${earlier ? diffSection(m, earlier) : ''}
<h2>${m.source === 'outbox' ? 'Payload' : 'Request'}</h2>
${xmlBlock(m.requestXml, 'request-xml')}
${m.responseXml ? html`<h2>Response</h2>${xmlBlock(m.responseXml, 'response-xml')}` : ''}`;
  return layout(ctx, 'messages', `Message ${m.id}`, body, m.orderId ?? '');
}

function diffSection(m: MessageDetail, earlier: MessageDetail): SafeHtml {
  const diff = unifiedDiff(pretty(earlier.requestXml).split('\n'), pretty(m.requestXml).split('\n'), { expected: `${earlier.id} (earlier, ${earlier.status})`, actual: `${m.id} (this one)` });
  return html`<h2>Same BODID, sent before: ${messageLink(earlier.id)} ${statusBadge(earlier.status)}</h2>
${diff
    ? html`<pre class="diff" id="bodid-diff">${diff.split('\n').map((line) => html`<span class="${line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : 'same'}">${line}</span>\n`)}</pre>`
    : html`<p id="bodid-diff">The two requests are the same.</p>`}`;
}

function xmlBlock(text: string, id: string): SafeHtml {
  return html`<pre class="xml" id="${id}">${pretty(text)}</pre>`;
}

/** Indented XML; a refused request's excerpt that is not well-formed XML is shown as it was kept. */
export function pretty(text: string): string {
  if (!text.trim()) return '(empty)';
  try {
    return writePrettyXml(readXml(text)).trimEnd();
  } catch {
    return text;
  }
}
