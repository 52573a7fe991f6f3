import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { OperationsQueries } from '../operations/operations-queries.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { AdminRequest, AdminVerdict } from '../security/install-security.js';
import { csrfToken, forgeryCheck, SECURITY_HEADERS } from './console-security.js';
import { html } from './html.js';
import { confirmResendPage, deadLettersPage, resendResultPage } from './pages/dead-letters-page.js';
import { layout, type PageContext } from './pages/layout.js';
import { messagePage } from './pages/message-page.js';
import { messagesPage, readMessageQuery } from './pages/messages-page.js';
import { overviewPage } from './pages/overview-page.js';
import { orderSearchPage, timelinePage } from './pages/timeline-page.js';

/**
 * The operations console at /console/: server-rendered pages over the operations read API, each a URL to paste
 * (filters are query parameters), a little served JavaScript for conveniences only. Every request passes the admin
 * check first; anyone else gets a 401/403 and no data. Actions are POSTs with an anti-forgery token
 * (console-security.ts); the resend confirmation is a page of its own, so it works without JavaScript.
 */

export interface ConsoleRequest {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  /** The request body of a POST (a URL-encoded form), '' otherwise. */
  readonly body: string;
}

export interface ConsoleAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ConsoleDeps {
  readonly operations: OperationsQueries;
  readonly admin: (req: AdminRequest) => Promise<AdminVerdict>;
  readonly log: Logger;
}

/** Form bodies the console accepts (a resend of 500 ids is about 10 KiB). */
export const CONSOLE_MAX_FORM_BYTES = 64 * 1024;
const HTML = 'text/html; charset=utf-8';
const ASSET_DIR = join(PACKAGE_ROOT, 'src', 'console');
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
};

export function consoleRoutes(deps: ConsoleDeps): (req: ConsoleRequest) => Promise<ConsoleAnswer> {
  const assets = new Map(Object.entries(ASSETS).map(([path, a]) => [path, { type: a.type, text: readFileSync(join(ASSET_DIR, a.file), 'utf8') }]));
  const ops = deps.operations;

  return async (req) => {
    if (req.pathname === '/console') return { status: 308, contentType: 'text/plain', headers: { ...SECURITY_HEADERS, Location: '/console/' }, body: 'see /console/\n' };
    const verdict = await deps.admin({ authorization: req.headers.authorization, remoteAddress: req.remoteAddress });
    if (!verdict.ok) return refused(verdict.status);
    const csrf = csrfToken(req.headers);
    const extra: Record<string, string> = csrf.setCookie ? { 'Set-Cookie': csrf.setCookie } : {};
    const ctx: PageContext = { user: verdict.user, csrf: csrf.token };
    const page = (body: string, status = 200): ConsoleAnswer => ({ status, contentType: HTML, headers: { ...SECURITY_HEADERS, ...extra }, body });
    const notFound = (what: string) => page(layout(ctx, 'overview', 'Not found', html`<p class="notice error">${what}</p>`), 404);
    try {
      if (req.method === 'GET' || req.method === 'HEAD') {
        const asset = assets.get(req.pathname);
        if (asset) return { status: 200, contentType: asset.type, headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-cache' }, body: asset.text };
        if (req.pathname === '/console/') return page(overviewPage(ctx, await ops.overview()));
        if (req.pathname === '/console/messages') {
          const mq = readMessageQuery(req.query);
          return page(messagesPage(ctx, mq, await ops.listMessages(mq.filter)));
        }
        if (req.pathname.startsWith('/console/messages/')) {
          const id = decode(req.pathname.slice('/console/messages/'.length));
          const m = id === undefined ? undefined : await ops.getMessage(id);
          if (!m) return notFound(`No message ${id ?? ''}.`);
          return page(messagePage(ctx, m, m.direction === 'in' ? await ops.earlierRecord(m.id) : undefined));
        }
        if (req.pathname === '/console/orders') {
          const id = req.query.get('id')?.trim();
          return page(id ? timelinePage(ctx, id, await ops.orderTimeline(id)) : orderSearchPage(ctx));
        }
        if (req.pathname === '/console/dead-letters') {
          const page1 = await ops.listMessages({ status: ['dead', 'failed'], direction: 'out', limit: 500 });
          return page(deadLettersPage(ctx, page1.items.filter((m) => m.source === 'outbox')));
        }
        return notFound('No such page.');
      }
      if (req.method !== 'POST') return { status: 405, contentType: 'text/plain', headers: { ...SECURITY_HEADERS, Allow: 'GET, HEAD, POST' }, body: 'use GET or POST\n' };
      if (!/^application\/x-www-form-urlencoded\b/i.test(String(req.headers['content-type'] ?? ''))) return forbidden('the console takes form posts only');
      const form = new URLSearchParams(req.body);
      const forged = forgeryCheck(req.headers, form.get('csrf') ?? undefined);
      if (forged) {
        deps.log.warn('console action refused', { path: req.pathname, user: verdict.user, reason: forged });
        return forbidden(`${forged}: reload the page and try again`);
      }
      if (req.pathname === '/console/probe') {
        const report = await ops.probeDom();
        deps.log.info('DOM probed on request', { user: verdict.user, dom: report?.dom, outcome: report?.outcome, from: 'console' });
        return { status: 303, contentType: 'text/plain', headers: { ...SECURITY_HEADERS, Location: '/console/' }, body: 'probed\n' };
      }
      if (req.pathname === '/console/resend') {
        const ids = [...new Set(form.getAll('id').map((s) => s.trim()).filter(Boolean))].slice(0, 500);
        if (ids.length === 0) return page(layout(ctx, 'dead-letters', 'Resend', html`<p class="notice error">Nothing selected. <a href="/console/dead-letters">Back</a></p>`), 400);
        if (form.get('confirmed') !== 'yes') {
          const found = await Promise.all(ids.map((id) => ops.getMessage(id)));
          return page(confirmResendPage(ctx, found.filter((m) => m !== undefined), ids.filter((_, i) => !found[i])));
        }
        const results = await ops.resendMany(ids);
        deps.log.info('outbox messages resent from the console', { user: verdict.user, ids, requeued: results.filter((r) => r.ok).length });
        const orders = new Map<string, string | null>();
        for (const r of results) orders.set(r.id, (await ops.getMessage(r.id))?.orderId ?? null);
        return page(resendResultPage(ctx, results, orders));
      }
      return notFound('No such action.');
    } catch (e) {
      deps.log.error('console page failed', { path: req.pathname, error: e instanceof Error ? e.message : String(e) });
      return page(layout(ctx, 'overview', 'Error', html`<p class="notice error">This page failed; the log says why.</p>`), 500);
    }
  };
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Nothing of the console's data for a caller who is not an admin: a challenge (401) or a refusal (403). */
function refused(status: 401 | 403): ConsoleAnswer {
  const text = status === 401 ? 'Sign in with the name and password of an admin user.' : 'This console is for admin users only.';
  return {
    status, contentType: HTML,
    headers: { ...SECURITY_HEADERS, ...(status === 401 ? { 'WWW-Authenticate': 'Basic realm="dombridge console", charset="UTF-8"' } : {}) },
    body: html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dombridge console</title></head><body><p>${text}</p></body></html>\n`.text,
  };
}

function forbidden(why: string): ConsoleAnswer {
  return { status: 403, contentType: HTML, headers: SECURITY_HEADERS, body: html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>refused</title></head><body><p>Refused: ${why}.</p></body></html>\n`.text };
}
