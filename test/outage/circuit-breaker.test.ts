import { expect } from 'chai';
import { loadConfig, type Config } from '../../src/config/config.js';
import type { DomCallGate, DomFailure, DomFailureKind, DomResult } from '../../src/dom/dom-transport.js';
import {
  admits, afterCall, afterProbe, classifyOutcome, DEFAULT_CIRCUIT_BREAKER_POLICY, domStateView, INITIAL_CIRCUIT_STATE, nextHeartbeatAt,
  type CircuitState,
} from '../../src/dom/outage/circuit-breaker.js';
import { DomCircuitGate } from '../../src/dom/outage/dom-circuit-gate.js';
import { heartbeatBod, heartbeatMsFor, installOutageHandling } from '../../src/dom/outage/install-outage.js';
import { silentLogger } from '../../src/log/logger.js';
import { openTestStore } from '../support/test-store.js';
import type { Store } from '../../src/store/store.js';
import { eventually } from '../support/order-bods.js';

const P = DEFAULT_CIRCUIT_BREAKER_POLICY;
const fail = (kind: DomFailureKind, httpStatus?: number): DomResult<unknown> => ({ ok: false, failure: { kind, detail: kind, ...(httpStatus ? { httpStatus } : {}) } });
const OK: DomResult<unknown> = { ok: true, value: {} };

/** Runs outcomes through afterCall from the initial state, one ms apart starting at t = 1000. */
function run(outcomes: DomResult<unknown>[]): { state: CircuitState; events: string[] } {
  let state = INITIAL_CIRCUIT_STATE;
  const events: string[] = [];
  outcomes.forEach((r, i) => {
    const t = afterCall(P, state, classifyOutcome(r), 1000 + i);
    state = t.state;
    if (t.event) events.push(`${t.event.kind}@${i}`);
  });
  return { state, events };
}

describe('DOM circuit breaker: policy decisions (pure)', function () {
  it('defaults: 5 consecutive transport failures open it; heartbeat every 300 s', function () {
    expect(P).to.deep.equal({ failuresToOpen: 5, heartbeatMs: 300_000, probeMinMs: 2_000 });
    expect(nextHeartbeatAt(P, 1_000)).to.equal(301_000);
  });

  it('classifies outcomes: transport failures count, DOM answering (even with an error) resets, the rest says nothing', function () {
    for (const k of ['refused', 'connect-timeout', 'timeout', 'dropped', 'soap-fault'] as const) expect(classifyOutcome(fail(k)), k).to.equal('transport-failure');
    expect(classifyOutcome(fail('http-error', 500))).to.equal('transport-failure');
    expect(classifyOutcome(fail('http-error', 503))).to.equal('transport-failure');
    expect(classifyOutcome(fail('http-error', 404))).to.equal('answered');
    expect(classifyOutcome(fail('bod-error'))).to.equal('answered');
    expect(classifyOutcome(OK)).to.equal('answered');
    expect(classifyOutcome(fail('unparseable'))).to.equal('neutral');
    expect(classifyOutcome(fail('circuit-open'))).to.equal('neutral');
  });

  it('opens on the 5th consecutive failure, down since the first of them', function () {
    const four = run([OK, ...Array(4).fill(fail('refused'))]);
    expect(four.state).to.include({ status: 'closed', failures: 4, failingSince: 1001 });
    expect(admits(four.state)).to.equal(true);
    const five = run([OK, ...Array(5).fill(fail('timeout'))]);
    expect(five.events).to.deep.equal(['opened@5']);
    expect(five.state).to.include({ status: 'open', since: 1001 });
    expect(admits(five.state)).to.equal(false);
    expect(domStateView(five.state)).to.deep.equal({ state: 'down', since: new Date(1001).toISOString() });
  });

  it('an answer between failures starts the count again; a BOD error is an answer; unreadable answers do not count', function () {
    expect(run([...Array(4).fill(fail('refused')), OK, ...Array(4).fill(fail('refused'))]).state).to.include({ status: 'closed', failures: 4 });
    expect(run([...Array(4).fill(fail('refused')), fail('bod-error'), ...Array(4).fill(fail('refused'))]).state).to.include({ status: 'closed', failures: 4 });
    const mixed = run([...Array(4).fill(fail('refused')), fail('unparseable'), fail('dropped')]);
    expect(mixed.events).to.deep.equal(['opened@5']);
  });

  it('while open, live outcomes change nothing: only the heartbeat closes it', function () {
    const open = run(Array(5).fill(fail('refused'))).state;
    expect(afterCall(P, open, 'answered', 5000).state).to.equal(open);
    expect(afterCall(P, open, 'transport-failure', 5000).state).to.equal(open);
    expect(afterProbe(open, 'transport-failure', 5000)).to.deep.equal({ state: open });
    expect(afterProbe(open, 'neutral', 5000)).to.deep.equal({ state: open });
    const closed = afterProbe(open, 'answered', 9000);
    expect(closed.event).to.deep.equal({ kind: 'closed', downSince: 1000, downForMs: 8000 });
    expect(closed.state).to.deep.equal({ status: 'closed', failures: 0, failingSince: null, since: 9000 });
    expect(domStateView(closed.state)).to.deep.equal({ state: 'up', since: new Date(9000).toISOString() });
    // A probe while closed (a late one) changes nothing.
    expect(afterProbe(closed.state, 'answered', 9500).event).to.equal(undefined);
  });

  it('DOM state is unknown until DOM first answers (or the circuit opens)', function () {
    expect(domStateView(INITIAL_CIRCUIT_STATE)).to.deep.equal({ state: 'unknown', since: null });
    expect(domStateView(run([fail('refused')]).state).state).to.equal('unknown');
    expect(domStateView(run([OK]).state)).to.deep.equal({ state: 'up', since: new Date(1000).toISOString() });
  });

  it('the heartbeat interval is DOM_HEARTBEAT_S, or the test-only DOM_HEARTBEAT_MS when set (both read by the config module)', function () {
    expect(heartbeatMsFor(loadConfig({ env: {} }))).to.equal(300_000);
    expect(heartbeatMsFor(loadConfig({ env: { DOM_HEARTBEAT_S: '7' } }))).to.equal(7000);
    expect(heartbeatMsFor(loadConfig({ env: { DOM_HEARTBEAT_MS: '100' } }))).to.equal(100);
    // A bad value is an error, no longer silently ignored.
    expect(() => loadConfig({ env: { DOM_HEARTBEAT_MS: 'soon' } })).to.throw('DOM_HEARTBEAT_MS must be a whole number');
    expect(() => loadConfig({ env: { DOM_HEARTBEAT_MS: '0' } })).to.throw('DOM_HEARTBEAT_MS must be between 1');
    expect(heartbeatBod('hb-1')).to.contain('<oa:BODID>hb-1</oa:BODID>').and.to.contain('GetInventoryAvailability');
  });
});

