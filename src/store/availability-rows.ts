import { CODE_TO_STATUS, STATUS_TO_CODE, type AvailabilityRecord } from '../inventory/inventory-model.js';

/**
 * The INVAVL row both stores keep (columns catentry_id, location_kind, location_id, status as AVL/BA/UAVL, quantity,
 * uom, availability_time, availability_offset, last_update, context_store_id, field1–3): one mapping from and to
 * an AvailabilityRecord, so the SQLite and PostgreSQL stores cannot drift apart.
 */
export type AvailabilityRow = Readonly<Record<string, unknown>>;

/** The record's values in the column order of both stores' availability INSERTs. */
export function availabilityRowParams(rec: AvailabilityRecord): unknown[] {
  return [
    rec.catentryId, rec.location.kind, rec.location.storeId, STATUS_TO_CODE[rec.status], rec.quantity, rec.uom, rec.availabilityTime,
    rec.availabilityOffset, rec.lastUpdate, rec.contextStoreId ?? null, rec.field1 ?? null, rec.field2 ?? null, rec.field3 ?? null,
  ];
}

export function availabilityRecordOf(row: AvailabilityRow): AvailabilityRecord {
  return {
    catentryId: row['catentry_id'] as string,
    location: { kind: row['location_kind'] as 'online' | 'physical', storeId: row['location_id'] as string },
    status: CODE_TO_STATUS[row['status'] as string]!,
    quantity: (row['quantity'] as number | null) ?? null,
    uom: row['uom'] as string,
    availabilityTime: (row['availability_time'] as number | null) ?? null,
    availabilityOffset: (row['availability_offset'] as number | null) ?? null,
    lastUpdate: row['last_update'] as number,
    contextStoreId: (row['context_store_id'] as string | null) ?? null,
    field1: (row['field1'] as string | null) ?? null,
    field2: (row['field2'] as string | null) ?? null,
    field3: (row['field3'] as string | null) ?? null,
  };
}
