import { inboundId } from './message-ids.js';
import type { RequestRecorder, UnkeptRequest } from '../soap/bod-operation.js';
import { businessKeys, soapBodyText, splitVerbNoun } from './bod-text.js';
import type { MessageWriter } from './message-writer.js';
import { safeExcerpt } from './safe-text.js';

/**
 * The records of requests the idempotent receiver does not keep, so that every request has one
 * (docs/operations.md, "Message records"): those refused before their handler ran (security, limits, XML that
 * cannot be read, a duplicate BODID) and repeats answered from an earlier record. They are written behind, with
 * the calls to DOM, in their final status; they never hold the idempotency key. What is kept of the request is
 * its safe excerpt: credentials removed, card numbers cut to their last four digits, at most 8 KiB of text.
 */
export class RequestRecords implements RequestRecorder {
  constructor(private readonly writer: MessageWriter) {}

  record(r: UnkeptRequest): string | undefined {
    const requestXml = safeExcerpt(r.text);
    const keys = businessKeys(soapBodyText(requestXml));
    const { verb, noun } = splitVerbNoun(r.operation);
    const row = this.writer.addUnkept({
      service: r.service, operation: r.operation, verb, noun: verb ? noun : null, bodId: r.bodId, senderId: r.senderId,
      orderId: keys.orderId, partNumber: keys.partNumber, catentryId: keys.catentryId, status: r.result.status, requestXml,
      error: r.result.error === null ? null : safeExcerpt(r.result.error, 400), receivedAt: r.receivedAtMs, answeredAt: Date.now(),
    });
    // Written behind, in a row reserved for it: its id is known now (undefined when none was left).
    return row === undefined ? undefined : inboundId(row);
  }
}
