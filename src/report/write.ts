// Writes a run's reports: files named relaycheck-<plan>-<hash>-<UTC stamp>.<ext> (names.ts) in the output folder, or one
// format to stdout with `--out -`. The console and nagios formats always go to stdout; the
// prometheus file has a stable name per domain (relaycheck-<domain>.prom) for textfile collectors. Files are written
// atomically, through temporary files of our own (never through a link planted in --out).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WriteFileError, writeFileAtomic } from '../fs/write.js';
import { formatByName, type RenderContext } from './formats.js';
import { checkOutput } from './output.js';
import { ReportSetError, writeReportSet, type ReportFile } from './names.js';
import type { RunReport } from '../types.js';

/** 2026-11-27T02:00:00.000Z → 20261127T020000Z */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Reports are written whole or not at all, never through a link (src/fs/write.ts). */
export const writeAtomic = writeFileAtomic;

export interface WriteResult {
  files: string[];
  stdout: string;
  /** report files that could not be written (disk full, permissions): each error names its file */
  errors: WriteFileError[];
}

export function writeReports(report: RunReport, formats: string[], out: string, ctx: RenderContext, options: { latest?: boolean } = {}): WriteResult {
  checkOutput(formats, out);
  if (out === '-') {
    return { files: [], stdout: formatByName(formats[0])!.render(report, ctx), errors: [] };
  }
  let stdout = '';
  const files: string[] = [];
  const set: ReportFile[] = [];
  const errors: WriteFileError[] = [];
  // One file that cannot be written (a full disk) does not keep the others from being tried.
  const attempt = (write: () => void) => {
    try {
      write();
    } catch (err) {
      const each = err instanceof ReportSetError ? err.errors : [err];
      for (const e of each) if (!(e instanceof WriteFileError)) throw e;
      errors.push(...(each as WriteFileError[]));
    }
  };
  for (const name of formats) {
    const format = formatByName(name)!;
    if (format.stdout) {
      stdout += format.render(report, name === 'console' ? ctx : { ...ctx, color: false });
      continue;
    }
    mkdirSync(out, { recursive: true });
    if (format.fileName) {
      const file = join(out, format.fileName(report.plan.domain));
      attempt(() => {
        writeFileAtomic(file, format.render(report, { ...ctx, color: false }));
        files.push(file);
      });
    } else {
      set.push({ extension: format.extension, text: format.render(report, { ...ctx, color: false }) });
    }
  }
  // relaycheck-<plan>-<hash>-<stamp>.<ext>, created exclusively, and the plan's -latest copies (names.ts)
  attempt(() => files.unshift(...writeReportSet(out, String(report.plan?.file ?? 'plan'), String(report.startedAt), set, options)));
  return { files, stdout, errors };
}
