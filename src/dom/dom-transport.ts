import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import soap from 'soap';
import { readEnvelope } from '../soap/soap-envelope.js';
import { NS } from '../xml/namespaces.js';
import { child, childText, type XmlElement } from '../xml/xml-element.js';
import { readXml } from '../xml/xml-reader.js';

/** Why a call to DOM did not produce a usable answer. Every outcome of a call is one of these or a success. */
export type DomFailureKind = 'refused' | 'connect-timeout' | 'timeout' | 'dropped' | 'http-error' | 'soap-fault' | 'unparseable' | 'bod-error' | 'circuit-open';

export interface DomFailure {
  readonly kind: DomFailureKind;
  /** For logs and for the caller's message: never includes credentials or stack traces. */
  readonly detail: string;
  readonly httpStatus?: number;
}

export type DomResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: DomFailure };

/** One call to DOM, as its observers are told. `rawRequest` is the BOD sent. */
export interface DomCallEvent {
  readonly servicePath: string;
  readonly operation: string;
  readonly rawRequest: string;
  readonly rawResponse: string | undefined;
  readonly result: DomResult<unknown>;
  readonly durationMs: number;
  /** The call's record (out-N), when an observer before this one recorded it and its id is known already. */
  readonly messageId?: string | undefined;
}

/**
 * Told about every call to DOM: the message store, then the metrics. An observer that records the call returns the
 * record's id; the observers after it see that id in the event (the metrics' exemplar).
 */
export interface DomCallObserver {
  onCall(e: DomCallEvent): string | undefined | void;
}

/** Decides whether a call may go out now (a circuit breaker) and learns from each outcome. */
export interface DomCallGate {
  /** undefined: go ahead; otherwise the failure to answer at once without calling. */
  admit(): DomFailure | undefined;
  record(result: DomResult<unknown>): void;
}

export interface DomTransportOptions {
  readonly baseUrl: string;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** PEM of a CA to trust for https DOM URLs, beside the system's. TLS verification is never switched off. */
  readonly ca?: string | undefined;
}

/**
 * An agent that gives up on a TCP (or TLS) connect after `connectTimeoutMs`, separately from the whole-call
 * timeout: a dead host should fail in the connect budget, a slow DOM in the overall one. Keep-alive reuses
 * sockets, so the connect cost is paid once per connection, not per call.
 */
