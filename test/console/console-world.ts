import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { withBodId } from '../messages/message-support.js';
import { textToken } from '../security/wsse-tokens.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { ORDER_PATH, post, soap11, startWorld, type PostResult, type TestWorld } from '../support/test-app.js';

/**
 * A dombridge on real sockets with users configured (a storefront, an admin, the simulator's dom user for its
 * callbacks) and Debian's Chromium driven by playwright-core: what the console's browser tests and the docs'
 * screenshot script share.
 */

export const ADMIN = { username: 'ops', password: '0ps-pass' };
export const SHOP = { username: 'shop', password: 's3cret' };
const DOM_USER = { username: 'domsim', password: 'd0m-pass' };
export const CARD = '4111111111111111';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian package chromium; .ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** The fulfilment DOM reports: confirmed soon (G), released and shipped only when `fulfil` says so. */
export async function startConsoleWorld(fulfil: { releaseAfterMs: number; shipAfterMs: number } = { releaseAfterMs: 3_600_000, shipAfterMs: 7_200_000 }): Promise<TestWorld> {
  const users = [`${SHOP.username}:${SHOP.password}:storefront`, `${ADMIN.username}:${ADMIN.password}:admin`, `${DOM_USER.username}:${DOM_USER.password}:dom`].join(',');
  return startWorld({ DOMBRIDGE_USERS: users }, undefined, { fulfillment: { confirmAfterMs: 200, ...fulfil }, callbackCredentials: DOM_USER } as never);
}

/** A browser context signed in as `who` (HTTP Basic, as the console asks), or as nobody. */
export function consoleContext(browser: Browser, who?: { username: string; password: string }): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...(who ? { httpCredentials: who } : {}) });
}

/** A storefront's SOAP request, with its UsernameToken. */
export function shopPost(w: TestWorld, path: string, bod: string, password = SHOP.password): Promise<PostResult> {
  return post(w.app.url, path, soap11(bod, textToken(SHOP.username, password)));
}

/** Cart, payment (a whole card number), Prepare, Submit: the order id. */
export async function checkout(w: TestWorld, catentryId = '20311', bodIdPrefix?: string): Promise<string> {
  let n = 0;
  const send = async (bod: string) => {
    const r = await shopPost(w, ORDER_PATH, bodIdPrefix ? withBodId(bod, `${bodIdPrefix}-${++n}`) : bod);
    if (r.status !== 200 || !orderOf(r.body)) throw new Error(`checkout step answered ${r.status}: ${r.text.slice(0, 500)}`);
    return orderOf(r.body)!;
  };
  const cart = await send(addItems([{ catentryId, quantity: 1, shipMode: 'Standard', address: JANE }]));
  await send(setPayment(cart.orderId, CARD));
  await send(processOrder('Prepare', cart.orderId));
  await send(processOrder('Submit', cart.orderId));
  return cart.orderId;
}

/** The order's outbox TransferOrder once it is dead (DOM refused it). */
export async function deadTransfer(w: TestWorld, orderId: string): Promise<string> {
  return eventually(async () => {
    const page = await w.app.operations.listMessages({ status: 'dead', orderId });
    if (page.items.length !== 1) throw new Error(`order ${orderId}: ${page.items.length} dead messages`);
    return page.items[0]!.id;
  }, 20_000, 100);
}

/** Reloads a server-rendered page until `check` passes (the console has no live updates); generous by default. */
export async function untilPage(page: Page, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`the page ${page.url()} did not show what was expected within ${timeoutMs} ms:\n${(await page.locator('main').innerText()).slice(0, 2000)}`);
    await page.waitForTimeout(250);
    await page.reload();
  }
}
