import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.js';
import { afterCall, INITIAL_CIRCUIT_STATE, nextProbeAt, type CircuitBreakerPolicy, type CircuitState } from '../../src/dom/outage/circuit-breaker.js';
import { DomCircuitGate } from '../../src/dom/outage/dom-circuit-gate.js';
import { circuitPolicyFor } from '../../src/dom/outage/install-outage.js';
import type { DomResult } from '../../src/dom/dom-transport.js';
import { silentLogger } from '../../src/log/logger.js';

const DOWN: DomResult<unknown> = { ok: false, failure: { kind: 'refused', detail: 'connection refused' } };
const UP: DomResult<unknown> = { ok: true, value: undefined };

/**
 * When is DOM's return noticed? The probe schedule is a pure function of the policy and the circuit's state, so
 * an outage is played on a clock of our own: no timer runs, nothing waits.
 */
function noticedAfter(policy: CircuitBreakerPolicy, outageMs: number, openedAfterMs: number): { noticedAt: number; probes: number } {
  // The outage starts at 0: the run of failures that opens the circuit begins there, the opening comes later.
  let state: CircuitState = INITIAL_CIRCUIT_STATE;
  state = afterCall(policy, state, 'answered', -1).state;
  for (let i = 0; i < policy.failuresToOpen; i++) state = afterCall(policy, state, 'transport-failure', i === policy.failuresToOpen - 1 ? openedAfterMs : 0).state;
  expect(state.status).to.equal('open');
  let at = openedAfterMs;
  let probes = 0;
  for (;;) {
    at = nextProbeAt(policy, state, at);
    probes++;
    if (at >= outageMs) return { noticedAt: at, probes };
  }
}

describe('DOM recovery: probes back off from a few seconds to DOM_HEARTBEAT_S', function () {
  const defaults = circuitPolicyFor(loadConfig({ env: {} }));

  it('with the default settings, DOM back after a 30 s outage is noticed within 10 s', function () {
    expect(defaults).to.include({ heartbeatMs: 300_000, probeMinMs: 2_000 });
    for (const openedAfterMs of [0, 500, 2_000, 5_000]) {
      const { noticedAt } = noticedAfter(defaults, 30_000, openedAfterMs);
      expect(noticedAt - 30_000, `circuit opened ${openedAfterMs} ms into the outage`).to.be.at.most(10_000);
    }
  });

  it('a short outage ends in seconds, any outage is noticed within a third of its length (or the first probe), a long one costs one probe per heartbeat', function () {
    for (let outage = 1_000; outage <= 600_000; outage += 1_000) {
      const { noticedAt } = noticedAfter(defaults, outage, 0);
      expect(noticedAt - outage, `outage of ${outage} ms`).to.be.at.most(Math.max(2_000, outage / 3));
    }
    expect(noticedAfter(defaults, 5_000, 0).noticedAt).to.be.at.most(7_000);
    // An outage of a day: after the first minutes, one probe per DOM_HEARTBEAT_S.
    const day = noticedAfter(defaults, 86_400_000, 0);
    expect(day.probes).to.be.below(86_400 / 300 + 20);
    // The first probe comes DOM_PROBE_MIN_S after the opening; the waits never exceed DOM_HEARTBEAT_S.
    const open: CircuitState = { status: 'open', failures: 0, failingSince: null, since: 0 };
    expect(nextProbeAt(defaults, open, 0)).to.equal(2_000);
    expect(nextProbeAt(defaults, open, 3_600_000) - 3_600_000).to.equal(300_000);
    expect(nextProbeAt(circuitPolicyFor(loadConfig({ env: { DOM_PROBE_MIN_S: '5', DOM_HEARTBEAT_S: '60' } })), open, 0)).to.equal(5_000);
  });

  it('probe now: while open an answer closes the circuit at once; while closed a failed probe is reported and changes nothing', async function () {
    let answer: DomResult<unknown> = DOWN;
    let closed = 0;
    let clock = 1_000_000;
    const gate = new DomCircuitGate({
      policy: { failuresToOpen: 2, heartbeatMs: 3_600_000, probeMinMs: 3_600_000 }, probe: async () => answer, onClosed: () => { closed++; }, log: silentLogger, now: () => clock,
    });
    try {
      const down = await gate.probeNow();
      expect(down).to.include({ dom: 'down', outcome: 'refused', trigger: 'operator' });
      expect(gate.current().status, 'a failed probe does not open the circuit').to.equal('closed');
      gate.record(DOWN);
      gate.record(DOWN);
      expect(gate.current().status).to.equal('open');
      expect((await gate.probeNow()).circuit.state).to.equal('down');
      answer = UP;
      clock += 30_000;
      const up = await gate.probeNow();
      expect(up).to.include({ dom: 'up', outcome: 'answered' });
      expect(up.circuit.state).to.equal('up');
      expect(gate.current().status).to.equal('closed');
      expect(closed).to.equal(1);
      expect(gate.lastProbe()).to.equal(up);
    } finally {
      gate.stop();
    }
  });
});
