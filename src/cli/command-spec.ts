import { parseArgs } from 'node:util';

/**
 * One table per command serves both its parsing (node:util parseArgs) and its `--help` text, so an option cannot be
 * accepted without being listed, nor listed without being accepted. Every command gets `-h, --help`.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value's placeholder in the usage (FILE, N, URL); string options only. */
  readonly value?: string;
  /** Shown without brackets in the synopsis; the command itself refuses its absence. */
  readonly required?: boolean;
  readonly help: string;
}

export interface CommandSpec<O extends Readonly<Record<string, OptionSpec>> = Readonly<Record<string, OptionSpec>>> {
  /** As typed after `dombridge`: `serve`, `messages list`. */
  readonly name: string;
  /** What the command takes after its options (`FILE.csv`, `PATH…`); none when it takes no operands. */
  readonly operands?: string;
  /** One or two sentences: what the command does. */
  readonly summary: string;
  readonly options: O;
  /** Paragraphs after the options: defaults, exit status. */
  readonly notes?: string;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? (S['multiple'] extends true ? boolean[] : boolean)
  : (S['multiple'] extends true ? string[] : string);

export type OptionValues<O extends Readonly<Record<string, OptionSpec>>> = { -readonly [K in keyof O]?: ValueOf<O[K]> };

export type ParsedCommand<O extends Readonly<Record<string, OptionSpec>>> =
  | { readonly help: true }
  | { readonly help: false; readonly values: OptionValues<O>; readonly positionals: string[] };

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print this text and exit' };

/** Thrown for anything the user typed wrong; the caller prints the message and the command's usage, exit 64. */
export class UsageError extends Error {
  /** The command whose usage follows the message; none: the overview. */
  constructor(message: string, readonly spec?: CommandSpec) {
    super(message);
  }
}

/** `dombridge serve [--config FILE] [--port N] … [-h]`, one line per command for the overview. */
export function synopsis(spec: CommandSpec): string {
  const opts = Object.entries(spec.options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return `${o.required ? flag : `[${flag}]`}${o.multiple ? '…' : ''}`;
  });
  return ['dombridge', spec.name, ...opts, ...(spec.operands ? [spec.operands] : [])].join(' ');
}

/** The command's `--help` text: synopsis, summary, every option with its help, notes. */
export function usage(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return { flag, help: `${o.help}${o.multiple ? ' (repeatable)' : ''}` };
  });
  const width = Math.max(...rows.map((r) => r.flag.length)) + 2;
  const lines = [
    `Usage: dombridge ${spec.name}${Object.keys(spec.options).length ? ' [options]' : ''}${spec.operands ? ` ${spec.operands}` : ''}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map((r) => `  ${r.flag.padEnd(width)}${r.help.replace(/\n/g, `\n  ${' '.repeat(width)}`)}`),
  ];
  if (spec.notes) lines.push('', spec.notes);
  return `${lines.join('\n')}\n`;
}

/**
 * Parses `args` by the command's table. `--help`/`-h` anywhere wins, even beside a mistake, so a user who asks for
 * help gets it. A mistake (unknown option, missing value, operands to a command that takes none) is a UsageError.
 */
export function parseCommand<const O extends Readonly<Record<string, OptionSpec>>>(spec: CommandSpec<O>, args: readonly string[]): ParsedCommand<O> {
  const end = args.indexOf('--');
  const own = end < 0 ? args : args.slice(0, end);
  if (own.includes('--help') || own.includes('-h')) return { help: true };
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: spec.operands !== undefined, strict: true });
    return { help: false, values: values as OptionValues<O>, positionals };
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((e as Error).message, spec);
    throw e;
  }
}
