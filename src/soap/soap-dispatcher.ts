import { randomUUID } from 'node:crypto';
import { readBod } from '../bod/bod-request.js';
import { bodErrorCodeOf } from '../bod/bod-response.js';
import { answerStatusOf, DombridgeFault, formatMessage, outcomeOf, type ErrorCode, type ErrorParams, type RequestOutcome } from '../errors/error-catalogue.js';
import type { Logger } from '../log/logger.js';
import { businessKeys, soapBodyText } from '../messages/bod-text.js';
import { runWithMessageContext } from '../messages/message-context.js';
import { decodeUtf8, readXml, type XmlLimits } from '../xml/xml-reader.js';
import type { AfterAnswer, AnswerResult, BodOperation, DispatchInterceptor, DispatchObserver, Principal, RequestRecorder, ServiceDefinition } from './bod-operation.js';
import { buildFault, contentTypeFor, envelopeBytes, readEnvelope, wrapEnvelope, type FaultAnswer, type SoapVersion } from './soap-envelope.js';

export interface SoapAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** `body` as UTF-8, when the dispatcher has encoded it already (the HTTP layer sends these bytes). */
  readonly bytes?: Buffer;
  /** For logs and metrics: the operation that ran, or why none did. */
  readonly operation: string;
  /** How it ended, from the error catalogue (outcomeOf): ok, bod_error, fault. */
  readonly outcome: RequestOutcome;
  /** The fault code, or the reason code of the BOD error. */
  readonly code?: ErrorCode | undefined;
  readonly bodId?: string | undefined;
  /** The order an Order BOD names (its answer's, for a new cart), for the access log. */
  readonly orderId?: string | null | undefined;
  /** The record of this request (docs/operations.md: message ids), when the message store keeps one. */
  readonly messageId?: string | undefined;
  /** Answered from the stored answer of an earlier message with the same BODID. */
  readonly replayed?: boolean;
  readonly user?: string | undefined;
}

export interface DispatcherExtensions {
  readonly interceptors?: readonly DispatchInterceptor[];
  readonly observers?: readonly DispatchObserver[];
  /** Keeps a record of the requests no interceptor records (refused before their handler, replays). */
  readonly recorder?: RequestRecorder | undefined;
}

/** What the dispatcher knows of a request when it ends in a fault: enough for its record. */
interface Seen {
  operation: string;
  text: string | undefined;
  bodId: string | undefined;
  senderId: string;
  user: string | undefined;
  /** An interceptor keeps this request's record (the message store's after-answer work ran). */
  kept: boolean;
}

/**
 * Turns a request body into a SOAP answer for every service at once. Routing tables are built once here:
 * the Body's root element (namespace URI + local name) picks the operation; SOAPAction is ignored because
 * Commerce uses one soapAction for every operation of a service.
 */
export class SoapDispatcher {
  private readonly byPath = new Map<string, ServiceDefinition>();
  private readonly byElement = new Map<string, { service: ServiceDefinition; op: BodOperation }>();

  private readonly interceptors: readonly DispatchInterceptor[];
  private readonly observers: readonly DispatchObserver[];
  private readonly recorder: RequestRecorder | undefined;

  constructor(services: readonly ServiceDefinition[], private readonly limits: XmlLimits, private readonly log: Logger, ext: DispatcherExtensions = {}) {
    this.interceptors = ext.interceptors ?? [];
    this.observers = ext.observers ?? [];
    this.recorder = ext.recorder;
    for (const s of services) {
      this.byPath.set(s.path, s);
      for (const op of s.operations) this.byElement.set(`{${op.requestNs}}${op.name}`, { service: s, op });
    }
  }

  service(path: string): ServiceDefinition | undefined {
    return this.byPath.get(path);
  }

  async dispatch(service: ServiceDefinition, body: Uint8Array, contentType: string | undefined): Promise<SoapAnswer> {
    const receivedAtMs = Date.now();
    const started = performance.now();
    const answer = await this.answer(service, body, contentType, receivedAtMs);
    this.observe(service.name, answer, performance.now() - started);
    return answer;
  }

