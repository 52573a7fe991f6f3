import type { CommandSpec, OptionSpec } from './command-spec.js';

/**
 * Every command's options and help, as data (src/cli/command-spec.ts turns each into a parser and a usage). The
 * commands load their code lazily; this file imports nothing heavy, so `dombridge --help` is instant.
 */

const CONFIG = { type: 'string', value: 'FILE', help: 'JSON config file (docs/configuration.md)' } as const satisfies OptionSpec;
const DB = { type: 'string', value: 'PATH|URL', help: 'SQLite database file or postgres:// URL (default: $DOMBRIDGE_DB, else dombridge.db in $DOMBRIDGE_DATA; docs/storage.md)' } as const satisfies OptionSpec;
const DB_EXISTING = { ...DB, help: `${DB.help}; must exist` } as const satisfies OptionSpec;

export const SERVE = {
  name: 'serve',
  summary: 'Runs the Inventory and Order services (and, without DOM_URL, the built-in DOM simulator) until SIGINT/SIGTERM.',
  options: {
    config: CONFIG,
    port: { type: 'string', value: 'N', help: 'port of the facade (default $PORT, else 8080; 0 picks a free one)' },
    host: { type: 'string', value: 'ADDR', help: 'address to listen on (default $HOST, else 127.0.0.1; any other needs users)' },
    db: DB,
    demo: { type: 'boolean', help: 'seed the demo shop on an empty database' },
    workers: { type: 'string', value: 'N', help: 'processes serving the port and sharing the store (default $DOMBRIDGE_WORKERS, else 1;\nPostgreSQL or a SQLite file, not :memory:; docs/several-nodes.md)' },
  },
  notes: 'Settings: command-line option > environment variable > config file > default (docs/configuration.md).\nExit status: 0 after a clean shutdown, 64 for a configuration or usage error, 1 when it cannot start.',
} as const satisfies CommandSpec;

export const DOM_SIM = {
  name: 'dom-sim',
  summary: 'Runs the DOM simulator alone (Sterling behind IBM\'s WCToSSFS mediation), for a dombridge started with DOM_URL pointing at it.',
  options: {
    port: { type: 'string', value: 'N', help: 'port (default $DOM_SIM_PORT, else 8090)' },
    host: { type: 'string', value: 'ADDR', help: 'address to listen on (default 127.0.0.1)' },
    'callback-url': { type: 'string', value: 'URL', help: 'dombridge to call back (order confirmation, release, shipment)' },
    fulfillment: { type: 'string', value: 'off|C,R,S', help: '"off" (no callbacks), or the confirm, release and ship delays in ms, e.g. 1000,2000,3000' },
    compat: { type: 'string', value: 'dombridge', help: 'answer in the older by-unique-id shapes instead of the mediation\'s' },
  },
} as const satisfies CommandSpec;

export const LOAD_INVENTORY = {
  name: 'load-inventory',
  operands: 'FILE.csv',
  summary: 'Loads Commerce\'s 14-column inventory availability CSV into the availability cache (docs/data-formats.md).',
  options: {
    db: DB_EXISTING,
    config: CONFIG,
    'batch-size': { type: 'string', value: 'N', help: 'rows per transaction (default 5000)' },
  },
  notes: 'Exit status: 0 every row applied, 2 some rows rejected (each named with its line), 1 the file or database could not be used.',
} as const satisfies CommandSpec;

export const IMPORT = {
  name: 'import',
  operands: 'FILE.csv|DIR…',
  summary: 'Imports your shop\'s catalog entries with prices, physical stores and non-ATP stock from CSV files with a header row\n(docs/data-formats.md). A folder stands for its *.csv files and, without --config, its dombridge.json.',
  options: {
    db: DB_EXISTING,
    config: CONFIG,
    'dry-run': { type: 'boolean', help: 'check every row, change nothing' },
  },
  notes: 'Exit status: 0 every row applied, 2 some rows rejected (each named with its line), 1 a file or the database could not be used.',
} as const satisfies CommandSpec;

