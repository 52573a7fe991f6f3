import type { BodRequest } from '../bod/bod-request.js';
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
