import { collectDefaultMetrics, Gauge, Registry, type OpenMetricsContentType } from 'prom-client';
import type { DomCallObserver } from '../dom/dom-transport.js';
import type { AvailabilityObserver } from '../inventory/availability.service.js';
import type { DispatchObserver } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';
import { boundedLabel, DOM_OPERATIONS, OTHER_LABEL, SERVED_OPERATIONS } from './operation-labels.js';
import { count, SlotCounter, SlotHistogram, type BucketCounts, type CountSlot, type Registries } from './series.js';

/** Request durations, seconds: a cached Get answers in a fraction of a millisecond, a slow checkout in seconds. */
export const REQUEST_BUCKETS_S: readonly number[] = [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** DOM call durations, seconds: up to the longest DOM timeout one would configure (default 5 s). */
export const DOM_BUCKETS_S: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Where an availability answer counts as a cache hit, and where it counts at all for the hit ratio. */
const AVAILABILITY_SOURCES = ['cache', 'dom', 'stale-cache', 'fallback', 'local'] as const;
const DOM_STORE_SOURCES: ReadonlySet<string> = new Set(['cache', 'dom', 'stale-cache', 'fallback']);

/**
 * The store has no count of pending e-mails; they are counted by reading the due list with this cap, so a
 * backlog larger than this is reported as the cap.
 */
export const EMAIL_PENDING_CAP = 10_000;

export interface MetricsOptions {
  /** Operation names with their own request series; default SERVED_OPERATIONS. */
  readonly servedOperations?: readonly string[];
  /** Operation names with their own DOM call series; default DOM_OPERATIONS. */
  readonly domOperations?: readonly string[];
  /** Process metrics (CPU, memory, event loop, GC). Default true. */
  readonly processMetrics?: boolean;
  readonly now?: () => number;
}

type RequestLabel = 'service' | 'operation' | 'outcome' | 'code';
type DomLabel = 'operation' | 'outcome';

/** The series of one (service, operation): a count per outcome and the durations. */
interface RequestSeries {
  readonly service: string;
  readonly operation: string;
  readonly outcomes: Map<string, CountSlot>;
  readonly duration: BucketCounts;
}

interface DomSeries {
  readonly operation: string;
  readonly outcomes: Map<string, CountSlot>;
  readonly duration: BucketCounts;
}

type OutboxDepth = Awaited<ReturnType<Store['domOutbox']['depth']>>;

/** A registry printing OpenMetrics (the typings name no constructor argument; setContentType is typed). */
function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const r = new Registry<OpenMetricsContentType>();
  r.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return r;
}

/**
 * dombridge's Prometheus metrics, in registries of their own (several apps share a process in the tests, so
 * the global default registry is never used): one prints the Prometheus text format, the other OpenMetrics, with
 * exemplars naming the message id of a request counted (docs/operations.md, "Metrics"). The observers are the hot
 * path: a Map lookup or two and a few additions each; the store gauges are read when Prometheus scrapes.
 */
export class DombridgeMetrics {
  readonly registry = new Registry();
  /** The same series, printed as OpenMetrics (asked for by `Accept: application/openmetrics-text`). */
  readonly openMetrics = openMetricsRegistry();
  readonly dispatch: DispatchObserver;
  readonly dom: DomCallObserver;
  readonly availability: AvailabilityObserver;

  private readonly served: ReadonlySet<string>;
  private readonly domKnown: ReadonlySet<string>;
  private readonly requests: SlotCounter<RequestLabel>;
  private readonly requestDuration: SlotHistogram<'service' | 'operation'>;
  private readonly byService = new Map<string, Map<string, RequestSeries>>();
  private readonly domCalls: SlotCounter<DomLabel>;
  private readonly domDuration: SlotHistogram<'operation'>;
  private readonly byDomOperation = new Map<string, DomSeries>();
  private readonly answers: SlotCounter<'source'>;
  private readonly bySource = new Map<string, CountSlot>();
  private depthInFlight: Promise<OutboxDepth | undefined> | undefined;

