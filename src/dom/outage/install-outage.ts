import type { Config } from '../../config/config.js';
import type { Logger } from '../../log/logger.js';
import type { DomTransport } from '../dom-transport.js';

/** DOM outage handling (circuit breaker, heartbeat, readiness). Placeholder until it lands: DOM is always called. */
export interface OutageInstall {
  /** For /readyz: whether DOM is currently believed reachable, and since when. */
  domState(): { readonly state: 'up' | 'down' | 'unknown'; readonly since: string | null };
  stop(): void;
}

export function installOutageHandling(_transport: DomTransport, _config: Config, _onRecovered: () => void, _log: Logger): OutageInstall {
  return { domState: () => ({ state: 'unknown', since: null }), stop: () => undefined };
}
