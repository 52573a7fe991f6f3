import type { BodRequest } from '../bod/bod-request.js';
import { writeConfirmBod, type NounOutcome } from '../bod/bod-response.js';
import { bodError } from '../errors/error-catalogue.js';
import type { BodOperation, OperationContext } from '../soap/bod-operation.js';
import type { Store } from '../store/store.js';
import { NS } from '../xml/namespaces.js';
import { readAvailabilityIdentifier, readAvailabilityNoun } from './availability-noun.js';
import { AvailabilityService } from './availability.service.js';

/** Action codes DOM uses to push availability; Delete removes the cached record. */
const UPSERT_ACTIONS = new Set(['Change', 'Add', 'Replace', 'Sync']);

/**
 * SyncInventoryAvailability from DOM → ConfirmBOD. Each noun is applied on its own merits (partial failure is
 * allowed and reported per noun), all applied nouns in one transaction. An update older than the stored record
 * (by LastUpdateDateTime) never overwrites it: that is DOM's messages arriving out of order, and the newer state
 * already stands, so it counts as applied.
 */
export class SyncInventoryAvailabilityHandler implements BodOperation {
  readonly name = 'SyncInventoryAvailability';
  readonly requestNs = NS.inv;

  constructor(private readonly store: Store, private readonly availability: AvailabilityService) {}

  async handle(bod: BodRequest, ctx: OperationContext): Promise<string> {
    const action = bod.actions[0]?.actionCode ?? 'Change';
    const nouns = bod.nouns.filter((n) => n.ns === NS.inv && n.name === 'InventoryAvailability');
    if (action !== 'Delete' && !UPSERT_ACTIONS.has(action)) {
      const error = bodError('ACTION_UNSUPPORTED', { actionCode: action, expression: bod.actions[0]?.expression ?? '', operation: this.name, supported: 'Change, Add, Replace, Sync, Delete' });
      return writeConfirmBod(bod.applicationArea, ctx.receivedAt, [{ ref: 'SyncInventoryAvailability', error }]);
    }
    if (nouns.length === 0) {
      return writeConfirmBod(bod.applicationArea, ctx.receivedAt, [{ ref: 'SyncInventoryAvailability', error: bodError('VALUE_INVALID', { field: 'DataArea', value: '(empty)', detail: 'at least one InventoryAvailability is required' }) }]);
    }
    const outcomes: NounOutcome[] = await this.store.transaction(async (tx) => {
      const out: NounOutcome[] = [];
      for (const [i, el] of nouns.entries()) {
        // A Delete names the record by its identifier alone (every other element of the noun is optional).
        const read = action === 'Delete' ? readAvailabilityIdentifier(el) : readAvailabilityNoun(el);
        if (!read.ok) {
          out.push({ ref: `InventoryAvailability ${i + 1} (${read.ref})`, error: bodError('VALUE_INVALID', { field: 'InventoryAvailability', value: read.ref, detail: read.reason }) });
          continue;
        }
        const named = 'noun' in read ? read.noun : read;
        const ref = `InventoryAvailability ${i + 1} (${named.item.value} @ ${named.location.value})`;
        const item = await this.availability.resolveItem(named.item);
        if (!item.ok) { out.push({ ref, error: item.error }); continue; }
        const loc = await this.availability.resolveLocation(named.location);
        if (!loc.ok) { out.push({ ref, error: loc.error }); continue; }
        if (!('noun' in read)) {
          await tx.availability.remove(item.value.catentryId, loc.value.key);
          this.availability.forget(tx, item.value.catentryId, loc.value.key);
        } else {
          const record = AvailabilityService.toRecord(read.noun, item.value.catentryId, loc.value.key, ctx.receivedAtMs);
          const outcome = await this.availability.applyRecord(tx, record, true);
          if (outcome === 'stale') ctx.log.info('older availability update ignored', { partNumber: item.value.partNumber, location: loc.value.key.storeId });
        }
        out.push({ ref });
      }
      return out;
    });
    return writeConfirmBod(bod.applicationArea, ctx.receivedAt, outcomes);
  }
}
