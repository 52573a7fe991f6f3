/**
 * The seam to a payment service provider. Outcomes are values: an approval, a decline (the customer must act), or
 * a provider error (nobody decided; the customer may retry). Card numbers pass through here and are never stored.
 */
export interface AuthorizationRequest {
  readonly orderId: string;
  readonly amount: string;
  readonly currency: string;
  /** The token `tokenize` gave for the card; undefined for methods without a card. */
  readonly token: string | undefined;
  readonly method: string | undefined;
  /**
   * The same for every attempt to submit the same prepared order (order id and version): a provider answers a
   * repeat with the first outcome instead of placing a second hold, e.g. when Submit is retried after a crash.
   */
  readonly idempotencyKey: string;
}

export type AuthorizationOutcome =
  | { readonly outcome: 'approved'; readonly authorizationCode: string }
  | { readonly outcome: 'declined'; readonly reason: string }
  | { readonly outcome: 'error'; readonly reason: string };

export interface PaymentProvider {
  /** Exchanges a card number for a token the provider keeps; dombridge stores the token and the last 4 digits only. */
  tokenize(cardNumber: string): Promise<{ readonly token: string } | { readonly error: string }>;
  authorize(req: AuthorizationRequest): Promise<AuthorizationOutcome>;
}

/**
 * The built-in test provider (no money moves). Cards:
 *   4111111111111111 approves;  4000000000000002 declines ("card declined");
 *   4000000000009995 declines ("insufficient funds");  4000000000000119 is a provider error (processing error);
 *   any other card number declines as unknown to the test provider.
 * A payment method without a card (e.g. "COD", "PayInStore") is approved: nothing to authorize.
 */
const TEST_CARDS: Readonly<Record<string, string>> = {
  '4111111111111111': 'test-approve',
  '4000000000000002': 'test-decline',
  '4000000000009995': 'test-insufficient-funds',
  '4000000000000119': 'test-processing-error',
};

export class TestPaymentProvider implements PaymentProvider {
  private seq = 0;
  /** Outcomes by idempotency key, bounded (the oldest go first); in memory, as a test provider may be. */
  private readonly outcomes = new Map<string, AuthorizationOutcome>();

  /** Tokens name the test behaviour, so they survive a restart without the provider keeping any state. */
  async tokenize(cardNumber: string): Promise<{ token: string }> {
    return { token: TEST_CARDS[cardNumber] ?? 'test-unknown-card' };
  }

  async authorize(req: AuthorizationRequest): Promise<AuthorizationOutcome> {
    const seen = this.outcomes.get(req.idempotencyKey);
    if (seen) return seen;
    const outcome = this.decide(req);
    // A provider error decided nothing: a retry may go through.
    if (outcome.outcome !== 'error') {
      if (this.outcomes.size >= 10_000) this.outcomes.delete(this.outcomes.keys().next().value!);
      this.outcomes.set(req.idempotencyKey, outcome);
    }
    return outcome;
  }

  private decide(req: AuthorizationRequest): AuthorizationOutcome {
    if (!req.token) return { outcome: 'approved', authorizationCode: `NOCARD-${req.orderId}` };
    switch (req.token) {
      case 'test-approve':
        return { outcome: 'approved', authorizationCode: `TEST${String(++this.seq).padStart(6, '0')}` };
      case 'test-decline':
        return { outcome: 'declined', reason: 'card declined' };
      case 'test-insufficient-funds':
        return { outcome: 'declined', reason: 'insufficient funds' };
      case 'test-processing-error':
        return { outcome: 'error', reason: 'the payment provider had a processing error' };
      default:
        return { outcome: 'declined', reason: 'card not known to the test payment provider' };
    }
  }
}
