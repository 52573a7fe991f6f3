import { expect } from 'chai';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { silentLogger } from '../../src/log/logger.js';
import { startDombridge } from '../../src/server/dombridge-app.js';
import { openTestStore } from '../support/test-store.js';
import { runCli, tempDir } from '../support/run-cli.js';

/**
 * A start-up error ends the process with a non-zero code whatever has already started (the built-in simulator, a
 * listener), and nothing is written before the configuration is checked. The kill guard of runCli is generous; a
 * process it has to kill is the failure.
 */
describe('start-up: every configuration error ends the process (real CLI)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  const serve = (env: Record<string, string>, args: string[] = []) =>
    runCli(['serve', ...args], { env: { PORT: '0', DOM_SIM_PORT: '0', DOMBRIDGE_DATA: join(dir.path, 'var'), ...env } });

  for (const [env, message] of [
    [{ HOST: '0.0.0.0' }, 'HOST is 0.0.0.0, which is not a loopback address'],
    [{ DOMBRIDGE_USERS: 'alice' }, 'DOMBRIDGE_USERS (entry 1) must have the form'],
    [{ SMTP_URL: 'http://x' }, 'SMTP_URL must start with smtp:// or smtps://'],
    [{ MESSAGE_RETENTION_DAYS: 'abc' }, 'MESSAGE_RETENTION_DAYS must be a whole number'],
    [{ DOMBRIDGE_MAX_BODY_BYTES: 'lots' }, 'DOMBRIDGE_MAX_BODY_BYTES must be a whole number'],
    [{ DOM_CA_FILE: '/nonexistent/ca.pem', DOM_URL: 'https://dom.invalid' }, 'dom.caFile names a file that cannot be read'],
  ] as const) {
    it(`${Object.keys(env).join(' ')}=${Object.values(env).join(' ')}: exits non-zero with the setting named, nothing written`, async function () {
      const r = await serve({ ...env });
      expect(r.killed, `still running after the guard; stderr: ${r.stderr}`).to.equal(false);
      expect(r.code).to.equal(64);
      expect(r.stderr).to.contain(message);
      expect(existsSync(join(dir.path, 'var')), 'data folder written before the check').to.equal(false);
    });
  }

  it('listen EADDRINUSE with the built-in simulator already running: exits 1', async function () {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await serve({ PORT: String(port) }, ['--demo']);
      expect(r.killed, `still running after the guard; output: ${r.stdout}${r.stderr}`).to.equal(false);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain('EADDRINUSE');
      expect(r.stdout).to.contain('using the built-in DOM simulator');
    } finally {
      blocker.close();
    }
  });

  it('an unknown config key is refused, named, with the nearest known key suggested', async function () {
    const file = join(dir.path, 'c.json');
    writeFileSync(file, JSON.stringify({ limits: { maxBodyByte: 5000 } }));
    const r = await serve({}, ['--config', file]);
    expect(r.code).to.equal(64);
    expect(r.stderr).to.contain('limits.maxBodyByte is not a known setting; did you mean limits.maxBodyBytes?');
    writeFileSync(file, JSON.stringify({ inventroy: {} }));
    expect((await serve({}, ['--config', file])).stderr).to.contain('inventroy is not a known setting; did you mean inventory?');
  });

  it('load-inventory --db with a path that does not exist refuses and creates nothing', async function () {
    const csv = join(dir.path, 'a.csv');
    writeFileSync(csv, '');
    const db = join(dir.path, 'typo.db');
    const r = await runCli(['load-inventory', csv, '--db', db]);
    expect(r.code).to.equal(64);
    expect(r.stderr).to.contain('--db names').and.to.contain('does not exist');
    expect(readdirSync(dir.path)).to.deep.equal(['a.csv']);
  });
});

describe('configuration: precedence and errors named as set (loadConfig)', function () {
  it('environment over file over default, for every setting with both (limits.maxBodyBytes too)', function () {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'c.json');
      writeFileSync(file, JSON.stringify({ limits: { maxBodyBytes: 2048 }, messages: { retentionDays: 9 }, dom: { heartbeatS: 11 } }));
      expect(loadConfig({ env: {}, file }).limits.maxBodyBytes).to.equal(2048);
      expect(loadConfig({ env: { DOMBRIDGE_MAX_BODY_BYTES: '4096' }, file }).limits.maxBodyBytes).to.equal(4096);
      expect(loadConfig({ env: {} }).limits.maxBodyBytes).to.equal(4 * 1024 * 1024);
      expect(loadConfig({ env: {}, file }).messages.retentionDays).to.equal(9);
      expect(loadConfig({ env: { MESSAGE_RETENTION_DAYS: '3' }, file }).messages.retentionDays).to.equal(3);
      expect(loadConfig({ env: { DOM_HEARTBEAT_S: '12' }, file }).dom.heartbeatS).to.equal(12);
      // A wrong value is named where it was set: the key in the file, the variable in the environment.
      writeFileSync(file, JSON.stringify({ dom: { connectTimeoutMs: 'soon' } }));
      expect(() => loadConfig({ env: {}, file })).to.throw('Configuration setting dom.connectTimeoutMs must be a whole number');
      expect(() => loadConfig({ env: { DOM_CONNECT_TIMEOUT_MS: 'x' } })).to.throw('Configuration setting DOM_CONNECT_TIMEOUT_MS must be a whole number');
    } finally {
      dir.remove();
    }
  });
});

describe('built-in simulator with users configured', function () {
  it('calls back as a dom user of its own, so its pushes are accepted without extra settings', async function () {
    const store = await openTestStore();
    await seedDemo(store);
    const dir = tempDir();
    const app = await startDombridge(loadConfig({ env: { PORT: '0', DOM_SIM_PORT: '0', DOMBRIDGE_DATA: dir.path, DOMBRIDGE_USERS: 'shop:s3cret:storefront' } }), silentLogger, { store });
    try {
      const res = await fetch(`${app.simulator!.url}/sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ catentryId: '20311', location: 'online:10201', onHand: 17 }) });
      const json = (await res.json()) as { push: { outcome: string } };
      expect(json.push).to.deep.include({ outcome: 'confirmed' });
      expect((await store.availability.get('20311', { kind: 'online', storeId: '10201' }))?.quantity).to.equal(17);
    } finally {
      await app.close();
      await store.close();
      dir.remove();
    }
  });
});
