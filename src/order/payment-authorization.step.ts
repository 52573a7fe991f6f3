import { bodError } from '../errors/error-catalogue.js';
import type { Logger } from '../log/logger.js';
import { paymentMethodKind, type PaymentMethodSettings } from '../payment/payment-methods.js';
import type { PaymentProvider, VoidRequest } from '../payment/payment-provider.js';
import type { Order, PaymentInstruction } from './order-model.js';
import { fail, type OrderOutcome } from './order-repository.js';

/**
 * Submit's payment step, saga style: {@link authorizePayment} is the forward action (a hold on the customer's card
 * for the grand total), {@link voidAuthorization} its undo, run when the order is then not placed. A method that
 * charges no card authorizes nothing and has nothing to undo.
 */
export async function authorizePayment(provider: PaymentProvider, methods: PaymentMethodSettings, o: Order & { totals: NonNullable<Order['totals']> }): Promise<OrderOutcome<PaymentInstruction>> {
  const payment = o.payments[0];
  if (!payment) return fail(bodError('PAYMENT_MISSING', { orderId: o.orderId }));
  const kind = paymentMethodKind(methods, payment.method);
  if (kind === 'unknown') {
    // Taken at ChangeOrder time, and no longer: the configuration changed since.
    return fail(bodError('PAYMENT_METHOD_UNKNOWN', { method: payment.method, storeId: o.storeId, cardMethods: methods.cardMethods.join(', ') || '(none)', methodsWithoutCard: methods.methodsWithoutCard.join(', ') || '(none)' }));
  }
  if (kind === 'without-card') return { ok: true, value: { ...payment, amount: o.totals.grandTotal } };
  if (!payment.token) return fail(bodError('PAYMENT_CARD_MISSING', { orderId: o.orderId, method: payment.method }));
  const auth = await provider.authorize({
    orderId: o.orderId, amount: o.totals.grandTotal, currency: o.currency, token: payment.token, method: payment.method,
    idempotencyKey: `${o.orderId}:${o.version}`,
  });
  if (auth.outcome === 'declined') return fail(bodError('PAYMENT_DECLINED', { orderId: o.orderId, reason: auth.reason }));
  if (auth.outcome === 'error') return fail(bodError('PAYMENT_ERROR', { orderId: o.orderId, reason: auth.reason }));
  return { ok: true, value: { ...payment, status: 'authorized', authorizationCode: auth.authorizationCode, amount: o.totals.grandTotal } };
}

/**
 * The undo of {@link authorizePayment}: releases the hold. Takes only the ids it needs, is safe to run twice (the
 * provider answers a second void as done), and never throws: a void that fails is logged for someone to release by
 * hand (the hold otherwise lapses at the provider), since the order's own outcome is already decided.
 */
export async function voidAuthorization(provider: PaymentProvider, log: Logger, req: VoidRequest): Promise<void> {
  try {
    const r = await provider.void(req);
    if (r.outcome === 'voided') log.info('payment authorization voided: the order was not placed', { orderId: req.orderId, authorizationCode: req.authorizationCode });
    else log.error('payment authorization could not be voided; release the hold at the payment provider', { orderId: req.orderId, authorizationCode: req.authorizationCode, reason: r.reason });
  } catch (e) {
    log.error('payment authorization could not be voided; release the hold at the payment provider', { orderId: req.orderId, authorizationCode: req.authorizationCode, reason: e instanceof Error ? e.message : String(e) });
  }
}
