// The fast path: a plain command line of a command marked `fastPath` in the table (the nightly
// `relaycheck run …` cron job) is read here with node:util parseArgs, so that the run starts
// without loading yargs (80–115 ms of start-up on Node 20). It accepts only what both readers
// understand the same way; anything else — help, a mistake, a value that starts with "-", a list
// given as "--only a b" — returns undefined and goes to yargs, which words the error.
import { parseArgs } from 'node:util';
import type { CommandSpec, OptionValues } from './command-line.js';

export function fastPathValues(command: CommandSpec, argv: string[]): OptionValues | undefined {
  if (!command.fastPath || command.positional) return undefined;
  const values: OptionValues = {};
  const booleans = new Map(command.options.filter((o) => o.type === 'boolean').map((o) => [o.name, o]));
  const rest: string[] = [];
  for (const arg of argv) {
    const negated = arg.startsWith('--no-') ? booleans.get(arg.slice(5)) : undefined;
    const plain = arg.startsWith('--') ? booleans.get(arg.slice(2)) : undefined;
    if (negated) values[negated.name] = false;
    else if (plain) values[plain.name] = true;
    else rest.push(arg);
  }
  const options: Record<string, { type: 'string'; short?: string; multiple?: boolean }> = {};
  for (const o of command.options) if (o.type !== 'boolean') options[o.name] = { type: 'string', ...(o.alias ? { short: o.alias } : {}), ...(o.list ? { multiple: true } : {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: false, tokens: true });
  } catch {
    return undefined;
  }
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option') continue;
    // A value written apart from its option that looks like an option: leave it to yargs.
    if (!t.inlineValue && typeof t.value === 'string' && t.value.startsWith('-')) return undefined;
    // "-c=x" and "-cx" read differently in the two parsers: only "-c x" takes the fast path.
    if (t.inlineValue && !t.rawName.startsWith('--')) return undefined;
  }
  for (const o of command.options) {
    if (o.type === 'boolean') {
      if (!(o.name in values) && o.default !== undefined) values[o.name] = o.default;
      continue;
    }
    const raw = parsed.values[o.name] as string | string[] | undefined;
    if (raw === undefined) {
      if (o.default !== undefined) values[o.name] = o.default;
      continue;
    }
    if (o.type === 'number') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) return undefined;
      values[o.name] = n;
    } else if (o.choices && !o.choices.includes(raw as string)) return undefined;
    else values[o.name] = raw;
  }
  return values;
}
