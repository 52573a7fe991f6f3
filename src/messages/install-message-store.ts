import type { Config } from '../config/config.js';
import type { DomCallObserver } from '../dom/dom-transport.js';
import type { Logger } from '../log/logger.js';
import type { DispatchInterceptor, RequestRecorder } from '../soap/bod-operation.js';
import { closeMessageLog } from '../store/sqlite/sqlite-message-store.js';
import type { MessageStore, Store } from '../store/store.js';
import { IdempotentReceiver } from './idempotent-receiver.js';
import { currentMessageId } from './message-context.js';
import { MessageWriter } from './message-writer.js';
import { OutboundRecorder } from './outbound-recorder.js';
import { RequestRecords } from './request-records.js';

/** The message store and idempotent receiver: every BOD in and out recorded, repeated BODIDs answered once. */
export interface MessageStoreInstall {
  readonly interceptor: DispatchInterceptor | undefined;
  readonly outbound: DomCallObserver | undefined;
  /** Records the requests the receiver does not keep (refused before their handler, replays). */
  readonly recorder: RequestRecorder | undefined;
  /** Resolves once the first rows for records written behind are reserved (before the first request). */
  ready(): Promise<void>;
  /** Writes every record still queued (tests, the operations queries before they read). */
  flush(): Promise<void>;
  /** Stops the retention timer and writes the records still queued; call before closing the store. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
/** MESSAGE_RETENTION_DAYS (messages.retentionDays) when a hand-made test config leaves it out. */
const DEFAULT_RETENTION_DAYS = 30;
/** Rows deleted per statement, so pruning never holds the writer for long. */
const PRUNE_BATCH = 5_000;

/**
 * With `messages.enabled` false (DOMBRIDGE_MESSAGE_STORE=off) nothing is installed: no message is recorded and
 * there is no idempotent receiver, so a repeated BODID runs again. For measuring the message store's cost only.
 */
export function installMessageStore(store: Store, config: Config, log: Logger): MessageStoreInstall {
  // `?.`: a hand-made config in a test may leave the section out; the message store is on unless said otherwise.
  if (config.messages?.enabled === false) {
    log.warn('message store off (DOMBRIDGE_MESSAGE_STORE=off): no BOD is recorded and repeated BODIDs are not detected; for measurement only');
    return { interceptor: undefined, outbound: undefined, recorder: undefined, async ready() {}, async flush() {}, async close() {} };
  }
  store.markAppliedOnCommit(currentMessageId);
  // With a Get journal only refused requests are written behind: fewer rows reserved, fewer left unused at a stop.
  const writer = new MessageWriter(store.messages, log, { reserveRows: store.messages.answeredGets ? 32 : 256 });
  const retentionDays = config.messages?.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const prune = () => void pruneMessages(store.messages, Date.now() - retentionDays * DAY_MS, log);
  // Once shortly after start (a process restarted daily would otherwise never prune), then daily. Neither timer
  // keeps the process alive.
  const first = setTimeout(prune, 60_000);
  first.unref();
  const daily = setInterval(prune, DAY_MS);
  daily.unref();
  // Several processes on one store: a BOD another process is running is not in this one's in-flight set.
  const shared = config.dbUrl !== undefined || (config.workers ?? 1) > 1;
  const receiver = new IdempotentReceiver(store.messages, writer, log, undefined, shared);
  return {
    interceptor: receiver,
    outbound: new OutboundRecorder(writer),
    recorder: new RequestRecords(writer),
    ready: () => writer.ready(),
    flush: () => writer.flush(),
    async close() {
      clearTimeout(first);
      clearInterval(daily);
      await receiver.drain();
      await writer.flush();
      await closeMessageLog(store.messages);
    },
  };
}

/** Deletes recorded messages created before `before`, in batches; returns how many. */
export async function pruneMessages(messages: MessageStore, before: number, log: Logger): Promise<number> {
  let total = 0;
  try {
    for (;;) {
      const n = await messages.prune(before, PRUNE_BATCH);
      total += n;
      if (n < PRUNE_BATCH) break;
    }
  } catch (e) {
    log.error('message store pruning failed', { error: e instanceof Error ? e.message : String(e) });
  }
  if (total) log.info('message store pruned', { deleted: total, before: new Date(before).toISOString() });
  return total;
}
