// The fast path for a plain `relaycheck run` line must read every line it accepts exactly as
// yargs (built from the same table) does, and leave everything else — help, mistakes, ambiguous
// lists — to yargs.
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type CommandSpec, type OptionSpec } from '../../src/cli/command-line.js';
import { fastPathValues } from '../../src/cli/fast-path.js';
import { describeCommand } from '../../src/cli/yargs.js';

const run = COMMANDS.find((c) => c.name === 'run')!;

/** What a command receives, by long option name (yargs adds `_`, `$0` and the aliases). */
function byName(command: CommandSpec, values: Record<string, unknown>) {
  return Object.fromEntries(command.options.map((o) => [o.name, values[o.name]]));
}

async function viaYargs(command: CommandSpec, argv: string[]) {
  const parsed = await describeCommand(yargs(argv).parserConfiguration({ 'camel-case-expansion': false }).strict(), command).parseAsync();
  return byName(command, parsed as Record<string, unknown>);
}

/** A line that sets one option of the table: a list twice, a boolean negated. */
function lineFor(o: OptionSpec): string[] {
  if (o.type === 'boolean') return [`--no-${o.name}`];
  const value = o.choices ? o.choices[o.choices.length - 1]! : o.type === 'number' ? '1500' : `value-of-${o.name}`;
  return o.list ? [`--${o.name}`, value, `--${o.name}=${value}2`] : [`--${o.name}`, value];
}

describe('reading a plain run line without yargs', () => {
  it.each(run.options.map((o) => [o.name, lineFor(o)] as const))('reads --%s from the table exactly as yargs does', async (_name, argv) => {
    const fast = fastPathValues(run, argv);
    expect(fast).toBeDefined();
    expect(byName(run, fast!)).toEqual(await viaYargs(run, argv));
  });

  it.each([
    [[]],
    [['--no-send']],
    [['-c', '/etc/relaycheck.yaml', '--format', 'html,json', '--out', '/var/lib/relaycheck']],
    [['--config=/etc/r.yaml', '--format=nagios', '--fail-on', 'warn', '--timeout', '1500', '--deadline=60000', '--concurrency', '8']],
    [['--only', 'tls', '--only', 'smtp.connect', '--skip', 'dns', '--connector', 'Office 365 SMTP relay TLS 2']],
    [['--resolve', 'mail.contoso.com:25:192.0.2.10', '--resolve=smtp.contoso.com:587:[2001:db8::1]', '--plugin', './checks.mjs']],
    [['--out=-', '--format', 'json', '--send']],
    [['--out', 'a', '--out', 'b', '--fail-on', 'fail', '--fail-on', 'warn']],
    [['--timeout=1e3', '--concurrency', '5.5', '--only=', '--format', 'json', '--format=html']],
    [['--no-send', '--send']],
  ])('reads %j exactly as yargs does', async (argv) => {
    const fast = fastPathValues(run, argv);
    expect(fast).toBeDefined();
    expect(byName(run, fast!)).toEqual(await viaYargs(run, argv));
  });

  it.each([
    [['--help']],
    [['--version']],
    [['--bogus']],
    [['--only', 'tls', 'smtp']], // yargs reads both as --only values; leave that to yargs
    [['--timeout', 'soon']],
    [['--fail-on', 'never']],
    [['--out', '-x']],
    [['-c=foo.yaml']], // yargs: foo.yaml; parseArgs: =foo.yaml
    [['-cfoo.yaml']],
    [['--send=false']],
    [['extra-positional']],
  ])('leaves %j to yargs', (argv) => {
    expect(fastPathValues(run, argv)).toBeUndefined();
  });

  it('is taken only by commands the table marks for it', () => {
    expect(COMMANDS.filter((c) => c.fastPath).map((c) => c.name)).toEqual(['run']);
    expect(fastPathValues(COMMANDS.find((c) => c.name === 'lab')!, [])).toBeUndefined();
  });
});
