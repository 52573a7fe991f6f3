import { writeBusinessContext } from '../../bod/application-area.js';
import { writeAvailabilityNoun } from '../../inventory/availability-noun.js';
import type { Logger } from '../../log/logger.js';
import { readEnvelope } from '../../soap/soap-envelope.js';
import { BOD_ROOT_XMLNS, NS } from '../../xml/namespaces.js';
import { child, childText, path, type XmlElement } from '../../xml/xml-element.js';
import { readXml } from '../../xml/xml-reader.js';
import { escText } from '../../xml/xml-writer.js';
import { contextStoreId, partNumberOf, shipNodeOf, type SimDirectory } from './sim-directory.js';
import { parseLocationKey, SIM_UOM, type SimStock, type StockLocationKey } from './sim-stock.js';

/** Where Commerce (here: the facade) takes DOM's inventory pushes, below the callback base URL. */
export const COMMERCE_INVENTORY_PATH = '/webapp/wcs/component/inventory/services/InventoryServices';
const INVENTORY_SOAP_ACTION = '"http://localhost/services/InventoryServices.wsdl"';
/** Budget of one push, ms. */
export const PUSH_TIMEOUT_MS = 5_000;

export interface CallbackCredentials {
  readonly username: string;
  readonly password: string;
}

export interface PushContext {
  /** Base URL of the Commerce side; no push is made without it. */
  readonly callbackUrl: string | undefined;
  readonly stock: SimStock;
  readonly directory: SimDirectory;
  readonly log: Logger;
  /** When set, pushes carry a WS-Security UsernameToken (PasswordText), as Sterling's callbacks may. */
  readonly credentials?: CallbackCredentials | undefined;
}

export type PushOutcomeKind = 'confirmed' | 'rejected' | 'soap-fault' | 'http-error' | 'unreachable' | 'unparseable' | 'skipped';

export interface PushOutcome {
  readonly outcome: PushOutcomeKind;
  readonly detail: string;
  readonly httpStatus?: number;
}

/**
 * A SyncInventoryAvailability in Sterling's shape: `releaseID=""`, the `_wcf:ApplicationArea` substitution form
 * with a CreationDateTime and the storeId but no BODID, actionCode Change, one noun with LastUpdateDateTime.
 */
export function writeSyncInventoryAvailability(opts: {
  readonly catentryId: string;
  readonly location: { readonly kind: 'online' | 'physical'; readonly storeId: string };
  readonly available: number;
  readonly lastUpdate: number;
  readonly storeId: string | undefined;
  readonly created?: string;
}): string {
  return (
    `<_inv:SyncInventoryAvailability releaseID="" versionID="7.0.0.0"${BOD_ROOT_XMLNS}>` +
    `<_wcf:ApplicationArea><oa:CreationDateTime>${opts.created ?? new Date().toISOString()}</oa:CreationDateTime>` +
    writeBusinessContext(opts.storeId ? { storeId: opts.storeId } : undefined) +
    `</_wcf:ApplicationArea>` +
    `<_inv:DataArea><oa:Sync><oa:ActionCriteria>` +
    `<oa:ActionExpression actionCode="Change" expressionLanguage="_wcf:XPath">/InventoryAvailability[1]</oa:ActionExpression>` +
    `</oa:ActionCriteria></oa:Sync>` +
    writeAvailabilityNoun({
      catentryId: opts.catentryId,
      location: opts.location,
      status: opts.available > 0 ? 'Available' : 'Unavailable',
      quantity: opts.available,
      uom: SIM_UOM,
      availabilityTime: null,
      availabilityOffset: null,
      lastUpdate: opts.lastUpdate,
    }) +
    `</_inv:DataArea></_inv:SyncInventoryAvailability>`
  );
}

function securityHeader(c: CallbackCredentials): string {
  return (
    `<soapenv:Header><wsse:Security xmlns:wsse="${NS.wsse}" soapenv:mustUnderstand="1"><wsse:UsernameToken>` +
    `<wsse:Username>${escText(c.username)}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${escText(c.password)}</wsse:Password>` +
    `</wsse:UsernameToken></wsse:Security></soapenv:Header>`
  );
}

/** What came back from one callback POST: the HTTP answer, or why there was none. */
export type CallbackReply = { readonly ok: true; readonly status: number; readonly text: string } | { readonly ok: false; readonly cause: string };

/**
 * POSTs one BOD to the Commerce side as a SOAP 1.1 request (with a WS-Security UsernameToken when credentials
 * are given), within {@link PUSH_TIMEOUT_MS}. `signal` lets the caller abort it (the simulator closing).
 */
export async function postCallback(url: string, soapAction: string, bod: string, credentials: CallbackCredentials | undefined, signal?: AbortSignal): Promise<CallbackReply> {
  const envelope =
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS.soap11}">` +
    (credentials ? securityHeader(credentials) : '') +
    `<soapenv:Body>${bod}</soapenv:Body></soapenv:Envelope>`;
  const timeout = AbortSignal.timeout(PUSH_TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: soapAction },
      body: envelope,
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    return { ok: true, status: res.status, text: await res.text() };
  } catch (e) {
    return { ok: false, cause: (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name };
  }
}

/**
 * Tells the Commerce side the current availability of one item at one location, as DOM does after a stock
 * change, and reads its ConfirmBOD. Every outcome is logged and returned; nothing is thrown.
 */
