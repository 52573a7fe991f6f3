import { ConfigError, type Config } from '../config/config.js';
import { DEFAULT_SCRYPT, hashPassword, parsePasswordHash, type ScryptHash } from './password-hash.js';

export const ROLES = ['storefront', 'dom', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  readonly name: string;
  readonly role: Role;
  readonly hash: ScryptHash;
  /**
   * Kept only for users that accept PasswordDigest: Base64(SHA-1(nonce + created + password)) can be checked only
   * with the plain password, so these users' passwords stay in memory in plain text for the process's life.
   * Everyone else's password is hashed at start-up and the text dropped.
   */
  readonly digestSecret: Buffer | undefined;
}

export interface SecuritySettings {
  /** By user name. Empty: no authentication (and loopback only). */
  readonly users: ReadonlyMap<string, UserRecord>;
  /** Where the users came from: DOMBRIDGE_USERS replaces the file's security.users when set. */
  readonly source: 'DOMBRIDGE_USERS' | 'security.users' | 'none';
  /** Oldest accepted wsu:Created, seconds. Default 300. */
  readonly tokenMaxAgeS: number;
  /** How far in the future a wsu:Created may be (sender clock ahead), seconds. Default 60. */
  readonly clockSkewS: number;
  /** How long a successful PasswordText check is remembered, seconds; 0 = scrypt on every request. Default 60. */
  readonly verifyCacheS: number;
  /** PasswordDigest nonces remembered at most (each for the freshness window). Default 100,000. */
  readonly nonceCacheEntries: number;
}

interface UserDraft {
  /** The setting to name in errors: never the entry's text, which holds a password. */
  readonly setting: string;
  readonly name: string;
  readonly role: string;
  readonly password: string | undefined;
  readonly passwordHash: string | undefined;
  readonly digest: boolean;
}

const FILE_KEYS = new Set(['users', 'tokenMaxAgeS', 'clockSkewS', 'verifyCacheS', 'nonceCacheEntries']);
const USER_KEYS = new Set(['name', 'role', 'password', 'passwordHash', 'digest']);
const NAME = /^[^\s:,]{1,128}$/;

/**
 * Reads and checks users and token settings once, at start-up: a bad entry stops the process with a ConfigError
 * naming the setting. `hashParams` is the scrypt cost for passwords given in plain text (tests lower it).
 */
export function readSecuritySettings(security: Config['security'], hashParams: { N: number; r: number; p: number } = DEFAULT_SCRYPT): SecuritySettings {
  const file = security.file;
  if (file !== undefined && (typeof file !== 'object' || file === null || Array.isArray(file))) throw new ConfigError('security', 'must be a JSON object');
  const section = (file ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(section)) if (!FILE_KEYS.has(k)) throw new ConfigError(`security.${k}`, `is not a known setting; known: ${[...FILE_KEYS].join(', ')}`);

  let drafts: UserDraft[] = [];
  let source: SecuritySettings['source'] = 'none';
  if (security.usersEnv !== undefined) {
    drafts = parseUsersEnv(security.usersEnv);
    source = 'DOMBRIDGE_USERS';
  } else if (section['users'] !== undefined) {
    drafts = parseUsersFile(section['users']);
    source = 'security.users';
  }
  const users = new Map<string, UserRecord>();
  for (const d of drafts) {
    const u = buildUser(d, hashParams);
    if (users.has(u.name)) throw new ConfigError(d.setting, `names user ${u.name} a second time; user names must be unique`);
    users.set(u.name, u);
  }
  return {
    users,
    source: users.size ? source : 'none',
    tokenMaxAgeS: int('security.tokenMaxAgeS', section['tokenMaxAgeS'], 300, 1, 86_400),
    clockSkewS: int('security.clockSkewS', section['clockSkewS'], 60, 0, 3_600),
    verifyCacheS: int('security.verifyCacheS', section['verifyCacheS'], 60, 0, 3_600),
    nonceCacheEntries: int('security.nonceCacheEntries', section['nonceCacheEntries'], 100_000, 100, 10_000_000),
  };
}

/**
 * `name:password:role[:digest]`, entries separated by commas. A password may hold colons (name is the first
 * field, role and the digest flag the last ones) but not commas.
 */