export const MIGRATE = {
  name: 'migrate',
  summary: 'Applies pending schema migrations to the database (serve also does at start-up; docs/storage.md).',
  options: { db: DB, config: CONFIG },
} as const satisfies CommandSpec;

export const HASH_PASSWORD = {
  name: 'hash-password',
  summary: 'Reads one password (on a terminal: asked for, not echoed; else from stdin) and prints its scrypt passwordHash\nfor security.users[] in the config file (docs/security.md).',
  options: {},
  notes: 'Exit status: 0 printed, 65 no usable password.',
} as const satisfies CommandSpec;

const MESSAGES_COMMON = { db: DB, config: CONFIG } as const;

export const MESSAGES_LIST = {
  name: 'messages list',
  summary: 'Recorded BODs and DOM outbox messages, newest first.',
  options: {
    status: { type: 'string', value: 'S[,S…]', help: 'processed, rejected (a BOD error), faulted (a SOAP fault), failed (dombridge\'s own error),\nreceived, applied (inbound); queued, sent, acknowledged, failed, dead (outbound)' },
    since: { type: 'string', value: 'T', help: 'from this time: an ISO time, or 30s, 15m, 2h, 1d ago' },
    until: { type: 'string', value: 'T', help: 'up to this time, written as for --since' },
    direction: { type: 'string', value: 'in|out', help: 'only inbound or only outbound messages' },
    operation: { type: 'string', value: 'OP', help: 'only this operation (GetInventoryAvailability, ProcessOrder …)' },
    bodid: { type: 'string', value: 'ID', help: 'only messages with this BODID' },
    order: { type: 'string', value: 'ID', help: 'only messages about this order' },
    item: { type: 'string', value: 'PART', help: 'only messages about this part number' },
    limit: { type: 'string', value: 'N', help: 'at most N rows (default 50)' },
    ...MESSAGES_COMMON,
  },
} as const satisfies CommandSpec;

export const MESSAGES_SHOW = {
  name: 'messages show',
  operands: 'ID',
  summary: 'Every field of one message, and its raw XML (card numbers masked). IDs: in-N, get-N, out-N, outbox-N.',
  options: MESSAGES_COMMON,
} as const satisfies CommandSpec;

export const MESSAGES_RESEND = {
  name: 'messages resend',
  operands: 'ID',
  summary: 'Puts a dead or failed DOM outbox message (outbox-N) back in the queue, with its original BODID and payload.',
  options: MESSAGES_COMMON,
} as const satisfies CommandSpec;

export const MESSAGES = [MESSAGES_LIST, MESSAGES_SHOW, MESSAGES_RESEND] as const;

export const DOM_PROBE = {
  name: 'dom probe',
  summary: `Asks a running dombridge to probe DOM now (POST URL/admin/dom/probe) and prints what DOM answered and the
circuit's state. With users configured, an admin user's name (--user or DOMBRIDGE_ADMIN_USER) and password
(DOMBRIDGE_ADMIN_PASSWORD; never on the command line).`,
  options: {
    url: { type: 'string', value: 'URL', help: 'the server (default: $DOMBRIDGE_URL, else http://127.0.0.1:$PORT, PORT defaulting to 8080)' },
    user: { type: 'string', value: 'NAME', help: 'an admin user (default: $DOMBRIDGE_ADMIN_USER)' },
  },
  notes: 'Exit status: 0 DOM is up, 1 DOM is down, 2 dombridge could not be asked, 64 usage.',
} as const satisfies CommandSpec;

