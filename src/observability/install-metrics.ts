import type { DomCallObserver } from '../dom/dom-transport.js';
import type { AvailabilityObserver } from '../inventory/availability.service.js';
import type { DispatchObserver } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';

/** Metrics. Placeholder until Prometheus metrics land: nothing observed, no /metrics. */
export interface MetricsInstall {
  readonly dispatch: DispatchObserver | undefined;
  readonly dom: DomCallObserver | undefined;
  readonly availability: AvailabilityObserver | undefined;
  readonly textRoutes: Readonly<Record<string, () => Promise<{ status: number; contentType: string; body: string }>>>;
}

export function installMetrics(_store: Store): MetricsInstall {
  return { dispatch: undefined, dom: undefined, availability: undefined, textRoutes: {} };
}
