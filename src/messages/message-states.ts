import { StateMachine } from '../common/state-machine.js';
import type { InboundStatus, OutboundStatus } from '../store/store.js';

/**
 * Inbound BODs. `received` is written before the handler runs (the idempotency key is taken); `applied` in the
 * same transaction as the handler's effect; `processed` with the response BOD (a BOD error answer included);
 * `failed` when the request ended in a SOAP fault (no response kept: the caller must fix and resend). A repeat
 * of a message that never took effect starts again: `failed → received`, and `received → received` for one a
 * crash left behind.
 */
export const INBOUND_MACHINE = new StateMachine<InboundStatus>({
  name: 'inbound BOD',
  initial: 'received',
  transitions: {
    received: ['applied', 'processed', 'failed'],
    applied: ['processed', 'failed'],
    processed: [],
    failed: ['received'],
  },
});

/**
 * Outbound BODs. DOM outbox messages start `queued`; the relay sends them (`sent`) until DOM acknowledges them,
 * retries a `failed` one, and dead-letters it at the end (`dead`); `messages resend` puts a dead or failed one
 * back to `queued`. A call made directly (availability, reservations) enters at `sent`: nothing was queued.
 */
export const OUTBOUND_MACHINE = new StateMachine<OutboundStatus>({
  name: 'outbound BOD',
  initial: 'queued',
  transitions: {
    queued: ['sent'],
    sent: ['acknowledged', 'failed', 'dead'],
    failed: ['queued', 'sent', 'dead'],
    dead: ['queued'],
    acknowledged: [],
  },
});

/** Where a direct call to DOM enters the outbound machine. */
export const DIRECT_CALL_ENTRY: OutboundStatus = 'sent';

/** The states the table lets a message leave for `to` (not `to` itself): the guard of the store's UPDATE. */
export function sourcesOf<S extends string>(machine: StateMachine<S>, to: S): S[] {
  return machine.states.filter((s) => s !== to && machine.check(s, to).ok);
}
