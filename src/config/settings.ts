import { DEFAULT_XML_LIMITS } from '../xml/xml-reader.js';
import { INVENTORY_STATUSES } from '../inventory/inventory-model.js';

/**
 * The one table of settings: where each can be set (environment variable, config-file key), how its value is
 * read, its default, and what it means. Loading (config.ts), the errors (named as the user set the value), the
 * unknown-key check and docs/configuration.md (kept equal to `settingsMarkdown()` by a test) all read this table.
 * Precedence everywhere: command-line option > environment variable > config file > default.
 */
export interface Setting {
  /** Dotted key in the JSON config file. */
  readonly key: string;
  readonly env?: string;
  readonly parser: Parser;
  /** Default when set nowhere; undefined: unset. */
  readonly default: unknown;
  readonly doc: string;
  /** For tests only: left out of docs/configuration.md. */
  readonly internal?: boolean;
}

/** Reads one raw value (a string from the environment, any JSON value from the file); throws SettingProblem. */
export interface Parser {
  /** How the value is written, for the docs. */
  readonly type: string;
  parse(v: unknown): unknown;
  /** The file value is a JSON object/array checked elsewhere (commerce, security, cacheRules): no key walk below it. */
  readonly opaque?: boolean;
}

/** A value that does not parse; config.ts adds the setting's name as the user set it. */
export class SettingProblem extends Error {}

const problem = (text: string): never => {
  throw new SettingProblem(text);
};

export const text: Parser = {
  type: 'text',
  parse: (v) => (typeof v === 'string' ? v : problem(`must be a string, not ${JSON.stringify(v)}`)),
};

export function wholeNumber(min: number, max: number): Parser {
  return {
    type: `whole number, ${min}–${max}`,
    parse(v) {
      const n = typeof v === 'number' ? v : /^-?\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : NaN;
      if (!Number.isInteger(n)) problem(`must be a whole number, not ${JSON.stringify(v)}`);
      if (n < min || n > max) problem(`must be between ${min} and ${max}, not ${n}`);
      return n;
    },
  };
}

export const trueFalse: Parser = {
  type: 'true | false',
  parse(v) {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return problem(`must be true or false, not ${JSON.stringify(v)}`);
  },
};

export const onOff: Parser = {
  type: 'on | off',
  parse(v) {
    if (v === 'on' || v === true || v === 'true' || v === '1') return true;
    if (v === 'off' || v === false || v === 'false' || v === '0') return false;
    return problem(`must be on or off, not ${JSON.stringify(v)}`);
  },
};

export function oneOf(allowed: readonly string[]): Parser {
  return {
    type: allowed.join(' | '),
    parse: (v) => (typeof v === 'string' && allowed.includes(v) ? v : problem(`must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`)),
  };
}

export function absoluteUrl(schemes?: readonly string[]): Parser {
  return {
    type: schemes ? `URL (${schemes.map((s) => `${s}://`).join(', ')})` : 'absolute URL',
    parse(v) {
      const s = text.parse(v) as string;
      let u: URL;
      try {
        u = new URL(s);
      } catch {
        // Not echoed: a URL may hold a password.
        return problem('must be an absolute URL');
      }
      if (schemes && !schemes.includes(u.protocol.replace(/:$/, ''))) problem(`must start with ${schemes.map((x) => `${x}://`).join(' or ')}, not ${u.protocol}//`);
      return s.replace(/\/+$/, '');
    },
  };
}

/** A JSON section checked by its own module (commerce settings, security, cache rules). */
/**
 * Where the store is: a SQLite file path, or a PostgreSQL URL (postgres:// or postgresql://). Any other `scheme://`
 * is refused here, at start-up: it would otherwise be taken for a file name (a folder named `mysql:` …).
 */
export const databaseTarget: Parser = {
  type: 'file path or postgres:// URL',
  parse(v) {
    const s = text.parse(v) as string;
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s)?.[1];
    if (scheme !== undefined && !['postgres', 'postgresql'].includes(scheme.toLowerCase())) {
      problem(`names a ${scheme}:// database; dombridge stores its data in a SQLite file (give a path) or in PostgreSQL (postgres://user:pass@host:port/db)`);
    }
    return s;
  },
};

