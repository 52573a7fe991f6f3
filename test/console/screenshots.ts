import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { withBodId } from '../messages/message-support.js';
import { addItems, eventually } from '../support/order-bods.js';
import { getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH } from '../support/test-app.js';
import { ADMIN, checkout, consoleContext, deadTransfer, launchChromium, shopPost, startConsoleWorld } from './console-world.js';

/**
 * `npm run screenshots`: the console's pages as docs/console.md shows them, taken from a real dombridge (demo data,
 * users configured, the DOM simulator) after a little traffic: checkouts that DOM confirms, releases and ships, Gets,
 * a request refused by security, a BOD error, a BODID resent with other content, and a transfer DOM refused (a dead
 * letter). Written to docs/console/*.png at 1280×800 (or to the directory given as the first argument).
 */
async function main(): Promise<void> {
  const out = process.argv[2] ?? join(PACKAGE_ROOT, 'docs', 'console');
  mkdirSync(out, { recursive: true });
  const w = await startConsoleWorld({ releaseAfterMs: 600, shipAfterMs: 1_200 });
  const browser = await launchChromium();
  try {
    const shipped = await checkout(w, '20311');
    await checkout(w, '20312');
    for (let i = 0; i < 6; i++) await shopPost(w, INVENTORY_PATH, getAvailabilityBod(itemAtOnline(i % 2 ? '20311' : '20312', '10201')));
    await shopPost(w, INVENTORY_PATH, withBodId(getAvailabilityBod(itemAtOnline('20311', '10201')), 'storefront-7f3a-0042'), 'an-old-password');
    await shopPost(w, ORDER_PATH, addItems([{ partNumber: 'NO-SUCH-SKU', quantity: 1 }]));
    await shopPost(w, ORDER_PATH, withBodId(addItems([{ catentryId: '20311', quantity: 1 }]), 'storefront-7f3a-0077'));
    await shopPost(w, ORDER_PATH, withBodId(addItems([{ catentryId: '20312', quantity: 2 }]), 'storefront-7f3a-0077'));
    await w.sim.setFailureMode('sterling-error', { port: 'order' });
    const refused = await checkout(w, '20311');
    await deadTransfer(w, refused);
    await w.sim.setFailureMode('none');
    await eventually(async () => {
      if (!(await w.app.operations.orderTimeline(shipped)).some((e) => e.title.endsWith('→ S'))) throw new Error(`order ${shipped} not shipped yet`);
    }, 20_000, 100);

    const context = await consoleContext(browser, ADMIN);
    const page = await context.newPage();
    const shot = async (name: string) => {
      await page.screenshot({ path: join(out, `${name}.png`) });
      console.log(`wrote ${join(out, `${name}.png`)}`);
    };
    await page.goto(`${w.app.url}/console/`);
    await page.getByRole('button', { name: 'Probe now' }).click();
    await page.waitForURL(`${w.app.url}/console/`);
    await shot('overview');
    await page.goto(`${w.app.url}/console/messages`);
    await shot('messages');
    await page.goto(`${w.app.url}/console/messages?bodid=storefront-7f3a-0077&status=faulted`);
    await page.locator('table.grid tbody tr a').first().click();
    await page.locator('#bodid-diff').waitFor();
    await shot('message');
    await page.locator('#order-search').fill(shipped);
    await page.getByRole('button', { name: 'Timeline' }).click();
    await page.locator('#timeline').waitFor();
    await shot('timeline');
    await page.goto(`${w.app.url}/console/dead-letters`);
    await page.locator('#dead-letters tbody input[type=checkbox]').first().check();
    await shot('dead-letters');
    await page.getByRole('button', { name: 'Resend selected…' }).click();
    await page.waitForURL(/\/console\/resend$/);
    await page.locator('#confirm-resend').waitFor();
    await shot('resend-confirm');
  } finally {
    await browser.close();
    await w.close();
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
