import { Counter, validateMetricName, type Histogram, type Registry } from 'prom-client';

/*
 * prom-client hashes the label object of every inc() and observe() into a string key (about 1 µs a request,
 * measured). Here the hot path only bumps plain numbers in a slot the caller looked up once and kept; the
 * slots are handed to prom-client when Prometheus scrapes. Slots are created per label set and never removed,
 * so callers must keep their label values bounded.
 */

/** One series of a counter: the hot path adds to `value`. */
export interface CountSlot {
  value: number;
}

/** A prom-client Counter fed from slots: at scrape time each slot's total becomes its series' value. */
export class SlotCounter<T extends string> {
  private readonly slots: { readonly labels: Record<T, string>; readonly slot: CountSlot }[] = [];

  constructor(registry: Registry, name: string, help: string, labelNames: readonly T[]) {
    const slots = this.slots;
    new Counter<T>({
      name, help, labelNames, registers: [registry],
      collect() {
        // The slots hold totals since start; reset then inc keeps the counter equal to them.
        this.reset();
        for (const s of slots) this.inc(s.labels, s.slot.value);
      },
    });
  }

  /** A new series; look it up once and keep it. */
  slot(labels: Record<T, string>): CountSlot {
    const slot: CountSlot = { value: 0 };
    this.slots.push({ labels, slot });
    return slot;
  }
}

/** Observations of one histogram series: counts per bucket (not cumulative), their sum and count. */
export class BucketCounts {
  /** counts[i]: observations ≤ bounds[i] and > bounds[i-1]; the last entry: above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    // Most answers fall in the first few buckets, so a scan from the bottom beats a binary search here.
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
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

  constructor(registry: Registry, readonly name: string, readonly help: string, buckets: readonly number[]) {
    if (!validateMetricName(name)) throw new Error(`invalid metric name ${name}`);
    this.bounds = [...buckets].sort((a, b) => a - b);
    this.boundLabels = this.bounds.map(String);
    registry.registerMetric(this as unknown as Histogram<T>);
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
        values.push({ metricName: bucketName, labels: { ...labels, le: this.boundLabels[i]! }, value: cumulative });
      }
      values.push({ metricName: bucketName, labels: { ...labels, le: '+Inf' }, value: counts.count });
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
    }
  }
}
