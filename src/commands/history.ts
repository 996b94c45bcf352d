// `relaycheck history`: the runs recorded in the local store, newest first — all plans, or the
// runs of one plan (-c). The plan is only read for its domain and `store:`; its secrets are not
// resolved, so the history can be read where the credentials are not set.
import { existsSync } from 'node:fs';
import { ReadFileError, readTextFile } from '../fs/read.js';
import { dirname, resolve } from 'node:path';
import Table from 'cli-table3';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { forTerminal } from '../report/sanitize.js';
import { defaultStorePath, openStore, storeError } from '../store/db.js';
import { listRuns, planIdentity, type StoredRun } from '../store/history.js';
import type { Io } from './run.js';

export interface HistoryArgs {
  /** a plan file: only its runs, and its `store:` */
  config?: string;
  /** the store file (wins over the plan's store: and --out) */
  store?: string;
  /** the folder runs wrote to (the store is <out>/relaycheck.sqlite), default reports */
  out: string;
  limit: number;
  format: 'table' | 'json';
}

interface PlanBasics {
  key: string;
  file: string;
  store?: string;
}

function readPlanBasics(file: string): PlanBasics {
  let data: unknown;
  try {
    data = parse(readTextFile(file, 'plan'));
  } catch (err) {
    throw new UsageError([{ file, message: `cannot read the plan: ${err instanceof ReadFileError ? err.reason : (err as Error).message.split('\n')[0]}` }]);
  }
  const raw = data as { domain?: unknown; store?: unknown } | null;
  if (!raw || typeof raw !== 'object' || typeof raw.domain !== 'string') throw new UsageError([{ file, path: 'domain', message: 'the plan names no domain' }]);
  const id = planIdentity(file, raw.domain);
  return { ...id, store: typeof raw.store === 'string' && raw.store ? resolve(dirname(id.file), raw.store) : undefined };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function asTable(runs: StoredRun[], showPlan: boolean): string {
  const head = ['Run', 'Started (UTC)', 'Duration', 'Verdict', 'Pass', 'Warn', 'Fail', 'Error', 'Skip', 'Changes', ...(showPlan ? ['Plan'] : [])];
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const r of runs) {
    table.push([
      String(r.id),
      r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ''),
      seconds(r.durationMs),
      `${r.verdict.toUpperCase()}${r.partial ? ' (partial)' : ''}`,
      r.summary.pass,
      r.summary.warn,
      r.summary.fail,
      r.summary.error,
      r.summary.skipped,
      r.changes,
      ...(showPlan ? [forTerminal(r.planFile, 60)] : []),
    ]);
  }
  return `${table.toString()}\n`;
}

export function historyCommand(args: HistoryArgs, io: Io): number {
  if (!Number.isInteger(args.limit) || args.limit < 1) throw new UsageError([{ path: '--limit', message: 'must be a whole number of at least 1' }]);
  const plan = args.config ? readPlanBasics(args.config) : undefined;
  const file = args.store ?? plan?.store ?? defaultStorePath(args.out);
  if (!existsSync(file)) {
    if (args.format === 'json') io.stdout('[]\n');
    else io.stdout(`No runs recorded yet: ${file} does not exist.\n`);
    return 0;
  }
  let runs: StoredRun[];
  try {
    const db = openStore(file);
    try {
      runs = listRuns(db, { planKey: plan?.key, limit: args.limit });
    } finally {
      db.close();
    }
  } catch (err) {
    // A damaged page shows up only when a query reaches it (SQLITE_CORRUPT): the same clear words.
    throw new UsageError(storeError(file, err).message);
  }
  if (args.format === 'json') {
    io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
    return 0;
  }
  if (!runs.length) {
    io.stdout(plan ? `No runs of ${plan.file} are recorded in ${file}.\n` : `No runs recorded yet in ${file}.\n`);
    return 0;
  }
  io.stdout(`${plan ? `Runs of ${forTerminal(plan.file, 200)}` : 'Runs'} recorded in ${forTerminal(file, 200)}, newest first:\n`);
  io.stdout(asTable(runs, !plan));
  return 0;
}
