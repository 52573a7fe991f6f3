import type { Logger } from '../../log/logger.js';
import type { DomCallGate, DomFailure, DomResult } from '../dom-transport.js';
import {
  admits, afterCall, afterProbe, classifyOutcome, domStateView, INITIAL_CIRCUIT_STATE, nextHeartbeatAt, openCircuitDetail,
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
    });
    this.scheduleHeartbeat(this.now());
  }

  private scheduleHeartbeat(from: number): void {
    if (this.stopped || this.timer || this.probing) return;
    const delay = Math.max(0, nextHeartbeatAt(this.opts.policy, from) - this.now());
    this.timer = setTimeout(() => void this.heartbeat(), delay);
    // The HTTP listener keeps the process alive; the heartbeat alone must not.
    this.timer.unref();
  }

  private async heartbeat(): Promise<void> {
    this.timer = undefined;
    if (this.stopped || this.state.status !== 'open') return;
    this.probing = true;
    let result: DomResult<unknown>;
    try {
      result = await this.opts.probe();
    } catch (e) {
      result = { ok: false, failure: { kind: 'unparseable', detail: `heartbeat failed: ${e instanceof Error ? e.message : String(e)}` } };
    } finally {
      this.probing = false;
    }
    if (this.stopped) return;
    const t = afterProbe(this.state, classifyOutcome(result), this.now());
    this.state = t.state;
    if (t.event?.kind !== 'closed') {
      this.opts.log.debug('heartbeat: DOM still down', { outcome: result.ok ? 'answered' : result.failure.kind });
      this.scheduleHeartbeat(this.now());
      return;
    }
    this.refused = undefined;
    this.lastFailure = undefined;
    let extra: Record<string, unknown> | void = undefined;
    try {
      extra = await this.opts.onClosed(t.event);
    } catch (e) {
      this.opts.log.error('DOM is back, but the messages waiting for it could not be rescheduled', { error: e instanceof Error ? e.message : String(e) });
    }
    this.opts.log.info('DOM is back: circuit closed', {
      downSince: new Date(t.event.downSince).toISOString(),
      downForMs: t.event.downForMs,
      downForS: Math.round(t.event.downForMs / 1000),
      ...(extra ?? {}),
    });
  }
}
