import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeScratchDirs } from './scratch.js';

/**
 * Root hooks of `npm test` (.mocharc.json requires this file). The run gets a temp folder of its own (TMPDIR,
 * inherited by the processes tests start), so whatever a test, a browser or a child process forgets there never
 * reaches the system temp directory; what was forgotten is named at the end, so the test that left it can be mended.
 */
let runTmp: string | undefined;
let saved: string | undefined;

export const mochaHooks = {
  beforeAll(): void {
    runTmp = mkdtempSync(join(tmpdir(), 'dombridge-test-run-'));
    saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = runTmp;
  },
  afterAll(): void {
    if (!runTmp) return;
    removeScratchDirs();
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
    const left = readdirSync(runTmp);
    if (left.length) process.stderr.write(`\nleft in the temp directory by tests (removed now): ${left.join(', ')}\n`);
    rmSync(runTmp, { recursive: true, force: true });
  },
};
