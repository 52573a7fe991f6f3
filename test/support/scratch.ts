import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh folder in the temp directory, removed after the test run (or earlier by removeScratchDirs). */
export function scratchDir(prefix = 'dombridge-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder scratchDir made so far. */
export function removeScratchDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

// A root hook: whichever test files import this, their scratch folders go when the run ends (npm test's root hooks,
// test/support/root-hooks.ts, remove them too, before they look for what was left).
if (typeof after === 'function') after(removeScratchDirs);
