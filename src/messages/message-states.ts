import { StateMachine } from '../common/state-machine.js';
import type { InboundStatus, OutboundStatus } from '../store/store.js';

/**
 * Inbound BODs. `received` is written before the handler runs (the idempotency key is taken); `applied` in the
 * same transaction as the handler's effect; then how the request ended (the catalogue's answerStatusOf):
 * `processed` with the response BOD, `rejected` with a response BOD carrying a BOD error (its reason code in
 * `error`), `faulted` when it was answered with a SOAP fault the caller must act on (its code in `error`; no
 * response kept: the caller must fix and resend), `failed` when our own error answered it (INTERNAL_ERROR). A
 * repeat of a message that never took effect starts again: `faulted → received`, `failed → received`, and
 * `received → received` for one a crash left behind; a processed or rejected one is answered from its record.
 *
 * Requests refused before their handler ran, and repeats answered from a record, are recorded in their final
 * status at once (src/messages/request-records.ts): they never hold a key and never change.
 */
export const INBOUND_MACHINE = new StateMachine<InboundStatus>({
  name: 'inbound BOD',
  initial: 'received',
  transitions: {
    received: ['applied', 'processed', 'rejected', 'faulted', 'failed'],
    applied: ['processed', 'rejected', 'faulted', 'failed'],
    processed: [],
    rejected: [],
    faulted: ['received'],
    failed: ['received'],
  },
});

/** The inbound statuses a request ends in: what `messages list --status` and the console filter on. */
export const ANSWERED_STATUSES = ['processed', 'rejected', 'faulted', 'failed'] as const;

/**
 * Outbound BODs. DOM outbox messages start `queued`; the relay claims and sends them (`sent`) until DOM
 * acknowledges them, retries a `failed` one, and dead-letters it at the end (`dead`); `messages resend` puts a dead
 * or failed one back to `queued`. A call made directly (availability, reservations) enters at `sent`: nothing was
 * queued. This table is the only list of allowed moves: DomOutboxStore.settle refuses any other.
 *
 * Moves the relay and jobs make besides the happy path, each decided against the code that makes it:
 * - queued → dead: a TransferOrder whose order was canceled before it went is dead-lettered unsent (the order must
 *   never reach DOM), with the reason as its error;
 * - queued | failed | dead → acknowledged: DOM speaking about the order (a callback, or the re-transfer job's
 *   question) proves it has it, whatever we last knew of the message;
 * - a send interrupted (the sender died, its lease expired) stays `sent` and is sent again by whoever claims it
 *   (sent → sent: same BODID, DOM creates the order once); the re-transfer job gives a stuck `sent` one another
 *   round as `failed` due now — never back to `queued`, which would hide that it was sent.
 */
export const OUTBOUND_MACHINE = new StateMachine<OutboundStatus>({
  name: 'outbound BOD',
  initial: 'queued',
  transitions: {
    queued: ['sent', 'acknowledged', 'dead'],
    sent: ['acknowledged', 'failed', 'dead'],
    failed: ['queued', 'sent', 'acknowledged', 'dead'],
    dead: ['queued', 'acknowledged'],
    acknowledged: [],
  },
});

/** Where a direct call to DOM enters the outbound machine. */
export const DIRECT_CALL_ENTRY: OutboundStatus = 'sent';

/** The states the table lets a message leave for `to` (not `to` itself): the guard of the store's UPDATE. */
export function sourcesOf<S extends string>(machine: StateMachine<S>, to: S): S[] {
  return machine.states.filter((s) => s !== to && machine.check(s, to).ok);
}
