/**
 * The seam to a payment service provider. Outcomes are values: an approval, a decline (the customer must act), or
 * a provider error (nobody decided; the customer may retry). Card numbers pass through here and are never stored.
 */
export interface AuthorizationRequest {
  readonly orderId: string;
  readonly amount: string;
  readonly currency: string;
  /** The token `tokenize` gave for the card. Only card methods are authorized, so there always is one. */
  readonly token: string;
  readonly method: string;
  /**
   * The same for every attempt to submit the same prepared order (order id and version): a provider answers a
   * repeat with the first outcome instead of placing a second hold, e.g. when Submit is retried after a crash.
   * Once that hold is voided the key is spent, and a repeat places a new hold.
   */
  readonly idempotencyKey: string;
}

export type AuthorizationOutcome =
  | { readonly outcome: 'approved'; readonly authorizationCode: string }
  | { readonly outcome: 'declined'; readonly reason: string }
  | { readonly outcome: 'error'; readonly reason: string };

/** What a void needs: the hold's authorization code, and the order only to say whose it was in logs. */
export interface VoidRequest {
  readonly orderId: string;
  readonly authorizationCode: string;
}

/** `voided` also when the hold was voided before or is unknown: a void is safe to run twice. */
export type VoidOutcome = { readonly outcome: 'voided' } | { readonly outcome: 'error'; readonly reason: string };

/** Card facts that go to the provider with the number and are kept by neither side of dombridge. */
export interface CardDetails {
  readonly cvc?: string;
  readonly expireMonth?: string;
  readonly expireYear?: string;
}

export interface PaymentProvider {
  /** Exchanges a card number for a token the provider keeps; dombridge stores the token and the last 4 digits only. */
  tokenize(cardNumber: string, details?: CardDetails): Promise<{ readonly token: string } | { readonly error: string }>;
  authorize(req: AuthorizationRequest): Promise<AuthorizationOutcome>;
  /** Releases the hold an approved authorization placed (the undo of authorize, when the order is not placed). */
  void(req: VoidRequest): Promise<VoidOutcome>;
}

/**
 * The built-in test provider (no money moves). Cards:
 *   4111111111111111 approves;  4000000000000002 declines ("card declined");
 *   4000000000009995 declines ("insufficient funds");  4000000000000119 is a provider error (processing error);
 *   any other card number declines as unknown to the test provider.
 * An authorization without a token is a provider error: card methods need a card, and methods without one are
 * never authorized. Approvals are kept as open holds until voided, so tests can see none is left behind.
 */
const TEST_CARDS: Readonly<Record<string, string>> = {
  '4111111111111111': 'test-approve',
  '4000000000000002': 'test-decline',
  '4000000000009995': 'test-insufficient-funds',
  '4000000000000119': 'test-processing-error',
};

/** An approved authorization not yet voided: money held on the customer's card. */
export interface Hold {
  readonly authorizationCode: string;
  readonly orderId: string;
  readonly amount: string;
  readonly currency: string;
  readonly idempotencyKey: string;
}

export class TestPaymentProvider implements PaymentProvider {
  private seq = 0;
  /** Outcomes by idempotency key, bounded (the oldest go first); in memory, as a test provider may be. */
  private readonly outcomes = new Map<string, AuthorizationOutcome>();
  private readonly holds = new Map<string, Hold>();
  /** Void attempts by authorization code (a test can see a second void did no harm). */
  readonly voids: string[] = [];
  /** Set by a test to make the next voids fail, as a provider outage would. */
  failVoids = false;

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
    if (outcome.outcome === 'approved') {
      this.holds.set(outcome.authorizationCode, { authorizationCode: outcome.authorizationCode, orderId: req.orderId, amount: req.amount, currency: req.currency, idempotencyKey: req.idempotencyKey });
    }
    return outcome;
  }

  async void(req: VoidRequest): Promise<VoidOutcome> {
    this.voids.push(req.authorizationCode);
    if (this.failVoids) return { outcome: 'error', reason: 'the test payment provider was told to fail voids' };
    const hold = this.holds.get(req.authorizationCode);
    if (hold) {
      this.holds.delete(req.authorizationCode);
      // The key is spent with its hold: a repeat of it must not be answered with a voided authorization.
      this.outcomes.delete(hold.idempotencyKey);
    }
    return { outcome: 'voided' };
  }

  /** The open holds, oldest first (for an order, or all). */
  openHolds(orderId?: string): Hold[] {
    return [...this.holds.values()].filter((h) => orderId === undefined || h.orderId === orderId);
  }

  private decide(req: AuthorizationRequest): AuthorizationOutcome {
    if (!req.token) return { outcome: 'error', reason: 'no card was given to authorize' };
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
