// The options of `relaycheck run`, declared once. yargs builds the help and parses every
// command line it is given; a plain run line (the nightly cron job) is read here first with
// node:util parseArgs, so that the run starts without loading yargs (about 80 ms of start-up).
// The fast path accepts only what both readers understand the same way; anything else — help,
// a mistake, a value that starts with "-", a list given as "--only a b" — goes to yargs.
import { parseArgs } from 'node:util';
import type { Argv } from 'yargs';
import { DEFAULT_CONCURRENCY } from './runner/run.js';
import { FORMAT_NAMES } from './report/output.js';
import type { RunArgs } from './commands/run.js';

export interface RunOptionSpec {
  name: string;
  alias?: string;
  type: 'string' | 'number' | 'boolean';
  /** repeatable, and comma-separated values are split */
  list?: boolean;
  default?: string | number | boolean | string[];
  choices?: readonly string[];
  describe: string;
}

export const RUN_OPTIONS: RunOptionSpec[] = [
  { name: 'config', alias: 'c', type: 'string', default: 'relaycheck.yaml', describe: 'The test plan (YAML or JSON)' },
  { name: 'only', type: 'string', list: true, describe: 'Run only these checks (ids, or an area such as tls or tls.*)' },
  { name: 'skip', type: 'string', list: true, describe: 'Skip these checks (ids or areas)' },
  { name: 'connector', type: 'string', list: true, describe: 'Test only these connectors / submission accounts (by name)' },
  { name: 'format', type: 'string', list: true, default: ['console', 'json'], describe: `Report formats, comma-separated: ${FORMAT_NAMES.join(', ')}` },
  { name: 'out', type: 'string', default: 'reports', describe: 'Folder for report files, or - to write one format to stdout' },
  { name: 'fail-on', type: 'string', choices: ['warn', 'fail'], default: 'fail', describe: 'Exit 1 when a result is at or above this status' },
  { name: 'send', type: 'boolean', default: true, describe: 'Send validation mail (--no-send skips every sending step)' },
  { name: 'resolve', type: 'string', list: true, describe: 'HOST:PORT:ADDRESS — connect to ADDRESS for HOST:PORT (like curl --resolve)' },
  { name: 'timeout', type: 'number', describe: 'Timeout of every network step in ms (connect, greeting, command, TLS handshake); default 10000–20000' },
  { name: 'deadline', type: 'number', describe: 'Deadline for the whole run in ms (default 300000); unfinished probes become errors' },
  { name: 'concurrency', type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Endpoints probed at once' },
  { name: 'plugin', type: 'string', list: true, describe: 'Load extra checks from this ES module (see the README)' },
  { name: 'verbose', type: 'boolean', default: false, describe: 'Console: list every check as a row (passing checks otherwise fold into one line per section)' },
  { name: 'candidate-cert', type: 'string', describe: 'FILE[,KEY] — judge this next certificate (PEM, with intermediates) of the smart hosts and the relay before it is installed (tls.candidate-certificate)' },
];

/** A repeated single-value option (--out a --out b) means its last value, as in most CLIs. */
export const lastValue = <T>(v: T | T[]): T => (Array.isArray(v) ? v[v.length - 1] : v);

/** The run options on a yargs command (help, and every line the fast path leaves to yargs). */
export function applyRunOptions(y: Argv): Argv {
  for (const o of RUN_OPTIONS) {
    y.option(o.name, {
      type: o.type,
      describe: o.describe,
      ...(o.alias ? { alias: o.alias } : {}),
      ...(o.list ? { array: true } : { coerce: lastValue }),
      ...(o.default !== undefined ? { default: o.default } : {}),
      ...(o.choices ? { choices: o.choices } : {}),
    });
  }
  return y;
}

/** "a,b" and repeated options → one list (the same for yargs and the fast path). */
export function asList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

/** Parsed option values (by long name) → the arguments of the run command. */
export function toRunArgs(a: Record<string, unknown>): RunArgs {
  return {
    config: a.config as string,
    only: asList(a.only),
    skip: asList(a.skip),
    connector: (a.connector as string[] | undefined)?.map(String),
    format: asList(a.format) ?? ['console', 'json'],
    out: a.out as string,
    failOn: a['fail-on'] as 'warn' | 'fail',
    send: a.send as boolean,
    resolve: asList(a.resolve),
    timeout: a.timeout as number | undefined,
    deadline: a.deadline as number | undefined,
    concurrency: a.concurrency as number,
    plugin: asList(a.plugin),
    verbose: a.verbose === true,
    ...(a['candidate-cert'] !== undefined ? { candidateCert: String(a['candidate-cert']) } : {}),
  };
}

/**
 * Reads `run` options without yargs, or returns undefined when the line needs yargs (help, an
 * unknown option, a malformed value, anything the two readers might take differently).
 */
export function fastRunArgs(argv: string[]): RunArgs | undefined {
  let send = true;
  let verbose = false;
  const rest: string[] = [];
  for (const arg of argv) {
    if (arg === '--no-send') send = false;
    else if (arg === '--send') send = true;
    else if (arg === '--verbose') verbose = true;
    else rest.push(arg);
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of RUN_OPTIONS) if (o.type !== 'boolean') options[o.name] = { type: 'string', ...(o.alias ? { short: o.alias } : {}), ...(o.list ? { multiple: true } : {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: false, tokens: true });
  } catch {
    return undefined;
  }
  // A value written apart from its option that looks like an option: leave it to yargs.
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option') continue;
    if (!t.inlineValue && typeof t.value === 'string' && t.value.startsWith('-')) return undefined;
    // "-c=x" and "-cx" read differently in the two parsers: only "-c x" takes the fast path.
    if (t.inlineValue && !t.rawName.startsWith('--')) return undefined;
  }
  const values: Record<string, unknown> = { send, verbose };
  for (const o of RUN_OPTIONS) {
    if (o.type === 'boolean') continue;
    const raw = parsed.values[o.name] as string | string[] | undefined;
    if (raw === undefined) {
      values[o.name] = o.default;
      continue;
    }
    if (o.type === 'number') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) return undefined; // yargs words the error
      values[o.name] = n;
    } else if (o.choices && !o.choices.includes(raw as string)) return undefined;
    else values[o.name] = raw;
  }
  return toRunArgs(values);
}
