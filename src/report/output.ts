// What the command line needs to know about report formats before anything runs: their names,
// which go to stdout, and whether the output folder can take them. Kept apart from the renderers
// (src/report/formats.ts) so that start-up loads no renderer; a test keeps the two in step.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';

export interface FormatInfo {
  name: string;
  extension: string;
  /** always printed to stdout, like the console (a monitoring plugin's status line) */
  stdout?: boolean;
  /** a stable file name instead of relaycheck-<stamp>.<ext> (replaced atomically at each run) */
  fileName?: (domain: string) => string;
}

/**
 * The textfile collector reads every *.prom file of its folder: one stable name per plan domain,
 * so two plans writing to the same folder do not replace each other's metrics.
 */
export function prometheusFileName(domain: string): string {
  return `relaycheck-${domain.toLowerCase().replace(/[^a-z0-9.-]/g, '_')}.prom`;
}

export const FORMAT_INFO: FormatInfo[] = [
  { name: 'console', extension: 'txt', stdout: true },
  { name: 'json', extension: 'json' },
  { name: 'html', extension: 'html' },
  { name: 'junit', extension: 'xml' },
  { name: 'nagios', extension: 'txt', stdout: true },
  { name: 'prometheus', extension: 'prom', fileName: prometheusFileName },
];

export const FORMAT_NAMES = FORMAT_INFO.map((f) => f.name);

export function formatInfo(name: string): FormatInfo | undefined {
  return FORMAT_INFO.find((f) => f.name === name);
}

export function parseFormats(list: string[]): string[] {
  const names = [...new Set(list.flatMap((f) => f.split(',')).map((f) => f.trim().toLowerCase()).filter(Boolean))];
  for (const n of names) {
    if (!formatInfo(n)) throw new UsageError([{ path: '--format', message: `unknown format "${n}" (choose from ${FORMAT_NAMES.join(', ')})` }]);
  }
  return names;
}

/** `--out -` takes exactly one format: checked before anything is probed. */
export function checkOutput(formats: string[], out: string): void {
  if (out === '-' && formats.length !== 1) throw new UsageError([{ path: '--out', message: `"-" writes a single format to stdout; ${formats.length} were asked for (${formats.join(', ')})` }]);
}

/**
 * The report folder must exist (it is created) and be writable before anything is probed: a
 * nightly run must not probe for minutes and then lose its report to a typo in --out.
 */
export function prepareOutputFolder(formats: string[], out: string): void {
  if (out === '-' || !formats.some((name) => !formatInfo(name)?.stdout)) return;
  try {
    mkdirSync(out, { recursive: true });
    if (!statSync(out).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(out, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'it (or a part of its path) is a file, not a folder' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable' : (code ?? String((err as Error).message));
    throw new UsageError([{ path: '--out', message: `cannot write reports to ${out}: ${why}` }]);
  }
}
