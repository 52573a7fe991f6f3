import type { DomFailureKind, DomResult } from '../dom-transport.js';

/**
 * The DOM circuit breaker as a plain value with pure decision functions, in the manner of the redelivery policy
 * (reliability/retry-policy.ts): the gate, the tests and the docs read one rule.
 *
 * closed ──(failuresToOpen consecutive transport failures)──▶ open ──(a probe DOM answers)──▶ closed
 *
 * There is no half-open state taken by live traffic: while open, no storefront request waits on a dead DOM;
 * probes alone ask whether DOM is back. They back off (nextProbeAt): the first comes probeMinMs after the circuit
 * opened, each later one a third of the time DOM has been down after the last, never more than heartbeatMs apart
 * (DOM_HEARTBEAT_S, 300 s; docs/operations.md, probing DOM). So DOM back after an outage of T is noticed within about T/3
 * (a 30 s outage: within 10 s), and a long outage costs one probe per heartbeat. An operator may also probe at
 * once (DomCircuitGate.probeNow: the console, POST /admin/dom/probe, `dombridge dom probe`).
 */
export interface CircuitBreakerPolicy {
  /** Consecutive transport failures that open the circuit. Default 5. */
  readonly failuresToOpen: number;
  /** Longest time between probes while the circuit is open, ms. Default 300,000 (DOM_HEARTBEAT_S = 300). */
  readonly heartbeatMs: number;
  /** Time from the opening to the first probe, and the shortest between probes, ms. Default 2,000 (DOM_PROBE_MIN_S = 2). */
  readonly probeMinMs?: number;
}

export const DEFAULT_CIRCUIT_BREAKER_POLICY: CircuitBreakerPolicy = { failuresToOpen: 5, heartbeatMs: 300_000, probeMinMs: 2_000 };

/** The share of DOM's down time waited before the next probe: a third, so an outage of T is noticed within T/3. */
export const PROBE_BACKOFF_SHARE = 1 / 3;

/**
 * When the next probe is due after one at (or the opening at) `at`, ms since the epoch: a third of the time DOM
 * has been down by then (since `state.since`), at least probeMinMs, at most heartbeatMs.
 */
export function nextProbeAt(policy: CircuitBreakerPolicy, state: CircuitState, at: number): number {
  const cap = Math.max(1, policy.heartbeatMs);
  const downFor = state.since === null ? 0 : Math.max(0, at - state.since);
  return at + Math.min(cap, Math.max(policy.probeMinMs ?? DEFAULT_CIRCUIT_BREAKER_POLICY.probeMinMs!, Math.floor(downFor * PROBE_BACKOFF_SHARE)));
}

/**
 * What one call to DOM says about DOM being there:
 * - `answered`: DOM (or its HTTP server) answered; a BOD error or a 4xx is still DOM answering.
 * - `transport-failure`: nothing usable came back from DOM's side: refused, connect timeout, timeout, dropped,
 *   HTTP ≥ 500, SOAP fault.
 * - `neutral`: says nothing either way (an answer we could not read, the circuit itself refusing).
 */
export type CallOutcome = 'answered' | 'transport-failure' | 'neutral';

const TRANSPORT_FAILURES: ReadonlySet<DomFailureKind> = new Set<DomFailureKind>(['refused', 'connect-timeout', 'timeout', 'dropped', 'soap-fault']);

export function classifyOutcome(result: DomResult<unknown>): CallOutcome {
  if (result.ok) return 'answered';
  const f = result.failure;
  if (TRANSPORT_FAILURES.has(f.kind)) return 'transport-failure';
  if (f.kind === 'http-error') return f.httpStatus !== undefined && f.httpStatus < 500 ? 'answered' : 'transport-failure';
  if (f.kind === 'bod-error') return 'answered';
  return 'neutral';
}

export interface CircuitState {
  readonly status: 'closed' | 'open';
  /** Consecutive transport failures seen while closed. */
  readonly failures: number;
  /** When the current run of failures began, ms since the epoch; null while DOM answers. */
  readonly failingSince: number | null;
  /**
   * closed: since when DOM is believed up (its first answer, or the close); null before DOM ever answered.
   * open: since when DOM is down (the first failure of the run that opened the circuit).
   */
  readonly since: number | null;
}

export const INITIAL_CIRCUIT_STATE: CircuitState = { status: 'closed', failures: 0, failingSince: null, since: null };

export type CircuitEvent =
  | { readonly kind: 'opened'; readonly downSince: number; readonly failures: number }
  | { readonly kind: 'closed'; readonly downSince: number; readonly downForMs: number };

export interface Transition {
  readonly state: CircuitState;
  /** Set when the status changed: the one moment to log it and act on it. */
  readonly event?: CircuitEvent;
}

/** Whether a live call may go to DOM now. */
export function admits(state: CircuitState): boolean {
  return state.status === 'closed';
}

/**
 * After a live call's outcome. While open the outcome of a call admitted before the circuit opened is ignored:
 * only the heartbeat closes the circuit.
 */
export function afterCall(policy: CircuitBreakerPolicy, state: CircuitState, outcome: CallOutcome, now: number): Transition {
  if (state.status === 'open' || outcome === 'neutral') return { state };
  if (outcome === 'answered') {
    if (state.failures === 0 && state.since !== null) return { state };
    return { state: { status: 'closed', failures: 0, failingSince: null, since: state.since ?? now } };
  }
  const failures = state.failures + 1;
  const failingSince = state.failingSince ?? now;
  if (failures < Math.max(1, policy.failuresToOpen)) return { state: { ...state, failures, failingSince } };
  return {
    state: { status: 'open', failures: 0, failingSince: null, since: failingSince },
    event: { kind: 'opened', downSince: failingSince, failures },
  };
}

/** After a heartbeat probe's outcome. Only an answer while open changes anything: it closes the circuit. */
export function afterProbe(state: CircuitState, outcome: CallOutcome, now: number): Transition {
  if (state.status !== 'open' || outcome !== 'answered') return { state };
  const downSince = state.since ?? now;
  return {
    state: { status: 'closed', failures: 0, failingSince: null, since: now },
    event: { kind: 'closed', downSince, downForMs: Math.max(0, now - downSince) },
  };
}

/** The latest the next probe can come after one at `at` (the heartbeat), ms since the epoch. */
export function nextHeartbeatAt(policy: CircuitBreakerPolicy, at: number): number {
  return at + Math.max(1, policy.heartbeatMs);
}

export interface DomStateView {
  readonly state: 'up' | 'down' | 'unknown';
  /** ISO 8601; null while unknown. */
  readonly since: string | null;
}

/** What /readyz reports: up (circuit closed, DOM answered), down (circuit open), unknown (never heard from DOM). */
export function domStateView(state: CircuitState): DomStateView {
  if (state.status === 'open') return { state: 'down', since: state.since === null ? null : new Date(state.since).toISOString() };
  if (state.since === null) return { state: 'unknown', since: null };
  return { state: 'up', since: new Date(state.since).toISOString() };
}

/** The message a refused call carries (the failure kind is `circuit-open`). */
export function openCircuitDetail(state: CircuitState): string {
  const since = state.since === null ? 'a while' : new Date(state.since).toISOString();
  return `DOM is down since ${since} (circuit open); not called`;
}
