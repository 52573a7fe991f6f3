import { randomUUID } from 'node:crypto';
import { readBod } from '../bod/bod-request.js';
import { DombridgeFault } from '../errors/error-catalogue.js';
import type { Logger } from '../log/logger.js';
import { decodeUtf8, readXml, type XmlLimits } from '../xml/xml-reader.js';
import type { BodOperation, ServiceDefinition } from './bod-operation.js';
import { buildFault, contentTypeFor, readEnvelope, wrapEnvelope, type FaultAnswer, type SoapVersion } from './soap-envelope.js';

export interface SoapAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** For logs and metrics: the operation that ran, or why none did. */
  readonly operation: string;
  readonly outcome: 'ok' | 'client-fault' | 'server-fault';
}

/**
 * Turns a request body into a SOAP answer for every service at once. Routing tables are built once here:
 * the Body's root element (namespace URI + local name) picks the operation; SOAPAction is ignored because
 * Commerce uses one soapAction for every operation of a service.
 */
export class SoapDispatcher {
  private readonly byPath = new Map<string, ServiceDefinition>();
  private readonly byElement = new Map<string, { service: ServiceDefinition; op: BodOperation }>();

  constructor(services: readonly ServiceDefinition[], private readonly limits: XmlLimits, private readonly log: Logger) {
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
    // The version the caller speaks decides the fault shape, even before we can read its envelope.
    let version: SoapVersion = contentType?.includes('application/soap+xml') ? '1.2' : '1.1';
    let operation = '(unread)';
    try {
      if (contentType && !/^\s*(text\/xml|application\/soap\+xml|application\/xml)\s*(;|$)/i.test(contentType)) {
        throw new DombridgeFault('HTTP_MEDIA_TYPE', { contentType: contentType.slice(0, 80) });
      }
      const envelope = readEnvelope(readXml(decodeUtf8(body), this.limits));
      version = envelope.version;
      const bod = envelope.bod;
      operation = bod.name;
      const route = this.route(service, bod.ns, bod.name);
      const request = readBod(bod);
      const log = this.log.child({ operation: bod.name, bodId: request.applicationArea.bodId });
      const responseBod = await route.handle(request, {
        receivedAt: new Date(receivedAtMs).toISOString(), receivedAtMs, log, soapVersion: version, soapHeader: envelope.header,
      });
      return { status: 200, contentType: contentTypeFor(version), body: wrapEnvelope(version, responseBod), operation, outcome: 'ok' };
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
