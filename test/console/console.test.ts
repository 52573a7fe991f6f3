import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { withBodId } from '../messages/message-support.js';
import { httpRequest } from '../support/process-world.js';
import { addItems } from '../support/order-bods.js';
import { faultOf, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, type TestWorld } from '../support/test-app.js';
import { ADMIN, CARD, checkout, consoleContext, deadTransfer, launchChromium, SHOP, shopPost, startConsoleWorld, untilPage } from './console-world.js';

/**
 * The console in a real browser (Debian's Chromium through playwright-core) against a real dombridge with users
 * configured: what an operator does with it, and what nobody else gets.
 */
describe('console: in a real browser', function () {
  this.timeout(120_000);
  let w: TestWorld;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  /** A BODID (and below, an order id) that would run script if any page printed it unescaped. */
  const EVIL_BODID = 'refused-<script>alert("bodid")</script>-1';

  before(async function () {
    w = await startConsoleWorld();
    browser = await launchChromium();
    const context = await consoleContext(browser, ADMIN);
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  });
  after(async function () {
    await browser?.close();
    await w?.close();
  });
  afterEach(function () {
    expect(dialogs, 'no script of the records ran').to.deep.equal([]);
  });

  const url = (path: string) => `${w.app.url}${path}`;
  /** Script elements on the page: the console's own file only. */
  const scripts = () => page.locator('script').evaluateAll((els) => els.map((e) => (e as unknown as { src: string }).src || '(inline)'));

  it('an unauthenticated caller and a non-admin user get nothing', async function () {
    await checkout(w);
    const known = (await w.app.operations.listMessages({ limit: 1 })).items[0]!;
    const paths = ['/console/', '/console/messages', `/console/messages/${known.id}`, `/console/orders?id=${known.orderId}`, '/console/dead-letters', '/console/console.js'];
    for (const [who, status] of [[undefined, 401], [SHOP, 403]] as const) {
      const ctx = await consoleContext(browser, who);
      try {
        const p = await ctx.newPage();
        for (const path of paths) {
          // Without credentials Chromium answers the Basic challenge by giving up (no dialog in headless mode).
          const r = await p.goto(url(path)).catch((e: Error) => {
            if (status === 401 && /ERR_INVALID_AUTH_CREDENTIALS/.test(e.message)) return 'refused' as const;
            throw e;
          });
          expect(r === 'refused' ? 401 : r?.status(), `${path} as ${who?.username ?? 'nobody'}`).to.equal(status);
          if (r === 'refused') continue;
          const text = await p.content();
          expect(text).not.to.contain(known.id).and.not.to.contain(known.orderId ?? '(none)').and.not.to.contain('Overview');
        }
      } finally {
        await ctx.close();
      }
    }
    // No credentials and a wrong password, asked directly (Chromium shows no 401 page headless).
    for (const [path, auth] of paths.flatMap((p) => [[p, {}], [p, { Authorization: `Basic ${Buffer.from(`${ADMIN.username}:wrong`).toString('base64')}` }]] as const)) {
      const r = await httpRequest('GET', url(path), undefined, auth);
      expect(r.status).to.equal(401);
      expect(r.headers['www-authenticate']).to.match(/^Basic /);
      expect(r.text).not.to.contain(known.id).and.not.to.contain(known.orderId ?? '(none)');
    }
    // Actions too: nothing happens without admin credentials.
    const probe = await httpRequest('POST', url('/console/probe'), 'csrf=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(probe.status).to.equal(401);
    expect((await w.app.operations.overview()).dom?.lastProbe ?? null).to.equal(null);
  });

  it('log in, find a refused request by its BODID (escaped everywhere), open it: fields and pretty XML, no password', async function () {
    const bod = withBodId(getAvailabilityBod(itemAtOnline('20311', '10201')), EVIL_BODID.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    const refused = await shopPost(w, INVENTORY_PATH, bod, 'not-the-password');
    expect(faultOf(refused.body).code).to.equal('AUTH_FAILED');

    const overview = await page.goto(url('/console/'));
    expect(overview?.status()).to.equal(200);
    const headers = overview!.headers();
    expect(headers['content-security-policy']).to.contain("default-src 'self'").and.to.contain("frame-ancestors 'none'").and.not.to.contain('unsafe-inline');
    expect(headers['x-frame-options']).to.equal('DENY');
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByLabel('BODID').fill(EVIL_BODID);
    await page.getByLabel('Status').selectOption('faulted');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/bodid=/);
    const rows = page.locator('table.grid tbody tr');
    expect(await rows.count()).to.equal(1);
    expect(await rows.first().innerText()).to.contain('AUTH_FAILED').and.to.contain(EVIL_BODID).and.to.contain('faulted');
    expect(await page.getByLabel('BODID').inputValue(), 'the filter box keeps the BODID as text').to.equal(EVIL_BODID);
    expect(await scripts()).to.have.length(1);

    await rows.first().locator('a').first().click();
    await page.waitForURL(/\/console\/messages\/in-\d+$/);
    const fields = await page.locator('dl.fields').innerText();
    expect(fields).to.contain('faulted').and.to.contain('AUTH_FAILED').and.to.contain(EVIL_BODID);
    const xml = await page.locator('#request-xml').innerText();
    expect(xml).to.contain('<oa:BODID>').and.to.contain('&lt;script&gt;').and.not.to.contain('not-the-password');
    expect(xml.split('\n').length, 'pretty-printed: one element a line').to.be.greaterThan(10);
    expect(await scripts()).to.have.length(1);
  });

  it('a resent BODID with other content: the message page shows the difference from the first', async function () {
    await shopPost(w, ORDER_PATH, withBodId(addItems([{ catentryId: '20311', quantity: 1 }]), 'console-resent'));
    const again = await shopPost(w, ORDER_PATH, withBodId(addItems([{ catentryId: '20312', quantity: 2 }]), 'console-resent'));
    expect(faultOf(again.body).code).to.equal('DUPLICATE_BODID_CONFLICT');
    await page.goto(url('/console/messages?bodid=console-resent&status=faulted'));
    await page.locator('table.grid tbody tr a').first().click();
    const diff = page.locator('#bodid-diff');
    await diff.waitFor();
    expect(await diff.locator('.del').allInnerTexts()).to.satisfy((l: string[]) => l.some((x) => x.includes('20311')));
    expect(await diff.locator('.add').allInnerTexts()).to.satisfy((l: string[]) => l.some((x) => x.includes('20312')));
  });

  it('after a checkout, the order\'s timeline from the search box: BODs in and out, status changes, raw XML a click away, the card masked', async function () {
    const orderId = await checkout(w);
    await page.goto(url('/console/messages'));
    await page.locator('#order-search').fill(orderId);
    await page.getByRole('button', { name: 'Timeline' }).click();
    await page.waitForURL(/\/console\/orders\?id=/);
    const timeline = page.locator('#timeline');
    await untilPage(page, async () => (await timeline.innerText()).includes('→ G'));
    const text = await timeline.innerText();
    for (const step of ['ChangeOrder received: processed', 'ProcessOrder received: processed', 'TransferOrder queued for DOM', '→ M', '→ F', '→ G', 'e-mail']) expect(text).to.contain(step);
    const times = await timeline.locator('.when').allInnerTexts();
    expect(times).to.deep.equal([...times].sort());

    await page.locator('#timeline li', { hasText: 'ChangeOrder received' }).nth(1).getByRole('link', { name: 'XML' }).click();
    const xml = await page.locator('#request-xml').innerText();
    expect(xml).to.contain('ProtocolData').and.to.contain('1111').and.not.to.contain(CARD);
    expect(await page.content()).not.to.contain(CARD);
  });

  it('resend a dead letter (selected, confirmed): the order reaches G, and the timeline shows it', async function () {
    await w.sim.setFailureMode('sterling-error', { port: 'order' });
    let orderId: string;
    try {
      orderId = await checkout(w);
      await deadTransfer(w, orderId);
    } finally {
      await w.sim.setFailureMode('none');
    }
    await page.goto(url('/console/'));
    expect(await page.locator('.card', { hasText: 'Dead letters' }).locator('.big').innerText()).to.equal('1');
    await page.locator('.card', { hasText: 'Dead letters' }).getByRole('link').click();
    const row = page.locator('#dead-letters tbody tr', { hasText: orderId });
    expect(await row.innerText()).to.contain('TransferOrder').and.to.contain('dead');
    await row.locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: 'Resend selected…' }).click();
    await page.waitForURL(/\/console\/resend$/);
    expect(await page.locator('main').innerText()).to.contain('Resend this message to DOM');
    expect(await w.app.operations.listMessages({ status: 'dead', orderId }), 'nothing resent before the confirmation').to.have.nested.property('items.length', 1);
    await page.getByRole('button', { name: 'Yes, resend' }).click();
    const result = page.locator('#resend-results');
    expect(await result.innerText()).to.contain('requeued');
    await result.getByRole('link', { name: orderId }).click();
    await untilPage(page, async () => (await page.locator('#timeline').innerText()).includes('→ G'));
    const text = await page.locator('#timeline').innerText();
    expect(text).to.contain('→ H').and.to.contain('TransferOrder queued for DOM (acknowledged');
    expect(text.indexOf('→ H')).to.be.lessThan(text.lastIndexOf('→ G'));
    await page.goto(url('/console/dead-letters'));
    expect(await page.locator('main').innerText()).to.contain('No dead letters');
  });

  it('probe DOM now from the overview; an order id with markup is shown as text', async function () {
    await page.goto(url('/console/'));
    await page.getByRole('button', { name: 'Probe now' }).click();
    await page.waitForURL(url('/console/'));
    expect(await page.locator('#last-probe').innerText()).to.contain('up').and.to.contain('operator');
    await page.goto(url(`/console/orders?id=${encodeURIComponent('<script>alert("order")</script>')}`));
    expect(await page.locator('h1').innerText()).to.equal('Order <script>alert("order")</script>');
    expect(await page.locator('#order-search').inputValue()).to.equal('<script>alert("order")</script>');
    expect(await scripts()).to.have.length(1);
  });

  it('actions refuse a forged request: no token, a token not the cookie\'s, another origin', async function () {
    const basic = { Authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' };
    const token = 'A'.repeat(43);
    const cookie = `dombridge_console_csrf=${token}`;
    const before = (await w.app.operations.overview()).dom?.lastProbe?.at;
    for (const [headers, body] of [
      [basic, ''],
      [{ ...basic, Cookie: cookie }, `csrf=${'B'.repeat(43)}`],
      [{ ...basic, Cookie: cookie, Origin: 'http://evil.example' }, `csrf=${token}`],
      [{ ...basic, Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' }, `csrf=${token}`],
    ] as const) {
      const r = await httpRequest('POST', url('/console/probe'), body, headers);
      expect(r.status, JSON.stringify(headers)).to.equal(403);
    }
    expect((await w.app.operations.overview()).dom?.lastProbe?.at, 'no probe ran').to.equal(before);
    const ok = await httpRequest('POST', url('/console/probe'), `csrf=${token}`, { ...basic, Cookie: cookie, Origin: w.app.url });
    expect(ok.status, 'the same request from the console itself').to.equal(303);
  });
});
