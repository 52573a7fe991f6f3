import { validateMetricName, type Histogram, type Metric, type OpenMetricsContentType, type Registry } from 'prom-client';

/*
 * prom-client hashes the label object of every inc() and observe() into a string key (about 1 µs a request,
 * measured). Here the hot path only bumps plain numbers in a slot the caller looked up once and kept; the
 * slots are handed to prom-client when Prometheus scrapes. Slots are created per label set and never removed,
 * so callers must keep their label values bounded.
 */

/**
 * The last request counted in a series, as an OpenMetrics exemplar: its message id (docs/operations.md, "Message
 * ids"), the value it added and when. The hot path stores a reference and a number; labels are built at scrape.
 */
export interface ExemplarSlot {
  exemplarId: string | undefined;
  exemplarValue: number;
  /** Epoch milliseconds. */
  exemplarAt: number;
}

/** One series of a counter: the hot path adds to `value`, and names the message it counted (`count`). */
export interface CountSlot extends ExemplarSlot {
  value: number;
}

/** No message counted yet. */
const noExemplar = (): ExemplarSlot => ({ exemplarId: undefined, exemplarValue: 0, exemplarAt: 0 });

/** The message just counted with `value` becomes the exemplar, when it has an id. */
function noteExemplar(e: ExemplarSlot, messageId: string | undefined, value: number, at: number | undefined): void {
  if (messageId === undefined) return;
  e.exemplarId = messageId;
  e.exemplarValue = value;
  e.exemplarAt = at ?? Date.now();
}

/** Adds one to the series, with the counted message as its exemplar when it has an id. */
export function count(slot: CountSlot, messageId?: string | undefined, at?: number): void {
  slot.value++;
  noteExemplar(slot, messageId, 1, at);
}

/** The exemplar label set: one label, the message id, so a scrape leads to the record (CLI, console). */
export const EXEMPLAR_LABEL = 'message_id';

/** An exemplar as prom-client's registry prints it in OpenMetrics (timestamp in seconds); undefined without one. */
function exemplarOf(s: ExemplarSlot): { labelSet: Record<string, string>; value: number; timestamp: number } | undefined {
  // OpenMetrics caps an exemplar's label names and values at 128 characters together: a longer id is left out.
  if (s.exemplarId === undefined || s.exemplarId.length > 128 - EXEMPLAR_LABEL.length) return undefined;
  return { labelSet: { [EXEMPLAR_LABEL]: s.exemplarId }, value: s.exemplarValue, timestamp: s.exemplarAt / 1000 };
}

/**
 * Where a metric is printed: the Prometheus text format (0.0.4), and OpenMetrics (1.0.0), which alone carries
 * exemplars. prom-client gives each registry one format, so dombridge keeps two, holding the same series.
 */
export interface Registries {
  readonly prometheus: Registry;
  readonly openMetrics: Registry<OpenMetricsContentType>;
}

/**
 * A counter fed from slots, printed by prom-client's registries like its own Counter. It is registered as a metric
 * object of its own in each registry (see SlotHistogram for what that takes): an OpenMetrics registry renames a
 * counter object it prints (`x_total` becomes `x`), which must not reach the Prometheus registry's object.
 */
export class SlotCounter<T extends string> {
  private readonly slots: { readonly labels: Record<T, string>; readonly slot: CountSlot }[] = [];

  /** Its label names are those of the label sets its slots are made with. */
  constructor(registries: Registries, name: string, help: string) {
    if (!validateMetricName(name)) throw new Error(`invalid metric name ${name}`);
    for (const registry of [registries.prometheus, registries.openMetrics]) registry.registerMetric(this.exposed(name, help) as unknown as Metric<string>);
  }

  /** A new series; look it up once and keep it. */
  slot(labels: Record<T, string>): CountSlot {
    const slot: CountSlot = { value: 0, ...noExemplar() };
    this.slots.push({ labels, slot });
    return slot;
  }

