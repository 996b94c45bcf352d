// Work done on a finished report: recording the run in the local store and computing what changed
// since the previous run of the same plan (history and drift), then writing the reports before
// the record is committed, so that a full disk costs the history, never the report.
//
// A store that cannot be used (damaged, locked, read-only disk) never costs the run: the reports
// are written anyway, with `report.history.storeError` saying why this run is not in the history
// (every format shows it) and one line on stderr, so cron mails it.
import { existsSync, rmSync } from 'node:fs';
import { openStore, storeError, storePathFor, type Db } from '../store/db.js';
import { planIdentityOf, recordRun } from '../store/history.js';
import { writeReports, type WriteResult } from '../report/write.js';
import type { RenderContext } from '../report/formats.js';
import type { Plan, RunReport } from '../types.js';

export interface PendingRecord {
  /** the report with `changes` and `history` (or `history.storeError`) */
  report: RunReport;
  /** makes the record permanent; a failure (a full disk) is one line on stderr, never an exception */
  commit(): void;
}

/**
 * Records the run in a transaction that stays open until `commit()`: the caller writes the
 * reports first, so a store that fills the disk cannot cost the run its report. The rows wait in
 * SQLite's page cache; a commit that finds the disk full rolls back, and closing the store
 * leaves no -wal or -shm file behind.
 */
export function openRunRecord(report: RunReport, plan: Plan, outDir: string, warn: (text: string) => void = (t) => void process.stderr.write(t)): PendingRecord {
  const file = storePathFor(plan, outDir);
  // A store this run creates holds nothing but its schema until the commit: when the commit
  // fails, it goes with its -wal and -shm (on a full disk SQLite cannot fold the WAL back in).
  const created = !existsSync(file);
  let db: Db | undefined;
  const close = () => {
    try {
      if (db?.inTransaction) db.exec('ROLLBACK');
    } catch {
      // SQLite may have rolled back on its own (SQLITE_FULL at COMMIT)
    }
    db?.close();
  };
  const discardNewStore = () => {
    if (created) for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
  };
  try {
    db = openStore(file);
    db.exec('BEGIN IMMEDIATE');
    const recorded = recordRun(db, report, planIdentityOf(plan));
    return {
      report: recorded,
      commit: () => {
        try {
          db!.exec('COMMIT');
        } catch (err) {
          warn(`relaycheck: ${storeError(file, err).message} — this run was not recorded (its report was written)\n`);
          close();
          discardNewStore();
          return;
        }
        close();
      },
    };
  } catch (err) {
    try {
      close();
      discardNewStore();
    } catch {
      // the store could not even be opened
    }
    const note = `${storeError(file, err).message} — this run was not recorded and what changed since the last run is unknown`;
    warn(`relaycheck: ${note}\n`);
    return { report: { ...report, history: { storeError: note } }, commit: () => undefined };
  }
}

/**
 * The end of a run: record it (pending), write the reports, then commit the record. Returns the
 * report as written (with history) and what was written.
 */
export function recordAndWrite(report: RunReport, plan: Plan, formats: string[], outDir: string, ctx: RenderContext, warn: (text: string) => void, options: { latest?: boolean } = {}): { report: RunReport; written: WriteResult } {
  const record = openRunRecord(report, plan, outDir, warn);
  const written = writeReports(record.report, formats, outDir, ctx, options);
  record.commit();
  return { report: record.report, written };
}

export async function afterRunHooks(
  report: RunReport,
  plan: Plan,
  outDir: string,
  warn: (text: string) => void = (t) => void process.stderr.write(t),
): Promise<RunReport> {
  const file = storePathFor(plan, outDir);
  try {
    const db = openStore(file);
    try {
      return recordRun(db, report, planIdentityOf(plan));
    } finally {
      db.close();
    }
  } catch (err) {
    const note = `${storeError(file, err).message} — this run was not recorded and what changed since the last run is unknown`;
    warn(`relaycheck: ${note}\n`);
    return { ...report, history: { storeError: note } };
  }
}
