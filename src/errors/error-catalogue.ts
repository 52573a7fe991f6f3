/**
 * The one catalogue of errors dombridge reports. Codes are stable: clients and runbooks key on them, the README
 * lists them (a test keeps the two in step). `fault` errors end the request with a SOAP fault; `bod` errors are
 * expected business outcomes answered inside a normal BOD response (ChangeStatus or ConfirmBOD failure).
 */
export type FaultSide = 'Client' | 'Server' | 'VersionMismatch';

export interface ErrorDefinition {
  readonly kind: 'fault' | 'bod';
  /** Who must act: the caller (Client) or us (Server). Only for faults. */
  readonly side?: FaultSide;
  /** HTTP status for faults; SOAP 1.1 requires 500 for every fault, so this applies to SOAP 1.2 and non-SOAP answers. */
  readonly http?: number;
  /**
   * HTTP status of the fault in SOAP 1.1, where WS-I Basic Profile wants 500 for every fault; set only where a
   * client must see something else (a body never read: 413; try again later: 503).
   */
  readonly http11?: number;
  /** Message template; `{name}` placeholders are filled from the error's params. */
  readonly message: string;
}

export const ERRORS = {
  // Transport and XML: the caller must fix the request.
  HTTP_METHOD_NOT_ALLOWED: { kind: 'fault', side: 'Client', http: 405, message: 'Use POST for SOAP requests, or GET with ?wsdl for the service description.' },
  HTTP_MEDIA_TYPE: { kind: 'fault', side: 'Client', http: 415, message: 'Content-Type {contentType} is not SOAP; send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2).' },
  HTTP_BODY_TOO_LARGE: { kind: 'fault', side: 'Client', http: 413, http11: 413, message: 'The request body exceeds the limit of {limit} bytes.' },
  XML_ENCODING: { kind: 'fault', side: 'Client', http: 400, message: 'The request body is not valid UTF-8.' },
  XML_MALFORMED: { kind: 'fault', side: 'Client', http: 400, message: 'The request is not well-formed XML: {detail}.' },
  XML_DOCTYPE_FORBIDDEN: { kind: 'fault', side: 'Client', http: 400, message: 'Document type declarations are not accepted; remove the <!DOCTYPE> from the request.' },
  XML_LIMIT_EXCEEDED: { kind: 'fault', side: 'Client', http: 413, message: 'The request breaks the {limit} limit of {value}.' },
  SOAP_VERSION_MISMATCH: { kind: 'fault', side: 'VersionMismatch', http: 400, message: 'The root element must be a SOAP 1.1 or SOAP 1.2 Envelope; found {found}.' },
  SOAP_BODY_INVALID: { kind: 'fault', side: 'Client', http: 400, message: 'The SOAP Body must hold exactly one BOD element; {detail}.' },
  SOAP_MUST_UNDERSTAND: { kind: 'fault', side: 'Client', http: 400, message: 'Header {header} is marked mustUnderstand and is not understood here.' },
  BOD_UNKNOWN_OPERATION: { kind: 'fault', side: 'Client', http: 400, message: '{element} is not an operation of {service}; it offers {operations}.' },
  BOD_WRONG_SERVICE: { kind: 'fault', side: 'Client', http: 400, message: '{element} belongs to {rightService} at {rightPath}, not to {service}.' },
  BOD_WRONG_NAMESPACE: { kind: 'fault', side: 'Client', http: 400, message: '{element} is in namespace {found}; {service} expects {expected}.' },
  BOD_INVALID: { kind: 'fault', side: 'Client', http: 400, message: 'The BOD cannot be processed: {detail}.' },
  // Our side.
  INTERNAL_ERROR: { kind: 'fault', side: 'Server', http: 500, message: 'dombridge failed to process the request; it was logged with reference {reference}.' },
  SHUTTING_DOWN: { kind: 'fault', side: 'Server', http: 503, http11: 503, message: 'dombridge is shutting down; retry against another node or in a moment.' },
  // Business outcomes answered in the BOD.
  EXPRESSION_INVALID: { kind: 'bod', message: 'The Get expression cannot be read: {detail}.' },
  ACTION_UNSUPPORTED: { kind: 'bod', message: 'Action {actionCode} on {expression} is not supported by {operation}; supported: {supported}.' },
  CATALOG_ENTRY_NOT_FOUND: { kind: 'bod', message: 'Catalog entry {ref} does not exist.' },
  STORE_NOT_FOUND: { kind: 'bod', message: 'Store {ref} does not exist.' },
  STORE_MISSING: { kind: 'bod', message: 'No store was named: give a location in the expression or storeId in the business context.' },
  VALUE_INVALID: { kind: 'bod', message: '{field} has an invalid value {value}: {detail}.' },
  DOM_UNAVAILABLE: { kind: 'bod', message: 'DOM could not answer ({outcome}) and no cached or fallback availability exists for {ref}.' },
  STALE_UPDATE: { kind: 'bod', message: 'The update for {ref} is older ({incoming}) than the stored record ({stored}); it was not applied.' },
  ORDER_NOT_FOUND: { kind: 'bod', message: 'Order {orderId} does not exist.' },
  ORDER_ITEM_NOT_FOUND: { kind: 'bod', message: 'Order {orderId} has no item {orderItemId}.' },
  ORDER_EMPTY: { kind: 'bod', message: 'Order {orderId} has no items.' },
  ILLEGAL_TRANSITION: { kind: 'bod', message: 'Order {orderId} cannot go from status {from} to {to}: {reason}.' },
  ORDER_NOT_EDITABLE: { kind: 'bod', message: 'Order {orderId} is in status {status}; only a cart (P) can be changed.' },
  ORDER_LOCKED: { kind: 'bod', message: 'Order {orderId} is locked; unlock it before changing it.' },
  ORDER_NOT_PREPARED: { kind: 'bod', message: 'Order {orderId} has changed since it was prepared (or never was); run Prepare before Submit.' },
  ORDER_CHANGED: { kind: 'bod', message: 'Order {orderId} was changed by another request while this one ran; retry.' },
  SHIPPING_INCOMPLETE: { kind: 'bod', message: 'Item {orderItemId} of order {orderId} {detail}.' },
  SHIP_MODE_UNKNOWN: { kind: 'bod', message: 'Ship mode {code} is not offered by store {storeId}; offered: {offered}.' },
  INSUFFICIENT_STOCK: { kind: 'bod', message: 'Only {available} of {partNumber} are available at {location}; {requested} were asked for.' },
  ITEMS_UNALLOCATED: { kind: 'bod', message: 'Order {orderId} has items DOM could not allocate ({items}); remove them or allow backorders.' },
  RESERVATION_FAILED: { kind: 'bod', message: 'Inventory for order {orderId} could not be reserved: {detail}.' },
  PAYMENT_MISSING: { kind: 'bod', message: 'Order {orderId} has no payment instruction; add one with ChangeOrder on /Order/OrderPaymentInfo/PaymentInstruction.' },
  PAYMENT_METHOD_UNKNOWN: { kind: 'bod', message: 'Payment method {method} is not taken by store {storeId}; cards: {cardMethods}; without a card: {methodsWithoutCard}.' },
  PAYMENT_CARD_MISSING: { kind: 'bod', message: 'Order {orderId} is paid by {method}, which charges a card, but no card number was given; send it on the PaymentInstruction as <_ord:ProtocolData name="account">card number</_ord:ProtocolData>. The order was not submitted.' },
  PAYMENT_DECLINED: { kind: 'bod', message: 'Payment for order {orderId} was declined: {reason}. The order was not submitted.' },
  PAYMENT_ERROR: { kind: 'bod', message: 'The payment provider could not authorize order {orderId} ({reason}); nothing was charged and the order was not submitted; retry.' },
  PRICING_FAILED: { kind: 'bod', message: 'Order {orderId} cannot be priced: {reason}.' },
  // Authentication and roles (WS-Security UsernameToken). SOAP 1.2 Sender faults answer HTTP 400 (SOAP 1.2 HTTP
  // binding), not 401, which would need a WWW-Authenticate challenge. One AUTH_FAILED text for a wrong user and a
  // wrong password, so user names cannot be probed.
  AUTH_REQUIRED: { kind: 'fault', side: 'Client', http: 400, message: 'A WS-Security UsernameToken is required: send a wsse:Security header holding wsse:UsernameToken with Username and Password.' },
  AUTH_TOKEN_INVALID: { kind: 'fault', side: 'Client', http: 400, message: 'The WS-Security UsernameToken cannot be read: {detail}.' },
  AUTH_FAILED: { kind: 'fault', side: 'Client', http: 400, message: 'Authentication failed: the user name or password is wrong.' },
  AUTH_REPLAYED: { kind: 'fault', side: 'Client', http: 400, message: 'The UsernameToken nonce was already used; send a new Nonce and Created with every request.' },
  AUTH_STALE: { kind: 'fault', side: 'Client', http: 400, message: 'The UsernameToken Created time {created} is too old or too far ahead (accepted: {maxAgeS} s back, {skewS} s ahead); check the sender clock and send a fresh token.' },
  AUTH_FORBIDDEN: { kind: 'fault', side: 'Client', http: 403, message: 'Role {role} may not call {operation} (actionCode {actionCode}).' },
  // Idempotent receiver (message store): a BODID seen before from the same sender (Sender/LogicalID, or none).
  DUPLICATE_BODID_CONFLICT: { kind: 'fault', side: 'Client', http: 409, message: 'BODID {bodId} from {sender} was already used for a different message on {date}; use a new BODID for a new message.' },
  DUPLICATE_IN_PROGRESS: { kind: 'fault', side: 'Server', http: 503, http11: 503, message: 'BODID {bodId} from {sender} is still being processed; retry in a moment.' },
  DUPLICATE_RESPONSE_LOST: { kind: 'fault', side: 'Client', http: 409, message: 'BODID {bodId} from {sender} was already applied on {date}, but its answer was lost; do not resend it: query the current state instead (GetOrder, GetInventoryAvailability).' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERRORS, code);
}

