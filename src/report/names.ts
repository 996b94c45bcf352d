// Report file names that cannot collide: the plan's file name and a short hash of its absolute
// path (two plans called relaycheck.yaml in different folders stay apart), then the run's UTC
// start with milliseconds. Files are created exclusively: a clash (two runs of one plan in the
// same millisecond) takes the next free name, never another run's file. A stable
// `…-latest.<ext>` copy per plan serves ticket automation.
//
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { createExclusive, writeFileAtomic } from '../fs/write.js';

/** "relaycheck-<plan name>-<6 hex>": what every report of one plan starts with. */
export function planStem(planFile: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, String(planFile));
  const name = basename(abs, extname(abs)).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'plan';
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 6);
  return `relaycheck-${name}-${hash}`;
}

/** 2026-11-27T02:00:00.123Z → 20261127T020000.123Z (ISO 8601 basic format, UTC, milliseconds) */
export function stampWithMs(iso: string): string {
  const d = Number.isNaN(Date.parse(iso)) ? new Date() : new Date(iso);
  return d.toISOString().replace(/[-:]/g, '');
}

export interface ReportFile {
  extension: string;
  text: string;
}

/** Writes a file: `exclusive` creates it and fails with EEXIST when it exists (never follows a
 *  link), `replace` swaps it in whole through a temporary file and a rename (src/fs/write.ts). */
export function writeReportFile(file: string, text: string, mode: 'exclusive' | 'replace'): void {
  if (mode === 'exclusive') createExclusive(file, text);
  else writeFileAtomic(file, text);
}

/**
 * Writes one run's report set (every format under one name) exclusively, taking the next free
 * name (…-2, …-3) when one of them exists, then (for a run, not a re-render) refreshes the
 * plan's -latest copies.
 * Returns the paths of the run's own files.
 */
/** More than one file of a report set could not be written; each error names its file. */
export class ReportSetError extends Error {
  readonly errors: readonly unknown[];
  constructor(errors: readonly unknown[]) {
    super(errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
    this.name = 'ReportSetError';
    this.errors = errors;
  }
}

export function writeReportSet(out: string, planFile: string, startedAt: string, files: ReportFile[], options: { latest?: boolean } = { latest: true }): string[] {
  if (files.length === 0) return [];
  const stem = `${planStem(planFile)}-${stampWithMs(startedAt)}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? stem : `${stem}-${n}`;
    const written: string[] = [];
    const failed: unknown[] = [];
    // Every file of the set is tried, so that each one that cannot be written is named (a full
    // disk); a set with any failure is removed whole.
    for (const f of files) {
      const path = join(out, `${name}.${f.extension}`);
      try {
        writeReportFile(path, f.text, 'exclusive');
        written.push(path);
      } catch (err) {
        failed.push(err);
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') break;
      }
    }
    if (failed.length > 0) {
      for (const w of written) rmSync(w, { force: true });
      if (failed.some((err) => (err as NodeJS.ErrnoException).code === 'EEXIST') && n < 1000) continue;
      if (failed.length === 1) throw failed[0];
      throw new ReportSetError(failed);
    }
    if (options.latest) for (const f of files) writeReportFile(join(out, `${planStem(planFile)}-latest.${f.extension}`), f.text, 'replace');
    return written;
  }
}
