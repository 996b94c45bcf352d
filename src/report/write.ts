// Writes a run's reports: files named relaycheck-<UTC stamp>.<ext> in the output folder, or one
// format to stdout with `--out -`. The console and nagios formats always go to stdout; the
// prometheus file has a stable name (relaycheck.prom) for textfile collectors. Files are written
// atomically.
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { formatByName, FORMATS, type RenderContext } from './formats.js';
import type { RunReport } from '../types.js';

export function parseFormats(list: string[]): string[] {
  const names = [...new Set(list.flatMap((f) => f.split(',')).map((f) => f.trim().toLowerCase()).filter(Boolean))];
  for (const n of names) {
    if (!formatByName(n)) throw new UsageError([{ path: '--format', message: `unknown format "${n}" (choose from ${FORMATS.map((f) => f.name).join(', ')})` }]);
  }
  return names;
}

/** 2026-11-27T02:00:00.000Z → 20261127T020000Z */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Writes a file whole or not at all: a temporary file in the same folder, then a rename, so a
 * reader (a textfile collector, a web server) never sees half a report. The temporary name does
 * not end in the report's extension, so collectors that glob *.prom ignore it.
 */
export function writeAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export interface WriteResult {
  files: string[];
  stdout: string;
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
  if (out === '-' || !formats.some((name) => name !== 'console' && !formatByName(name)?.stdout)) return;
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

export function writeReports(report: RunReport, formats: string[], out: string, ctx: RenderContext): WriteResult {
  checkOutput(formats, out);
  if (out === '-') {
    return { files: [], stdout: formatByName(formats[0])!.render(report, ctx) };
  }
  let stdout = '';
  const files: string[] = [];
  const stamp = fileStamp(report.startedAt);
  for (const name of formats) {
    const format = formatByName(name)!;
    if (name === 'console' || format.stdout) {
      stdout += format.render(report, name === 'console' ? ctx : { ...ctx, color: false });
      continue;
    }
    mkdirSync(out, { recursive: true });
    const file = join(out, format.fileName ?? `relaycheck-${stamp}.${format.extension}`);
    writeAtomic(file, format.render(report, { ...ctx, color: false }));
    files.push(file);
  }
  return { files, stdout };
}