/** Stands in for DomTransport: `call` goes through the gate as the real one does and counts what would be sent. */
class FakeTransport {
  gate: DomCallGate | undefined;
  sent = 0;
  probes = 0;
  next: DomResult<unknown> = fail('refused');
  probeAnswer: DomResult<unknown> = fail('refused');

  setGate(g: DomCallGate): void {
    this.gate = g;
  }

  async call(): Promise<DomResult<unknown>> {
    const refused = this.gate?.admit();
    if (refused) return { ok: false, failure: refused };
    this.sent++;
    this.gate?.record(this.next);
    return this.next;
  }

  async probe(): Promise<DomResult<never>> {
    this.probes++;
    return this.probeAnswer as DomResult<never>;
  }
}

describe('DOM circuit breaker: the gate on a fake transport', function () {
  it('refuses at once while open, heartbeats, and on recovery reschedules the outbox before kicking the relay', async function () {
    const t = new FakeTransport();
    const steps: string[] = [];
    // One process: it holds the heartbeat, and nobody else is told DOM is back.
    const nodes = { watch: () => () => undefined, announce: async () => undefined, hold: async () => true, release: async () => undefined };
    const store = { domOutbox: { rescheduleWaiting: async () => (steps.push('reschedule'), 3) }, nodes } as unknown as Store;
    const outage = installOutageHandling(t as never, { dom: { heartbeatS: 300, heartbeatMs: 20 } } as Config, () => steps.push('recovered'), silentLogger, store);
    try {
      expect(outage.domState()).to.deep.equal({ state: 'unknown', since: null });
      t.next = OK;
      await t.call();
      expect(outage.domState().state).to.equal('up');
      t.next = fail('connect-timeout');
      for (let i = 0; i < 5; i++) expect((await t.call()).ok).to.equal(false);
      expect(t.sent).to.equal(6);
      expect(outage.domState().state).to.equal('down');

      const refused = await t.call();
      expect(t.sent, 'an open circuit does not call DOM').to.equal(6);
      expect(refused.ok).to.equal(false);
      const f = (refused as { failure: DomFailure }).failure;
      expect(f.kind).to.equal('circuit-open');
      expect(f.detail).to.match(/^DOM is down since \d{4}-\d\d-\d\dT.*\(circuit open\); not called$/);

      await eventually(async () => expect(t.probes).to.be.greaterThan(1), 2000, 5);
      expect(steps, 'failed probes recover nothing').to.deep.equal([]);
      expect(outage.domState().state).to.equal('down');

      t.probeAnswer = OK;
      await eventually(async () => expect(steps).to.deep.equal(['reschedule', 'recovered']), 2000, 5);
      expect(outage.domState().state).to.equal('up');
      t.next = OK;
      expect((await t.call()).ok).to.equal(true);
      expect(t.sent).to.equal(7);
      const probesAfter = t.probes;
      await new Promise((r) => setTimeout(r, 80));
      expect(t.probes, 'no heartbeat while closed').to.equal(probesAfter);
    } finally {
      outage.stop();
    }
  });

  it('the probe that closes the circuit is reported as soon as the circuit shows closed, before the outbox is rescheduled', async function () {
    const t = new FakeTransport();
    let release!: () => void;
    const rescheduling = new Promise<void>((r) => { release = r; });
    const seen: (string | undefined)[] = [];
    const gate = new DomCircuitGate({
      policy: { failuresToOpen: 1, heartbeatMs: 600_000 }, probe: () => t.probe(), log: silentLogger,
      // While the waiting messages are rescheduled (a database write), /readyz already says up: so must its last probe.
      onClosed: async () => {
        seen.push(gate.lastProbe()?.dom);
        await rescheduling;
      },
    });
    t.setGate(gate);
    await t.call();
    expect(gate.current().status).to.equal('open');
    t.probeAnswer = OK;
    const probed = gate.probeNow();
    await eventually(async () => expect(seen).to.have.length(1), 2000, 5);
    expect(gate.domState().state).to.equal('up');
    expect(gate.lastProbe(), 'the closing probe, while onClosed still runs').to.deep.include({ dom: 'up', trigger: 'operator' });
    expect(seen).to.deep.equal(['up']);
    release();
    expect((await probed).circuit.state).to.equal('up');
    gate.stop();
  });

  it('stop() ends the heartbeat', async function () {
    const t = new FakeTransport();
    const gate = new DomCircuitGate({ policy: { failuresToOpen: 2, heartbeatMs: 10 }, probe: () => t.probe(), onClosed: () => undefined, log: silentLogger });
    t.setGate(gate);
    await t.call();
    await t.call();
    expect(gate.current().status).to.equal('open');
    await eventually(async () => expect(t.probes).to.be.greaterThan(0), 2000, 5);
    gate.stop();
    const probes = t.probes;
    await new Promise((r) => setTimeout(r, 60));
    expect(t.probes).to.equal(probes);
  });
});