export async function pushAvailability(ctx: PushContext, catentryId: string, locationKey: StockLocationKey): Promise<PushOutcome> {
  const log = ctx.log.child({ catentryId, location: locationKey });
  const loc = parseLocationKey(locationKey);
  const level = ctx.stock.level(partNumberOf(ctx.directory, catentryId), shipNodeOf(ctx.directory, locationKey));
  if (!ctx.callbackUrl) return { outcome: 'skipped', detail: 'no callback URL is configured' };
  if (!loc || !level) {
    log.warn('availability push skipped: no stock record');
    return { outcome: 'skipped', detail: `no stock record for ${catentryId} at ${locationKey}` };
  }
  const bod = writeSyncInventoryAvailability({ catentryId, location: loc, available: level.available, lastUpdate: level.lastUpdate, storeId: contextStoreId(ctx.directory, locationKey) });
  const url = ctx.callbackUrl.replace(/\/+$/, '') + COMMERCE_INVENTORY_PATH;
  const reply = await postCallback(url, INVENTORY_SOAP_ACTION, bod, ctx.credentials);
  if (!reply.ok) {
    const outcome: PushOutcome = { outcome: 'unreachable', detail: `SyncInventoryAvailability to ${url} failed: ${reply.cause}` };
    log.warn('availability push failed', { outcome: outcome.outcome, detail: outcome.detail });
    return outcome;
  }
  const outcome = readConfirm(reply.text, reply.status);
  if (outcome.outcome === 'confirmed') log.info('availability pushed', { available: level.available, confirm: outcome.detail });
  else log.warn('availability push not confirmed', { outcome: outcome.outcome, detail: outcome.detail, httpStatus: reply.status });
  return outcome;
}

/** Reads the answer to a Sync: a ConfirmBOD (success or failure), a SOAP fault, or something else. */
export function readConfirm(text: string, status: number): PushOutcome {
  return readCallbackAnswer(text, status, 'ConfirmBOD');
}

/**
 * Reads the Commerce side's answer to a callback: a ConfirmBOD (to a Sync) or a RespondOrder (to a ChangeOrder),
 * a SOAP fault, an HTTP error, or something unreadable. A RespondOrder with a ChangeStatus is a rejection.
 */
export function readCallbackAnswer(text: string, status: number, expected: 'ConfirmBOD' | 'RespondOrder' | 'AcknowledgeOrder'): PushOutcome {
  let body: XmlElement;
  try {
    body = readEnvelope(readXml(text)).bod;
  } catch {
    if (status >= 400) return { outcome: 'http-error', detail: `HTTP ${status}`, httpStatus: status };
    return { outcome: 'unparseable', detail: 'the answer is not a SOAP envelope', httpStatus: status };
  }
  if (body.name === 'Fault' && (body.ns === NS.soap11 || body.ns === NS.soap12)) {
    const reason = childText(body, '', 'faultstring') ?? childText(child(body, NS.soap12, 'Reason'), NS.soap12, 'Text') ?? 'no reason given';
    return { outcome: 'soap-fault', detail: reason.slice(0, 300), httpStatus: status };
  }
  if (expected === 'RespondOrder') return readOrderAnswer(body, status, 'RespondOrder', 'Respond');
  if (expected === 'AcknowledgeOrder') return readOrderAnswer(body, status, 'AcknowledgeOrder', 'Acknowledge');
  if (body.ns !== NS.oa || body.name !== 'ConfirmBOD') {
    return { outcome: 'unparseable', detail: `answered ${body.name} instead of ConfirmBOD`, httpStatus: status };
  }
  const bodResult = path(body, [NS.oa, 'DataArea'], [NS.oa, 'BOD']);
  if (child(bodResult, NS.oa, 'BODSuccessMessage')) return { outcome: 'confirmed', detail: 'BODSuccessMessage', httpStatus: status };
  const failure = child(bodResult, NS.oa, 'BODFailureMessage') ?? child(bodResult, NS.oa, 'PartialBODFailureMessage');
  if (failure) {
    const descriptions: string[] = [];
    const collect = (el: XmlElement): void => {
      if (el.ns === NS.oa && el.name === 'Description' && el.text) descriptions.push(el.text);
      el.children.forEach(collect);
    };
    collect(failure);
    return { outcome: 'rejected', detail: `${failure.name}: ${descriptions.join('; ').slice(0, 300)}`, httpStatus: status };
  }
  return { outcome: 'unparseable', detail: 'ConfirmBOD without a BOD success or failure message', httpStatus: status };
}

/** A RespondOrder (to a ChangeOrder) or an AcknowledgeOrder (to a ProcessOrder): a ChangeStatus in it is a rejection. */
function readOrderAnswer(body: XmlElement, status: number, root: string, verb: string): PushOutcome {
  if (body.ns !== NS.ord || body.name !== root) {
    return { outcome: 'unparseable', detail: `answered ${body.name} instead of ${root}`, httpStatus: status };
  }
  const respond = path(body, [NS.ord, 'DataArea'], [NS.oa, verb]);
  if (!respond) return { outcome: 'unparseable', detail: `${root} without DataArea/${verb}`, httpStatus: status };
  const cs = path(respond, [NS.oa, 'ResponseCriteria'], [NS.oa, 'ChangeStatus']);
  if (cs) {
    const detail = `${childText(cs, NS.oa, 'ReasonCode') ?? ''} ${childText(cs, NS.oa, 'Description') ?? ''}`.trim();
    return { outcome: 'rejected', detail: `ChangeStatus: ${detail}`.slice(0, 300), httpStatus: status };
  }
  if (status >= 400) return { outcome: 'http-error', detail: `HTTP ${status}`, httpStatus: status };
  return { outcome: 'confirmed', detail: root, httpStatus: status };
}
