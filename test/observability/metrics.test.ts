import { expect } from 'chai';
import { answerStatusOf, faultHttpStatus, outcomeOf } from '../../src/errors/error-catalogue.js';
import { DombridgeMetrics, REQUEST_BUCKETS_S } from '../../src/observability/metrics.js';
import { SERVED_OPERATIONS } from '../../src/observability/operation-labels.js';
import { openTestStore } from '../support/test-store.js';
import type { Store } from '../../src/store/store.js';
import { addItems, eventually, JANE, orderOf, processOrder, setPayment } from '../support/order-bods.js';
import { changeStatus, getAvailabilityBod, INVENTORY_PATH, itemAtOnline, ORDER_PATH, post, soap11, startWorld, type TestWorld } from '../support/test-app.js';
import { parseExposition, samples, valueOf, type Sample } from './exposition.js';

const INV = 'InventoryServices';
const ORD = 'OrderServices';

describe('metrics (GET /metrics on a real server)', function () {
  this.timeout(30_000);
  let w: TestWorld;

  beforeEach(async function () {
    // No scheduled DOM callbacks: the request counts below are then exactly what the test sent.
    w = await startWorld({}, undefined, { fulfillment: false });
  });
  afterEach(async function () {
    await w.close();
  });

  const scrape = async (): Promise<Sample[]> => {
    const res = await fetch(`${w.app.url}/metrics`);
    expect(res.status).to.equal(200);
    return parseExposition(await res.text());
  };
  const get = () => post(w.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline('20311', '10201'))));
  const order = async (bod: string) => {
    const r = await post(w.app.url, ORDER_PATH, soap11(bod));
    expect(r.status, r.text).to.equal(200);
    expect(changeStatus(r.body), r.text).to.equal(undefined);
    return orderOf(r.body)!;
  };
  /** A cart of one item, paid and prepared (DOM reserves), ready to submit. */
  const preparedOrder = async () => {
    const o = await order(addItems([{ catentryId: '20311', quantity: 1, shipMode: 'Standard', address: JANE }]));
    await order(setPayment(o.orderId, '4111111111111111'));
    await order(processOrder('Prepare', o.orderId));
    return o.orderId;
  };
  const domCalls = (m: Sample[], operation: string) =>
    Object.fromEntries(samples(m, 'dombridge_dom_calls_total', { operation }).map((s) => [s.labels['outcome'], s.value]));

  it('answers in the Prometheus text format, with process metrics', async function () {
    const res = await fetch(`${w.app.url}/metrics`);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).to.contain('# TYPE dombridge_request_duration_seconds histogram');
    expect(body).to.contain('# TYPE dombridge_requests_total counter');
    expect(valueOf(parseExposition(body), 'process_cpu_user_seconds_total')).to.be.a('number');
  });

  it('counts Gets, faults and a checkout by label, times them, and counts DOM calls by outcome', async function () {
    // The three Gets run one after another, so their durations add up to less than the time they took together.
    const startedGets = performance.now();
    for (let i = 0; i < 3; i++) expect((await get()).status).to.equal(200);
    const getsTookS = (performance.now() - startedGets) / 1000;
    const unknown = await post(w.app.url, INVENTORY_PATH, soap11('<x:StealInventory xmlns:x="urn:example:not-ours"/>'));
    expect(unknown.status).to.equal(500);
    const unreadable = await post(w.app.url, INVENTORY_PATH, '<not-xml');
    expect(unreadable.status).to.equal(500);

    let m = await scrape();
    expect(valueOf(m, 'dombridge_requests_total', { service: INV, operation: 'GetInventoryAvailability', outcome: 'ok' })).to.equal(3);
    // The client's element name does not become a label value.
    expect(valueOf(m, 'dombridge_requests_total', { service: INV, operation: 'other', outcome: 'fault', code: 'BOD_UNKNOWN_OPERATION' })).to.equal(1);
    expect(valueOf(m, 'dombridge_requests_total', { service: INV, operation: '(unread)', outcome: 'fault', code: 'XML_MALFORMED' })).to.equal(1);
    expect(samples(m, 'dombridge_requests_total', { operation: 'StealInventory' })).to.have.length(0);

    const getSeries = { service: INV, operation: 'GetInventoryAvailability' };
    expect(valueOf(m, 'dombridge_request_duration_seconds_count', getSeries)).to.equal(3);
    expect(valueOf(m, 'dombridge_request_duration_seconds_bucket', { ...getSeries, le: '+Inf' })).to.equal(3);
    // In seconds, not milliseconds: an invariant, not a speed bar.
    expect(valueOf(m, 'dombridge_request_duration_seconds_sum', getSeries)).to.be.greaterThan(0).and.at.most(getsTookS);
    const buckets = samples(m, 'dombridge_request_duration_seconds_bucket', getSeries).map((s) => s.value);
    expect(buckets).to.have.length(REQUEST_BUCKETS_S.length + 1);
    expect(buckets).to.deep.equal([...buckets].sort((a, b) => a - b));

    // One miss asked DOM; the two Gets after it were fresh cache hits.
    expect(domCalls(m, 'GetInventoryAvailability')).to.deep.equal({ ok: 1 });
    expect(valueOf(m, 'dombridge_availability_answers_total', { source: 'dom' })).to.equal(1);
    expect(valueOf(m, 'dombridge_availability_answers_total', { source: 'cache' })).to.equal(2);
    expect(valueOf(m, 'dombridge_cache_hit_ratio')).to.be.closeTo(2 / 3, 1e-9);

    const orderId = await preparedOrder();
    await order(processOrder('Submit', orderId));
    m = await eventually(async () => {
      const now = await scrape();
      expect(domCalls(now, 'ProcessOrder')).to.deep.equal({ ok: 1 });
      return now;
    });
    expect(valueOf(m, 'dombridge_requests_total', { service: ORD, operation: 'ChangeOrder', outcome: 'ok' })).to.equal(2);
    expect(valueOf(m, 'dombridge_requests_total', { service: ORD, operation: 'ProcessOrder', outcome: 'ok' })).to.equal(2);
    expect(valueOf(m, 'dombridge_request_duration_seconds_count', { service: ORD, operation: 'ProcessOrder' })).to.equal(2);
    expect(domCalls(m, 'ProcessInventoryRequirement')).to.deep.equal({ ok: 1 });
    expect(valueOf(m, 'dombridge_dom_call_duration_seconds_count', { operation: 'ProcessOrder' })).to.equal(1);
    expect(valueOf(m, 'dombridge_outbox_depth')).to.equal(0);
    expect(valueOf(m, 'dombridge_dead_letters')).to.equal(0);
  });

  it('reports the outbox depth and its age while DOM is down, and pending e-mails', async function () {
    const orderId = await preparedOrder();
    await w.sim.setFailureMode('down');
    await order(processOrder('Submit', orderId));
    // An e-mail due in an hour stays pending whatever the relay does meanwhile.
    await w.store.emailOutbox.enqueue({ emailId: 'metrics-test-mail', orderId, type: 'OrderReceived', recipient: 'jane@example.com', data: '{}' }, Date.now() + 3_600_000);

    const m = await eventually(async () => {
      const now = await scrape();
      const calls = domCalls(now, 'ProcessOrder');
      expect(calls['ok']).to.equal(undefined);
      expect((calls['refused'] ?? 0) + (calls['circuit-open'] ?? 0)).to.be.greaterThan(0);
      return now;
    });
    expect(valueOf(m, 'dombridge_outbox_depth')).to.equal(1);
    expect(valueOf(m, 'dombridge_outbox_oldest_age_seconds')).to.be.at.least(0).and.lessThan(30);
    expect(valueOf(m, 'dombridge_dead_letters')).to.equal(0);
    expect(valueOf(m, 'dombridge_email_pending')).to.be.at.least(1);
  });

  it('counts a dead letter when DOM refuses the transfer', async function () {
    await w.sim.setFailureMode('refuse', { port: 'order' });
    const orderId = await preparedOrder();
    await order(processOrder('Submit', orderId));
    const m = await eventually(async () => {
      const now = await scrape();
      expect(valueOf(now, 'dombridge_dead_letters')).to.equal(1);
      return now;
    });
    expect(valueOf(m, 'dombridge_outbox_depth')).to.equal(0);
    expect(valueOf(m, 'dombridge_outbox_oldest_age_seconds')).to.equal(0);
    // DOM answered with an error ChangeStatus: the transport reports that as a refusal, and the dead letter follows.
    expect(domCalls(m, 'ProcessOrder')).to.deep.equal({ 'bod-error': 1 });
  });

  it('has a series of its own for every operation the app routes', function () {
    const routed = w.app.services.flatMap((s) => s.operations.map((o) => o.name));
    expect(routed).to.have.length.greaterThan(0);
    expect(SERVED_OPERATIONS).to.include.members(routed);
  });
});

