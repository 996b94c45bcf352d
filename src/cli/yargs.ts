// yargs' parser and help, built from the command-line table (cli/command-line.ts). yargs reads
// every line the fast path leaves to it: help, version, every command but a plain `run`, and
// mistakes, which it words.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Io } from '../commands/run.js';
import { COMMANDS, PROGRAM, type CommandSpec, type OptionSpec } from './command-line.js';

/** A repeated single-value option (--out a --out b) means its last value, as in most CLIs. */
export const lastValue = <T>(v: T | T[]): T => (Array.isArray(v) ? v[v.length - 1] : v);

/** One option of the table on a yargs command. */
export function addOption(y: Argv, o: OptionSpec): Argv {
  return y.option(o.name, {
    type: o.type,
    ...(o.describe !== undefined ? { describe: o.describe } : {}),
    ...(o.alias ? { alias: o.alias } : {}),
    ...(o.list ? { array: true } : { coerce: lastValue }),
    ...(o.default !== undefined ? { default: o.default } : {}),
    ...(o.choices ? { choices: o.choices } : {}),
  });
}

/** A command's options, positional, examples and epilog on a yargs command builder. */
export function describeCommand(y: Argv, command: CommandSpec): Argv {
  if (command.positional) y.positional(command.positional.name, { type: 'string', describe: command.positional.describe, ...(command.positional.variadic ? { array: true } : {}) });
  for (const o of command.options) addOption(y, o);
  for (const [line, what] of command.examples) y.example(line, what);
  if (command.epilog) y.epilog(command.epilog());
  return y;
}

/** Parses argv with yargs and runs the command it names; resolves to the exit code. */
export async function runWithYargs(argv: string[], io: Io): Promise<number> {
  const { default: yargs } = await import('yargs');
  let exitCode = 0;
  const parser = yargs(argv).scriptName('relaycheck').parserConfiguration({ 'camel-case-expansion': false }).usage(PROGRAM.usage);
  for (const command of COMMANDS) {
    parser.command(
      command.positional ? `${command.name} <${command.positional.name}${command.positional.variadic ? '..' : ''}>` : command.name,
      command.describe,
      (y) => describeCommand(y, command),
      async (values) => {
        exitCode = (await command.run(values, io)) ?? 0;
      },
    );
  }
  parser
    .demandCommand(1, PROGRAM.noCommand)
    .strictCommands()
    .strictOptions()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(`${msg}\nSee relaycheck --help.`);
    });
  await parser.parseAsync();
  return exitCode;
}
