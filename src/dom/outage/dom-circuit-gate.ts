import type { Logger } from '../../log/logger.js';
import type { DomCallGate, DomFailure, DomResult } from '../dom-transport.js';
import {
  admits, afterCall, afterProbe, classifyOutcome, domStateView, INITIAL_CIRCUIT_STATE, nextProbeAt, openCircuitDetail,
  type CircuitBreakerPolicy, type CircuitEvent, type CircuitState, type DomStateView, type Transition,
} from './circuit-breaker.js';

export interface DomCircuitGateOptions {
  readonly policy: CircuitBreakerPolicy;
  /** One cheap call to DOM that bypasses the gate: the heartbeat while the circuit is open. */
  readonly probe: () => Promise<DomResult<unknown>>;
  /**
   * After a heartbeat closed the circuit, before the close is logged: make what waited for DOM go now. Its
   * result is added to the log line. A failure here is logged; the circuit stays closed.
   */
  readonly onClosed: (event: Extract<CircuitEvent, { kind: 'closed' }>) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
  readonly log: Logger;
  /** Clock, ms since the epoch (tests). Default Date.now. */
  readonly now?: () => number;
}

/** The last probe of DOM (a heartbeat or one asked for), for the console and /readyz. */
export interface ProbeReport {
  /** Whether DOM answered the probe. */
  readonly dom: 'up' | 'down';
  /** `answered`, or the failure kind (refused, timeout, …). */
  readonly outcome: string;
  readonly detail: string | null;
  /** ISO 8601. */
  readonly at: string;
  readonly durationMs: number;
  /** Who asked: the backoff, an operator, or another node's news that DOM is back (peerFoundDomUp). */
  readonly trigger: 'heartbeat' | 'operator' | 'peer';
  /** The circuit after the probe. */
  readonly circuit: DomStateView;
}

/**
 * The transport's gate: counts consecutive transport failures of live calls, opens the circuit at the policy's
 * threshold, then refuses every call at once (failure kind `circuit-open`) and runs the heartbeat until DOM
 * answers a probe. All decisions are the pure functions of circuit-breaker.ts; this class holds the state and
 * the timer.
 */