  /**
   * A request refused before it reached the dispatcher (the HTTP layer's body limit): answered with the fault,
   * recorded and counted like any other.
   */
  refuse(service: ServiceDefinition, version: SoapVersion, code: ErrorCode, params: ErrorParams, head: string): SoapAnswer {
    const receivedAtMs = Date.now();
    const f = buildFault(version, code, params);
    const messageId = this.recorder?.record({
      service: service.name, operation: '(unread)', bodId: null, senderId: '', text: head, result: faultResult(code, params), receivedAtMs,
    });
    const answer: SoapAnswer = { ...f, operation: '(unread)', outcome: 'fault', code, messageId };
    this.observe(service.name, answer, 0);
    return answer;
  }

  private observe(service: string, answer: SoapAnswer, durationMs: number): void {
    for (const o of this.observers) o.onAnswer({ service, operation: answer.operation, outcome: answer.outcome, code: answer.code, durationMs, bodId: answer.bodId, messageId: answer.messageId });
  }

  private async answer(service: ServiceDefinition, body: Uint8Array, contentType: string | undefined, receivedAtMs: number): Promise<SoapAnswer> {
    // The version the caller speaks decides the fault shape, even before we can read its envelope.
    let version: SoapVersion = contentType?.includes('application/soap+xml') ? '1.2' : '1.1';
    const seen: Seen = { operation: '(unread)', text: undefined, bodId: undefined, senderId: '', user: undefined, kept: false };
    try {
      if (contentType && !/^\s*(text\/xml|application\/soap\+xml|application\/xml)\s*(;|$)/i.test(contentType)) {
        throw new DombridgeFault('HTTP_MEDIA_TYPE', { contentType: contentType.slice(0, 80) });
      }
      const text = decodeUtf8(body);
      seen.text = text;
      const envelope = readEnvelope(readXml(text, this.limits));
      version = envelope.version;
      const bod = envelope.bod;
      seen.operation = bod.name;
      const operation = bod.name;
      const route = this.route(service, bod.ns, bod.name);
      const request = readBod(bod);
      const bodId = request.applicationArea.bodId;
      seen.bodId = bodId;
      seen.senderId = request.applicationArea.senderLogicalId ?? '';
      let principal: Principal | undefined;
      const afters: AfterAnswer[] = [];
      let context: Record<string, unknown> | undefined;
      for (const interceptor of this.interceptors) {
        const decided = interceptor.before({ service, operation: route, request, soapVersion: version, soapHeader: envelope.header, raw: body, text, receivedAtMs, principal });
        const d = decided instanceof Promise ? await decided : decided;
        if ('fault' in d) throw new DombridgeFault(d.fault, d.params);
        if ('replay' in d) return this.replay(service, version, d.replay, d.of, seen, receivedAtMs);
        if (d.principal) {
          principal = d.principal;
          seen.user = principal.name;
        }
        if (d.after) afters.push(d.after);
        if (d.context) context = d.context;
      }
      seen.kept = afters.length > 0;
      const log = this.log.child({ operation: bod.name, bodId, ...(principal ? { user: principal.name } : {}) });
      let responseBod: string;
      try {
        // The message store's context around the handler: the transaction applying its effect marks the BOD applied.
        responseBod = await runWithMessageContext(context, () => route.handle(request, {
          receivedAt: new Date(receivedAtMs).toISOString(), receivedAtMs, log, soapVersion: version, soapHeader: envelope.header, principal,
        }));
      } catch (e) {
        const fault = this.asFault(e, operation);
        const result = faultResult(fault.code, fault.params);
        for (const a of afters) {
          try {
            await a('', result);
          } catch {
            // The request's own fault is what the caller gets; the record's trouble is the interceptor's to log.
          }
        }
        throw fault;
      }
      // Encoded once: the socket gets these bytes, and the message store copies the BOD's part of them.
      const answerXml = wrapEnvelope(version, responseBod);
      const { bytes, bod: bodBytes } = envelopeBytes(version, answerXml);
      const code = bodErrorCodeOf(responseBod);
      const result: AnswerResult = code === undefined ? PROCESSED : { status: answerStatusOf(code), code, error: code };
      let messageId: string | undefined;
      for (const a of afters) {
        const kept = a(responseBod, result, bodBytes);
        messageId = (kept instanceof Promise ? await kept : kept) ?? messageId;
      }
      // The order id for the access log, read only of Order BODs: the Get hot path pays nothing for it.
      const orderId = route.name.endsWith('Order') ? businessKeys(responseBod).orderId ?? businessKeys(soapBodyText(text)).orderId : undefined;
      return { status: 200, contentType: contentTypeFor(version), body: answerXml, bytes, operation, outcome: outcomeOf(code), code, bodId, orderId, messageId, user: seen.user };
    } catch (e) {
      return this.fault(service, version, this.asFault(e, seen.operation), seen, body, receivedAtMs);
    }
  }

