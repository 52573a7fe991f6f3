import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplayCommand } from '../../src/cli/replay.command.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const FIXTURES = join(PACKAGE_ROOT, 'fixtures');

/** Collects what a command writes. */
export function sink(): { write(t: string): void; readonly text: string } {
  let text = '';
  return {
    write(t: string) {
      text += t;
    },
    get text() {
      return text;
    },
  };
}

export interface CommandRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function replay(...argv: string[]): Promise<CommandRun> {
  const out = sink();
  const err = sink();
  const code = await runReplayCommand(argv, out, err);
  return { code, out: out.text, err: err.text };
}

/** A copy of the fixture library (without the shared samples) in a temporary directory, to change freely. */
export function copyOfLibrary(): string {
  const dir = tempDir('dombridge-fixtures-');
  cpSync(FIXTURES, dir, { recursive: true, filter: (src) => !src.startsWith(join(FIXTURES, 'samples')) });
  return dir;
}

export function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(file, next);
}

const made: string[] = [];

export function tempDir(prefix = 'dombridge-replay-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes the directories tempDir made; call from an after() hook. */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
