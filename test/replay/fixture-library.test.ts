import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS } from '../../src/errors/error-catalogue.js';
import { bodOf } from '../../src/replay/canonical-xml.js';
import { loadFixtures } from '../../src/replay/fixture-loader.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { startWorld, type TestWorld } from '../support/test-app.js';
import { FIXTURES, removeTempDirs, replay, tempDir } from './replay-helpers.js';

/**
 * The fixture library is the contract in executable form: it covers every operation and action code, and it
 * replays green in-process (fresh world per fixture) and against real sockets.
 */
describe('the BOD fixture library', function () {
  this.timeout(120_000);
  const { fixtures, errors } = loadFixtures([FIXTURES]);
  after(removeTempDirs);

  it('is readable and holds at least 40 fixtures', function () {
    expect(errors.map((e) => e.message)).to.deep.equal([]);
    expect(fixtures.length).to.be.at.least(40);
  });

  it('covers every operation and action code of both services and of DOM\'s callbacks', function () {
    const used = new Set<string>();
    const codes = new Set<string>();
    const emails = new Set<string>();
    for (const f of fixtures) {
      for (const s of f.steps) {
        if (s.email?.type) emails.add(s.email.type);
        if (s.expect?.text) for (const m of s.expect.text.matchAll(/<(?:\w+:)?(?:ReasonCode|code)>([A-Z_]+)</g)) codes.add(m[1]!);
        if (!s.request || s.request.raw) continue;
        const bod = bodOf(readXml(s.request.text));
        const walk = (el: typeof bod): string[] => (el.name === 'ActionExpression' ? [`${el.attrs['actionCode']} ${el.text}`] : el.children.flatMap(walk));
        const actions = walk(bod);
        used.add(bod.name);
        for (const a of actions) used.add(`${bod.name} ${a}`);
        const status = /<(?:\w+:)?Status>([^<]+)</.exec(s.request.text)?.[1];
        if (bod.name === 'SyncOrder' && status) used.add(`SyncOrder status ${status}`);
      }
    }
    const wanted = [
      'GetInventoryAvailability', 'SyncInventoryAvailability Change /InventoryAvailability[1]', 'SyncInventoryAvailability Delete /InventoryAvailability[1]',
      'ChangeInventoryAvailability Change /InventoryAvailability[1]', 'ChangeInventoryAvailability Add /InventoryAvailability[1]', 'ChangeInventoryAvailability Delete /InventoryAvailability[1]',
      ...['CheckInventory', 'ReserveInventory', 'CancelInventoryReservation', 'DecrementCache'].map((a) => `ProcessInventoryRequirement ${a} /InventoryRequirement[1]`),
      'ChangeOrder Create /Order/OrderItem', 'ChangeOrder Add /Order/OrderItem', 'ChangeOrder Update /Order/OrderItem', 'ChangeOrder Delete /Order/OrderItem',
      'ChangeOrder Update /Order/OrderShippingInfo', 'ChangeOrder Update /Order/OrderItem/OrderItemShippingInfo', 'ChangeOrder Create /Order/OrderPaymentInfo/PaymentInstruction',
      'ChangeOrder Change /Order/OrderStatus',
      ...['Prepare', 'Submit', 'Cancel', 'Lock', 'Unlock', 'ApplyPromotionCode', 'RemovePromotionCode', 'FinalizePromotionCalUsage', 'CancelPromotionCalUsage', 'UpdatePromotionCalUsage'].map((a) => `ProcessOrder ${a} /Order[1]`),
      // The statuses DOM's maps write (R, B, S) and the detailed form's X; Sterling's numbers are mapped too (test/order).
      'GetOrder', 'SyncOrder status R', 'SyncOrder status B', 'SyncOrder status S', 'SyncOrder status X',
    ];
    expect(wanted.filter((w) => !used.has(w)), 'operations/actions without a fixture').to.deep.equal([]);
    const errorCodes = ['CATALOG_ENTRY_NOT_FOUND', 'STORE_NOT_FOUND', 'STORE_MISSING', 'EXPRESSION_INVALID', 'ILLEGAL_TRANSITION', 'PAYMENT_DECLINED', 'INSUFFICIENT_STOCK', 'ITEMS_UNALLOCATED',
      'ORDER_LOCKED', 'ORDER_NOT_PREPARED', 'ORDER_NOT_FOUND', 'ACTION_UNSUPPORTED', 'VALUE_INVALID', 'SHIP_MODE_UNKNOWN', 'DUPLICATE_BODID_CONFLICT',
      'XML_MALFORMED', 'XML_DOCTYPE_FORBIDDEN', 'SOAP_VERSION_MISMATCH', 'SOAP_BODY_INVALID', 'SOAP_MUST_UNDERSTAND', 'BOD_UNKNOWN_OPERATION', 'BOD_WRONG_SERVICE', 'BOD_WRONG_NAMESPACE', 'HTTP_MEDIA_TYPE'];
    expect(errorCodes.filter((c) => !codes.has(c)), 'error answers without a fixture').to.deep.equal([]);
    expect([...emails]).to.include.members(['OrderReceived', 'OrderStatusNotify_R', 'OrderStatusNotify_B', 'OrderStatusNotify_X', 'ReleaseShipNotify']);
    const scenarios = fixtures.filter((f) => f.tags.includes('scenario') && f.tags.includes('checkout'));
    expect(scenarios.map((f) => f.tags.find((t) => t === 'dom-store' || t === 'non-atp'))).to.have.members(['dom-store', 'non-atp']);
  });

  it('replays green in-process, each fixture in a fresh world (duplicate-BODID fixture aside, see below)', async function () {
    const junit = join(tempDir(), 'replay.xml');
    const r = await replay('--skip-tag', 'needs:idempotency', '--junit', junit, FIXTURES);
    expect(r.code, r.out + r.err).to.equal(0);
    expect(r.out).to.match(/fixtures: \d+ passed/);
    expect(readFileSync(junit, 'utf8')).to.contain('<testsuites name="dombridge replay"').and.to.contain('failures="0"');
  });

  it('replays the duplicate-BODID fixture green once duplicate-BODID handling has landed', async function () {
    if (!('DUPLICATE_BODID_CONFLICT' in ERRORS)) this.skip();
    const r = await replay('--tag', 'needs:idempotency', FIXTURES);
    expect(r.code, r.out + r.err).to.equal(0);
  });

  describe('against a real socket', function () {
    let w: TestWorld | undefined;
    afterEach(async function () {
      await w?.close();
      w = undefined;
    });

    it('with DOM calling back on its own: every fixture except those that play DOM themselves', async function () {
      const data = tempDir();
      w = await startWorld({ DOMBRIDGE_DATA: data }, undefined, { fulfillment: { confirmAfterMs: 50, releaseAfterMs: 150, shipAfterMs: 300 } } as never);
      const r = await replay('--url', w.app.url, '--outbox', join(data, 'outbox'), '--skip-tag', 'needs:idempotency', FIXTURES);
      expect(r.code, r.out + r.err).to.equal(0);
      const playingDom = fixtures.filter((f) => f.domCallbacks === false).length;
      expect(playingDom).to.be.greaterThan(5);
      expect(r.out).to.contain(`${playingDom} skipped`);
      expect(r.out).to.contain('skip  fixtures/dom/sync-order-shipped').and.not.to.contain('FAIL');
    });

    it('with a DOM that does not call back (--dom-callbacks off): the fixtures that play DOM', async function () {
      const data = tempDir();
      w = await startWorld({ DOMBRIDGE_DATA: data }, undefined, { fulfillment: false } as never);
      const r = await replay('--url', w.app.url, '--outbox', join(data, 'outbox'), '--dom-callbacks', 'off', '--skip-tag', 'needs:idempotency', FIXTURES);
      expect(r.code, r.out + r.err).to.equal(0);
      expect(r.out).to.contain('ok    fixtures/dom/sync-order-shipped').and.to.contain('skip  fixtures/scenarios/checkout-dom-store');
    });
  });
});
