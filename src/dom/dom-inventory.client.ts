import { writeApplicationArea } from '../bod/application-area.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import { readAvailabilityNoun, type ReceivedAvailabilityNoun } from '../inventory/availability-noun.js';
import { BOD_ROOT_XMLNS, NS } from '../xml/namespaces.js';
import { child, type XmlElement } from '../xml/xml-element.js';
import { escText } from '../xml/xml-writer.js';
import type { DomResult, DomTransport } from './dom-transport.js';

export const DOM_INVENTORY_PATH = '/dom/services/InventoryServices';

/**
 * One item–location question as DOM's mediation can ask it of Sterling: the item by part number, an online store
 * by its name identifier, a physical store by its external identifier. Unique ids mean nothing to Sterling.
 */
export interface DomAvailabilityPair {
  readonly partNumber: string;
  readonly location: { readonly kind: 'online'; readonly nameIdentifier: string } | { readonly kind: 'physical'; readonly externalId: string };
}

/** The inventory half of what dombridge asks DOM (Commerce's ExternalInventory). */
export interface DomInventoryPort {
  /**
   * Availability of each pair; DOM answers one noun per pair it was asked, keyed by part number and store name
   * (or external id). `storeId` is the online store whose organization DOM asks (BusinessContext storeId).
   */
  getInventoryAvailability(pairs: readonly DomAvailabilityPair[], storeId: string): Promise<DomResult<ReceivedAvailabilityNoun[]>>;
}

function quote(v: string): string {
  return v.includes("'") ? `"${v}"` : `'${v}'`;
}

/**
 * The Get expression for pairs of one kind, in the form the mediation reads (docs/contract/dom-mediation-inventory.md):
 * it takes the PartNumber, NameIdentifier and (physical) ExternalIdentifier values as lists in expression order and
 * pairs them by position, so position i carries part number i and store i — a store asked about several items is
 * written once per item. Online and physical pairs never share a request: the two store lists are indexed
 * separately, and a position holding both is answered only as physical.
 */
export function writeDomAvailabilityExpression(pairs: readonly DomAvailabilityPair[]): string {
  const items = pairs.map((p) => `PartNumber=${quote(p.partNumber)}`).join(' or ');
  const stores = pairs.map((p) => (p.location.kind === 'online' ? `NameIdentifier=${quote(p.location.nameIdentifier)}` : `ExternalIdentifier=${quote(p.location.externalId)}`)).join(' or ');
  const where = pairs[0]?.location.kind === 'physical' ? `PhysicalStoreIdentifier[(${stores})]` : `OnlineStoreIdentifier/ExternalIdentifier[(${stores})]`;
  return `{_wcf.ap=IBM_Store_Details}/InventoryAvailability[InventoryAvailabilityIdentifier/ExternalIdentifier[CatalogEntryIdentifier/ExternalIdentifier[(${items})] and ${where}]]`;
}

/** Pairs split into the requests that ask them without mis-pairing: online ones, then physical ones, each once. */
export function availabilityRequests(pairs: readonly DomAvailabilityPair[]): DomAvailabilityPair[][] {
  const seen = new Set<string>();
  const online: DomAvailabilityPair[] = [];
  const physical: DomAvailabilityPair[] = [];
  for (const p of pairs) {
    const key = `${p.partNumber}\u0000${p.location.kind}\u0000${p.location.kind === 'online' ? p.location.nameIdentifier : p.location.externalId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (p.location.kind === 'online' ? online : physical).push(p);
  }
  return [online, physical].filter((l) => l.length > 0);
}

/**
 * Reads DOM's ShowInventoryAvailability as the mediation writes it: `_wcf:ApplicationArea`, a DataArea without a
 * verb (a Show verb, if present, is skipped), nouns by part number and store name or external id.
 */
export function readDomAvailabilityAnswer(root: XmlElement): DomResult<ReceivedAvailabilityNoun[]> {
  if (root.ns !== NS.inv || root.name !== 'ShowInventoryAvailability') {
    return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered ${root.name} instead of ShowInventoryAvailability` } };
  }
  const dataArea = child(root, NS.inv, 'DataArea');
  if (!dataArea) return { ok: false, failure: { kind: 'unparseable', detail: 'DOM answered a ShowInventoryAvailability without a DataArea' } };
  const nouns: ReceivedAvailabilityNoun[] = [];
  for (const el of dataArea.children) {
    if (el.ns !== NS.inv || el.name !== 'InventoryAvailability') continue;
    const r = readAvailabilityNoun(el);
    if (!r.ok) return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered an unreadable noun (${r.ref}): ${r.reason}` } };
    nouns.push(r.noun);
  }
  return { ok: true, value: nouns };
}

export class SoapDomInventoryClient implements DomInventoryPort {
  constructor(private readonly transport: DomTransport) {}

  async getInventoryAvailability(pairs: readonly DomAvailabilityPair[], storeId: string): Promise<DomResult<ReceivedAvailabilityNoun[]>> {
    const nouns: ReceivedAvailabilityNoun[] = [];
    for (const request of availabilityRequests(pairs)) {
      const bod =
        `<_inv:GetInventoryAvailability releaseID="${RELEASE_ID}" versionID="7.0.0.0"${BOD_ROOT_XMLNS}>` +
        writeApplicationArea(undefined, undefined, { storeId }) +
        `<_inv:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">${escText(writeDomAvailabilityExpression(request))}</oa:Expression></oa:Get></_inv:DataArea>` +
        `</_inv:GetInventoryAvailability>`;
      const answer = await this.transport.call(DOM_INVENTORY_PATH, 'GetInventoryAvailability', bod);
      if (!answer.ok) return answer;
      const read = readDomAvailabilityAnswer(answer.value);
      if (!read.ok) return read;
      nouns.push(...read.value);
    }
    return { ok: true, value: nouns };
  }
}
