import type { BodRequest } from '../bod/bod-request.js';
import type { AnswerStatus, ErrorCode, ErrorParams, RequestOutcome } from '../errors/error-catalogue.js';
import type { Logger } from '../log/logger.js';
import type { XmlElement } from '../xml/xml-element.js';
import type { SoapVersion } from './soap-envelope.js';

export interface OperationContext {
  /** ISO time the request arrived; stands in for a missing CreationDateTime in the echo. */
  readonly receivedAt: string;
  readonly receivedAtMs: number;
  readonly log: Logger;
  readonly soapVersion: SoapVersion;
  readonly soapHeader: XmlElement | undefined;
  /** Who called, when a security interceptor established it. */
  readonly principal?: Principal | undefined;
}

export interface Principal {
  readonly name: string;
  readonly role: string;
}

/** A routed request before its handler runs: what interceptors see. */
export interface InboundMessage {
  readonly service: ServiceDefinition;
  readonly operation: BodOperation;
  readonly request: BodRequest;
  readonly soapVersion: SoapVersion;
  readonly soapHeader: XmlElement | undefined;
  /** The request body exactly as received (for the message store). */
  readonly raw: Uint8Array;
  /** The same body, decoded once as UTF-8 by the dispatcher. */
  readonly text: string;
  readonly receivedAtMs: number;
  /** Set by earlier interceptors (security runs first). */
  readonly principal?: Principal | undefined;
}

/**
 * What an interceptor decides: go on (optionally naming the caller, and with work to do once the answer is known),
 * refuse with a fault, or answer with a stored reply (an idempotent duplicate).
 */
export type InterceptDecision =
  | { readonly proceed: true; readonly principal?: Principal; readonly after?: AfterAnswer; readonly context?: Record<string, unknown> }
  | { readonly fault: ErrorCode; readonly params?: ErrorParams }
  | { readonly replay: string; readonly of?: string | undefined };

/** How an answered request ended, as its message record says (catalogue: answerStatusOf). */
export interface AnswerResult {
  readonly status: AnswerStatus;
  /** The fault code or the BOD error's reason code; undefined when processed. */
  readonly code: ErrorCode | undefined;
  /** For the record: the code and a short message, never raw request text. */
  readonly error: string | null;
}

/**
 * Work once the answer is known: the response BOD as text (empty when the handler threw: `result` says how), and,
 * when answered, the same BOD as the UTF-8 bytes about to be sent, for whoever stores it without encoding it again.
 */
export type AfterAnswer = (responseBod: string, result: AnswerResult, responseBytes?: Uint8Array) => MaybePromise<string | undefined | void>;

/**
 * What an interceptor returns at once when it has nothing to wait for: the cache-hit Get is decided and recorded
 * synchronously, and every `await` of a promise there is a turn of the microtask queue on the hot path.
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A request whose record no interceptor keeps (refused before its handler ran, or answered from a stored answer):
 * the dispatcher hands it here, so every request has a record (src/messages/request-records.ts).
 */
export interface UnkeptRequest {
  readonly service: string;
  readonly operation: string;
  readonly bodId: string | null;
  readonly senderId: string;
  /** The request as far as it could be decoded; the recorder keeps only a safe excerpt of it. */
  readonly text: string;
  readonly result: AnswerResult;
  readonly receivedAtMs: number;
  /** The earlier message whose stored answer was sent (a replay). */
  readonly replayOf?: string | undefined;
}

export interface RequestRecorder {
  /** Queues the record (write-behind) and returns its message id, or undefined when it could not be kept. */
  record(r: UnkeptRequest): string | undefined;
}

/** Runs around every routed request, in order: security first, then the message store. */
export interface DispatchInterceptor {
  readonly name: string;
  before(msg: InboundMessage): MaybePromise<InterceptDecision>;
}

/** Told about every answer (metrics, logs): the operation, how it ended (outcome and code: the catalogue's), how long it took, its record's id. */
export interface DispatchObserver {
  onAnswer(e: { service: string; operation: string; outcome: RequestOutcome; code?: ErrorCode | undefined; durationMs: number; bodId?: string | undefined; messageId?: string | undefined }): void;
}

/** One operation of a service: the request BOD it takes (by namespace URI and local name) and its handler. */
export interface BodOperation {
  readonly name: string;
  readonly requestNs: string;
  /** Returns the response BOD (the Body's content). Business errors are answered inside it, not thrown. */
  handle(bod: BodRequest, ctx: OperationContext): Promise<string>;
}

export interface ServiceDefinition {
  /** WSDL service name, e.g. InventoryServices. */
  readonly name: string;
  readonly path: string;
  readonly namespace: string;
  readonly wsdlFile: string;
  readonly operations: readonly BodOperation[];
}