  constructor(private readonly store: Store, opts: MetricsOptions = {}) {
    const registries: Registries = { prometheus: this.registry, openMetrics: this.openMetrics };
    // Gauges are printed alike in both formats: one object serves both registries.
    const registers = [this.registry, this.openMetrics];
    const now = opts.now ?? Date.now;
    this.served = new Set(opts.servedOperations ?? SERVED_OPERATIONS);
    this.domKnown = new Set(opts.domOperations ?? DOM_OPERATIONS);
    // Each registry its own process metrics: an OpenMetrics registry renames the counters it prints.
    if (opts.processMetrics !== false) for (const register of registers) collectDefaultMetrics({ register });

    this.requests = new SlotCounter<RequestLabel>(registries, 'dombridge_requests_total',
      'SOAP requests answered, by service, operation, outcome (ok, bod_error, fault: from the error catalogue) and code (the fault code or the BOD error reason code; empty when ok).');
    this.requestDuration = new SlotHistogram(registries, 'dombridge_request_duration_seconds', 'Time from a request body read to its SOAP answer, seconds.', REQUEST_BUCKETS_S);
    this.domCalls = new SlotCounter<DomLabel>(registries, 'dombridge_dom_calls_total', 'Calls to DOM, by operation and outcome (ok or the failure kind).');
    this.domDuration = new SlotHistogram(registries, 'dombridge_dom_call_duration_seconds', 'Time of a call to DOM, seconds, whatever its outcome.', DOM_BUCKETS_S);
    this.answers = new SlotCounter<'source'>(registries, 'dombridge_availability_answers_total', 'Availability answers (one per item and location), by where they came from.');
    for (const source of AVAILABILITY_SOURCES) this.bySource.set(source, this.answers.slot({ source }));

    const bySource = this.bySource;
    new Gauge({
      name: 'dombridge_cache_hit_ratio', help: 'Availability answers for DOM stores served from a fresh cache record, as a share of all answers for DOM stores since start (0 before the first).',
      registers,
      collect() {
        let hits = 0;
        let all = 0;
        for (const [source, slot] of bySource) {
          if (!DOM_STORE_SOURCES.has(source)) continue;
          all += slot.value;
          if (source === 'cache') hits += slot.value;
        }
        this.set(all === 0 ? 0 : hits / all);
      },
    });

    // The three outbox gauges share one depth() query per scrape: the registry calls every collect in one turn.
    const depth = () => (this.depthInFlight ??= this.store.domOutbox.depth()
      .then((d): OutboxDepth | undefined => d, () => undefined)
      .finally(() => { this.depthInFlight = undefined; }));
    new Gauge({
      name: 'dombridge_outbox_depth', help: 'DOM outbox messages not yet acknowledged nor dead-lettered (NaN when the store cannot be read).', registers,
      async collect() { this.set((await depth())?.pending ?? NaN); },
    });
    new Gauge({
      name: 'dombridge_outbox_oldest_age_seconds', help: 'Age of the oldest pending DOM outbox message, seconds; 0 when none is pending.', registers,
      async collect() {
        const d = await depth();
        this.set(!d ? NaN : d.oldestCreatedAt === null ? 0 : Math.max(0, (now() - d.oldestCreatedAt) / 1000));
      },
    });
    new Gauge({
      name: 'dombridge_dead_letters', help: 'DOM outbox messages dead-lettered, waiting for a person (messages resend).', registers,
      async collect() { this.set((await depth())?.dead ?? NaN); },
    });
    const emails = this.store.emailOutbox;
    new Gauge({
      name: 'dombridge_email_pending', help: `E-mails not yet sent and not given up, including those waiting for a retry (capped at ${EMAIL_PENDING_CAP}).`, registers,
      async collect() {
        const pending = await emails.due(Number.MAX_SAFE_INTEGER, EMAIL_PENDING_CAP).then((l) => l.length, () => NaN);
        this.set(pending);
      },
    });

    this.dispatch = {
      onAnswer: (e) => {
        const series = this.requestSeries(e.service, e.operation);
        // One key per (outcome, code): codes come from the catalogue, so the series stay few.
        const key = e.code ?? e.outcome;
        // The request's record is the exemplar of both series it is counted in.
        const at = e.messageId === undefined ? 0 : Date.now();
        count(series.outcomes.get(key) ?? this.requestOutcome(series, key, e.outcome, e.code ?? ''), e.messageId, at);
        series.duration.observe(e.durationMs / 1000, e.messageId, at);
      },
    };
    this.dom = {
      onCall: (e) => {
        const series = this.domSeries(e.operation);
        const outcome = e.result.ok ? 'ok' : e.result.failure.kind;
        // The call's record (out-N), when the recorder reserved a row for it, is the exemplar of both series.
        const at = e.messageId === undefined ? 0 : Date.now();
        count(series.outcomes.get(outcome) ?? this.domOutcome(series, outcome), e.messageId, at);
        series.duration.observe(e.durationMs / 1000, e.messageId, at);
      },
    };
    this.availability = {
      onAnswer: (source) => {
        (this.bySource.get(source) ?? this.bySource.get(OTHER_LABEL) ?? this.newSource()).value++;
      },
    };
  }

