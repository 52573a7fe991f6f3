/**
 * The PostgreSQL schema, versioned like SQLite's (src/store/sqlite/migrations.ts) but its own list: the same tables
 * and columns in PostgreSQL's types. Version 1 is the whole schema as of SQLite migration 6. Applied in order, each
 * in its own transaction, recorded in schema_migration, under an advisory lock (postgres-store.ts) so nodes starting
 * together do not race. Never edit a released migration: add the next one.
 *
 * Times are epoch milliseconds (BIGINT), quantities double precision; ids are TEXT as in SQLite. Ids that must never
 * collide across nodes come from sequences (order, order item, payment, shipment ids; bod_message ids).
 */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'dombridge schema (SQLite migrations 1-6)',
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
        inventory_flags INTEGER NOT NULL DEFAULT 0,
        retired_at BIGINT
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
      CREATE TABLE inventory_availability (
        catentry_id TEXT NOT NULL,
        location_kind TEXT NOT NULL CHECK (location_kind IN ('online', 'physical')),
        location_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('AVL', 'BA', 'UAVL')),
        quantity DOUBLE PRECISION,
        uom TEXT NOT NULL DEFAULT 'C62',
        availability_time BIGINT,
        availability_offset BIGINT,
        last_update BIGINT NOT NULL,
        context_store_id TEXT,
        field1 TEXT, field2 TEXT, field3 TEXT,
        PRIMARY KEY (catentry_id, location_kind, location_id)
      );
      CREATE TABLE inventory_cache_rule (
        rule_id TEXT PRIMARY KEY,
        catentry_id TEXT,
        location_kind TEXT CHECK (location_kind IN ('online', 'physical')),
        location_id TEXT,
        precedence INTEGER NOT NULL DEFAULT 0,
        flags INTEGER NOT NULL,
        threshold DOUBLE PRECISION NOT NULL DEFAULT 0,
        expiry_above BIGINT,
        expiry_below BIGINT,
        fallback_status TEXT CHECK (fallback_status IN ('AVL', 'BA', 'UAVL')),
        fallback_time BIGINT,
        fallback_offset BIGINT
      );
      CREATE TABLE local_inventory (
        catentry_id TEXT NOT NULL,
        fulfillment_center_id TEXT NOT NULL,
        on_hand DOUBLE PRECISION NOT NULL CHECK (on_hand >= 0),
        reserved DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        PRIMARY KEY (catentry_id, fulfillment_center_id)
      );
      -- Sequences, not a counter row: nextval never hands two nodes the same id and never waits for a commit.
      CREATE SEQUENCE order_id_seq START 90000101;
      CREATE SEQUENCE order_item_id_seq START 90001001;
      CREATE SEQUENCE payment_id_seq START 70001;
      CREATE SEQUENCE shipment_id_seq START 50001;
      CREATE TABLE customer_order (
        order_id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        placed_at BIGINT,
        last_transfer_at BIGINT,
        updated_at BIGINT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX customer_order_status ON customer_order (status, last_transfer_at);
      CREATE INDEX customer_order_external_id ON customer_order (((doc::jsonb) ->> 'externalOrderId')) WHERE ((doc::jsonb) ->> 'externalOrderId') IS NOT NULL;
      CREATE TABLE order_status_history (
        history_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        cause TEXT NOT NULL,
        at BIGINT NOT NULL
      );
      CREATE INDEX order_status_history_order ON order_status_history (order_id, history_id);
      CREATE TABLE dom_outbox (
        message_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        order_id TEXT NOT NULL,
        bod_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'acknowledged', 'failed', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        lease_until BIGINT
      );
      CREATE INDEX dom_outbox_due ON dom_outbox (status, next_attempt_at);
      CREATE INDEX dom_outbox_order ON dom_outbox (order_id, created_at);
      CREATE TABLE email_outbox (
        email_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        type TEXT NOT NULL,
        recipient TEXT NOT NULL,
        data TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        sent_at BIGINT,
        lease_until BIGINT
      );
      CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
      CREATE TABLE local_reservation (
        order_item_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        catentry_id TEXT NOT NULL,
        fulfillment_center_id TEXT NOT NULL,
        quantity DOUBLE PRECISION NOT NULL CHECK (quantity > 0)
      );
      CREATE INDEX local_reservation_order ON local_reservation (order_id);
      -- Every BOD in and out. The idempotency key (sender_id, bod_id) of inbound BODs is a unique index: two nodes
      -- receiving the same BODID at once insert one row; the other finds it.
      CREATE TABLE bod_message (
        message_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        service TEXT NOT NULL,
        operation TEXT NOT NULL,
        verb TEXT,
        noun TEXT,
        bod_id TEXT,
        sender_id TEXT NOT NULL DEFAULT '',
        order_id TEXT,
        part_number TEXT,
        catentry_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('received', 'applied', 'processed', 'failed', 'queued', 'sent', 'acknowledged', 'dead')),
        request_hash TEXT,
        request_xml TEXT NOT NULL,
        response_xml TEXT,
        error TEXT,
        duration_ms DOUBLE PRECISION,
        caused_by BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        applied_at BIGINT
      );
      CREATE UNIQUE INDEX bod_message_key ON bod_message (sender_id, bod_id) WHERE direction = 'in' AND bod_id IS NOT NULL;
      CREATE INDEX bod_message_created ON bod_message (created_at);
      CREATE INDEX bod_message_out_bod_id ON bod_message (bod_id) WHERE direction = 'out';
    `,
  },
  {
    version: 2,
    name: 'honest message records',
    sql: `
      -- As SQLite's migration 7 (src/store/sqlite/migrations.ts): inbound records end processed, rejected, faulted or
      -- failed; requests refused before their handler ran and replays have records without a request hash, which
      -- the key's unique index leaves out. DOM outbox rows get a number for their message id (outbox-N).
      ALTER TABLE bod_message DROP CONSTRAINT IF EXISTS bod_message_status_check;
      UPDATE bod_message SET status = 'faulted' WHERE direction = 'in' AND status = 'failed';
      ALTER TABLE bod_message ADD CONSTRAINT bod_message_status_check
        CHECK (status IN ('received', 'applied', 'processed', 'rejected', 'faulted', 'failed', 'queued', 'sent', 'acknowledged', 'dead'));
      DROP INDEX IF EXISTS bod_message_key;
      CREATE UNIQUE INDEX bod_message_key ON bod_message (sender_id, bod_id) WHERE direction = 'in' AND bod_id IS NOT NULL AND request_hash IS NOT NULL;
      CREATE INDEX bod_message_in_bod_id ON bod_message (bod_id) WHERE direction = 'in';
      CREATE INDEX bod_message_order ON bod_message (order_id) WHERE order_id IS NOT NULL;
      CREATE INDEX bod_message_status ON bod_message (status, created_at);
      ALTER TABLE dom_outbox ADD COLUMN row_no BIGINT GENERATED BY DEFAULT AS IDENTITY;
      CREATE UNIQUE INDEX dom_outbox_row_no ON dom_outbox (row_no);
    `,
  },
];
