import { randomUUID } from 'node:crypto';
import { readBod } from '../bod/bod-request.js';
import { DombridgeFault } from '../errors/error-catalogue.js';
import type { Logger } from '../log/logger.js';
import { runWithMessageContext } from '../messages/message-context.js';
import { decodeUtf8, readXml, type XmlLimits } from '../xml/xml-reader.js';
import type { AfterAnswer, BodOperation, DispatchInterceptor, DispatchObserver, Principal, ServiceDefinition } from './bod-operation.js';
import { buildFault, contentTypeFor, envelopeBytes, readEnvelope, wrapEnvelope, type FaultAnswer, type SoapVersion } from './soap-envelope.js';

export interface SoapAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** `body` as UTF-8, when the dispatcher has encoded it already (the HTTP layer sends these bytes). */
  readonly bytes?: Buffer;
  /** For logs and metrics: the operation that ran, or why none did. */
  readonly operation: string;
  readonly outcome: 'ok' | 'client-fault' | 'server-fault' | 'replayed';
}

export interface DispatcherExtensions {
  readonly interceptors?: readonly DispatchInterceptor[];
  readonly observers?: readonly DispatchObserver[];
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

  constructor(services: readonly ServiceDefinition[], private readonly limits: XmlLimits, private readonly log: Logger, ext: DispatcherExtensions = {}) {
    this.interceptors = ext.interceptors ?? [];
    this.observers = ext.observers ?? [];
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
    if (this.observers.length) {
      const durationMs = performance.now() - started;
      for (const o of this.observers) o.onAnswer({ service: service.name, operation: answer.operation, outcome: answer.outcome, durationMs, bodId: answer.bodId });
    }
    return answer;
  }

  private async answer(service: ServiceDefinition, body: Uint8Array, contentType: string | undefined, receivedAtMs: number): Promise<SoapAnswer & { bodId?: string | undefined }> {
    // The version the caller speaks decides the fault shape, even before we can read its envelope.
    let version: SoapVersion = contentType?.includes('application/soap+xml') ? '1.2' : '1.1';
    let operation = '(unread)';
    try {
      if (contentType && !/^\s*(text\/xml|application\/soap\+xml|application\/xml)\s*(;|$)/i.test(contentType)) {
        throw new DombridgeFault('HTTP_MEDIA_TYPE', { contentType: contentType.slice(0, 80) });
      }
      const text = decodeUtf8(body);
      const envelope = readEnvelope(readXml(text, this.limits));
      version = envelope.version;
      const bod = envelope.bod;
      operation = bod.name;
      const route = this.route(service, bod.ns, bod.name);
      const request = readBod(bod);
      const bodId = request.applicationArea.bodId;
      let principal: Principal | undefined;
      const afters: AfterAnswer[] = [];
      let context: Record<string, unknown> | undefined;
      for (const interceptor of this.interceptors) {
        const d = await interceptor.before({ service, operation: route, request, soapVersion: version, soapHeader: envelope.header, raw: body, text, receivedAtMs, principal });
        if ('fault' in d) throw new DombridgeFault(d.fault, d.params);
        if ('replay' in d) return { status: 200, contentType: contentTypeFor(version), body: wrapEnvelope(version, d.replay), operation, outcome: 'replayed', bodId };
        if (d.principal) principal = d.principal;
        if (d.after) afters.push(d.after);
        if (d.context) context = d.context;
      }
      const log = this.log.child({ operation: bod.name, bodId, ...(principal ? { user: principal.name } : {}) });
      let responseBod: string;
      try {
        // The message store's context around the handler: the transaction applying its effect marks the BOD applied.
        responseBod = await runWithMessageContext(context, () => route.handle(request, {
          receivedAt: new Date(receivedAtMs).toISOString(), receivedAtMs, log, soapVersion: version, soapHeader: envelope.header, principal,
        }));
      } catch (e) {
        for (const a of afters) await a('', true).catch(() => undefined);
        throw e;
      }
      // Encoded once: the socket gets these bytes, and the message store copies the BOD's part of them.
      const answerXml = wrapEnvelope(version, responseBod);
      const { bytes, bod: bodBytes } = envelopeBytes(version, answerXml);
      for (const a of afters) await a(responseBod, false, bodBytes);
      return { status: 200, contentType: contentTypeFor(version), body: answerXml, bytes, operation, outcome: 'ok', bodId };
    } catch (e) {
      return this.fault(version, e, operation);
    }
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

  private fault(version: SoapVersion, e: unknown, operation: string): SoapAnswer {
    let answer: FaultAnswer;
    let outcome: SoapAnswer['outcome'] = 'client-fault';
    if (e instanceof DombridgeFault) {
      answer = buildFault(version, e.code, e.params);
      if (e.code === 'INTERNAL_ERROR' || e.code === 'SHUTTING_DOWN') outcome = 'server-fault';
    } else {
      // Our failure: the caller gets a reference, the log gets the detail; no internal text leaves the process.
      const reference = randomUUID();
      this.log.error('request failed', { reference, operation, error: e instanceof Error ? e.stack ?? e.message : String(e) });
      answer = buildFault(version, 'INTERNAL_ERROR', { reference });
      outcome = 'server-fault';
    }
    return { ...answer, operation, outcome };
  }
}

