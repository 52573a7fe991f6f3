/**
 * Which payment methods a store takes, and which of them charge a card. A method names what the client sent as
 * `_ord:PaymentMethod/_ord:PaymentMethodName`; names are compared without regard to case or surrounding blanks.
 * A card method needs a card number (ProtocolData `account`) and is authorized at Submit; a method without a card
 * (cash on delivery, pay at pick-up) authorizes nothing; any other method is refused. See
 * docs/configuration-payments.md.
 */
export interface PaymentMethodSettings {
  /** Card brands: Submit authorizes the card and refuses the order without one (PAYMENT_CARD_MISSING). */
  readonly cardMethods: readonly string[];
  /** Methods paid without a card: nothing is authorized at Submit and no card is kept for them. */
  readonly methodsWithoutCard: readonly string[];
}

export const DEFAULT_PAYMENT_METHODS: PaymentMethodSettings = {
  cardMethods: ['VISA', 'MasterCard', 'AMEX', 'Discover', 'Diners', 'JCB'],
  methodsWithoutCard: ['COD', 'PayInStore'],
};

export type PaymentMethodKind = 'card' | 'without-card' | 'unknown';

const norm = (m: string): string => m.trim().toLowerCase();

export function paymentMethodKind(s: PaymentMethodSettings, method: string): PaymentMethodKind {
  const m = norm(method);
  if (s.cardMethods.some((c) => norm(c) === m)) return 'card';
  if (s.methodsWithoutCard.some((c) => norm(c) === m)) return 'without-card';
  return 'unknown';
}

const KEYS = new Set(['cardMethods', 'methodsWithoutCard']);

/**
 * Problems with a `payment` setting as the config file gave it (an empty list when none), each naming the key.
 * Both lists must be lists of names; no method may be in both; at least one method must be taken.
 */
export function paymentMethodProblems(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ['must be an object with cardMethods and methodsWithoutCard'];
  const problems: string[] = [];
  for (const k of Object.keys(raw)) if (!KEYS.has(k)) problems.push(`${k} is not a setting (known: ${[...KEYS].join(', ')})`);
  const s = raw as Partial<Record<string, unknown>>;
  for (const k of KEYS) {
    const v = s[k];
    if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || m.trim() === '')) problems.push(`${k} must be a list of method names`);
  }
  if (problems.length) return problems;
  const p = raw as PaymentMethodSettings;
  const both = p.cardMethods.filter((c) => p.methodsWithoutCard.some((n) => norm(n) === norm(c)));
  if (both.length) problems.push(`${both.join(', ')} cannot both need a card and need none`);
  if (p.cardMethods.length + p.methodsWithoutCard.length === 0) problems.push('no payment method is taken: name at least one');
  return problems;
}
