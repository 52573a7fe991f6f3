import type { Readable, Writable } from 'node:stream';
import { DEFAULT_SCRYPT, hashPassword } from './password-hash.js';

/** A terminal's input as hash-password uses it: raw mode turns off the terminal's echo and line editing. */
export interface TerminalInput extends Readable {
  readonly isTTY: true;
  setRawMode(raw: boolean): unknown;
}

/**
 * `dombridge hash-password`: reads one password (never from the command line, where it would end up in the shell
 * history and the process list) and prints the `scrypt$N$r$p$salt$hash` line for security.users[].passwordHash.
 * On a terminal it asks twice, on stderr, and echoes nothing; from a pipe it reads stdin to its end.
 * Exit codes: 0 printed, 65 no usable password (or the two typed differ), 130 interrupted (Ctrl-C).
 */
export async function runHashPassword(opts: { readonly input: Readable; readonly out: Writable; readonly err: Writable }): Promise<number> {
  let password: string;
  if (isTerminal(opts.input)) {
    const first = await readHidden(opts.input, opts.err, 'Password: ');
    if (first === undefined) return 130;
    const again = await readHidden(opts.input, opts.err, 'Again, to check: ');
    if (again === undefined) return 130;
    if (again !== first) {
      opts.err.write('hash-password: the two passwords differ; nothing printed\n');
      return 65;
    }
    password = first;
  } else {
    const chunks: Buffer[] = [];
    for await (const c of opts.input) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    // One trailing newline is the terminal's, not the password's.
    password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  if (password === '' || password.trim() !== password || password.includes('\n')) {
    opts.err.write('hash-password: give one password, without leading or trailing white space\n');
    return 65;
  }
  opts.out.write(`${hashPassword(password, DEFAULT_SCRYPT)}\n`);
  return 0;
}

function isTerminal(input: Readable): input is TerminalInput {
  return (input as { isTTY?: boolean }).isTTY === true && typeof (input as { setRawMode?: unknown }).setRawMode === 'function';
}

const ENTER = new Set(['\r', '\n']);
const ERASE = new Set(['\x7f', '\b']);
const INTERRUPT = '\x03';
const END = '\x04';

/**
 * Reads one line from a terminal in raw mode, so nothing typed is echoed; Backspace erases, Enter or Ctrl-D ends
 * the line, Ctrl-C gives undefined. The terminal's mode is restored whatever happens.
 */
export function readHidden(input: TerminalInput, err: Writable, prompt: string): Promise<string | undefined> {
  // Raw before the prompt: what is typed the moment the prompt shows must not be echoed.
  input.setRawMode(true);
  err.write(prompt);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve) => {
    let line = '';
    const finish = (value: string | undefined) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      err.write('\n');
      resolve(value);
    };
    const onData = (chunk: string) => {
      const chars = [...chunk];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ENTER.has(ch) || ch === END || ch === INTERRUPT) {
          // What was typed ahead (a pasted second line) is the next prompt's.
          const rest = chars.slice(i + 1).join('').replace(/^\n/, '');
          finish(ch === INTERRUPT ? undefined : line);
          if (rest) input.unshift(rest);
          return;
        }
        if (ERASE.has(ch)) line = line.slice(0, -1);
        else if (ch >= ' ') line += ch;
      }
    };
    input.on('data', onData);
  });
}
