import { keyHash } from '../../src/messages/idempotent-receiver.js';
import { messageKey } from '../../src/messages/message-writer.js';
import type { NewInboundMessage, Store } from '../../src/store/store.js';

/** Helpers for the message store tests: the same BOD with another BODID or sender, or none. */

export function withBodId(bod: string, bodId: string): string {
  if (!/<oa:BODID>[^<]*<\/oa:BODID>/.test(bod)) throw new Error('the BOD has no oa:BODID to replace');
  return bod.replace(/<oa:BODID>[^<]*<\/oa:BODID>/, `<oa:BODID>${bodId}</oa:BODID>`);
}

export function withoutBodId(bod: string): string {
  return bod.replace(/\s*<oa:BODID>[^<]*<\/oa:BODID>/, '');
}

export function withSender(bod: string, logicalId: string): string {
  return bod.replace(/<oa:ApplicationArea( [^>]*)?>/, (open) => `${open}<oa:Sender><oa:LogicalID>${logicalId}</oa:LogicalID></oa:Sender>`);
}

export function uniqueBodId(label: string): string {
  return `${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A row as the receiver writes it, for tests that put the store in a state a crash would leave. */
export function inboundRow(fields: Partial<NewInboundMessage> & { bodId: string | null }): NewInboundMessage {
  return {
    service: 'OrderServices', operation: 'ChangeOrder', verb: 'Change', noun: 'Order', senderId: '', orderId: null, partNumber: null, catentryId: null,
    requestHash: 'x'.repeat(64), requestXml: '<soapenv:Envelope/>', receivedAt: Date.now(), ...fields,
  };
}

/** Inbound rows with this BODID, newest first. */
export async function inboundWithBodId(store: Store, bodId: string) {
  return (await store.messages.list({ direction: 'in', limit: 1000 })).filter((m) => m.bodId === bodId);
}

/** Two BODIDs whose message keys (no sender) share the recent-keys hash: a birthday search, some tens of thousands of tries. */
export function collidingBodIds(label: string): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const id = `${label}-${process.pid}-${i}`;
    const h = keyHash(messageKey('', id));
    const other = seen.get(h);
    if (other) return [other, id];
    seen.set(h, id);
  }
}
