import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { readHidden, runHashPassword, type TerminalInput } from '../../src/security/hash-password.command.js';
import { parsePasswordHash, verifyPassword, type ScryptHash } from '../../src/security/password-hash.js';
import { BIN } from '../support/run-cli.js';

/** A terminal stand-in: records raw-mode switches; what is written to it is what the user types. */
function fakeTerminal(): TerminalInput & PassThrough & { modes: boolean[] } {
  const t = new PassThrough() as unknown as TerminalInput & PassThrough & { modes: boolean[] };
  Object.assign(t, { isTTY: true, modes: [] as boolean[], setRawMode(raw: boolean) { t.modes.push(raw); return t; } });
  return t;
}

function collect(): PassThrough & { text(): string } {
  const s = new PassThrough() as PassThrough & { text(): string };
  let buf = '';
  s.on('data', (c: Buffer) => (buf += c.toString('utf8')));
  s.text = () => buf;
  return s;
}

/**
 * Runs `dombridge hash-password` on a real pseudo-terminal (python3's pty module), types the password twice when
 * asked, and returns everything the terminal showed.
 */
const PTY_SCRIPT = `
import os, pty, sys, json
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], 'hash-password'])
seen = b''
def read_until(marker):
    global seen
    while marker not in seen:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            return
        if not chunk:
            return
        seen += chunk
read_until(b'Password: ')
os.write(fd, b'pa55word\\r')
read_until(b'check: ')
os.write(fd, b'pa55word\\r')
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps({'seen': seen.decode('utf-8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))
`;

describe('hash-password on a terminal', () => {
  it('asks for the password twice and echoes none of it (on a real pty)', async function () {
    const probe = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' });
    if (probe.status !== 0) this.skip();
    const r = spawnSync('python3', ['-c', PTY_SCRIPT, process.execPath, BIN], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).to.equal(0);
    const { seen, code } = JSON.parse(r.stdout) as { seen: string; code: number };
    expect(code, seen).to.equal(0);
    expect(seen).to.include('Password: ').and.include('Again, to check: ');
    expect(seen).to.not.include('pa55word');
    const hash = /scrypt\$\S+/.exec(seen)?.[0];
    expect(await verifyPassword(parsePasswordHash(hash!) as ScryptHash, 'pa55word')).to.equal(true);
  });

  it('raw mode: nothing echoed, Backspace erases, the mode is restored; a second line typed ahead is kept', async () => {
    const tty = fakeTerminal();
    const err = collect();
    const first = readHidden(tty, err, 'Password: ');
    tty.write('secrx\x7ft\rnext\r');
    expect(await first).to.equal('secrt');
    expect(await readHidden(tty, err, 'Again: ')).to.equal('next');
    expect(err.text()).to.equal('Password: \nAgain: \n');
    expect(tty.modes).to.deep.equal([true, false, true, false]);
  });

  it('two different passwords, or Ctrl-C, print nothing', async () => {
    const tty = fakeTerminal();
    const out = collect();
    const done = runHashPassword({ input: tty, out, err: collect() });
    tty.write('one\rtwo\r');
    expect(await done).to.equal(65);
    const tty2 = fakeTerminal();
    const done2 = runHashPassword({ input: tty2, out, err: collect() });
    tty2.write('\x03');
    expect(await done2).to.equal(130);
    expect(out.text()).to.equal('');
    expect(tty2.modes.at(-1)).to.equal(false);
  });
});