/**
 * How a request ended, for metrics, the access log and the message records, read from the catalogue alone:
 * `ok` (answered), `bod_error` (answered with a BOD error: a `bod` code), `fault` (a SOAP fault: a `fault` code).
 */
export type RequestOutcome = 'ok' | 'bod_error' | 'fault';

/**
 * What a message record says happened (docs/operations.md): processed (answered), rejected (answered with a BOD
 * error), faulted (a fault the caller must act on, or retry), failed (our own error: INTERNAL_ERROR).
 */
export type AnswerStatus = 'processed' | 'rejected' | 'faulted' | 'failed';

export function outcomeOf(code: ErrorCode | undefined): RequestOutcome {
  if (code === undefined) return 'ok';
  return ERRORS[code].kind === 'bod' ? 'bod_error' : 'fault';
}

/** The record status of an answer with `code` (none: processed). Only our own failure is `failed`. */
export function answerStatusOf(code: ErrorCode | undefined): AnswerStatus {
  if (code === undefined) return 'processed';
  if (ERRORS[code].kind === 'bod') return 'rejected';
  return code === 'INTERNAL_ERROR' ? 'failed' : 'faulted';
}

/** The fault's side as SOAP names it; Server for a code without one. */
export function faultSideOf(code: ErrorCode): FaultSide {
  const def: ErrorDefinition = ERRORS[code];
  return def.side ?? 'Server';
}

/** The HTTP status a fault travels with in `version` (SOAP 1.1: 500 unless the catalogue says otherwise). */
export function faultHttpStatus(code: ErrorCode, version: '1.1' | '1.2'): number {
  const def: ErrorDefinition = ERRORS[code];
  if (version === '1.1') return def.http11 ?? 500;
  return def.http ?? (faultSideOf(code) === 'Server' ? 500 : 400);
}
export type ErrorParams = Readonly<Record<string, string | number>>;

export function formatMessage(code: ErrorCode, params: ErrorParams = {}): string {
  return ERRORS[code].message.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** Raised for faults. Business outcomes are returned as values ({@link BodError}) and never thrown. */
export class DombridgeFault extends Error {
  constructor(readonly code: ErrorCode, readonly params: ErrorParams = {}) {
    super(formatMessage(code, params));
    this.name = 'DombridgeFault';
  }
}

/** An expected business outcome: goes into ChangeStatus / ConfirmBOD failure messages. */
export interface BodError {
  readonly code: ErrorCode;
  readonly message: string;
}

export function bodError(code: ErrorCode, params: ErrorParams = {}): BodError {
  return { code, message: formatMessage(code, params) };
}
