import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { installSecurity, isLoopbackHost } from '../../src/security/install-security.js';
import { PassThrough, Readable } from 'node:stream';
import { runHashPassword } from '../../src/security/hash-password.command.js';
import { hashPassword, parsePasswordHash, verifyPassword } from '../../src/security/password-hash.js';
import { RolePolicy } from '../../src/security/role-policy.js';
import { readSecuritySettings } from '../../src/security/user-directory.js';

const FAST = { N: 1024, r: 8, p: 1 };
const read = (usersEnv: string | undefined, file?: unknown) => readSecuritySettings({ usersEnv, file }, FAST);
const configError = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
};
const actions = (...codes: string[]) => codes.map((actionCode) => ({ actionCode, expression: '' }));

describe('security configuration, listening rule and role table (unit)', function () {
  describe('DOMBRIDGE_USERS', function () {
    it('reads name:password:role[:digest]; passwords may hold colons; only digest users keep the text', function () {
      const s = read('shop:s3cret:storefront, dom:a:b:c:dom:digest');
      expect([...s.users.keys()]).to.deep.equal(['shop', 'dom']);
      expect(s.users.get('shop')).to.include({ role: 'storefront', digestSecret: undefined });
      expect(s.users.get('dom')?.digestSecret?.toString()).to.equal('a:b:c');
      expect(s.source).to.equal('DOMBRIDGE_USERS');
      expect(s).to.include({ tokenMaxAgeS: 300, clockSkewS: 60, verifyCacheS: 60, nonceCacheEntries: 100_000 });
    });

    it('stores a scrypt hash that verifies the password (and not another)', async function () {
      const u = read('shop:s3cret:storefront').users.get('shop')!;
      expect(u.hash.N).to.equal(FAST.N);
      expect(await verifyPassword(u.hash, 's3cret')).to.equal(true);
      expect(await verifyPassword(u.hash, 's3cret ')).to.equal(false);
    });

    it('refuses unknown roles, duplicates and malformed entries, naming the setting and never the password', function () {
      const unknownRole = configError(() => read('shop:hunter2:customer'));
      expect(unknownRole.message).to.contain('DOMBRIDGE_USERS').and.contain('roles are storefront, dom, admin');
      expect(unknownRole.message).not.to.contain('hunter2');
      const noRole = configError(() => read('shop:hunter2:secretpart'));
      expect(noRole.message).not.to.contain('secretpart');
      expect(configError(() => read('a:x:dom,a:y:admin')).message).to.contain('user a a second time');
      expect(configError(() => read('shop:hunter2')).message).to.contain('DOMBRIDGE_USERS (entry 1)').and.not.contain('hunter2');
      expect(configError(() => read('shop:s:dom,')).message).to.contain('entry 2');
      expect(configError(() => read('shop::dom')).message).to.contain('no password');
      expect(configError(() => read('sh op:x:dom')).message).to.contain('user name');
    });
  });

  describe('config file security section', function () {
    const hash = hashPassword('s3cret', FAST);

    it('reads users with passwordHash or password (+digest) and the token settings', function () {
      const s = read(undefined, {
        users: [{ name: 'shop', role: 'storefront', passwordHash: hash }, { name: 'dom', role: 'dom', password: 'd', digest: true }],
        tokenMaxAgeS: 120, clockSkewS: 5, verifyCacheS: 0, nonceCacheEntries: 500,
      });
      expect(s.source).to.equal('security.users');
      const parsed = parsePasswordHash(hash);
      if (typeof parsed === 'string') throw new Error(parsed);
      expect(s.users.get('shop')?.hash.hash.equals(parsed.hash)).to.equal(true);
      expect(s.users.get('dom')?.digestSecret?.toString()).to.equal('d');
      expect(s).to.include({ tokenMaxAgeS: 120, clockSkewS: 5, verifyCacheS: 0, nonceCacheEntries: 500 });
    });

    it('hash-password reads stdin and prints a passwordHash the file accepts', async function () {
      const out = new PassThrough();
      const err = new PassThrough();
      expect(await runHashPassword({ input: Readable.from(['s3cr', 'et\n']), out, err })).to.equal(0);
      const line = String(out.read()).trim();
      expect(line).to.match(/^scrypt\$32768\$8\$1\$/);
      const s = read(undefined, { users: [{ name: 'shop', role: 'storefront', passwordHash: line }] });
      expect(await verifyPassword(s.users.get('shop')!.hash, 's3cret')).to.equal(true);
      expect(await runHashPassword({ input: Readable.from([' padded\n']), out, err })).to.equal(65);
    });

    it('DOMBRIDGE_USERS replaces the file users', function () {
      const s = read('ops:x:admin', { users: [{ name: 'shop', role: 'storefront', passwordHash: hash }] });
      expect([...s.users.keys()]).to.deep.equal(['ops']);
    });

    it('refuses bad entries, naming the setting', function () {
      expect(configError(() => read(undefined, { users: [{ name: 'a', role: 'boss', password: 'x' }] })).setting).to.equal('security.users[0] (user a)');
      expect(configError(() => read(undefined, { users: [{ name: 'a', role: 'dom', passwordHash: 'md5$abc' }] })).setting).to.contain('passwordHash');
      expect(configError(() => read(undefined, { users: [{ name: 'a', role: 'dom', passwordHash: hash, digest: true }] })).message).to.contain('PasswordDigest');
      expect(configError(() => read(undefined, { users: [{ name: 'a', role: 'dom', password: 'x', passwordHash: hash }] })).message).to.contain('give one');
      expect(configError(() => read(undefined, { users: [{ name: 'a', role: 'dom', pasword: 'x' }] })).setting).to.equal('security.users[0].pasword');
      expect(configError(() => read(undefined, { users: [{ name: 'a', role: 'dom', password: ' x' }] })).message).to.contain('white space');
      expect(configError(() => read(undefined, { tokenMaxAge: 5 })).setting).to.equal('security.tokenMaxAge');
      expect(configError(() => read(undefined, { tokenMaxAgeS: 0 })).setting).to.equal('security.tokenMaxAgeS');
      expect(configError(() => read(undefined, { users: {} })).setting).to.equal('security.users');
      const weak = hash.replace(/^scrypt\$1024\$/, 'scrypt$16$');
      expect(configError(() => read(undefined, { users: [{ name: 'a', role: 'dom', passwordHash: weak }] })).message).to.contain('power of two');
    });
  });

  describe('listening without users', function () {
    const install = (env: Record<string, string>) => installSecurity(loadConfig({ env: { PORT: '0', ...env } }), silentLogger);

    it('refuses 0.0.0.0 without users, naming HOST and what to do', function () {
      const e = configError(() => install({}).assertListenAllowed('0.0.0.0'));
      expect(e.setting).to.equal('HOST');
      expect(e.message).to.contain('DOMBRIDGE_USERS').and.contain('loopback');
    });

    it('allows loopback without users (no interceptor) and logs that once', function () {
      const lines: string[] = [];
      const s = installSecurity(loadConfig({ env: { PORT: '0' } }), createLogger('info', {}, (l) => lines.push(l)));
      expect(s.interceptor).to.equal(undefined);
      s.assertListenAllowed('127.0.0.1');
      s.assertListenAllowed('127.0.0.1');
      expect(lines.filter((l) => l.includes('loopback only'))).to.have.length(1);
    });

    it('allows 0.0.0.0 with users, and installs the interceptor', function () {
      const s = install({ DOMBRIDGE_USERS: 'shop:s3cret:storefront' });
      expect(s.interceptor?.name).to.equal('security');
      expect(() => s.assertListenAllowed('0.0.0.0')).not.to.throw();
    });

    it('knows loopback addresses', function () {
      for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).to.equal(true);
      for (const h of ['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'example.com', 'localhost.example.com', '::ffff:10.0.0.1']) expect(isLoopbackHost(h), h).to.equal(false);
    });
  });

  describe('role table', function () {
    const policy = new RolePolicy();
    const allowed = (role: string, op: string, ...codes: string[]) => policy.check(role, op, actions(...codes)) === undefined;

    it('storefront: availability, inventory requirements, cart and checkout; not DOM callbacks or admin upserts', function () {
      expect(allowed('storefront', 'GetInventoryAvailability')).to.equal(true);
      for (const a of ['CheckInventory', 'ReserveInventory', 'CancelInventoryReservation', 'DecrementCache']) expect(allowed('storefront', 'ProcessInventoryRequirement', a)).to.equal(true);
      for (const a of ['Create', 'Add', 'Update', 'Delete']) expect(allowed('storefront', 'ChangeOrder', a)).to.equal(true);
      for (const a of ['Prepare', 'Submit', 'Cancel', 'Lock', 'Unlock', 'ApplyPromotionCode', 'RemovePromotionCode']) expect(allowed('storefront', 'ProcessOrder', a)).to.equal(true);
      expect(allowed('storefront', 'GetOrder')).to.equal(true);
      expect(allowed('storefront', 'ChangeOrder', 'Change')).to.equal(false);
      expect(allowed('storefront', 'ProcessOrder', 'FinalizePromotionCalUsage')).to.equal(false);
      expect(allowed('storefront', 'SyncOrder', 'Change')).to.equal(false);
      expect(allowed('storefront', 'SyncInventoryAvailability', 'Change')).to.equal(false);
      expect(allowed('storefront', 'ChangeInventoryAvailability', 'Change')).to.equal(false);
    });

    it('dom: its callbacks and GetOrder; not the storefront operations', function () {
      for (const op of ['SyncInventoryAvailability', 'SyncOrder']) expect(allowed('dom', op, 'Change')).to.equal(true);
      expect(allowed('dom', 'ChangeOrder', 'Change')).to.equal(true);
      for (const a of ['FinalizePromotionCalUsage', 'CancelPromotionCalUsage', 'UpdatePromotionCalUsage', 'Cancel']) expect(allowed('dom', 'ProcessOrder', a)).to.equal(true);
      expect(allowed('dom', 'GetOrder')).to.equal(true);
      expect(allowed('dom', 'ChangeOrder', 'Create')).to.equal(false);
      expect(allowed('dom', 'ProcessOrder', 'Submit')).to.equal(false);
      expect(allowed('dom', 'GetInventoryAvailability')).to.equal(false);
      expect(allowed('dom', 'ProcessInventoryRequirement', 'ReserveInventory')).to.equal(false);
      expect(allowed('dom', 'ChangeInventoryAvailability', 'Change')).to.equal(false);
    });

    it('admin: everything; every action of a BOD must be granted; no action is no grant', function () {
      expect(allowed('admin', 'ChangeInventoryAvailability', 'Change')).to.equal(true);
      expect(allowed('admin', 'SyncOrder')).to.equal(true);
      expect(policy.check('storefront', 'ChangeOrder', actions('Create', 'Change'))).to.deep.equal({ operation: 'ChangeOrder', actionCode: 'Change' });
      expect(policy.check('dom', 'ChangeOrder', [])).to.deep.equal({ operation: 'ChangeOrder', actionCode: '(none)' });
      expect(allowed('storefront', 'ChangeOrder', '*')).to.equal(false);
      expect(allowed('nobody', 'GetOrder')).to.equal(false);
    });
  });
});