export const REPLAY = {
  name: 'replay',
  operands: 'PATH…',
  summary: 'Plays BOD fixtures (*.fixture.json, or NAME.request.xml + NAME.response.xml pairs) found in the given files and\ndirectories (default: ./fixtures) and compares each answer with the expected response (docs/replay.md).',
  options: {
    url: { type: 'string', value: 'URL', help: 'replay against a running dombridge; without it, each fixture gets a fresh\nin-process world (temporary database, demo data, DOM simulator, e-mail outbox)' },
    outbox: { type: 'string', value: 'DIR', help: 'with --url: that server\'s e-mail outbox ($DOMBRIDGE_DATA/outbox), for expectEmail steps' },
    'dom-callbacks': { type: 'string', value: 'on|off', help: 'with --url: whether the server\'s DOM calls back on its own (default on)' },
    update: { type: 'boolean', help: 'rewrite expected responses that differ from what the server answered' },
    grep: { type: 'string', value: 'TEXT', multiple: true, help: 'only fixtures whose name or a tag contains TEXT, any of them' },
    tag: { type: 'string', value: 'TAG', multiple: true, help: 'only fixtures tagged TAG, any of them' },
    'skip-tag': { type: 'string', value: 'TAG', multiple: true, help: 'leave out fixtures tagged TAG' },
    junit: { type: 'string', value: 'FILE', help: 'also write a JUnit XML report to FILE' },
    jobs: { type: 'string', value: 'N', help: 'in-process fixtures replayed at once (default 4)' },
    list: { type: 'boolean', help: 'list the selected fixtures and their tags, replay nothing' },
  },
  notes: 'Exit status: 0 when every step of every selected fixture matched, 1 otherwise, 64 for a usage error.',
} as const satisfies CommandSpec;

export const RECORD = {
  name: 'record',
  operands: 'DIR',
  summary: `A recording proxy on 127.0.0.1:PORT: point a SOAP client at it instead of at URL. Every request is forwarded to
URL (same path and query) and the answer passed back; every POST is also written to DIR as a step of one scenario
fixture, DIR/NAME.fixture.json, which \`dombridge replay DIR\` plays back. A WSDL fetched through it (?wsdl) names the
proxy as the service's address, so a client built from it keeps calling through the proxy; other GETs pass through
unrecorded. Repeated polls that get the same answer (GetOrder until the status changes) are recorded as one step
that waits for that answer. Ids the server generates (orders, order items, payments) are captured and used as
variables in later steps; BODIDs become \${uuid} unless --keep-bodids; WS-Security headers are left out and card
numbers other than well-known test cards become 4111111111111111. Runs until interrupted (Ctrl-C, SIGTERM).`,
  options: {
    listen: { type: 'string', value: 'PORT', required: true, help: 'port to listen on, on 127.0.0.1 (required; 0 picks a free one)' },
    target: { type: 'string', value: 'URL', required: true, help: 'the dombridge (or Commerce) to forward to (required)' },
    name: { type: 'string', value: 'NAME', help: 'fixture name (default recording-<date>-<time>)' },
    'keep-bodids': { type: 'boolean', help: 'keep the client\'s BODIDs instead of ${uuid}' },
  },
} as const satisfies CommandSpec;

export const DEMO = {
  name: 'demo',
  summary: `Walks the checkout on the DOM store against a running dombridge (npm start) and prints what happens: each BOD
sent and received, in brief, and the order's status as it moves from cart to shipped (npm run demo). E-mails are
checked in the server's outbox folder; a server that sends them by SMTP says so on /readyz, and they are not checked.`,
  options: {
    url: { type: 'string', value: 'URL', help: 'the server (default: $DOMBRIDGE_URL, else http://127.0.0.1:$PORT, PORT defaulting to 8080)' },
    outbox: { type: 'string', value: 'DIR', help: 'where the server writes e-mails (default: $DOMBRIDGE_DATA/outbox, DOMBRIDGE_DATA defaulting to ./var)' },
    fixture: { type: 'string', value: 'FILE', help: 'another scenario to walk (default: the library\'s checkout-dom-store scenario)' },
  },
} as const satisfies CommandSpec;

/** In the order `dombridge --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [SERVE, DOM_SIM, LOAD_INVENTORY, IMPORT, MIGRATE, ...MESSAGES, DOM_PROBE, REPLAY, RECORD, DEMO, HASH_PASSWORD];