export function section(type: string, check: (v: unknown) => unknown = (v) => v): Parser {
  return { type, opaque: true, parse: check };
}

const jsonObject = (v: unknown): unknown => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : problem('must be a JSON object'));

export const SETTINGS: readonly Setting[] = [
  { key: 'host', env: 'HOST', parser: text, default: '127.0.0.1', doc: 'Address the facade listens on (`serve --host`). Any non-loopback address needs users.' },
  { key: 'port', env: 'PORT', parser: wholeNumber(0, 65535), default: 8080, doc: 'Port of the facade (`serve --port`); 0 picks a free one.' },
  { key: 'dataDir', env: 'DOMBRIDGE_DATA', parser: text, default: './var', doc: 'Folder of the database and the e-mail outbox.' },
  { key: 'dbPath', env: 'DOMBRIDGE_DB', parser: databaseTarget, default: undefined, doc: 'The store (`--db`): a SQLite file, or a PostgreSQL URL `postgres://user:pass@host:port/db`; any other scheme is refused. Default: `dombridge.db` in the data folder. See docs/storage.md.' },
  { key: 'dbUrl', parser: absoluteUrl(['postgres', 'postgresql']), default: undefined, doc: 'PostgreSQL URL of the store, in the config file; DOMBRIDGE_DB or `--db` take precedence.' },
  { key: 'dbPoolSize', env: 'DOMBRIDGE_DB_POOL', parser: wholeNumber(1, 1000), default: 10, doc: 'PostgreSQL: connections in the pool of each process.' },
  { key: 'dbStatementTimeoutMs', env: 'DOMBRIDGE_DB_STATEMENT_TIMEOUT_MS', parser: wholeNumber(0, 3_600_000), default: 30_000, doc: 'PostgreSQL: `statement_timeout` of every connection, ms; 0 = none.' },
  { key: 'dbCaFile', env: 'DOMBRIDGE_DB_CA', parser: text, default: undefined, doc: 'PostgreSQL: CA certificate file (PEM) the server\'s certificate must chain to; turns TLS on with verification. `?sslmode=require` in the URL turns TLS on without.' },
  { key: 'dbSynchronous', env: 'DOMBRIDGE_DB_SYNC', parser: oneOf(['FULL', 'NORMAL']), default: 'FULL', doc: 'SQLite `PRAGMA synchronous`: FULL survives power loss, NORMAL is faster.' },
  { key: 'workers', env: 'DOMBRIDGE_WORKERS', parser: wholeNumber(1, 64), default: 1, doc: 'Processes serving the port (`serve --workers`), sharing the store: PostgreSQL, or a SQLite file (not `:memory:`). See docs/several-nodes.md.' },
  { key: 'demo', parser: trueFalse, default: false, doc: 'Seed the demo shop on an empty database (`serve --demo`).' },
  { key: 'log.access', env: 'ACCESS_LOG', parser: onOff, default: true, doc: 'One log line per request at info (method, path, operation, BODID, order id, outcome, status, duration); `off` for none (docs/operations.md).' },
  { key: 'logLevel', env: 'LOG_LEVEL', parser: oneOf(['debug', 'info', 'warn', 'error', 'silent']), default: 'info', doc: 'Least severe log line written (JSON lines on stdout).' },
  { key: 'domUrl', env: 'DOM_URL', parser: absoluteUrl(['http', 'https']), default: undefined, doc: 'Base URL of DOM. Unset: the built-in DOM simulator is started and used.' },
  { key: 'domSimPort', env: 'DOM_SIM_PORT', parser: wholeNumber(0, 65535), default: 8090, doc: 'Port of the built-in simulator when DOM_URL is unset; 0 picks a free one.' },
  { key: 'domSimCallback.username', env: 'DOM_SIM_CALLBACK_USERNAME', parser: text, default: undefined, doc: 'User (role dom) the simulator calls back as. Unset with users configured: a `dom-sim` user with a random password is made at start-up.' },
  { key: 'domSimCallback.password', env: 'DOM_SIM_CALLBACK_PASSWORD', parser: text, default: undefined, doc: 'Password of that user.' },
  { key: 'domSim.defaultStock', env: 'DOM_SIM_DEFAULT_STOCK', parser: wholeNumber(0, 1_000_000_000), default: 100, doc: 'On-hand quantity the built-in simulator holds of every catalog entry at every DOM store\'s fulfillment center and every physical store it has no other stock for (the demo\'s own stock stays), until `/sim/stock` changes it.' },
  { key: 'dom.connectTimeoutMs', env: 'DOM_CONNECT_TIMEOUT_MS', parser: wholeNumber(1, 600_000), default: 2000, doc: 'TCP connect timeout of a DOM call, ms.' },
  { key: 'dom.timeoutMs', env: 'DOM_TIMEOUT_MS', parser: wholeNumber(1, 600_000), default: 5000, doc: 'Whole-call timeout of a DOM call (connect, request, answer), ms; not below the connect timeout.' },
  { key: 'dom.username', env: 'DOM_USERNAME', parser: text, default: undefined, doc: 'User dombridge sends to DOM (WS-Security UsernameToken).' },
  { key: 'dom.password', env: 'DOM_PASSWORD', parser: text, default: undefined, doc: 'Its password.' },
  { key: 'dom.caFile', env: 'DOM_CA_FILE', parser: text, default: undefined, doc: 'PEM file of a CA trusted for an https DOM_URL, beside the system CAs.' },
  { key: 'dom.heartbeatS', env: 'DOM_HEARTBEAT_S', parser: wholeNumber(1, 86_400), default: 300, doc: 'The longest wait in seconds between probes of DOM while it is down.' },
  { key: 'dom.probeMinS', env: 'DOM_PROBE_MIN_S', parser: wholeNumber(1, 86_400), default: 2, doc: 'Seconds from DOM going down to the first probe; later probes wait a third of the time DOM has been down, up to dom.heartbeatS (docs/operations.md).' },
  { key: 'dom.heartbeatMs', env: 'DOM_HEARTBEAT_MS', parser: wholeNumber(1, 86_400_000), default: undefined, doc: 'Heartbeat interval in ms, for tests; overrides dom.heartbeatS.', internal: true },
  { key: 'smtpUrl', env: 'SMTP_URL', parser: absoluteUrl(['smtp', 'smtps']), default: undefined, doc: 'SMTP server for customer e-mail. Unset: e-mails are written as .eml files to `<dataDir>/outbox`.' },
  { key: 'emailFrom', env: 'EMAIL_FROM', parser: text, default: 'Demo Store <orders@dombridge.invalid>', doc: 'From address of customer e-mails.' },
  { key: 'limits.maxBodyBytes', env: 'DOMBRIDGE_MAX_BODY_BYTES', parser: wholeNumber(1024, 1024 ** 3), default: 4 * 1024 * 1024, doc: 'Largest request body read, bytes; larger bodies get HTTP 413 unread.' },
  { key: 'limits.maxDepth', parser: wholeNumber(8, 10_000), default: DEFAULT_XML_LIMITS.maxDepth, doc: 'Deepest XML element nesting accepted.' },
  { key: 'limits.maxElements', parser: wholeNumber(16, 10_000_000), default: DEFAULT_XML_LIMITS.maxElements, doc: 'Most XML elements in one request.' },
  { key: 'limits.maxStringLength', parser: wholeNumber(64, 100_000_000), default: DEFAULT_XML_LIMITS.maxStringLength, doc: 'Longest text or attribute value, characters.' },
  { key: 'inventory.outageTolerance', parser: trueFalse, default: true, doc: 'Answer from stale records or fallback values while DOM cannot answer (Commerce\'s default).' },
  { key: 'inventory.zeroQuantityStatus', parser: oneOf(INVENTORY_STATUSES), default: 'Available', doc: 'Status reported for a cached quantity of 0.' },
  { key: 'inventory.memoryCacheEntries', parser: wholeNumber(0, 100_000_000), default: 100_000, doc: 'Entries held by the memory cache (cache-rule flag 1).' },
  { key: 'inventory.cacheRules', parser: section('list of cache rules'), default: undefined, doc: 'Commerce\'s INVCNF as JSON; see "Cache rules" below. Replaces the database\'s rules at start-up when set.' },
  { key: 'outbox.retryMs', env: 'OUTBOX_RETRY_MS', parser: wholeNumber(1, 3_600_000), default: 1000, doc: 'First retry delay of a failed DOM message or e-mail, ms (doubling up to 300,000).' },
  { key: 'outbox.maxAttempts', env: 'OUTBOX_MAX_ATTEMPTS', parser: wholeNumber(1, 1000), default: 12, doc: 'Attempts before a DOM message is dead-lettered.' },
  { key: 'outbox.pendingTransferTimeoutS', env: 'RETRANSFER_PENDING_S', parser: wholeNumber(1, 365 * 86_400), default: 86_400, doc: 'An order pending transfer (F) this long is checked with DOM and re-sent, seconds.' },
  { key: 'outbox.leaseMs', env: 'OUTBOX_LEASE_MS', parser: wholeNumber(100, 3_600_000), default: 30_000, doc: 'How long a relay\'s claim holds a DOM message or e-mail, ms: longer than a DOM call. A message a dead process left sent is sent again after it.' },
  { key: 'outbox.pollMs', env: 'OUTBOX_POLL_MS', parser: wholeNumber(10, 600_000), default: 1000, doc: 'How often the relays look for due work when nothing wakes them, ms.' },
  { key: 'messages.enabled', env: 'DOMBRIDGE_MESSAGE_STORE', parser: onOff, default: true, doc: '`off` records no BOD and turns the idempotent receiver off: for measuring its cost only.' },
  { key: 'messages.retentionDays', env: 'MESSAGE_RETENTION_DAYS', parser: wholeNumber(1, 36_500), default: 30, doc: 'Whole days a recorded message is kept.' },
  { key: 'security', parser: section('object', jsonObject), default: undefined, doc: 'Users and token settings; see docs/security.md.' },
  { key: 'security.users', env: 'DOMBRIDGE_USERS', parser: section('name:password:role,… (env) or a list (file)'), default: undefined, doc: 'Users allowed to call; DOMBRIDGE_USERS replaces the file\'s list when set.' },
  { key: 'commerce', parser: section('object', jsonObject), default: undefined, doc: 'Your shop: stores, fulfillment centers, and per-store ship modes, tax rates, promotions and payment methods; see "Your shop" below.' },
];

/** Every key and every section above one (`dom`, `limits`, …), the candidates for "did you mean". */
const KNOWN_KEYS_AND_SECTIONS: readonly string[] = [...new Set(SETTINGS.flatMap((s) => s.key.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))))];

export const SETTING_BY_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.key, s]));

/** The known key nearest to `key` (edit distance over the whole dotted key, and over its last part). */
export function nearestKey(key: string, known: readonly string[] = KNOWN_KEYS_AND_SECTIONS): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1).toLowerCase();
  for (const k of known) {
    const d = Math.min(distance(key.toLowerCase(), k.toLowerCase()), distance(last(key), last(k)) + 1);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(3, Math.floor(key.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The settings table of docs/configuration.md, between its `settings:begin` and `settings:end` markers. */
export function settingsMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const shown = (v: unknown) => (v === undefined ? '(unset)' : `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``);
  const rows = SETTINGS.filter((s) => !s.internal).map((s) =>
    `| \`${s.key}\` | ${s.env ? `\`${s.env}\`` : ''} | ${cell(s.parser.type)} | ${cell(shown(s.default))} | ${cell(s.doc)} |`);
  return ['| Config key | Environment variable | Value | Default | Meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