export class DomCircuitGate implements DomCallGate {
  private state: CircuitState = INITIAL_CIRCUIT_STATE;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  private lastFailure: DomFailure | undefined;
  private refused: DomFailure | undefined;
  private last: ProbeReport | undefined;
  private inFlight: Promise<ProbeReport> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: DomCircuitGateOptions) {
    this.now = opts.now ?? Date.now;
  }

  admit(): DomFailure | undefined {
    if (admits(this.state)) return undefined;
    // One failure value per outage: refused calls allocate nothing.
    return (this.refused ??= { kind: 'circuit-open', detail: openCircuitDetail(this.state) });
  }

  record(result: DomResult<unknown>): void {
    // The common case, DOM answering while up, changes nothing.
    if (result.ok && this.state.status === 'closed' && this.state.failures === 0 && this.state.since !== null) return;
    if (!result.ok) this.lastFailure = result.failure;
    this.apply(afterCall(this.opts.policy, this.state, classifyOutcome(result), this.now()));
  }

  /** For /readyz. */
  domState(): DomStateView {
    return domStateView(this.state);
  }

  /** The last probe, heartbeat or asked for; undefined before the first. */
  lastProbe(): ProbeReport | undefined {
    return this.last;
  }

  /**
   * Probes DOM now, whatever the circuit's state (an operator asked: the console, POST /admin/dom/probe,
   * `dombridge dom probe`). While open, an answer closes the circuit as a heartbeat's would; while closed, a failed
   * probe is only reported: live calls decide when to open. A probe already running is shared, not repeated.
   */
  probeNow(): Promise<ProbeReport> {
    return (this.inFlight ??= this.runProbe('operator').finally(() => { this.inFlight = undefined; }));
  }

  /**
   * Another node found DOM back: while the circuit is open here, probe now rather than at the next heartbeat (DOM
   * is asked by this node itself; being told only makes it ask sooner). A probe already running is shared.
   */
  peerFoundDomUp(): void {
    if (this.stopped || this.state.status !== 'open') return;
    void (this.inFlight ??= this.runProbe('peer').finally(() => { this.inFlight = undefined; }));
  }

  /** The breaker's state as it stands (tests, diagnostics). */
  current(): CircuitState {
    return this.state;
  }

  /** Stops the heartbeat; a probe in flight is ignored when it returns. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private apply(t: Transition): void {
    this.state = t.state;
    if (t.event?.kind !== 'opened') return;
    this.refused = undefined;
    this.opts.log.warn('DOM is down: circuit open; DOM calls are answered at once without DOM until a heartbeat gets through', {
      downSince: new Date(t.event.downSince).toISOString(),
      downForMs: this.now() - t.event.downSince,
      consecutiveFailures: t.event.failures,
      lastOutcome: this.lastFailure?.kind,
      lastDetail: this.lastFailure?.detail,
      heartbeatMs: this.opts.policy.heartbeatMs,
      firstProbeInMs: this.opts.policy.probeMinMs,
    });
    this.scheduleHeartbeat(this.now());
  }

  private scheduleHeartbeat(from: number): void {
    if (this.stopped || this.timer || this.probing) return;
    const delay = Math.max(0, nextProbeAt(this.opts.policy, this.state, from) - this.now());
    this.timer = setTimeout(() => void this.heartbeat(), delay);
    // The HTTP listener keeps the process alive; the heartbeat alone must not.
    this.timer.unref();
  }

  private async heartbeat(): Promise<void> {
    this.timer = undefined;
    if (this.stopped || this.state.status !== 'open') return;
    this.probing = true;
    try {
      await (this.inFlight ?? this.runProbe('heartbeat'));
    } finally {
      this.probing = false;
    }
    if (!this.stopped && this.state.status === 'open') this.scheduleHeartbeat(this.now());
  }

  /** One probe: its report kept, and while open an answer closes the circuit. */
  private async runProbe(trigger: ProbeReport['trigger']): Promise<ProbeReport> {
    const started = this.now();
    let result: DomResult<unknown>;
    try {
      result = await this.opts.probe();
    } catch (e) {
      result = { ok: false, failure: { kind: 'unparseable', detail: `probe failed: ${e instanceof Error ? e.message : String(e)}` } };
    }
    const outcome = classifyOutcome(result);
    const t = this.stopped ? undefined : afterProbe(this.state, outcome, this.now());
    if (t) this.state = t.state;
    // Kept with the state it led to, before anything is awaited: /readyz never shows the circuit closed by a probe
    // it does not show yet.
    const report: ProbeReport = {
      dom: outcome === 'answered' ? 'up' : 'down', outcome: result.ok ? 'answered' : result.failure.kind, detail: result.ok ? null : result.failure.detail,
      at: new Date(started).toISOString(), durationMs: Math.max(0, this.now() - started), trigger, circuit: this.domState(),
    };
    this.last = report;
    if (t?.event?.kind === 'closed') await this.closed(t.event);
    else if (t && this.state.status === 'open') this.opts.log.debug('probe: DOM still down', { trigger, outcome: result.ok ? 'answered' : result.failure.kind });
    return report;
  }

  private async closed(event: Extract<CircuitEvent, { kind: 'closed' }>): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.refused = undefined;
    this.lastFailure = undefined;
    let extra: Record<string, unknown> | void = undefined;
    try {
      extra = await this.opts.onClosed(event);
    } catch (e) {
      this.opts.log.error('DOM is back, but the messages waiting for it could not be rescheduled', { error: e instanceof Error ? e.message : String(e) });
    }
    this.opts.log.info('DOM is back: circuit closed', {
      downSince: new Date(event.downSince).toISOString(),
      downForMs: event.downForMs,
      downForS: Math.round(event.downForMs / 1000),
      ...(extra ?? {}),
    });
  }
}