function parseUsersEnv(text: string): UserDraft[] {
  return text.split(',').map((raw, i) => {
    const setting = `DOMBRIDGE_USERS (entry ${i + 1})`;
    const fields = raw.trim().split(':');
    const digest = fields.length >= 4 && fields[fields.length - 1] === 'digest';
    if (digest) fields.pop();
    if (fields.length < 3) throw new ConfigError(setting, 'must have the form name:password:role or name:password:role:digest');
    return { setting, name: fields[0]!, role: fields[fields.length - 1]!, password: fields.slice(1, -1).join(':'), passwordHash: undefined, digest };
  });
}

function parseUsersFile(value: unknown): UserDraft[] {
  if (!Array.isArray(value)) throw new ConfigError('security.users', 'must be a list of { name, role, passwordHash | password, digest? }');
  return value.map((entry: unknown, i) => {
    const setting = `security.users[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(setting, 'must be an object { name, role, passwordHash | password, digest? }');
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!USER_KEYS.has(k)) throw new ConfigError(`${setting}.${k}`, `is not a known field; known: ${[...USER_KEYS].join(', ')}`);
    for (const k of ['name', 'role', 'password', 'passwordHash'] as const) {
      if (e[k] !== undefined && typeof e[k] !== 'string') throw new ConfigError(`${setting}.${k}`, 'must be a string');
    }
    if (e['digest'] !== undefined && typeof e['digest'] !== 'boolean') throw new ConfigError(`${setting}.digest`, 'must be true or false');
    return {
      setting, name: (e['name'] as string | undefined) ?? '', role: (e['role'] as string | undefined) ?? '',
      password: e['password'] as string | undefined, passwordHash: e['passwordHash'] as string | undefined, digest: e['digest'] === true,
    };
  });
}

/**
 * The settings with one more user, made by dombridge itself (the built-in simulator's dom-role user for its
 * callbacks). Its password is random and lives only in this process.
 */
export function withGeneratedUser(settings: SecuritySettings, name: string, password: string, role: Role, hashParams: { N: number; r: number; p: number } = DEFAULT_SCRYPT): SecuritySettings {
  const users = new Map(settings.users);
  users.set(name, buildUser({ setting: 'built-in simulator user', name, role, password, passwordHash: undefined, digest: false }, hashParams));
  return { ...settings, users };
}

function buildUser(d: UserDraft, hashParams: { N: number; r: number; p: number }): UserRecord {
  if (!NAME.test(d.name)) throw new ConfigError(d.setting, 'needs a user name of 1 to 128 characters without spaces, colons or commas');
  const who = `${d.setting} (user ${d.name})`;
  if (!(ROLES as readonly string[]).includes(d.role)) {
    // In DOMBRIDGE_USERS a missing role makes the role field a piece of the password: do not echo it there.
    const shown = d.password !== undefined && d.setting.startsWith('DOMBRIDGE_USERS') ? 'an unknown role' : `role ${JSON.stringify(d.role.slice(0, 40))}`;
    throw new ConfigError(who, `has ${shown}; roles are ${ROLES.join(', ')}`);
  }
  if (d.password !== undefined && d.passwordHash !== undefined) throw new ConfigError(who, 'gives both password and passwordHash; give one');
  if (d.digest && d.password === undefined) throw new ConfigError(who, 'accepts PasswordDigest, which needs the plain password: give password, not passwordHash');
  let hash: ScryptHash;
  if (d.passwordHash !== undefined) {
    const parsed = parsePasswordHash(d.passwordHash);
    if (typeof parsed === 'string') throw new ConfigError(`${who} passwordHash`, parsed);
    hash = parsed;
  } else {
    const pw = d.password ?? '';
    if (pw === '') throw new ConfigError(who, 'has no password');
    // SOAP readers trim element text, so such a password could never be presented as configured.
    if (pw.trim() !== pw) throw new ConfigError(who, 'has a password that begins or ends with white space');
    const parsed = parsePasswordHash(hashPassword(pw, hashParams));
    if (typeof parsed === 'string') throw new Error(`internal: fresh hash unreadable: ${parsed}`);
    hash = parsed;
  }
  return { name: d.name, role: d.role as Role, hash, digestSecret: d.digest ? Buffer.from(d.password ?? '', 'utf8') : undefined };
}

function int(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(name, `must be a whole number, not ${JSON.stringify(v)}`);
  if (v < min || v > max) throw new ConfigError(name, `must be between ${min} and ${max}, not ${v}`);
  return v;
}