describe('DOM outbox: rescheduleWaiting (SQLite)', function () {
  it('makes every queued or failed message due now, and leaves sent, acknowledged and dead ones alone', async function () {
    const store = await openTestStore();
    try {
      const now = Date.now();
      const later = now + 300_000;
      const enqueue = (id: string, at: number) => store.domOutbox.enqueue({ messageId: id, kind: 'TransferOrder', orderId: id, bodId: `bod-${id}`, payload: '<x/>', nextAttemptAt: at, createdAt: now });
      for (const id of ['queued-later', 'failed-later', 'queued-due', 'sent', 'acked', 'dead']) await enqueue(id, id === 'queued-due' ? now - 10 : later);
      // Each through the outbound machine's moves (settle refuses any other).
      for (const id of ['failed-later', 'sent', 'acked', 'dead']) await store.domOutbox.settle(id, 'sent', { attempts: 1 });
      await store.domOutbox.settle('failed-later', 'failed', { attempts: 3, nextAttemptAt: later, lastError: 'circuit-open: DOM is down' });
      await store.domOutbox.settle('acked', 'acknowledged', {});
      await store.domOutbox.settle('dead', 'dead', {});
      expect((await store.domOutbox.due(now, 10)).map((m) => m.messageId)).to.deep.equal(['queued-due']);

      expect(await store.domOutbox.rescheduleWaiting(now)).to.equal(2);
      expect((await store.domOutbox.due(now, 10)).map((m) => m.messageId).sort()).to.deep.equal(['failed-later', 'queued-due', 'queued-later']);
      const failed = await store.domOutbox.get('failed-later');
      expect(failed).to.include({ status: 'failed', attempts: 3, nextAttemptAt: now });
      expect((await store.domOutbox.get('sent'))?.nextAttemptAt).to.equal(later);
      expect(await store.domOutbox.rescheduleWaiting(now)).to.equal(0);
    } finally {
      await store.close();
    }
  });
});
