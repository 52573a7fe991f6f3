import { writeApplicationArea } from '../bod/application-area.js';
import { readBod } from '../bod/bod-request.js';
import { RELEASE_ID } from '../bod/bod-response.js';
import type { LocationRef } from '../inventory/availability-expression.js';
import { readAvailabilityNoun, writeAvailabilityExpression, type ReceivedAvailabilityNoun } from '../inventory/availability-noun.js';
import { BOD_ROOT_XMLNS, NS } from '../xml/namespaces.js';
import { escText } from '../xml/xml-writer.js';
import type { DomResult, DomTransport } from './dom-transport.js';

export const DOM_INVENTORY_PATH = '/dom/services/InventoryServices';

/** The inventory half of what dombridge asks DOM (Commerce's ExternalInventory). */
export interface DomInventoryPort {
  /** Availability of each item at each location; DOM answers one noun per pair it knows. */
  getInventoryAvailability(catentryIds: readonly string[], locations: readonly LocationRef[], storeId: string): Promise<DomResult<ReceivedAvailabilityNoun[]>>;
}

export class SoapDomInventoryClient implements DomInventoryPort {
  constructor(private readonly transport: DomTransport) {}

  async getInventoryAvailability(catentryIds: readonly string[], locations: readonly LocationRef[], storeId: string): Promise<DomResult<ReceivedAvailabilityNoun[]>> {
    const bod =
      `<_inv:GetInventoryAvailability releaseID="${RELEASE_ID}" versionID="7.0.0.0"${BOD_ROOT_XMLNS}>` +
      writeApplicationArea(undefined, undefined, { storeId }) +
      `<_inv:DataArea><oa:Get><oa:Expression expressionLanguage="_wcf:XPath">${escText(writeAvailabilityExpression(catentryIds, locations))}</oa:Expression></oa:Get></_inv:DataArea>` +
      `</_inv:GetInventoryAvailability>`;
    const answer = await this.transport.call(DOM_INVENTORY_PATH, 'GetInventoryAvailability', bod);
    if (!answer.ok) return answer;
    const root = answer.value;
    if (root.ns !== NS.inv || root.name !== 'ShowInventoryAvailability') {
      return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered ${root.name} instead of ShowInventoryAvailability` } };
    }
    let parsed;
    try {
      parsed = readBod(root);
    } catch {
      return { ok: false, failure: { kind: 'unparseable', detail: 'DOM answered a ShowInventoryAvailability without a readable DataArea' } };
    }
    const nouns: ReceivedAvailabilityNoun[] = [];
    for (const el of parsed.nouns) {
      if (el.ns !== NS.inv || el.name !== 'InventoryAvailability') continue;
      const r = readAvailabilityNoun(el);
      if (!r.ok) return { ok: false, failure: { kind: 'unparseable', detail: `DOM answered an unreadable noun (${r.ref}): ${r.reason}` } };
      nouns.push(r.noun);
    }
    return { ok: true, value: nouns };
  }
}
