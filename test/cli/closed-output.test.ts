import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { BIN } from '../support/run-cli.js';

/**
 * `dombridge replay --list fixtures | head -1`: the reader closes the pipe after one line. The command must end
 * quietly (exit 0, nothing on stderr) instead of dying with an EPIPE stack trace.
 */
function runIntoClosedPipe(args: readonly string[]): Promise<{ code: number | null; stderr: string; firstLine: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let firstLine = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    proc.stdout.once('data', (c: Buffer) => {
      firstLine = c.toString('utf8').split('\n')[0]!;
      proc.stdout.destroy(); // what `head -1` does once it has its line
    });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stderr, firstLine }));
  });
}

describe('a closed stdout', () => {
  it('replay --list into a pipe closed after the first line ends quietly, exit 0', async () => {
    const r = await runIntoClosedPipe(['replay', '--list', 'fixtures']);
    expect(r.firstLine).to.match(/step\(s\)$/);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
  });

  it('so does every command that prints (here the overview and a usage)', async () => {
    for (const args of [['--help'], ['replay', '--help']]) {
      const r = await runIntoClosedPipe(args);
      expect(r.stderr, args.join(' ')).to.not.include('EPIPE');
      expect(r.code, args.join(' ')).to.equal(0);
    }
  });
});