  /**
   * The exposition text, as GET /metrics answers it: OpenMetrics, with exemplars, when the scraper's Accept asks
   * for it (Prometheus does, with exemplar storage on); the Prometheus text format otherwise.
   */
  async scrape(accept?: string): Promise<{ status: number; contentType: string; body: string }> {
    const registry = accept !== undefined && /\bapplication\/openmetrics-text\b/i.test(accept) ? this.openMetrics : this.registry;
    return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
  }

  /** The operation label a request for `operation` is counted under (for tests and dashboards). */
  operationLabel(operation: string): string {
    return boundedLabel(this.served, operation);
  }

  private requestSeries(service: string, operation: string): RequestSeries {
    let byOperation = this.byService.get(service);
    if (!byOperation) {
      // Service names come from our own service definitions: two today.
      byOperation = new Map();
      this.byService.set(service, byOperation);
    }
    const hit = byOperation.get(operation);
    if (hit) return hit;
    const label = boundedLabel(this.served, operation);
    // Unknown names are not remembered under their own key: they all share the `other` series.
    let series = byOperation.get(label);
    if (!series) {
      series = { service, operation: label, outcomes: new Map(), duration: this.requestDuration.slot({ service, operation: label }) };
      byOperation.set(label, series);
    }
    return series;
  }

  private requestOutcome(series: RequestSeries, key: string, outcome: string, code: string): CountSlot {
    // Outcomes are a closed union of three, codes the error catalogue's.
    const slot = this.requests.slot({ service: series.service, operation: series.operation, outcome, code });
    series.outcomes.set(key, slot);
    return slot;
  }

  private domSeries(operation: string): DomSeries {
    const hit = this.byDomOperation.get(operation);
    if (hit) return hit;
    const label = boundedLabel(this.domKnown, operation);
    let series = this.byDomOperation.get(label);
    if (!series) {
      series = { operation: label, outcomes: new Map(), duration: this.domDuration.slot({ operation: label }) };
      this.byDomOperation.set(label, series);
    }
    return series;
  }

  private domOutcome(series: DomSeries, outcome: string): CountSlot {
    // Outcomes are `ok` and the DomFailureKind union.
    const slot = this.domCalls.slot({ operation: series.operation, outcome });
    series.outcomes.set(outcome, slot);
    return slot;
  }

  private newSource(): CountSlot {
    const slot = this.answers.slot({ source: OTHER_LABEL });
    this.bySource.set(OTHER_LABEL, slot);
    return slot;
  }
}
