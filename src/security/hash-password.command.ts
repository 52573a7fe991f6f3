import type { Readable, Writable } from 'node:stream';
import { DEFAULT_SCRYPT, hashPassword } from './password-hash.js';

/**
 * `dombridge hash-password`: reads one password from stdin (never from the command line, where it would end up in
 * the shell history and the process list) and prints the `scrypt$N$r$p$salt$hash` line for security.users[].passwordHash.
 * Exit codes: 0 printed, 65 no usable password on stdin.
 */
export async function runHashPassword(opts: { readonly input: Readable; readonly out: Writable; readonly err: Writable }): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of opts.input) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  // One trailing newline is the terminal's, not the password's.
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '' || password.trim() !== password || password.includes('\n')) {
    opts.err.write('hash-password: give one password on stdin, without leading or trailing white space\n');
    return 65;
  }
  opts.out.write(`${hashPassword(password, DEFAULT_SCRYPT)}\n`);
  return 0;
}