function connectTimeoutAgent<A extends typeof http.Agent | typeof https.Agent>(Base: A, connectTimeoutMs: number, opts: https.AgentOptions): InstanceType<A> {
  const agent = new Base({ keepAlive: true, maxSockets: 64, ...opts }) as InstanceType<A> & { createConnection: (o: unknown, cb?: unknown) => Duplex };
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (o: unknown, cb?: unknown) => {
    const socket = create(o, cb) as Duplex & { connecting?: boolean };
    const timer = setTimeout(() => {
      if (socket.connecting) socket.destroy(Object.assign(new Error(`connect timed out after ${connectTimeoutMs} ms`), { code: 'ECONNECTTIMEOUT' }));
    }, connectTimeoutMs);
    timer.unref();
    socket.once('connect', () => clearTimeout(timer));
    socket.once('secureConnect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
  return agent;
}

/**
 * Outbound SOAP to DOM over node-soap's client: it brings the HTTP stack (axios), per-call timeouts and
 * WS-Security. We hand it the BOD as raw XML and read DOM's raw answer with our own namespace-aware codec, so
 * what we act on is never node-soap's lossy object mapping.
 */
export class DomTransport {
  private readonly clients = new Map<string, Promise<soap.Client>>();
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  private readonly observers: DomCallObserver[] = [];
  /** soapAction by "servicePath operation", read from the DOM WSDL when its client is made. */
  private readonly soapActions = new Map<string, string>();
  private gate: DomCallGate | undefined;

  constructor(private readonly opts: DomTransportOptions, private readonly wsdlPath: string) {
    this.httpAgent = connectTimeoutAgent(http.Agent, opts.connectTimeoutMs, {});
    this.httpsAgent = connectTimeoutAgent(https.Agent, opts.connectTimeoutMs, opts.ca ? { ca: opts.ca } : {});
  }

  private client(servicePath: string): Promise<soap.Client> {
    let c = this.clients.get(servicePath);
    if (!c) {
      c = soap.createClientAsync(this.wsdlPath, { returnFault: true, disableCache: false }).then((client) => {
        client.setEndpoint(this.opts.baseUrl + servicePath);
        for (const service of Object.values(client.wsdl.definitions.services)) {
          for (const port of Object.values(service.ports)) {
            if (!port.location.endsWith(servicePath)) continue;
            for (const [name, method] of Object.entries(port.binding.methods)) this.soapActions.set(`${servicePath} ${name}`, (method as { soapAction?: string }).soapAction ?? '');
          }
        }
        if (this.opts.username) client.setSecurity(new soap.WSSecurity(this.opts.username, this.opts.password ?? '', { passwordType: 'PasswordText', hasTimeStamp: false }));
        return client;
      });
      c.catch(() => this.clients.delete(servicePath));
      this.clients.set(servicePath, c);
    }
    return c;
  }

  /** Observers are told in the order they were added: the recorder first, so the metrics get its record's id. */
  observe(o: DomCallObserver): void {
    this.observers.push(o);
  }

  private tell(e: DomCallEvent): void {
    let event = e;
    for (const o of this.observers) {
      const messageId = o.onCall(event);
      if (typeof messageId === 'string' && event.messageId === undefined) event = { ...event, messageId };
    }
  }

  setGate(g: DomCallGate): void {
    this.gate = g;
  }

  /**
   * Sends one BOD and returns the BOD element of DOM's answer. `operation` names the WSDL operation,
   * `servicePath` the DOM endpoint below the base URL.
   */
  async call(servicePath: string, operation: string, bodXml: string): Promise<DomResult<XmlElement>> {
    const refused = this.gate?.admit();
    if (refused) {
      const result = { ok: false as const, failure: refused };
      if (this.observers.length) this.tell({ servicePath, operation, rawRequest: bodXml, rawResponse: undefined, result, durationMs: 0 });
      return result;
    }
    const started = performance.now();
    const { result, raw } = await this.send(servicePath, operation, bodXml);
    this.gate?.record(result);
    if (this.observers.length) {
      const durationMs = performance.now() - started;
      this.tell({ servicePath, operation, rawRequest: bodXml, rawResponse: raw, result, durationMs });
    }
    return result;
  }

  /** A cheap call to see whether DOM answers at all (the heartbeat while the circuit is open). Bypasses the gate. */
  async probe(servicePath: string, operation: string, bodXml: string): Promise<DomResult<XmlElement>> {
    return (await this.send(servicePath, operation, bodXml)).result;
  }

  private async send(servicePath: string, operation: string, bodXml: string): Promise<{ result: DomResult<XmlElement>; raw: string | undefined }> {
    let client: soap.Client;
    try {
      client = await this.client(servicePath);
    } catch (e) {
      return { result: { ok: false, failure: { kind: 'unparseable', detail: `DOM service description could not be loaded: ${(e as Error).message}` } }, raw: undefined };
    }
    const soapAction = this.soapActions.get(`${servicePath} ${operation}`);
    if (soapAction === undefined) return { result: { ok: false, failure: { kind: 'unparseable', detail: `operation ${operation} is not in the DOM service description` } }, raw: undefined };
    // The envelope is ours (the BOD as built, WS-Security from node-soap's own header writer); node-soap's HTTP
    // client sends it. Its WSDL-driven object mapping is skipped both ways: we read DOM's raw answer ourselves.
    const security = (client as unknown as { security?: { toXML(): string } }).security;
    const envelope = `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}">` +
      (security ? `<soapenv:Header>${security.toXML()}</soapenv:Header>` : '') + `<soapenv:Body>${bodXml}</soapenv:Body></soapenv:Envelope>`;
    return new Promise((resolve) => {
      // httpClient is node-soap's transport (axios, agents); its typings mark it private, its docs show it as the HTTP hook.
      const http = (client as unknown as { httpClient: { request(url: string, data: string, cb: (err: unknown, res?: { status?: number }, body?: unknown) => void, headers: Record<string, string>, options: unknown): Promise<unknown> } }).httpClient;
      http.request(this.opts.baseUrl + servicePath, envelope, (err: unknown, res?: { status?: number }, body?: unknown) => {
        if (err) {
          const e = err as TransportError;
          resolve({ result: { ok: false, failure: classifyError(err) }, raw: typeof e.body === 'string' ? e.body : undefined });
          return;
        }
        const raw = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
        resolve({ result: readAnswer(raw, res?.status ?? 200), raw });
      }, { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${soapAction}"` }, {
        timeout: this.opts.timeoutMs, httpAgent: this.httpAgent, httpsAgent: this.httpsAgent, maxRedirects: 0,
      } as never).catch(() => undefined);
    });
  }

}

interface TransportError {
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown };
  body?: unknown;
}

function classifyError(e: unknown): DomFailure {
  const err = e as TransportError;
  // A body cut short arrives with the response attached (status 200): it is a drop, not an unreadable answer.
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || /socket hang up|aborted/i.test(err.message ?? '')) {
    return { kind: 'dropped', detail: 'DOM dropped the connection before answering' };
  }
  if (err.response && err.response.status !== undefined) {
    const body = typeof err.body === 'string' ? err.body : typeof err.response.data === 'string' ? err.response.data : '';
    const answer = readAnswer(body, err.response.status);
    if (!answer.ok) return answer.failure;
    return { kind: 'http-error', detail: `DOM answered HTTP ${err.response.status}`, httpStatus: err.response.status };
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', detail: 'DOM refused the connection' };
    case 'ECONNECTTIMEOUT':
      return { kind: 'connect-timeout', detail: 'DOM did not accept the connection in time' };
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
      return { kind: 'timeout', detail: 'DOM did not answer in time' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_BAD_RESPONSE':
      return { kind: 'dropped', detail: 'DOM dropped the connection before answering' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'refused', detail: 'DOM host name does not resolve' };
    default:
      if (/socket hang up|aborted/i.test(err.message ?? '')) return { kind: 'dropped', detail: 'DOM dropped the connection before answering' };
      return { kind: 'unparseable', detail: `DOM call failed: ${err.code ?? 'unknown error'}` };
  }
}

/**
 * Sterling's own error list, `<Errors><Error ErrorCode="…" ErrorDescription="…">` (the shape the mediation's
 * error map writes, and what Sterling answers when the mediation passes its errors through), found as the answer
 * itself, as the SOAP body, or inside a SOAP fault's detail. Returns "CODE: description; …", or undefined.
 */
export function sterlingErrors(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  if (el.name === 'Errors') {
    const errors = el.children.filter((c) => c.name === 'Error');
    if (errors.length === 0) return undefined;
    return errors.map((e) => `${e.attrs['ErrorCode'] ?? '(no code)'}: ${e.attrs['ErrorDescription'] ?? e.attrs['ErrorRelatedMoreInfo'] ?? ''}`.trim()).join('; ').slice(0, 300);
  }
  if (el.name === 'Error' && el.attrs['ErrorCode'] !== undefined) return `${el.attrs['ErrorCode']}: ${el.attrs['ErrorDescription'] ?? ''}`.trim().slice(0, 300);
  for (const c of el.children) {
    const found = sterlingErrors(c);
    if (found) return found;
  }
  return undefined;
}

/** A refusal by Sterling: it will not change by being sent again, so it is a bod-error (dead-lettered, not retried). */
function refusedBySterling(errors: string, status: number): DomResult<never> {
  return { ok: false, failure: { kind: 'bod-error', detail: `DOM (Sterling) refused: ${errors}`, httpStatus: status } };
}

/** What an accepted one-way call answers with: no BOD at all (an empty body, HTTP 200 or 202). */
export const ACCEPTED_WITHOUT_ANSWER: XmlElement = Object.freeze({ ns: '', name: '', attrs: {}, children: [], text: '', scope: {} });

/**
 * Reads DOM's answer: a SOAP fault, Sterling's own errors, a BOD with an error ChangeStatus, a usable BOD, an empty
 * 200/202 (accepted, nothing to read: {@link ACCEPTED_WITHOUT_ANSWER}), or nothing readable.
 */
function readAnswer(body: string, status: number): DomResult<XmlElement> {
  if (body.trim() === '' && (status === 200 || status === 202)) return { ok: true, value: ACCEPTED_WITHOUT_ANSWER };
  let root: XmlElement;
  let bod: XmlElement;
  try {
    root = readXml(body);
  } catch {
    if (status >= 400) return { ok: false, failure: { kind: 'http-error', detail: `DOM answered HTTP ${status}`, httpStatus: status } };
    return { ok: false, failure: { kind: 'unparseable', detail: 'DOM answered with something that is not a SOAP envelope' } };
  }
  const bare = root.ns === '' ? sterlingErrors(root) : undefined;
  if (bare) return refusedBySterling(bare, status);
  try {
    bod = readEnvelope(root).bod;
  } catch {
    if (status >= 400) return { ok: false, failure: { kind: 'http-error', detail: `DOM answered HTTP ${status}`, httpStatus: status } };
    return { ok: false, failure: { kind: 'unparseable', detail: 'DOM answered with something that is not a SOAP envelope' } };
  }
  if (bod.name === 'Fault' && (bod.ns === NS.soap11 || bod.ns === NS.soap12)) {
    const passedOn = sterlingErrors(child(bod, '', 'detail') ?? child(bod, NS.soap12, 'Detail'));
    if (passedOn) return refusedBySterling(passedOn, status);
    const reason = childText(bod, '', 'faultstring') ?? childText(child(bod, NS.soap12, 'Reason'), NS.soap12, 'Text') ?? 'no reason given';
    return { ok: false, failure: { kind: 'soap-fault', detail: `DOM answered with a SOAP fault: ${reason.slice(0, 200)}`, httpStatus: status } };
  }
  const inBody = bod.ns === '' ? sterlingErrors(bod) : undefined;
  if (inBody) return refusedBySterling(inBody, status);
  if (status >= 400) return { ok: false, failure: { kind: 'http-error', detail: `DOM answered HTTP ${status}`, httpStatus: status } };
  // DOM answered, but refused: Show/Acknowledge/Respond carry the error in the verb's ResponseCriteria/ChangeStatus.
  const verb = child(bod, bod.ns, 'DataArea')?.children.find((c) => c.ns === NS.oa);
  const cs = child(child(verb, NS.oa, 'ResponseCriteria'), NS.oa, 'ChangeStatus');
  if (cs) {
    return { ok: false, failure: { kind: 'bod-error', detail: `DOM refused: ${childText(cs, NS.oa, 'ReasonCode') ?? ''} ${childText(cs, NS.oa, 'Description') ?? ''}`.trim() } };
  }
  return { ok: true, value: bod };
}
