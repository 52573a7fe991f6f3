import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The inbound message a request is handling, for the code the handler calls without knowing about it: the
 * transaction that applies the effect marks the message applied (the store asks {@link currentMessageId} before each commit: Store.markAppliedOnCommit), and a call to
 * DOM is recorded as caused by it. `closed` is set once the answer is stored, because work started during the
 * request (a relay kicked by it) keeps the context after the request is over.
 */
export type MessageContext = {
  readonly messageId: string;
  closed: boolean;
};

export const messageContext = new AsyncLocalStorage<MessageContext>();

function isMessageContext(c: Record<string, unknown>): c is MessageContext {
  return typeof c['messageId'] === 'string' && typeof c['closed'] === 'boolean';
}

/** Runs `fn` (the handler) inside the context an interceptor decided on; without one, just runs it. */
export function runWithMessageContext<T>(context: Record<string, unknown> | undefined, fn: () => T): T {
  return context && isMessageContext(context) ? messageContext.run(context, fn) : fn();
}

/** The message of the running request, while it is being handled. */
export function currentMessageId(): string | undefined {
  const c = messageContext.getStore();
  return c && !c.closed ? c.messageId : undefined;
}