  /** A stored answer sent again: recorded as a request of its own, naming the message it repeats. */
  private replay(service: ServiceDefinition, version: SoapVersion, responseBod: string, of: string | undefined, seen: Seen, receivedAtMs: number): SoapAnswer {
    const code = bodErrorCodeOf(responseBod);
    const messageId = this.recorder?.record({
      service: service.name, operation: seen.operation, bodId: seen.bodId ?? null, senderId: seen.senderId, text: seen.text ?? '', receivedAtMs, replayOf: of,
      result: { status: answerStatusOf(code), code, error: `replayed the stored answer${of ? ` of ${of}` : ''}${code ? ` (${code})` : ''}` },
    });
    return {
      status: 200, contentType: contentTypeFor(version), body: wrapEnvelope(version, responseBod), operation: seen.operation, outcome: outcomeOf(code), code,
      bodId: seen.bodId, messageId, replayed: true, user: seen.user,
    };
  }

  /** Anything thrown as the fault it is answered with; our own failures logged here, once, with a reference. */
  private asFault(e: unknown, operation: string): DombridgeFault {
    if (e instanceof DombridgeFault) return e;
    // Our failure: the caller gets a reference, the log gets the detail; no internal text leaves the process.
    const reference = randomUUID();
    this.log.error('request failed', { reference, operation, error: e instanceof Error ? e.stack ?? e.message : String(e) });
    return new DombridgeFault('INTERNAL_ERROR', { reference });
  }

  private route(service: ServiceDefinition, ns: string, name: string): BodOperation {
    const hit = this.byElement.get(`{${ns}}${name}`);
    if (hit && hit.service === service) return hit.op;
    if (hit) {
      throw new DombridgeFault('BOD_WRONG_SERVICE', { element: name, rightService: hit.service.name, rightPath: hit.service.path, service: service.name });
    }
    const sameName = service.operations.find((o) => o.name === name);
    if (sameName) {
      throw new DombridgeFault('BOD_WRONG_NAMESPACE', { element: name, found: ns || '(none)', service: service.name, expected: sameName.requestNs });
    }
    throw new DombridgeFault('BOD_UNKNOWN_OPERATION', { element: ns ? `{${ns}}${name}` : name, service: service.name, operations: service.operations.map((o) => o.name).join(', ') });
  }

  private fault(service: ServiceDefinition, version: SoapVersion, e: DombridgeFault, seen: Seen, body: Uint8Array, receivedAtMs: number): SoapAnswer {
    const answer: FaultAnswer = buildFault(version, e.code, e.params);
    // A request whose record the message store keeps (its handler ran) is recorded there; any other here.
    const messageId = seen.kept ? undefined : this.recorder?.record({
      service: service.name, operation: seen.operation, bodId: seen.bodId ?? null, senderId: seen.senderId,
      text: seen.text ?? Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 64 * 1024)).toString('latin1'),
      result: faultResult(e.code, e.params), receivedAtMs,
    });
    const orderId = seen.operation.endsWith('Order') && seen.text ? businessKeys(soapBodyText(seen.text)).orderId : undefined;
    return { ...answer, operation: seen.operation, outcome: 'fault', code: e.code, bodId: seen.bodId, orderId, messageId, user: seen.user };
  }
}

const PROCESSED: AnswerResult = { status: 'processed', code: undefined, error: null };

/** A fault's record: its status (catalogue), its code and message, cut short. */
function faultResult(code: ErrorCode, params: ErrorParams = {}): AnswerResult {
  const message = formatMessage(code, params);
  return { status: answerStatusOf(code), code, error: `${code}: ${message.length > 300 ? `${message.slice(0, 297)}...` : message}` };
}
