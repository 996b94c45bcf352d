// Work done on a finished report before it is written: recording the run in the local store and
// computing what changed since the previous run of the same plan (history and drift).
//
// A store that cannot be used (damaged, locked, read-only disk) never costs the run: the reports
// are written anyway, with `report.history.storeError` saying why this run is not in the history
// (every format shows it) and one line on stderr, so cron mails it.
import { openStore, storeError, storePathFor } from '../store/db.js';
import { planIdentityOf, recordRun } from '../store/history.js';
import type { Plan, RunReport } from '../types.js';

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
