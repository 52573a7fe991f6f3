import type { Logger } from '../log/logger.js';
import { crashPoint } from '../reliability/crash-points.js';
import { retryDelayMs, type RetryPolicy } from '../reliability/retry-policy.js';
import type { Store } from '../store/store.js';
import { emailMessageId, type EmailType, type OrderEmailData } from './email-model.js';
import type { EmailTemplates } from './email-templates.js';
import type { EmailTransport } from './email-transport.js';

/**
 * Sends the e-mails the flows decided (rows of email_outbox, written with the state change). A message's
 * Message-ID is derived from the order, the type and the shipment, so a resend after a crash between sending and
 * marking it sent is recognisably the same message.
 */
export class EmailOutboxRelay {
  constructor(
    private readonly store: Store,
    private readonly templates: EmailTemplates,
    private readonly transport: EmailTransport,
    private readonly from: string,
    private readonly policy: RetryPolicy,
    private readonly log: Logger,
    /** How long a claim holds an e-mail, ms: longer than one SMTP conversation. */
    private readonly leaseMs = 30_000,
  ) {}

  /** Sends what is due, batch after batch; `stopping` (shutdown) ends the run between two e-mails. */
  async drainOnce(stopping: () => boolean = () => false): Promise<void> {
    for (;;) {
      // Claimed with a lease: a relay on another node does not send the same e-mail meanwhile.
      const due = await this.store.emailOutbox.claim(32, this.leaseMs, Date.now());
      if (due.length === 0) return;
      for (const e of due) {
        if (stopping()) return;
        const data = JSON.parse(e.data) as OrderEmailData;
        let rendered;
        try {
          rendered = this.templates.render(e.type as EmailType, data);
        } catch (err) {
          await this.store.emailOutbox.markFailed(e.emailId, `cannot render: ${(err as Error).message}`, null);
          this.log.error('e-mail cannot be rendered; given up', { orderId: e.orderId, emailId: e.emailId, type: e.type, error: err });
          continue;
        }
        const result = await this.transport.send({
          type: e.type as EmailType, to: e.recipient, from: this.from, ...rendered, orderId: e.orderId,
          messageId: emailMessageId(e.type as EmailType, e.orderId, data.shipment?.trackingNumber || data.shipment?.shipmentId),
        });
        crashPoint('email:after-send');
        if (result.ok) {
          await this.store.emailOutbox.markSent(e.emailId, Date.now());
          this.log.info('e-mail sent', { orderId: e.orderId, emailId: e.emailId, type: e.type });
        } else {
          const attempt = e.attempts + 1;
          const retry = result.retryable && attempt < this.policy.maxAttempts ? Date.now() + retryDelayMs(this.policy, attempt) : null;
          await this.store.emailOutbox.markFailed(e.emailId, result.reason, retry);
          this.log.warn('e-mail not sent', { orderId: e.orderId, emailId: e.emailId, type: e.type, reason: result.reason, retry: retry !== null });
        }
      }
      if (due.length < 32) return;
    }
  }
}
