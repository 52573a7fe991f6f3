import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixtures } from '../../src/replay/fixture-loader.js';
import { replayFixtures } from '../../src/replay/replay-runner.js';
import { parsePath, selectValue } from '../../src/replay/xml-path.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { copyOfLibrary, edit, removeTempDirs, replay, tempDir } from './replay-helpers.js';

/** The replay tool itself: what it reports when an answer differs, times out, or a fixture is wrong. */
describe('dombridge replay', function () {
  this.timeout(60_000);
  let lib: string;
  before(function () {
    lib = copyOfLibrary();
  });
  after(function () {
    rmSync(lib, { recursive: true, force: true });
    removeTempDirs();
  });

  it('fails a changed value and shows a readable diff of the canonical forms', async function () {
    edit(join(lib, '_order', 'prepare.response.xml'), '<_wcf:GrandTotal currency="USD">33.98</_wcf:GrandTotal>', '<_wcf:GrandTotal currency="USD">33.89</_wcf:GrandTotal>');
    const r = await replay(join(lib, 'order', 'prepare.fixture.json'));
    expect(r.code).to.equal(1);
    expect(r.out).to.contain('FAIL').and.to.contain('step 3 "prepare (reserve at DOM, price)": the answer differs from');
    expect(r.out).to.match(/--- expected \S*_order\/prepare\.response\.xml/).and.to.contain('+++ actual (in-process)');
    expect(r.out).to.match(/@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(r.out).to.contain('-        <_wcf:GrandTotal currency="USD">33.89</_wcf:GrandTotal>');
    expect(r.out).to.contain('+        <_wcf:GrandTotal currency="USD">33.98</_wcf:GrandTotal>');
    expect(r.out).to.contain('1 failed');
    edit(join(lib, '_order', 'prepare.response.xml'), '33.89</_wcf:GrandTotal>', '33.98</_wcf:GrandTotal>');
  });

  it('does not fail on what the rules ignore, nor on prefixes, attribute order or indentation', async function () {
    const file = join(lib, '_order', 'create-cart.response.xml');
    const original = readFileSync(file, 'utf8');
    edit(file, /<oa:BODID>[^<]*<\/oa:BODID>/, '<oa:BODID>not-the-same</oa:BODID>');
    edit(file, /<oa:CreationDateTime>[^<]*<\/oa:CreationDateTime>/, '<oa:CreationDateTime>1999-01-01T00:00:00Z</oa:CreationDateTime>');
    // Same document, other prefixes and layout: the canonical form is by namespace URI.
    edit(file, /_ord:/g, 'o:');
    edit(file, 'xmlns:_ord=', 'xmlns:o=');
    edit(file, '<o:OrderStatus prepareIndicator="false" locked="false">', '<o:OrderStatus   locked="false"\n  prepareIndicator="false">');
    // The pair fixture ignores generated ids it does not capture.
    edit(join(lib, 'order', 'create-cart.response.xml'), /<_wcf:UniqueID>90000101<\/_wcf:UniqueID>/, '<_wcf:UniqueID>424242</_wcf:UniqueID>');
    const r = await replay(join(lib, 'order', 'update-item.fixture.json'), join(lib, 'order', 'create-cart.request.xml'));
    expect(r.code, r.out).to.equal(0);
    writeFileSync(file, original);
  });

  it('passes captured values from one step to the next', async function () {
    const { fixtures } = loadFixtures([join(lib, 'order', 'update-item.fixture.json')]);
    const sent: (string | undefined)[] = [];
    const created: (string | undefined)[] = [];
    const [result] = await replayFixtures(fixtures, {
      observer: {
        onExchange: ({ request, bod }) => {
          sent.push(selectValue(request!, parsePath('DataArea/Order/OrderItem/OrderItemIdentifier/UniqueID')));
          created.push(selectValue(bod!, parsePath('DataArea/Order/OrderItem[1]/OrderItemIdentifier/UniqueID')));
        },
      },
    });
    expect(result!.status).to.equal('passed');
    // Step 2 names the line that step 1 created: its id was captured as ${itemId}.
    expect(sent[0]).to.equal(undefined);
    expect(created[0]).to.match(/^\d+$/);
    expect(sent[1]).to.equal(created[0]);
  });

  it('reports a capture that selects nothing, and runs no later step', async function () {
    const dir = tempDir();
    writeFileSync(join(dir, 'get.request.xml'), readFileSync(join(lib, '_order', 'get-order.request.xml'), 'utf8'));
    writeFileSync(join(dir, 'capture.fixture.json'), JSON.stringify({
      extends: join(lib, '_common', 'order.defaults.json'),
      steps: [
        { request: join(lib, '_order', 'create-cart.request.xml'), capture: { orderId: 'DataArea/Order/OrderId/UniqueID' } },
        { request: 'get.request.xml' },
      ],
    }, null, 2));
    const r = await replay(dir);
    expect(r.code).to.equal(1);
    expect(r.out).to.contain('capture orderId: DataArea/Order/OrderId/UniqueID selects nothing in the answer');
    expect(r.out).to.contain('(1 later step not run)');
  });

  it('reports a timeout as such, with what was last seen', async function () {
    const dir = tempDir();
    writeFileSync(join(dir, 'wait.fixture.json'), JSON.stringify({
      extends: join(lib, '_common', 'order.defaults.json'),
      steps: [
        { request: join(lib, '_order', 'create-cart.request.xml'), capture: { orderId: 'DataArea/Order/OrderIdentifier/UniqueID' } },
        { name: 'wait for the impossible', request: join(lib, '_order', 'get-order.request.xml'), waitFor: { until: "DataArea/Order/OrderStatus/Status = 'Z'", timeoutMs: 400, everyMs: 100 } },
        { name: 'an e-mail that never comes', expectEmail: { type: 'NoSuchType', orderId: '${orderId}', timeoutMs: 200 } },
      ],
    }, null, 2));
    const r = await replay(dir);
    expect(r.code).to.equal(1);
    expect(r.out).to.match(/step 2 "wait for the impossible": timed out after 400 ms \(\d+ tries\) waiting for DataArea\/Order\/OrderStatus\/Status = 'Z'; last answer: DataArea\/Order\/OrderStatus\/Status = 'P'/);

    edit(join(dir, 'wait.fixture.json'), "Status = 'Z'", "Status = 'P'");
    const r2 = await replay(dir);
    expect(r2.out).to.match(/step 3 "an e-mail that never comes": timed out after 200 ms waiting for an e-mail NoSuchType for order 90000101; the outbox holds 0 e-mail\(s\)/);
  });

  it('--update rewrites expected responses from the answers, and they replay green', async function () {
    const dir = join(lib, 'order', 'promotion-codes');
    rmSync(join(dir, 'prepared-with-code.response.xml'));
    edit(join(dir, 'apply.response.xml'), '<_ord:Status>P</_ord:Status>', '<_ord:Status>M</_ord:Status>');
    const fixture = join(lib, 'order', 'promotion-codes.fixture.json');
    expect((await replay(fixture)).code).to.equal(1);

    const u = await replay('--update', fixture);
    expect(u.code, u.out + u.err).to.equal(0);
    expect(u.out).to.contain('2 expected response(s) rewritten');
    const written = readFileSync(join(dir, 'prepared-with-code.response.xml'), 'utf8');
    expect(written).to.contain('<_wcf:UniqueID>${orderId}</_wcf:UniqueID>').and.to.contain('<oa:BODID>${uuid}</oa:BODID>');
    expect(written).to.contain('<_wcf:TotalAdjustment currency="USD">-30.00</_wcf:TotalAdjustment>');
    expect(readFileSync(join(dir, 'apply.response.xml'), 'utf8')).to.contain('<_ord:Status>P</_ord:Status>');

    const again = await replay(fixture);
    expect(again.code, again.out).to.equal(0);
    const before = readFileSync(join(dir, 'prepared-with-code.response.xml'), 'utf8');
    expect((await replay('--update', fixture)).out).not.to.contain('rewritten');
    expect(readFileSync(join(dir, 'prepared-with-code.response.xml'), 'utf8')).to.equal(before);
  });

  it('reports unreadable fixtures by file and line, and still replays the others', async function () {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.fixture.json'), '{\n  "description": "a missing comma",\n  "tags": ["x"]\n  "steps": []\n}\n');
    writeFileSync(join(dir, 'unknown-key.fixture.json'), '{\n  "steps": [\n    { "request": "x.request.xml", "captur": {} }\n  ]\n}\n');
    writeFileSync(join(dir, 'typo.request.xml'), readFileSync(join(lib, '_order', 'get-order.request.xml'), 'utf8').replace('${orderId}', '${ordrId}'));
    writeFileSync(join(dir, 'typo.response.xml'), '<x/>');
    writeFileSync(join(dir, 'not-xml.request.xml'), '<a>\n<b>\n</a>\n');
    writeFileSync(join(dir, 'not-xml.response.xml'), '<x/>');
    writeFileSync(join(dir, 'fine.request.xml'), readFileSync(join(lib, 'order', 'get-order-unknown.request.xml'), 'utf8').replace(/\.\.\/_common/, join(lib, '_common')));
    writeFileSync(join(dir, 'fine.response.xml'), readFileSync(join(lib, 'order', 'get-order-unknown.response.xml'), 'utf8'));
    const r = await replay(dir);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/broken\.fixture\.json:4: not valid JSON: expected , or } after the value of "tags"/);
    expect(r.err).to.match(/unknown-key\.fixture\.json:3: unknown key "captur" in step 1/);
    const line = readFileSync(join(dir, 'typo.request.xml'), 'utf8').split('\n').findIndex((l) => l.includes('${ordrId}')) + 1;
    expect(r.err).to.match(new RegExp(`typo\\.request\\.xml:${line}: unknown variable \\$\\{ordrId\\}`));
    expect(r.err).to.match(/not-xml\.request\.xml:3: the request is not well-formed XML/);
    expect(r.out).to.contain('ok    ').and.to.contain('fine').and.to.contain('4 unreadable');
  });

  it('--junit writes a JUnit XML report CI servers read', async function () {
    const file = join(tempDir(), 'report.xml');
    edit(join(lib, 'faults', 'doctype.response.xml'), 'XML_DOCTYPE_FORBIDDEN', 'XML_MALFORMED');
    const r = await replay('--junit', file, '--grep', 'faults/', lib);
    expect(r.code).to.equal(1);
    const doc = readXml(readFileSync(file, 'utf8'));
    expect(doc.name).to.equal('testsuites');
    expect(Number(doc.attrs['tests'])).to.be.at.least(11);
    expect(doc.attrs['failures']).to.equal('1');
    const suites = doc.children.filter((c) => c.name === 'testsuite');
    const failing = suites.find((s) => s.attrs['name']!.endsWith('faults/doctype'))!;
    const failure = failing.children[0]!.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs['message']).to.contain('differs');
    expect(failure.text).to.contain('-      <dbf:code>XML_MALFORMED</dbf:code>');
    edit(join(lib, 'faults', 'doctype.response.xml'), '<dbf:code>XML_MALFORMED', '<dbf:code>XML_DOCTYPE_FORBIDDEN');
  });

  it('selects fixtures with --grep, --tag and --skip-tag', async function () {
    const list = async (...a: string[]) => (await replay('--list', ...a, lib)).out.trim().split('\n').map((l) => l.split(/\s+/)[0]!.replace(/^.*?(?=(inventory|order|dom|faults|scenarios|idempotency)\/)/, ''));
    expect(await list('--grep', 'checkout')).to.deep.equal(['scenarios/checkout-dom-store', 'scenarios/checkout-non-atp-store']);
    expect(await list('--tag', 'needs:idempotency')).to.deep.equal(['idempotency/duplicate-bodid']);
    const all = await list();
    const without = await list('--skip-tag', 'needs:idempotency');
    expect(all.length - without.length).to.equal(1);
    expect(await list('--tag', 'soap12', '--grep', 'fault')).to.deep.equal(['faults/soap12-fault', 'faults/soap12-request']);
    expect(existsSync(lib)).to.equal(true);
  });

  it('refuses bad options with the usage', async function () {
    const r = await replay('--dom-callbacks', 'off', lib);
    expect(r.code).to.equal(64);
    expect(r.err).to.contain('--outbox and --dom-callbacks go with --url').and.to.contain('Usage: dombridge replay');
    expect((await replay('--url', 'ftp://x', lib)).code).to.equal(64);
    const none = await replay('--grep', 'no-such-fixture', lib);
    expect(none.code).to.equal(1);
    expect(none.err).to.contain('no fixtures selected');
  });
});
