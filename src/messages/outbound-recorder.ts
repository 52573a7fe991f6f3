import type { DomCallEvent, DomCallObserver } from '../dom/dom-transport.js';
import type { RecordedCall } from '../store/store.js';
import { bodIdOf, businessKeys, rootName, splitVerbNoun } from './bod-text.js';
import { currentMessageId } from './message-context.js';
import { callMessageId } from './message-ids.js';
import type { MessageWriter } from './message-writer.js';

/**
 * Records every call to DOM: sent, then acknowledged or failed (a direct call enters the outbound machine at
 * `sent`; the row is written once the answer is known). `onCall` runs on the caller's path, so it only notes the
 * call: the BODID and business keys are read from the raw text when the batch is written.
 */
export class OutboundRecorder implements DomCallObserver {
  constructor(private readonly writer: MessageWriter) {}

  /** Returns the record's id (out-N) when a row was reserved for it: the DOM-call metrics name it as their exemplar. */
  onCall(e: DomCallEvent): string | undefined {
    const causedBy = currentMessageId() ?? null;
    const answeredAt = Date.now();
    const row = this.writer.addCall(() => recordedCall(e, causedBy, answeredAt));
    return row === undefined ? undefined : callMessageId(row);
  }
}

function recordedCall(
  e: DomCallEvent,
  causedBy: string | null,
  answeredAt: number,
): RecordedCall {
  const { verb, noun } = splitVerbNoun(rootName(e.rawRequest) ?? e.operation);
  return {
    service: e.servicePath, operation: e.operation, verb, noun, bodId: bodIdOf(e.rawRequest), ...businessKeys(e.rawRequest),
    status: e.result.ok ? 'acknowledged' : 'failed',
    requestXml: e.rawRequest, responseXml: e.rawResponse ?? null,
    error: e.result.ok ? null : `${e.result.failure.kind}: ${e.result.failure.detail}`,
    durationMs: Math.round(e.durationMs * 1000) / 1000, causedBy, sentAt: answeredAt - Math.round(e.durationMs), answeredAt,
  };
}
