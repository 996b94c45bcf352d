// The fast path for `relaycheck run` must read every line it accepts exactly as yargs does, and
// leave everything else (help, mistakes, ambiguous lists) to yargs.
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { applyRunOptions, fastRunArgs, toRunArgs } from '../src/cli-run-options.js';

async function viaYargs(argv: string[]) {
  const a = await applyRunOptions(yargs(argv).parserConfiguration({ 'camel-case-expansion': false }).strict()).parseAsync();
  return toRunArgs(a as Record<string, unknown>);
}

describe('reading run options without yargs', () => {
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
    const fast = fastRunArgs(argv);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaYargs(argv));
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
    expect(fastRunArgs(argv)).toBeUndefined();
  });
});
