import type { ApplicationArea } from '../bod/application-area.js';
import type { BodRequest } from '../bod/bod-request.js';
import { showRecordSetAttrs, writeResponseBod } from '../bod/bod-response.js';
import { bodError, type BodError } from '../errors/error-catalogue.js';
import type { BodOperation, OperationContext } from '../soap/bod-operation.js';
import { NS } from '../xml/namespaces.js';
import { expressionErrorDetail, locationsOrContextStore, parseAvailabilityExpressionCached } from './availability-expression.js';
import { writeAvailabilityNoun } from './availability-noun.js';
import type { AvailabilityService, ResolvedLocation } from './availability.service.js';
import type { CatalogEntry } from './inventory-model.js';

/**
 * GetInventoryAvailability → ShowInventoryAvailability: one noun per (item, location) the expression names.
 * Without a location in the expression, the business context's storeId is the location (online store).
 */
export class GetInventoryAvailabilityHandler implements BodOperation {
  readonly name = 'GetInventoryAvailability';
  readonly requestNs = NS.inv;

  constructor(private readonly availability: AvailabilityService) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const answer = await this.answer(bod);
    if ('error' in answer) return this.respond(bod, ctx, '', 0, answer.error);
    return this.respond(bod, ctx, answer.nouns.join(''), answer.nouns.length);
  }

  private async answer(bod: BodRequest): Promise<{ nouns: string[] } | { error: BodError }> {
    if (bod.expressions.length === 0) return { error: bodError('EXPRESSION_INVALID', { detail: 'oa:Get holds no oa:Expression' }) };
    const items: CatalogEntry[] = [];
    const locations: ResolvedLocation[] = [];
    const seenItems = new Set<string>();
    const seenLocations = new Set<string>();
    for (const text of bod.expressions) {
      const parsed = parseAvailabilityExpressionCached(text);
      if (!parsed.ok) return { error: bodError('EXPRESSION_INVALID', { detail: expressionErrorDetail(parsed) }) };
      for (const ref of parsed.query.catalogEntries) {
        const r = await this.availability.resolveItem(ref);
        if (!r.ok) return { error: r.error };
        if (!seenItems.has(r.value.catentryId)) {
          seenItems.add(r.value.catentryId);
          items.push(r.value);
        }
      }
      const refs = locationsOrContextStore(parsed.query, bod.applicationArea.context['storeId']);
      if (!refs) return { error: bodError('STORE_MISSING') };
      for (const ref of refs) {
        const r = await this.availability.resolveLocation(ref);
        if (!r.ok) return { error: r.error };
        const k = `${r.value.key.kind}:${r.value.key.storeId}`;
        if (!seenLocations.has(k)) {
          seenLocations.add(k);
          locations.push(r.value);
        }
      }
    }
    const result = await this.availability.availability(items, locations, 0);
    if (!result.ok) return { error: result.error };
    return { nouns: result.value.map(writeAvailabilityNoun) };
  }

  private respond(bod: BodRequest, ctx: OperationContext, nouns: string, count: number, error?: BodError): string {
    return writeShowInventoryAvailability(bod.applicationArea, ctx.receivedAt, nouns, count, error);
  }
}

/** ShowInventoryAvailability: one record set holding every noun (or the error form), as DOM's simulator answers too. */
export function writeShowInventoryAvailability(original: ApplicationArea, receivedAt: string, nouns: string, count: number, error?: BodError): string {
  return writeResponseBod({
    root: '_inv:ShowInventoryAvailability',
    component: '_inv',
    verb: 'Show',
    verbAttrs: showRecordSetAttrs(count),
    original,
    receivedAt,
    ...(error ? { error } : {}),
    nouns,
  });
}
