import { DombridgeFault, faultHttpStatus, faultSideOf, formatMessage, type ErrorCode, type ErrorParams } from '../errors/error-catalogue.js';
import { NS } from '../xml/namespaces.js';
import { qualifiedAttr, type XmlElement } from '../xml/xml-element.js';
import { escText } from '../xml/xml-writer.js';

export type SoapVersion = '1.1' | '1.2';

export interface SoapRequest {
  readonly version: SoapVersion;
  readonly header: XmlElement | undefined;
  /** The single element of the Body: the BOD. */
  readonly bod: XmlElement;
}

/** Header blocks dombridge processes itself; any other block marked mustUnderstand is refused (SOAP 1.1 §4.2.3). */
const UNDERSTOOD_HEADERS = new Set([`{${NS.wsse}}Security`]);

export function readEnvelope(root: XmlElement): SoapRequest {
  const version: SoapVersion | undefined = root.ns === NS.soap11 ? '1.1' : root.ns === NS.soap12 ? '1.2' : undefined;
  if (root.name !== 'Envelope' || !version) {
    throw new DombridgeFault('SOAP_VERSION_MISMATCH', { found: root.ns ? `{${root.ns}}${root.name}` : root.name });
  }
  const envNs = root.ns;
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const c of root.children) {
    if (c.ns === envNs && c.name === 'Header' && !header && !body) header = c;
    else if (c.ns === envNs && c.name === 'Body' && !body) body = c;
    else throw new DombridgeFault('SOAP_BODY_INVALID', { detail: `unexpected element ${c.name} in the Envelope` });
  }
  if (!body) throw new DombridgeFault('SOAP_BODY_INVALID', { detail: 'the Envelope has no Body' });
  if (body.children.length !== 1) {
    throw new DombridgeFault('SOAP_BODY_INVALID', { detail: `it holds ${body.children.length} elements` });
  }
  if (header) {
    for (const h of header.children) {
      const mu = qualifiedAttr(h, envNs, 'mustUnderstand');
      if ((mu === '1' || mu === 'true') && !UNDERSTOOD_HEADERS.has(`{${h.ns}}${h.name}`)) {
        throw new DombridgeFault('SOAP_MUST_UNDERSTAND', { header: `{${h.ns}}${h.name}` });
      }
    }
  }
  return { version, header, bod: body.children[0]! };
}

export function contentTypeFor(version: SoapVersion): string {
  return version === '1.2' ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8';
}

const ENV_OPEN_11 = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Body>`;
const ENV_OPEN_12 = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap12}"><soapenv:Body>`;
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';

export function wrapEnvelope(version: SoapVersion, bodyXml: string): string {
  return (version === '1.2' ? ENV_OPEN_12 : ENV_OPEN_11) + bodyXml + ENV_CLOSE;
}

/** An envelope from {@link wrapEnvelope} as UTF-8, and the part of it that is the BOD (the wrapper is ASCII). */
export function envelopeBytes(version: SoapVersion, envelope: string): { bytes: Buffer; bod: Buffer } {
  const bytes = Buffer.from(envelope, 'utf8');
  const open = version === '1.2' ? ENV_OPEN_12.length : ENV_OPEN_11.length;
  return { bytes, bod: bytes.subarray(open, bytes.length - ENV_CLOSE.length) };
}

const DETAIL_NS = 'http://dombridge.dev/fault/1';

export interface FaultAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * A fault in the shape of the request's SOAP version. The faultstring is the catalogue message (never an
 * exception's text or a stack); `detail` carries the stable code so clients can branch without parsing prose.
 */
export function buildFault(version: SoapVersion, code: ErrorCode, params: ErrorParams = {}): FaultAnswer {
  const side = faultSideOf(code);
  const message = formatMessage(code, params);
  const detail = `<dbf:error xmlns:dbf="${DETAIL_NS}"><dbf:code>${code}</dbf:code></dbf:error>`;
  if (version === '1.2') {
    const value = side === 'Client' ? 'soapenv:Sender' : side === 'Server' ? 'soapenv:Receiver' : 'soapenv:VersionMismatch';
    const body =
      `<soapenv:Fault><soapenv:Code><soapenv:Value>${value}</soapenv:Value></soapenv:Code>` +
      `<soapenv:Reason><soapenv:Text xml:lang="en">${escText(message)}</soapenv:Text></soapenv:Reason>` +
      `<soapenv:Detail>${detail}</soapenv:Detail></soapenv:Fault>`;
    return { status: faultHttpStatus(code, '1.2'), contentType: contentTypeFor('1.2'), body: wrapEnvelope('1.2', body) };
  }
  const body =
    `<soapenv:Fault><faultcode>soapenv:${side}</faultcode><faultstring>${escText(message)}</faultstring>` +
    `<detail>${detail}</detail></soapenv:Fault>`;
  // SOAP 1.1 and WS-I Basic Profile: every fault travels with HTTP 500 unless the catalogue says otherwise.
  return { status: faultHttpStatus(code, '1.1'), contentType: contentTypeFor('1.1'), body: wrapEnvelope('1.1', body) };
}

