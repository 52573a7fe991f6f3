import type { ProbeReport } from '../dom/outage/dom-circuit-gate.js';
import { OUTBOUND_MACHINE } from '../messages/message-states.js';
import type { Store } from '../store/store.js';

/**
 * What an operator may do (the console's buttons, the CLI's `messages resend` and `dom probe`). Each action
 * answers with a value saying what happened, never throws for an expected refusal.
 */

export type ResendResult =
  | { readonly ok: true; readonly id: string; readonly outcome: 'requeued'; readonly message: string }
  | { readonly ok: false; readonly id: string; readonly outcome: 'not-found' | 'not-resendable'; readonly message: string };

/**
 * Puts a dead or failed DOM outbox message (`outbox-N`, or its own id) back in the queue with its original BODID
 * and payload; the relay sends it on its next round (`kick` makes that now). The attempt then shows in the
 * order's timeline as any other. Inbound messages and recorded calls are refused: a sender resends what it sent.
 */
export async function resendOutboxMessage(store: Store, id: string, kick?: () => void, now: number = Date.now()): Promise<ResendResult> {
  const m = await store.messages.get(id);
  if (!m) return { ok: false, id, outcome: 'not-found', message: `No message ${id}.` };
  if (m.direction === 'in') {
    return { ok: false, id, outcome: 'not-resendable', message: `Message ${id} is an inbound ${m.operation}: dombridge does not resend what it received. Its sender resends it; with the same BODID and content it gets the stored answer.` };
  }
  if (m.source !== 'outbox' || !m.outboxMessageId) {
    return { ok: false, id, outcome: 'not-resendable', message: `Message ${id} is a recorded call to DOM (${m.operation}${m.bodId ? `, BODID ${m.bodId}` : ''}); only DOM outbox messages can be resent (outbox-N ids, out* in messages list).` };
  }
  const outboxId = m.outboxMessageId;
  const outcome = await store.transaction(async (tx) => {
    const cur = await tx.domOutbox.get(outboxId);
    if (!cur) return 'gone';
    if ((cur.status !== 'dead' && cur.status !== 'failed') || !OUTBOUND_MACHINE.check(cur.status, 'queued').ok) return cur.status;
    return (await tx.domOutbox.settle(outboxId, 'queued', { attempts: 0, nextAttemptAt: now, lastError: null })) ? 'requeued' : cur.status;
  });
  if (outcome === 'requeued') {
    kick?.();
    return { ok: true, id: m.messageId, outcome, message: `Requeued ${m.operation} ${m.messageId} for order ${m.orderId ?? '?'} with its original BODID ${m.bodId ?? '?'}; ${kick ? 'the relay sends it now' : 'a running dombridge sends it within its poll interval'}.` };
  }
  if (outcome === 'gone') return { ok: false, id, outcome: 'not-found', message: `No message ${id}.` };
  return {
    ok: false, id: m.messageId, outcome: 'not-resendable',
    message: `Message ${m.messageId} is ${outcome}, not dead or failed: ${outcome === 'acknowledged' ? 'DOM acknowledged it, nothing to resend' : 'it is already on its way'}.`,
  };
}

/** Resends each of `ids` in turn; one refusal does not stop the others. */
export async function resendOutboxMessages(store: Store, ids: readonly string[], kick?: () => void): Promise<ResendResult[]> {
  const out: ResendResult[] = [];
  for (const id of ids) out.push(await resendOutboxMessage(store, id, kick));
  return out;
}

/** The part of the outage handling an operator reaches: probe now, and what the last probe said. */
export interface DomProbing {
  domState(): { readonly state: 'up' | 'down' | 'unknown'; readonly since: string | null };
  probeNow(): Promise<ProbeReport>;
  lastProbe(): ProbeReport | undefined;
}
