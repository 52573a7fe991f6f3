import type { Config } from '../config/config.js';
import type { DomCallObserver } from '../dom/dom-transport.js';
import type { Logger } from '../log/logger.js';
import type { DispatchInterceptor } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';

/** The message store and idempotent receiver. Placeholder until it lands: nothing recorded. */
export interface MessageStoreInstall {
  readonly interceptor: DispatchInterceptor | undefined;
  readonly outbound: DomCallObserver | undefined;
}

export function installMessageStore(_store: Store, _config: Config, _log: Logger): MessageStoreInstall {
  return { interceptor: undefined, outbound: undefined };
}