  private exposed(name: string, help: string): { name: string; help: string; type: 'counter'; aggregator: 'sum'; get(): Promise<unknown>; reset(): void } {
    const slots = this.slots;
    return {
      name, help, type: 'counter', aggregator: 'sum',
      async get() {
        // `this.name` as the registry left it: without `_total` in OpenMetrics, where samples get it back.
        return { name: this.name, help, type: 'counter', aggregator: 'sum', values: slots.map(({ labels, slot }) => ({ labels, value: slot.value, exemplar: exemplarOf(slot) })) };
      },
      reset() {
        for (const { slot } of slots) {
          slot.value = 0;
          slot.exemplarId = undefined;
        }
      },
    };
  }
}

/**
 * Observations of one histogram series: counts per bucket (not cumulative), their sum and count, and per bucket
 * the last message observed in it (an exemplar: which request was that slow).
 */
export class BucketCounts {
  /** counts[i]: observations ≤ bounds[i] and > bounds[i-1]; the last entry: above every bound. */
  readonly counts: Float64Array;
  readonly exemplars: ExemplarSlot[];
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
    this.exemplars = Array.from({ length: bounds.length + 1 }, noExemplar);
  }

  observe(value: number, messageId?: string | undefined, at?: number): void {
    const b = this.bounds;
    let i = 0;
    // Most answers fall in the first few buckets, so a scan from the bottom beats a binary search here.
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
    noteExemplar(this.exemplars[i]!, messageId, value, at);
  }
}

type Exposed = Awaited<ReturnType<Histogram<string>['get']>>;
type ExposedValue = Exposed['values'][number];

/**
 * A histogram whose series are BucketCounts, printed by a prom-client registry like its own Histogram. It is
 * not a prom-client Histogram (whose observe() would hash labels again): it is registered as a metric object,
 * which to the registry means `name`, `type`, `get()` (and `reset()`, for resetMetrics). The metrics test reads
 * the exposition text, so a change of that contract in prom-client shows there.
 */
export class SlotHistogram<T extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: { readonly labels: Record<T, string>; readonly counts: BucketCounts }[] = [];
  private readonly bounds: readonly number[];
  private readonly boundLabels: readonly string[];

  constructor(registries: Registries, readonly name: string, readonly help: string, buckets: readonly number[]) {
    if (!validateMetricName(name)) throw new Error(`invalid metric name ${name}`);
    this.bounds = [...buckets].sort((a, b) => a - b);
    this.boundLabels = this.bounds.map(String);
    // One object in both registries: nothing renames a histogram.
    registries.prometheus.registerMetric(this as unknown as Histogram<T>);
    registries.openMetrics.registerMetric(this as unknown as Histogram<T>);
  }

  /** A new series; look it up once and keep it. */
  slot(labels: Record<T, string>): BucketCounts {
    const counts = new BucketCounts(this.bounds);
    this.series.push({ labels, counts });
    return counts;
  }

  async get(): Promise<Exposed> {
    const values: ExposedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, counts } of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += counts.counts[i]!;
        values.push({ metricName: bucketName, labels: { ...labels, le: this.boundLabels[i]! }, value: cumulative, exemplar: exemplarOf(counts.exemplars[i]!) } as ExposedValue);
      }
      values.push({ metricName: bucketName, labels: { ...labels, le: '+Inf' }, value: counts.count, exemplar: exemplarOf(counts.exemplars[this.bounds.length]!) } as ExposedValue);
      values.push({ metricName: `${this.name}_sum`, labels, value: counts.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: counts.count });
    }
    // The typings declare `type` as an enum and a `collect` member; the registry reads the string name.
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values } as unknown as Exposed;
  }

  /** registry.resetMetrics(): start every series again from zero. */
  reset(): void {
    for (const { counts } of this.series) {
      counts.counts.fill(0);
      counts.sum = 0;
      counts.count = 0;
      for (const e of counts.exemplars) e.exemplarId = undefined;
    }
  }
}
