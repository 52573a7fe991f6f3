import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startInProcessTarget } from '../../src/replay/replay-target.js';
import { scratchDir, removeScratchDirs } from '../support/scratch.js';
import { getAvailabilityBod, INVENTORY_PATH, itemAtOnline, post, soap11, startWorld } from '../support/test-app.js';

/**
 * `npm test` used to leave about 77 folders in the system temp directory per run. Here the temp directory is a
 * private, empty folder (TMPDIR, which os.tmpdir() reads on every call): whatever a world makes there during its
 * life must be gone when it is closed.
 */
describe('temp folders', () => {
  let privateTmp: string;
  let saved: string | undefined;
  beforeEach(() => {
    privateTmp = mkdtempSync(join(tmpdir(), 'dombridge-tmpcheck-'));
    saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = privateTmp;
    expect(tmpdir()).to.equal(privateTmp);
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
    rmSync(privateTmp, { recursive: true, force: true });
  });

  it('a test world leaves none behind once closed', async function () {
    const w = await startWorld();
    expect(readdirSync(privateTmp), 'the world keeps its data folder there while it lives').to.have.length(1);
    const r = await post(w.app.url, INVENTORY_PATH, soap11(getAvailabilityBod(itemAtOnline('20311', '10201'))));
    expect(r.status).to.equal(200);
    await w.close();
    expect(readdirSync(privateTmp)).to.deep.equal([]);
  });

  it('nor does an in-process replay world', async function () {
    const target = await startInProcessTarget({ domCallbacks: true });
    expect(readdirSync(privateTmp)).to.have.length(1);
    await target.close();
    expect(readdirSync(privateTmp)).to.deep.equal([]);
  });

  it('nor do the scratch folders of tests, once removed', () => {
    scratchDir();
    scratchDir('dombridge-other-');
    expect(readdirSync(privateTmp)).to.have.length(2);
    removeScratchDirs();
    expect(readdirSync(privateTmp)).to.deep.equal([]);
  });
});
