import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { DispatchInterceptor } from '../soap/bod-operation.js';

/**
 * Security of the facade: authentication and roles for every SOAP request. Placeholder until WS-Security lands:
 * no interceptor, and listening is allowed anywhere.
 */
export interface SecurityInstall {
  readonly interceptor: DispatchInterceptor | undefined;
  /** Throws when the configuration must not listen on `host` (e.g. no users and not loopback). */
  assertListenAllowed(host: string): void;
}

export function installSecurity(_config: Config, _log: Logger): SecurityInstall {
  return { interceptor: undefined, assertListenAllowed: () => undefined };
}