describe('metrics (unit)', function () {
  let store: Store;
  let metrics: DombridgeMetrics;
  beforeEach(async function () {
    store = await openTestStore();
    metrics = new DombridgeMetrics(store, { processMetrics: false });
  });
  afterEach(async function () {
    await store.close();
  });
  const scrape = async () => parseExposition((await metrics.scrape()).body);

  it('maps an operation name outside the known set to `other`, however many there are', async function () {
    expect(metrics.operationLabel('GetInventoryAvailability')).to.equal('GetInventoryAvailability');
    expect(metrics.operationLabel('DropTables')).to.equal('other');
    for (let i = 0; i < 1000; i++) metrics.dispatch.onAnswer({ service: INV, operation: `Made-Up-${i}`, outcome: 'fault', code: 'BOD_UNKNOWN_OPERATION', durationMs: 0.1 });
    metrics.dispatch.onAnswer({ service: INV, operation: 'GetInventoryAvailability', outcome: 'ok', durationMs: 0.2 });
    metrics.dom.onCall({ servicePath: '/dom', operation: 'Surprise', rawRequest: '', rawResponse: undefined, result: { ok: false, failure: { kind: 'timeout', detail: '' } }, durationMs: 3 });
    const m = await scrape();
    expect(samples(m, 'dombridge_requests_total')).to.have.length(2);
    expect(valueOf(m, 'dombridge_requests_total', { service: INV, operation: 'other', outcome: 'fault', code: 'BOD_UNKNOWN_OPERATION' })).to.equal(1000);
    expect(samples(m, 'dombridge_request_duration_seconds_count').map((s) => s.labels['operation'])).to.deep.equal(['other', 'GetInventoryAvailability']);
    expect(valueOf(m, 'dombridge_dom_calls_total', { operation: 'other', outcome: 'timeout' })).to.equal(1);
  });

  it('puts an observation on a bucket bound into that bucket (le is inclusive)', async function () {
    metrics.dispatch.onAnswer({ service: INV, operation: 'GetInventoryAvailability', outcome: 'ok', durationMs: 0.2 });
    metrics.dispatch.onAnswer({ service: INV, operation: 'GetInventoryAvailability', outcome: 'ok', durationMs: 9_000 });
    const m = await scrape();
    const series = { service: INV, operation: 'GetInventoryAvailability' };
    expect(valueOf(m, 'dombridge_request_duration_seconds_bucket', { ...series, le: '0.0002' })).to.equal(1);
    expect(valueOf(m, 'dombridge_request_duration_seconds_bucket', { ...series, le: '5' })).to.equal(1);
    expect(valueOf(m, 'dombridge_request_duration_seconds_bucket', { ...series, le: '+Inf' })).to.equal(2);
    expect(valueOf(m, 'dombridge_request_duration_seconds_sum', series)).to.be.closeTo(9.0002, 1e-9);
  });

  it('counts cache hits among answers for DOM stores only', async function () {
    let m = await scrape();
    expect(valueOf(m, 'dombridge_cache_hit_ratio')).to.equal(0);
    for (const s of ['cache', 'cache', 'cache', 'dom', 'local', 'local'] as const) metrics.availability.onAnswer(s);
    m = await scrape();
    expect(valueOf(m, 'dombridge_cache_hit_ratio')).to.equal(0.75);
    expect(valueOf(m, 'dombridge_availability_answers_total', { source: 'local' })).to.equal(2);
    expect(valueOf(m, 'dombridge_availability_answers_total', { source: 'fallback' })).to.equal(0);
  });

  it('gives OpenMetrics with exemplars naming the last counted message when asked, and leaves the Prometheus text as it was', async function () {
    metrics.dispatch.onAnswer({ service: INV, operation: 'GetInventoryAvailability', outcome: 'ok', durationMs: 0.3, messageId: 'get-16777216' });
    metrics.dispatch.onAnswer({ service: INV, operation: 'GetInventoryAvailability', outcome: 'ok', durationMs: 0.4, messageId: 'get-16777999' });
    metrics.dispatch.onAnswer({ service: ORD, operation: 'GetOrder', outcome: 'bod_error', code: 'ORDER_NOT_FOUND', durationMs: 3, messageId: 'in-7' });
    metrics.dispatch.onAnswer({ service: ORD, operation: 'GetOrder', outcome: 'ok', durationMs: 3 });
    const om = await metrics.scrape('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5');
    expect(om.contentType).to.match(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(om.body.endsWith('# EOF\n')).to.equal(true);
    expect(om.body).to.contain('# TYPE dombridge_requests counter');
    const line = (start: string) => om.body.split('\n').find((l) => l.startsWith(start)) ?? '';
    // The last message counted in a series is its exemplar, with the value it added and its time in seconds.
    expect(line('dombridge_requests_total{service="InventoryServices",operation="GetInventoryAvailability",outcome="ok",code=""}'))
      .to.match(/ 2 # \{message_id="get-16777999"\} 1 \d{10}\.\d+$/);
    expect(line('dombridge_requests_total{service="OrderServices",operation="GetOrder",outcome="bod_error"')).to.contain('# {message_id="in-7"} 1 ');
    // A series whose requests have no record has no exemplar.
    expect(line('dombridge_requests_total{service="OrderServices",operation="GetOrder",outcome="ok"')).to.not.contain('#');
    // A bucket's exemplar is the last message observed in that bucket (not below it): 0.4 ms in le=0.0005.
    expect(line('dombridge_request_duration_seconds_bucket{service="InventoryServices",operation="GetInventoryAvailability",le="0.0005"}'))
      .to.match(/ 2 # \{message_id="get-16777999"\} 0\.0004 /);
    expect(line('dombridge_request_duration_seconds_bucket{service="InventoryServices",operation="GetInventoryAvailability",le="0.001"}')).to.not.contain('#');
    // The Prometheus text, asked for before and after, keeps its names and has no exemplars.
    for (const accept of [undefined, 'text/plain;version=0.0.4']) {
      const text = await metrics.scrape(accept);
      expect(text.contentType).to.match(/^text\/plain; version=0\.0\.4/);
      expect(text.body).to.contain('# TYPE dombridge_requests_total counter').and.not.contain('message_id');
      expect(valueOf(parseExposition(text.body), 'dombridge_requests_total', { operation: 'GetInventoryAvailability' })).to.equal(2);
    }
  });

  it('keeps counting across scrapes, and two instances do not share a registry', async function () {
    const other = new DombridgeMetrics(store, { processMetrics: false });
    metrics.dispatch.onAnswer({ service: ORD, operation: 'GetOrder', outcome: 'ok', durationMs: 1 });
    await scrape();
    metrics.dispatch.onAnswer({ service: ORD, operation: 'GetOrder', outcome: 'ok', durationMs: 1 });
    expect(valueOf(await scrape(), 'dombridge_requests_total', { operation: 'GetOrder' })).to.equal(2);
    expect(samples(parseExposition((await other.scrape()).body), 'dombridge_requests_total')).to.have.length(0);
  });
});

describe('metrics: the outcome comes from the error catalogue', function () {
  let store: Store;
  let metrics: DombridgeMetrics;
  beforeEach(async function () {
    store = await openTestStore();
    metrics = new DombridgeMetrics(store, { processMetrics: false });
  });
  afterEach(async function () {
    await store.close();
  });

  it('labels a BOD error bod_error with its reason code, and a server-side fault (DUPLICATE_IN_PROGRESS) fault with its code', async function () {
    metrics.dispatch.onAnswer({ service: ORD, operation: 'ProcessOrder', outcome: outcomeOf('PAYMENT_DECLINED'), code: 'PAYMENT_DECLINED', durationMs: 1 });
    metrics.dispatch.onAnswer({ service: ORD, operation: 'ChangeOrder', outcome: outcomeOf('DUPLICATE_IN_PROGRESS'), code: 'DUPLICATE_IN_PROGRESS', durationMs: 1 });
    const m = parseExposition((await metrics.scrape()).body);
    expect(valueOf(m, 'dombridge_requests_total', { operation: 'ProcessOrder', outcome: 'bod_error', code: 'PAYMENT_DECLINED' })).to.equal(1);
    expect(valueOf(m, 'dombridge_requests_total', { operation: 'ChangeOrder', outcome: 'fault', code: 'DUPLICATE_IN_PROGRESS' })).to.equal(1);
    // One source for the HTTP status as well: the catalogue's 503 for a BODID still in progress, in both SOAP versions.
    expect(faultHttpStatus('DUPLICATE_IN_PROGRESS', '1.1')).to.equal(503);
    expect(faultHttpStatus('DUPLICATE_IN_PROGRESS', '1.2')).to.equal(503);
    expect(faultHttpStatus('AUTH_FAILED', '1.1')).to.equal(500);
    expect(answerStatusOf('DUPLICATE_IN_PROGRESS')).to.equal('faulted');
    expect(answerStatusOf('INTERNAL_ERROR')).to.equal('failed');
    expect(answerStatusOf('PAYMENT_DECLINED')).to.equal('rejected');
  });
});
