import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LogLevel } from '../log/logger.js';
import type { XmlLimits } from '../xml/xml-reader.js';
import type { InventoryStatus } from '../inventory/inventory-model.js';
import { nearestKey, SETTING_BY_KEY, SETTINGS, SettingProblem } from './settings.js';

/**
 * Everything dombridge can be told. Command-line options override environment variables, which override the
 * config file, which overrides defaults; the settings and their defaults are the table in settings.ts.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** The SQLite file, when the store is SQLite (dbUrl unset). */
  readonly dbPath: string;
  /** The PostgreSQL URL, when the store is PostgreSQL (docs/storage.md). */
  readonly dbUrl: string | undefined;
  /** PostgreSQL: pool size, statement timeout (ms, 0 none), CA file for TLS. */
  readonly dbPool: { readonly size: number; readonly statementTimeoutMs: number; readonly caFile: string | undefined };
  /** PRAGMA synchronous for SQLite: FULL (durable across power loss, default) or NORMAL. */
  readonly dbSynchronous: 'FULL' | 'NORMAL';
  /** Processes serving the port (`serve --workers`, DOMBRIDGE_WORKERS); 1: this process alone. */
  readonly workers: number;
  /** Unset: the built-in DOM simulator is started beside the facade and used as DOM. */
  readonly domUrl: string | undefined;
  readonly domSimPort: number;
  /** Credentials the built-in simulator uses for its callbacks when dombridge requires authentication (a dom-role user). */
  readonly domSimCallback: { readonly username: string | undefined; readonly password: string | undefined };
  /** What the built-in simulator holds of every catalog entry at every DOM location it has no other stock for. */
  readonly domSim: { readonly defaultStock: number };
  readonly dom: {
    /** TCP connect timeout, ms. Default 2000. */
    readonly connectTimeoutMs: number;
    /** Whole-call timeout (connect + request + answer), ms. Default 5000. */
    readonly timeoutMs: number;
    readonly username: string | undefined;
    readonly password: string | undefined;
    /** PEM file of a CA to trust for an https DOM_URL, beside the system's. */
    readonly caFile: string | undefined;
    /** Seconds between heartbeats while DOM is down (DOM_HEARTBEAT_S). Default 300. */
    readonly heartbeatS: number;
    /** DOM_HEARTBEAT_MS: a sub-second heartbeat for tests; overrides heartbeatS when set. */
    readonly heartbeatMs?: number | undefined;
    /**
     * Seconds before the first probe once DOM is taken as down (DOM_PROBE_MIN_S); later probes wait a third of the
     * time DOM has been down, up to the heartbeat. Default 2.
     */
    readonly probeMinS: number;
  };
  readonly smtpUrl: string | undefined;
  readonly logLevel: LogLevel;
  /** ACCESS_LOG = on (default) | off (`log.access`): one line per request at info (src/observability/access-log.ts). */
  readonly accessLog: boolean;
  readonly limits: XmlLimits & {
    /** Largest request body read, bytes. Default 4 MiB; larger bodies get HTTP 413 unread. */
    readonly maxBodyBytes: number;
  };
  readonly inventory: {
    /** Answer from stale records or fallback values while DOM cannot answer. Default true (Commerce's default). */
    readonly outageTolerance: boolean;
    /** Status reported for a cached quantity of 0. Default Available (Commerce's default). */
    readonly zeroQuantityStatus: InventoryStatus;
    /** Entries held by the memory cache (rule flag 1). Default 100,000. */
    readonly memoryCacheEntries: number;
    /** The config file's `inventory.cacheRules` (Commerce's INVCNF in JSON), checked by cache-rules-config.ts. */
    readonly cacheRules?: unknown;
  };
  /** Seed demo data on an empty database. */
  readonly demo: boolean;
  readonly outbox: {
    /** First retry delay of a failed DOM message or e-mail, ms (doubling up to 300,000). Default 1000. */
    readonly retryMs: number;
    /** Attempts before a DOM message is dead-lettered. Default 12. */
    readonly maxAttempts: number;
    /** An order pending transfer (F) this long is checked with DOM and re-sent, seconds. Default 86,400. */
    readonly pendingTransferTimeoutS: number;
    /** How often the relays look for due work when nothing kicks them, ms. Default 1000. */
    readonly pollMs: number;
    /** How long a relay's claim holds a message, ms. Default 30,000. */
    readonly leaseMs: number;
  };
  /** From address of customer e-mails. */
  readonly emailFrom: string;
  /** The config file's `commerce` section (ship modes, tax rates, promotions per store), checked by CommerceSettings. */
  readonly commerce: unknown;
  readonly security: {
    /** DOMBRIDGE_USERS="name:password:role,…", as given; parsed and checked by the security module. */
    readonly usersEnv: string | undefined;
    /** The config file's `security` section (users with hashed passwords, token freshness window …), unparsed. */
    readonly file: unknown;
  };
  readonly messages: {
    /**
     * DOMBRIDGE_MESSAGE_STORE = on (default) | off. `off` records no message and switches the idempotent receiver
     * off (a repeated BODID runs again): for measuring the message store's cost only, never for production.
     */
    readonly enabled: boolean;
    /** MESSAGE_RETENTION_DAYS: whole days a recorded message is kept. Default 30. */
    readonly retentionDays?: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly setting: string, problem: string) {
    super(`Configuration setting ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

export interface ConfigSources {
  readonly env?: Env;
  /** Path of a JSON config file (--config). */
  readonly file?: string;
  /** Command-line overrides (already parsed). */
  readonly overrides?: Partial<{ port: number; dbPath: string; demo: boolean; host: string; workers: number }>;
}

/** Command-line options that override a setting, by key (their names are used in errors). */
const OVERRIDE_OPTIONS: Readonly<Record<string, string>> = { port: '--port', dbPath: '--db', demo: '--demo', host: '--host' };

/**
 * Reads every setting of the table in settings.ts: command-line option, then environment variable, then config
 * file, then default. An error names the setting as the user set it (the variable, the key, or the option); a key
 * the table does not know is refused with the nearest known key suggested.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const file = sources.file ? readConfigFile(sources.file) : {};
  checkKnownKeys(file, '');
  const overrides = (sources.overrides ?? {}) as Record<string, unknown>;
  const v = new Map<string, unknown>();
  for (const s of SETTINGS) {
    let raw: unknown;
    let name: string;
    const e = s.env ? env[s.env] : undefined;
    if (overrides[s.key] !== undefined) {
      raw = overrides[s.key];
      name = OVERRIDE_OPTIONS[s.key] ?? s.key;
    } else if (s.env && e !== undefined && e !== '') {
      raw = e;
      name = s.env;
    } else {
      raw = fileValue(file, s.key);
      name = s.key;
    }
    if (raw === undefined || raw === null || raw === '') {
      v.set(s.key, s.default);
      continue;
    }
    try {
      v.set(s.key, s.parser.parse(raw));
    } catch (err) {
      if (err instanceof SettingProblem) throw new ConfigError(name, err.message);
      throw err;
    }
  }
  const get = <T>(key: string): T => v.get(key) as T;
  const dataDir = resolve(get<string>('dataDir'));
  const config: Config = {
    host: get('host'),
    port: get('port'),
    dataDir,
    ...storeLocation(get<string | undefined>('dbPath'), get<string | undefined>('dbUrl'), dataDir),
    dbPool: { size: get('dbPoolSize'), statementTimeoutMs: get('dbStatementTimeoutMs'), caFile: get('dbCaFile') },
    dbSynchronous: get('dbSynchronous'),
    workers: get('workers'),
    domUrl: get('domUrl'),
    domSimPort: get('domSimPort'),
    domSimCallback: { username: get('domSimCallback.username'), password: get('domSimCallback.password') },
    domSim: { defaultStock: get('domSim.defaultStock') },
    dom: {
      connectTimeoutMs: get('dom.connectTimeoutMs'),
      timeoutMs: get('dom.timeoutMs'),
      username: get('dom.username'),
      password: get('dom.password'),
      caFile: get('dom.caFile'),
      heartbeatS: get('dom.heartbeatS'),
      heartbeatMs: get('dom.heartbeatMs'),
      probeMinS: get('dom.probeMinS'),
    },
    smtpUrl: get('smtpUrl'),
    logLevel: get('logLevel'),
    accessLog: get('log.access'),
    limits: {
      maxBodyBytes: get('limits.maxBodyBytes'),
      maxDepth: get('limits.maxDepth'),
      maxElements: get('limits.maxElements'),
      maxStringLength: get('limits.maxStringLength'),
    },
    inventory: {
      outageTolerance: get('inventory.outageTolerance'),
      zeroQuantityStatus: get('inventory.zeroQuantityStatus'),
      memoryCacheEntries: get('inventory.memoryCacheEntries'),
      cacheRules: get('inventory.cacheRules'),
    },
    demo: get('demo'),
    outbox: {
      retryMs: get('outbox.retryMs'),
      maxAttempts: get('outbox.maxAttempts'),
      pendingTransferTimeoutS: get('outbox.pendingTransferTimeoutS'),
      pollMs: get('outbox.pollMs'),
      leaseMs: get('outbox.leaseMs'),
    },
    emailFrom: get('emailFrom'),
    commerce: get('commerce'),
    // DOMBRIDGE_USERS is kept as given: the security module parses it and names its entries in errors.
    security: { usersEnv: env['DOMBRIDGE_USERS'] === '' ? undefined : env['DOMBRIDGE_USERS'], file: get('security') },
    messages: { enabled: get('messages.enabled'), retentionDays: get('messages.retentionDays') },
  };
  if (config.dom.timeoutMs < config.dom.connectTimeoutMs) {
    throw new ConfigError('dom.timeoutMs', `(${config.dom.timeoutMs}) must not be smaller than dom.connectTimeoutMs (${config.dom.connectTimeoutMs})`);
  }
  return config;
}

function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('--config', `names a file that cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('--config', `is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new ConfigError('--config', 'must hold a JSON object');
  return file as Json;
}

function fileValue(file: Json, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' && !Array.isArray(o) ? (o as Json)[k] : undefined), file);
}

/** Every key of the file is a setting or a section holding settings; sections checked elsewhere are not walked. */
function checkKnownKeys(obj: Json, prefix: string): void {
  for (const [k, value] of Object.entries(obj)) {
    const key = prefix + k;
    const setting = SETTING_BY_KEY.get(key);
    // A setting's value (or an opaque section checked by its module): its parser names any problem.
    if (setting) continue;
    const isSection = SETTINGS.some((s) => s.key.startsWith(`${key}.`));
    if (isSection) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(key, 'must be a JSON object of settings');
      checkKnownKeys(value as Json, `${key}.`);
      continue;
    }
    const near = nearestKey(key);
    throw new ConfigError(key, `is not a known setting${near ? `; did you mean ${near}?` : ''} (docs/configuration.md lists them all)`);
  }
}

/** DOMBRIDGE_DB / --db (a file or a postgres:// URL) before the file's dbUrl, before the default file. */
function storeLocation(db: string | undefined, dbUrl: string | undefined, dataDir: string): { dbPath: string; dbUrl: string | undefined } {
  const url = db !== undefined && /^postgres(ql)?:\/\//i.test(db) ? db : db === undefined ? dbUrl : undefined;
  return { dbPath: url ? join(dataDir, 'dombridge.db') : resolve(db ?? join(dataDir, 'dombridge.db')), dbUrl: url };
}
