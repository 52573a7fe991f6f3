import { isIP } from 'node:net';
import { ConfigError, type Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { DispatchInterceptor, InboundMessage, InterceptDecision } from '../soap/bod-operation.js';
import { RolePolicy } from './role-policy.js';
import { TokenAuthenticator } from './token-authenticator.js';
import { readSecuritySettings, withGeneratedUser, type SecuritySettings } from './user-directory.js';
import { readUsernameToken } from './username-token.js';

/**
 * Security of the facade: with users configured, every SOAP request must carry a WS-Security UsernameToken of a
 * known user whose role may call the operation; with none, nothing is checked and dombridge may listen on
 * loopback only.
 */
export interface SecurityInstall {
  readonly interceptor: DispatchInterceptor | undefined;
  /** Throws when the configuration must not listen on `host` (e.g. no users and not loopback). */
  assertListenAllowed(host: string): void;
  /**
   * Who may use the admin HTTP endpoints (POST /admin/…; the console builds on the same check): with users
   * configured, HTTP Basic credentials of a user in role `admin`; without users, a caller on loopback.
   */
  admin(req: AdminRequest): Promise<AdminVerdict>;
}

export interface AdminRequest {
  /** The Authorization header, when sent. */
  readonly authorization: string | undefined;
  /** The caller's address (socket remoteAddress). */
  readonly remoteAddress: string | undefined;
}

export type AdminVerdict =
  | { readonly ok: true; readonly user: string }
  /** 401: no or wrong credentials (answer with a Basic challenge); 403: known, but not an admin, or not on loopback. */
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

/** Admin requests without users configured: allowed from loopback only, as the SOAP endpoints are. */
function loopbackAdmin(req: AdminRequest): AdminVerdict {
  return req.remoteAddress !== undefined && isLoopbackHost(req.remoteAddress)
    ? { ok: true, user: '(loopback)' }
    : { ok: false, status: 403, reason: 'no users are configured: admin requests are taken from loopback only' };
}

/** HTTP Basic credentials checked like a PasswordText UsernameToken: the same users, the same scrypt and cache. */
async function basicAdmin(authenticator: TokenAuthenticator, req: AdminRequest): Promise<AdminVerdict> {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.authorization ?? '');
  if (!m) return { ok: false, status: 401, reason: 'HTTP Basic credentials of an admin user are required' };
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) return { ok: false, status: 401, reason: 'the Basic credentials cannot be read' };
  const auth = await authenticator.authenticate({ username: text.slice(0, colon), password: text.slice(colon + 1), passwordType: 'PasswordText', nonce: undefined, created: undefined }, Date.now());
  if (!auth.ok) return { ok: false, status: 401, reason: 'the user name or password is wrong' };
  if (auth.principal.role !== 'admin') return { ok: false, status: 403, reason: `role ${auth.principal.role} may not use the admin endpoints` };
  return { ok: true, user: auth.principal.name };
}

/**
 * `generatedDomUser`: with users configured, this user (role dom) is added for the built-in simulator's
 * callbacks, so they pass authentication without the operator making one.
 */
export function installSecurity(config: Config, log: Logger, generatedDomUser?: { name: string; password: string }): SecurityInstall & { readonly required: boolean } {
  let settings = readSecuritySettings(config.security);
  if (generatedDomUser && settings.users.size > 0) settings = withGeneratedUser(settings, generatedDomUser.name, generatedDomUser.password, 'dom');
  if (settings.users.size === 0) {
    let told = false;
    return {
      required: false,
      interceptor: undefined,
      assertListenAllowed(host) {
        if (!isLoopbackHost(host)) {
          throw new ConfigError('HOST', `is ${host}, which is not a loopback address, and no users are configured: configure DOMBRIDGE_USERS (or security.users) or listen on loopback (127.0.0.1, ::1, localhost)`);
        }
        if (!told) log.info('no users configured: dombridge listens on loopback only and accepts unauthenticated requests', { host });
        told = true;
      },
      admin: async (req) => loopbackAdmin(req),
    };
  }
  const digestUsers = [...settings.users.values()].filter((u) => u.digestSecret).map((u) => u.name);
  log.info('WS-Security UsernameToken required on every SOAP request', {
    source: settings.source, users: settings.users.size, tokenMaxAgeS: settings.tokenMaxAgeS, verifyCacheS: settings.verifyCacheS,
  });
  if (digestUsers.length) log.info('users accepting PasswordDigest keep their plain password in memory', { users: digestUsers });
  const interceptor = new SecurityInterceptor(settings, log);
  return { required: true, interceptor, assertListenAllowed: () => undefined, admin: (req) => basicAdmin(interceptor.authenticator, req) };
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped loopback) and the name localhost. Any other name could resolve anywhere. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === 'localhost.') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
  return false;
}

class SecurityInterceptor implements DispatchInterceptor {
  readonly name = 'security';
  readonly authenticator: TokenAuthenticator;
  private readonly policy = new RolePolicy();

  constructor(settings: SecuritySettings, private readonly log: Logger) {
    this.authenticator = new TokenAuthenticator(settings);
  }

  async before(msg: InboundMessage): Promise<InterceptDecision> {
    const reading = readUsernameToken(msg.soapHeader, msg.soapVersion);
    if (reading.kind === 'absent') return { fault: 'AUTH_REQUIRED' };
    if (reading.kind === 'invalid') return { fault: 'AUTH_TOKEN_INVALID', params: { detail: reading.detail } };
    const auth = await this.authenticator.authenticate(reading.token, msg.receivedAtMs);
    if (!auth.ok) {
      this.log.warn('authentication refused', { user: reading.token.username.slice(0, 64), code: auth.code, reason: auth.reason, operation: msg.operation.name });
      return auth.params ? { fault: auth.code, params: auth.params } : { fault: auth.code };
    }
    const refused = this.policy.check(auth.principal.role, msg.operation.name, msg.request.actions);
    if (refused) {
      this.log.warn('operation refused for role', { user: auth.principal.name, role: auth.principal.role, ...refused });
      return { fault: 'AUTH_FORBIDDEN', params: { role: auth.principal.role, operation: refused.operation, actionCode: refused.actionCode } };
    }
    return { proceed: true, principal: auth.principal };
  }
}
