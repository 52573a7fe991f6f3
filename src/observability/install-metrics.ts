import type { DomCallObserver } from '../dom/dom-transport.js';
import type { AvailabilityObserver } from '../inventory/availability.service.js';
import type { DispatchObserver } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';
import { DombridgeMetrics } from './metrics.js';

/** What the app wires: the observers to attach, and the GET routes that expose the metrics. */
export interface MetricsInstall {
  readonly dispatch: DispatchObserver | undefined;
  readonly dom: DomCallObserver | undefined;
  readonly availability: AvailabilityObserver | undefined;
  readonly textRoutes: Readonly<Record<string, (accept: string | undefined) => Promise<{ status: number; contentType: string; body: string }>>>;
}

/** Prometheus metrics for one app instance, in its own registries, served at GET /metrics (OpenMetrics when asked for). */
export function installMetrics(store: Store): MetricsInstall {
  const metrics = new DombridgeMetrics(store);
  return {
    dispatch: metrics.dispatch,
    dom: metrics.dom,
    availability: metrics.availability,
    textRoutes: { '/metrics': (accept) => metrics.scrape(accept) },
  };
}
