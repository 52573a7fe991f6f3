import { expect } from 'chai';
import { COMMANDS, REPLAY, SERVE } from '../../src/cli/command-table.js';
import { parseCommand, usage } from '../../src/cli/command-spec.js';
import { runCli } from '../support/run-cli.js';

describe('dombridge --help', () => {
  it('every command and subcommand prints its usage with every option it accepts, on --help (and -h), exit 0', async () => {
    for (const spec of COMMANDS) {
      const r = await runCli([...spec.name.split(' '), '--help']);
      expect(r.code, `${spec.name} --help: ${r.stderr}`).to.equal(0);
      expect(r.stdout, spec.name).to.match(new RegExp(`^Usage: dombridge ${spec.name}\\b`));
      for (const option of Object.keys(spec.options)) expect(r.stdout, `${spec.name} --help lists --${option}`).to.include(`--${option}`);
      expect(r.stderr).to.equal('');
      // -h is the same option (the parser's short form), asked in-process to spare a process per command.
      expect(parseCommand(spec, ['-h']), `${spec.name} -h`).to.deep.equal({ help: true });
    }
  });

  it('lists the options that were missing: serve --host, replay --outbox and --dom-callbacks', () => {
    expect(usage(SERVE)).to.include('--host ADDR');
    expect(usage(REPLAY)).to.include('--outbox DIR').and.include('--dom-callbacks on|off');
  });

  it('help comes first, even beside a mistake; a mistake alone is a usage error naming the command', async () => {
    expect(parseCommand(SERVE, ['--no-such', '--help'])).to.deep.equal({ help: true });
    const r = await runCli(['serve', '--no-such']);
    expect(r.code).to.equal(64);
    expect(r.stderr).to.match(/^dombridge serve: Unknown option '--no-such'/).and.include('Usage: dombridge serve');
  });

  it('the overview (--help, -h, help) names every command; `help COMMAND` is that command\'s usage', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await runCli(args);
      expect(r.code).to.equal(0);
      for (const spec of COMMANDS) expect(r.stdout).to.include(`dombridge ${spec.name} `.trimEnd());
    }
    const one = await runCli(['help', 'import']);
    expect(one.stdout).to.match(/^Usage: dombridge import/).and.include('--dry-run');
    expect((await runCli(['messages', '--help'])).stdout).to.include('dombridge messages list').and.include('dombridge messages resend');
  });
});
