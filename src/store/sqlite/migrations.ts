/**
 * Versioned schema migrations, applied in order inside one transaction each and recorded in schema_migration.
 * Never edit a released migration: add the next one. Times are epoch milliseconds (INTEGER) so freshness checks
 * are integer comparisons; identifiers are TEXT so part numbers and ids keep their leading zeros.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'inventory foundation',
    sql: `
      CREATE TABLE fulfillment_center (
        fulfillment_center_id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE online_store (
        store_id TEXT PRIMARY KEY,
        name_identifier TEXT NOT NULL UNIQUE,
        inventory_system INTEGER NOT NULL CHECK (inventory_system IN (-1, -2, -3, -5)),
        currency TEXT NOT NULL,
        fulfillment_center_id TEXT REFERENCES fulfillment_center(fulfillment_center_id),
        inventory_flags INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE physical_store (
        store_id TEXT PRIMARY KEY,
        external_id TEXT NOT NULL UNIQUE,
        online_store_id TEXT REFERENCES online_store(store_id),
        name TEXT
      );
      CREATE TABLE catalog_entry (
        catentry_id TEXT PRIMARY KEY,
        part_number TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        price TEXT
      );
      -- Commerce INVAVL: one record per (item, online store) or (item, physical store).
      CREATE TABLE inventory_availability (
        catentry_id TEXT NOT NULL,
        location_kind TEXT NOT NULL CHECK (location_kind IN ('online', 'physical')),
        location_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('AVL', 'BA', 'UAVL')),
        quantity REAL,
        uom TEXT NOT NULL DEFAULT 'C62',
        availability_time INTEGER,
        availability_offset INTEGER,
        last_update INTEGER NOT NULL,
        context_store_id TEXT,
        field1 TEXT, field2 TEXT, field3 TEXT,
        PRIMARY KEY (catentry_id, location_kind, location_id)
      ) WITHOUT ROWID;
      -- Commerce INVCNF: cache rules. NULL catentry/location = any.
      CREATE TABLE inventory_cache_rule (
        rule_id TEXT PRIMARY KEY,
        catentry_id TEXT,
        location_kind TEXT CHECK (location_kind IN ('online', 'physical')),
        location_id TEXT,
        precedence INTEGER NOT NULL DEFAULT 0,
        flags INTEGER NOT NULL,
        threshold REAL NOT NULL DEFAULT 0,
        expiry_above INTEGER,
        expiry_below INTEGER,
        fallback_status TEXT CHECK (fallback_status IN ('AVL', 'BA', 'UAVL')),
        fallback_time INTEGER,
        fallback_offset INTEGER
      );
      -- Non-ATP stock: on hand and reserved per item and fulfillment center; available is derived, never stored.
      CREATE TABLE local_inventory (
        catentry_id TEXT NOT NULL,
        fulfillment_center_id TEXT NOT NULL,
        on_hand REAL NOT NULL CHECK (on_hand >= 0),
        reserved REAL NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        PRIMARY KEY (catentry_id, fulfillment_center_id)
      ) WITHOUT ROWID;
    `,
  },
];
