import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const BIN = join(PACKAGE_ROOT, 'bin', 'dombridge.js');

/** Settings of dombridge that must come from the test, never from the environment the tests run in. */
const OWN_ENV = /^(PORT|HOST|DOMBRIDGE_.*|DOM_.*|OUTBOX_.*|RETRANSFER_PENDING_S|SMTP_URL|LOG_LEVEL|EMAIL_FROM|MESSAGE_RETENTION_DAYS)$/;

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the guard had to kill it: the command did not end by itself. */
  readonly killed: boolean;
}

/**
 * Runs `node bin/dombridge.js ARGS…` as a real process with only the given dombridge settings in its environment.
 * The kill guard is generous (it is not a timing assertion): a command that never ends is reported as `killed`.
 */
export function runCli(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string; input?: string; killAfterMs?: number } = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !OWN_ENV.test(k)) env[k] = v;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? PACKAGE_ROOT, env: { ...env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const guard = setTimeout(() => {
      killed = true;
      proc.kill('SIGKILL');
    }, opts.killAfterMs ?? 15_000);
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, killed });
    });
    proc.stdin.end(opts.input ?? '');
  });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'dombridge-cli-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
