import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LogLevel } from '../log/logger.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../xml/xml-reader.js';
import { INVENTORY_STATUSES, type InventoryStatus } from '../inventory/inventory-model.js';

/** Everything dombridge can be told. Environment variables override the config file, which overrides defaults. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly dbPath: string;
  /** PRAGMA synchronous for SQLite: FULL (durable across power loss, default) or NORMAL. */
  readonly dbSynchronous: 'FULL' | 'NORMAL';
  /** Unset: the built-in DOM simulator is started beside the facade and used as DOM. */
  readonly domUrl: string | undefined;
  readonly domSimPort: number;
  /** Credentials the built-in simulator uses for its callbacks when dombridge requires authentication (a dom-role user). */
  readonly domSimCallback: { readonly username: string | undefined; readonly password: string | undefined };
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
  };
  readonly smtpUrl: string | undefined;
  readonly logLevel: LogLevel;
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
  readonly overrides?: Partial<{ port: number; dbPath: string; demo: boolean; host: string }>;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  let file: Json = {};
  if (sources.file) {
    let text: string;
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (e) {
      throw new ConfigError('--config', `names a file that cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      file = JSON.parse(text) as Json;
    } catch (e) {
      throw new ConfigError('--config', `is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new ConfigError('--config', 'must hold a JSON object');
  }
  const pick = (envName: string, path: string): unknown => {
    const e = env[envName];
    if (e !== undefined && e !== '') return e;
    return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Json)[k] : undefined), file);
  };
  const dataDir = resolve(str('DOMBRIDGE_DATA', pick('DOMBRIDGE_DATA', 'dataDir')) ?? './var');
  const fileLimits = (file['limits'] ?? {}) as Json;
  const fileInv = (file['inventory'] ?? {}) as Json;
  const fileDom = (file['dom'] ?? {}) as Json;
  const config: Config = {
    host: sources.overrides?.host ?? str('HOST', pick('HOST', 'host')) ?? '127.0.0.1',
    port: sources.overrides?.port ?? int('PORT', pick('PORT', 'port'), 8080, 0, 65535),
    dataDir,
    dbPath: resolve(sources.overrides?.dbPath ?? str('DOMBRIDGE_DB', pick('DOMBRIDGE_DB', 'dbPath')) ?? join(dataDir, 'dombridge.db')),
    dbSynchronous: oneOf('DOMBRIDGE_DB_SYNC', pick('DOMBRIDGE_DB_SYNC', 'dbSynchronous'), ['FULL', 'NORMAL'] as const, 'FULL'),
    domUrl: url('DOM_URL', pick('DOM_URL', 'domUrl')),
    domSimPort: int('DOM_SIM_PORT', pick('DOM_SIM_PORT', 'domSimPort'), 8090, 0, 65535),
    domSimCallback: {
      username: str('DOM_SIM_CALLBACK_USERNAME', pick('DOM_SIM_CALLBACK_USERNAME', 'domSimCallback.username')),
      password: str('DOM_SIM_CALLBACK_PASSWORD', pick('DOM_SIM_CALLBACK_PASSWORD', 'domSimCallback.password')),
    },
    dom: {
      connectTimeoutMs: int('dom.connectTimeoutMs', pick('DOM_CONNECT_TIMEOUT_MS', 'dom.connectTimeoutMs'), 2000, 1, 600_000),
      timeoutMs: int('dom.timeoutMs', pick('DOM_TIMEOUT_MS', 'dom.timeoutMs'), 5000, 1, 600_000),
      username: str('dom.username', pick('DOM_USERNAME', 'dom.username')),
      password: str('dom.password', pick('DOM_PASSWORD', 'dom.password')),
      caFile: str('dom.caFile', pick('DOM_CA_FILE', 'dom.caFile')),
      heartbeatS: int('DOM_HEARTBEAT_S', pick('DOM_HEARTBEAT_S', 'dom.heartbeatS'), 300, 1, 86_400),
    },
    smtpUrl: url('SMTP_URL', pick('SMTP_URL', 'smtpUrl')),
    logLevel: oneOf('LOG_LEVEL', pick('LOG_LEVEL', 'logLevel'), ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    limits: {
      maxBodyBytes: int('limits.maxBodyBytes', fileLimits['maxBodyBytes'] ?? env['DOMBRIDGE_MAX_BODY_BYTES'], 4 * 1024 * 1024, 1024, 1024 ** 3),
      maxDepth: int('limits.maxDepth', fileLimits['maxDepth'], DEFAULT_XML_LIMITS.maxDepth, 8, 10_000),
      maxElements: int('limits.maxElements', fileLimits['maxElements'], DEFAULT_XML_LIMITS.maxElements, 16, 10_000_000),
      maxStringLength: int('limits.maxStringLength', fileLimits['maxStringLength'], DEFAULT_XML_LIMITS.maxStringLength, 64, 100_000_000),
    },
    inventory: {
      outageTolerance: bool('inventory.outageTolerance', fileInv['outageTolerance'], true),
      zeroQuantityStatus: oneOf('inventory.zeroQuantityStatus', fileInv['zeroQuantityStatus'], INVENTORY_STATUSES, 'Available'),
      memoryCacheEntries: int('inventory.memoryCacheEntries', fileInv['memoryCacheEntries'], 100_000, 0, 100_000_000),
    },
    demo: sources.overrides?.demo ?? bool('demo', file['demo'], false),
    outbox: {
      retryMs: int('OUTBOX_RETRY_MS', pick('OUTBOX_RETRY_MS', 'outbox.retryMs'), 1000, 1, 3_600_000),
      maxAttempts: int('outbox.maxAttempts', pick('OUTBOX_MAX_ATTEMPTS', 'outbox.maxAttempts'), 12, 1, 1000),
      pendingTransferTimeoutS: int('outbox.pendingTransferTimeoutS', pick('RETRANSFER_PENDING_S', 'outbox.pendingTransferTimeoutS'), 86_400, 1, 365 * 86_400),
      pollMs: int('outbox.pollMs', pick('OUTBOX_POLL_MS', 'outbox.pollMs'), 1000, 10, 600_000),
    },
    emailFrom: str('EMAIL_FROM', pick('EMAIL_FROM', 'emailFrom')) ?? 'Demo Store <orders@dombridge.invalid>',
    commerce: file['commerce'],
    security: { usersEnv: str('DOMBRIDGE_USERS', env['DOMBRIDGE_USERS']), file: file['security'] },
    messages: { enabled: onOff('DOMBRIDGE_MESSAGE_STORE', pick('DOMBRIDGE_MESSAGE_STORE', 'messages.enabled'), true) },
  };
  if (config.dom.timeoutMs < config.dom.connectTimeoutMs) {
    throw new ConfigError('dom.timeoutMs', `(${config.dom.timeoutMs}) must not be smaller than dom.connectTimeoutMs (${config.dom.connectTimeoutMs})`);
  }
  void fileDom;
  return config;
}

function str(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ConfigError(name, `must be a string, not ${JSON.stringify(v)}`);
  return v;
}

function int(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : NaN;
  if (!Number.isInteger(n)) throw new ConfigError(name, `must be a whole number, not ${JSON.stringify(v)}`);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, not ${n}`);
  return n;
}

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(name, `must be true or false, not ${JSON.stringify(v)}`);
}

function onOff(name: string, v: unknown, dflt: boolean): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  try {
    return bool(name, v, dflt);
  } catch {
    throw new ConfigError(name, `must be on or off, not ${JSON.stringify(v)}`);
  }
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigError(name, `must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
}

function url(name: string, v: unknown): string | undefined {
  const s = str(name, v);
  if (s === undefined) return undefined;
  try {
    new URL(s);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, not ${JSON.stringify(s)}`);
  }
  return s.replace(/\/+$/, '');
}
