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
    };
  }
  const digestUsers = [...settings.users.values()].filter((u) => u.digestSecret).map((u) => u.name);
  log.info('WS-Security UsernameToken required on every SOAP request', {
    source: settings.source, users: settings.users.size, tokenMaxAgeS: settings.tokenMaxAgeS, verifyCacheS: settings.verifyCacheS,
  });
  if (digestUsers.length) log.info('users accepting PasswordDigest keep their plain password in memory', { users: digestUsers });
  return { required: true, interceptor: new SecurityInterceptor(settings, log), assertListenAllowed: () => undefined };
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
  private readonly authenticator: TokenAuthenticator;
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
