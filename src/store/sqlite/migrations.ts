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
  {
    version: 2,
    name: 'orders, DOM outbox, e-mail outbox, local reservations',
    sql: `
      CREATE TABLE id_sequence (name TEXT PRIMARY KEY, next_value INTEGER NOT NULL);
      INSERT INTO id_sequence (name, next_value) VALUES ('order', 90000101), ('orderItem', 90001001), ('payment', 70001), ('shipment', 50001);
      -- The order is one document (items, payments, shipments inside): it is always read and written whole, under
      -- an optimistic version. Columns beside it are what jobs and lookups select on.
      CREATE TABLE customer_order (
        order_id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        placed_at INTEGER,
        last_transfer_at INTEGER,
        updated_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX customer_order_status ON customer_order (status, last_transfer_at);
      -- Append-only: every status change of an order, with what caused it.
      CREATE TABLE order_status_history (
        history_id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        cause TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX order_status_history_order ON order_status_history (order_id, history_id);
      -- Transactional outbox of BODs to DOM: written in the same transaction as the state change they announce.
      CREATE TABLE dom_outbox (
        message_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        order_id TEXT NOT NULL,
        bod_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'acknowledged', 'failed', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX dom_outbox_due ON dom_outbox (status, next_attempt_at);
      -- E-mails, written with the state change that causes them, sent by a relay: none is lost in a crash.
      CREATE TABLE email_outbox (
        email_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        type TEXT NOT NULL,
        recipient TEXT NOT NULL,
        data TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        sent_at INTEGER
      );
      CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
      -- Non-ATP reservations per order line: what Prepare took from local stock, released exactly on cancel.
      CREATE TABLE local_reservation (
        order_item_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        catentry_id TEXT NOT NULL,
        fulfillment_center_id TEXT NOT NULL,
        quantity REAL NOT NULL CHECK (quantity > 0)
      );
      CREATE INDEX local_reservation_order ON local_reservation (order_id);
    `,
  },
  {
    version: 3,
    name: 'message store',
    sql: `
      -- Every BOD in and out: the raw XML always, the status through the machines of src/messages/message-states.ts.
      -- Inbound BODs with a BODID carry the idempotency key (sender_id, bod_id): unique, '' for no Sender/LogicalID.
      CREATE TABLE bod_message (
        message_id INTEGER PRIMARY KEY,
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
        duration_ms REAL,
        caused_by INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        applied_at INTEGER
      );
      CREATE UNIQUE INDEX bod_message_key ON bod_message (sender_id, bod_id) WHERE direction = 'in' AND bod_id IS NOT NULL;
      CREATE INDEX bod_message_created ON bod_message (created_at);
      -- The attempts of a DOM outbox message are the recorded calls with its BODID.
      CREATE INDEX bod_message_out_bod_id ON bod_message (bod_id) WHERE direction = 'out';
    `,
  },
  {
    version: 4,
    name: 'orders by DOM order key',
    sql: `
      -- DOM's promotion callbacks name an order only by its key at DOM (Sterling's OrderHeaderKey, our externalOrderId).
      CREATE INDEX customer_order_external_id ON customer_order (json_extract(doc, '$.externalOrderId')) WHERE json_extract(doc, '$.externalOrderId') IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'your own shop: stores removed from the config file are retired, not deleted',
    sql: `
      -- An online store the config file no longer lists: kept for the orders that reference it, refused for new ones.
      ALTER TABLE online_store ADD COLUMN retired_at INTEGER;
    `,
  },
  {
    version: 6,
    name: 'claimable outboxes: leases',
    sql: `
      -- A relay claims what it sends: until lease_until (epoch ms) no other claim takes the message. A message left
      -- 'sent' by a process that died mid-send is claimable again once its lease has expired.
      ALTER TABLE dom_outbox ADD COLUMN lease_until INTEGER;
      ALTER TABLE email_outbox ADD COLUMN lease_until INTEGER;
    `,
  },
  {
    version: 7,
    name: 'honest message records',
    sql: `
      -- Inbound records say how each request ended (src/messages/message-states.ts): rejected (a BOD error) and
      -- faulted (a SOAP fault) join processed and failed (now: our own error). Requests refused before their
      -- handler ran, and replays, get records of their own that do not hold the idempotency key: they have no
      -- request_hash, and the key's unique index leaves them out. SQLite cannot change a CHECK in place: the table
      -- is copied.
      CREATE TABLE bod_message_v7 (
        message_id INTEGER PRIMARY KEY,
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
        status TEXT NOT NULL CHECK (status IN ('received', 'applied', 'processed', 'rejected', 'faulted', 'failed', 'queued', 'sent', 'acknowledged', 'dead')),
        request_hash TEXT,
        request_xml TEXT NOT NULL,
        response_xml TEXT,
        error TEXT,
        duration_ms REAL,
        caused_by INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        applied_at INTEGER
      );
      -- A failed inbound record of version 3 was a request answered with a fault.
      INSERT INTO bod_message_v7 SELECT message_id, direction, service, operation, verb, noun, bod_id, sender_id, order_id, part_number, catentry_id,
        CASE WHEN direction = 'in' AND status = 'failed' THEN 'faulted' ELSE status END, request_hash, request_xml, response_xml, error, duration_ms,
        caused_by, created_at, updated_at, applied_at FROM bod_message;
      DROP TABLE bod_message;
      ALTER TABLE bod_message_v7 RENAME TO bod_message;
      CREATE UNIQUE INDEX bod_message_key ON bod_message (sender_id, bod_id) WHERE direction = 'in' AND bod_id IS NOT NULL AND request_hash IS NOT NULL;
      CREATE INDEX bod_message_created ON bod_message (created_at);
      CREATE INDEX bod_message_out_bod_id ON bod_message (bod_id) WHERE direction = 'out';
      CREATE INDEX bod_message_in_bod_id ON bod_message (bod_id) WHERE direction = 'in';
      CREATE INDEX bod_message_order ON bod_message (order_id) WHERE order_id IS NOT NULL;
      CREATE INDEX bod_message_status ON bod_message (status, created_at);
    `,
  },
  {
    version: 8,
    name: 'message rows reserved ahead',
    sql: `
      -- Records written behind (refused requests; Gets on a database without a Get journal) get a row reserved
      -- before they are answered, so their id is known at once (MessageStore.reserveInboundRows). Rows are then
      -- counted in sqlite_sequence, which AUTOINCREMENT keeps: no insert takes a row below the count, so a reserved
      -- row is never taken by another record. A table cannot be made AUTOINCREMENT in place: it is copied.
      CREATE TABLE bod_message_v8 (
        message_id INTEGER PRIMARY KEY AUTOINCREMENT,
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
        status TEXT NOT NULL CHECK (status IN ('received', 'applied', 'processed', 'rejected', 'faulted', 'failed', 'queued', 'sent', 'acknowledged', 'dead')),
        request_hash TEXT,
        request_xml TEXT NOT NULL,
        response_xml TEXT,
        error TEXT,
        duration_ms REAL,
        caused_by INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        applied_at INTEGER
      );
      INSERT INTO bod_message_v8 SELECT message_id, direction, service, operation, verb, noun, bod_id, sender_id, order_id, part_number, catentry_id,
        status, request_hash, request_xml, response_xml, error, duration_ms, caused_by, created_at, updated_at, applied_at FROM bod_message;
      DROP TABLE bod_message;
      ALTER TABLE bod_message_v8 RENAME TO bod_message;
      CREATE UNIQUE INDEX bod_message_key ON bod_message (sender_id, bod_id) WHERE direction = 'in' AND bod_id IS NOT NULL AND request_hash IS NOT NULL;
      CREATE INDEX bod_message_created ON bod_message (created_at);
      CREATE INDEX bod_message_out_bod_id ON bod_message (bod_id) WHERE direction = 'out';
      CREATE INDEX bod_message_in_bod_id ON bod_message (bod_id) WHERE direction = 'in';
      CREATE INDEX bod_message_order ON bod_message (order_id) WHERE order_id IS NOT NULL;
      CREATE INDEX bod_message_status ON bod_message (status, created_at);
    `,
  },
];
