// The relaycheck command line (DESIGN §3). Exit codes: 0 nothing at or above --fail-on,
// 1 findings or errors, 2 usage / plan / plugin problems (nothing was probed).
import { UsageError } from './errors.js';
import { commandSettled, guardProcess } from './runner/lifecycle.js';
import type { Io } from './commands/run.js';
import { COMMANDS } from './cli/command-line.js';
import { fastPathValues } from './cli/fast-path.js';
import { runWithYargs } from './cli/yargs.js';
import { terminalWidth } from './report/wrap.js';

const io: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTty: Boolean(process.stderr.isTTY),
  stdoutIsTty: Boolean(process.stdout.isTTY),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  width: terminalWidth(process.stdout.columns),
};

/** yargs reads a lone "-" as a positional argument; `--out -` means stdout, so glue it on. */
function glueDash(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--out' || argv[i] === '-o') && argv[i + 1] === '-') {
      out.push('--out=-');
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  // The nightly `relaycheck run …` line starts probing without loading yargs (see cli/fast-path.ts).
  const command = COMMANDS.find((c) => c.name === argv[0]);
  const fast = command ? fastPathValues(command, argv.slice(1)) : undefined;
  if (command && fast) return (await command.run(fast, io)) ?? 0;
  return runWithYargs(argv, io);
}

/** --format nagios anywhere on the command line (checked before parsing, so usage errors count). */
function wantsNagios(argv: string[]): boolean {
  return argv.some((arg, i) => {
    const value = arg.startsWith('--format=') ? arg.slice(9) : argv[i - 1] === '--format' ? arg : undefined;
    return value !== undefined && value.split(',').some((f) => f.trim().toLowerCase() === 'nagios');
  });
}

/** A monitoring plugin reports its own failures as UNKNOWN (exit 3) with one status line on stdout. */
function nagiosUnknown(what: string, message: string): void {
  const line = message.split('\n')[0].replace(/[\u0000-\u001f\u007f|]/g, ' ').slice(0, 300);
  process.stdout.write(`RELAYCHECK UNKNOWN - ${what}: ${line}\n`);
  process.exitCode = 3;
}

const args = glueDash(process.argv.slice(2));
// Under --format nagios relaycheck exits as monitoring plugins do (0 OK, 1 WARNING, 2 CRITICAL,
// 3 UNKNOWN) instead of 0/1/2: commands return the plugin code, and errors here become UNKNOWN.
const nagios = wantsNagios(args);
// An event loop that empties before main() settles (a plugin awaiting what never comes) is an
// internal error, never a silent exit 0; once main() settles the process ends (src/runner/lifecycle.ts).
guardProcess((message) => {
  process.stderr.write(`relaycheck: internal error: ${message}\n`);
  process.exitCode = 2;
  if (nagios) nagiosUnknown('internal error', message);
});
main(args).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`relaycheck: ${err.message.split('\n').join('\nrelaycheck: ')}\n`);
      process.exitCode = 2;
      if (nagios) nagiosUnknown('usage or plan error', err.message);
      return;
    }
    const e = err as Error;
    process.stderr.write(`relaycheck: internal error: ${e?.message ?? String(err)}${process.env.RELAYCHECK_DEBUG ? `\n${e?.stack}` : ' (set RELAYCHECK_DEBUG=1 for details)'}\n`);
    process.exitCode = 1;
    if (nagios) nagiosUnknown('internal error', e?.message ?? String(err));
  },
).finally(commandSettled);
