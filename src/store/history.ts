// Run history and drift: every run's summary and results go into the local store, and each run
// says what changed since the previous run of the same plan — new failures, fixed ones, a
// certificate that changed (renewal: new fingerprint, new expiry), a new TLS version.
//
// "The same plan" is the plan file's absolute path plus its domain, not a hash of its entries:
// the nightly job should see drift across edits of the plan (a connector added, a password
// rotated), which a content hash would hide by starting a new history at every edit. A run is
// compared with the last *complete* run (not interrupted, deadline not hit) of that plan with the
// same selection (--only / --skip / --connector), so an ad-hoc `--only tls` run neither becomes
// the nightly baseline nor reports every other check as new.
import { resolve } from 'node:path';
import type { Db } from './db.js';
import {
  certificateOf,
  certificateSlot,
  endpointCertificates,
  isFailing,
  placeOf,
  shortFingerprint,
  STATUS_LABEL,
  statusOf,
  tlsVersionOf,
  evidenceString,
} from '../results/evidence.js';
import type { ChangeEntry, CheckResult, Plan, RunReport, Status, Summary } from '../types.js';

export interface PlanIdentity {
  /** "<absolute plan path>#<domain>" */
  key: string;
  /** absolute path of the plan file */
  file: string;
}

export function planIdentity(planFile: string, domain: string, cwd = process.cwd()): PlanIdentity {
  const file = resolve(cwd, planFile);
  return { key: `${file}#${domain.toLowerCase()}`, file };
}

export function planIdentityOf(plan: Pick<Plan, 'file' | 'domain'>): PlanIdentity {
  return planIdentity(plan.file, plan.domain);
}

/** The run's selection as a stable string: runs compare only with runs that tested the same things. */
export function selectionOf(report: Pick<RunReport, 'options'>): string {
  const norm = (xs?: string[]) => [...new Set((xs ?? []).map((x) => x.toLowerCase()))].sort();
  const o = report.options ?? { send: true };
  return JSON.stringify({ only: norm(o.only), skip: norm(o.skip), connectors: norm(o.connectors) });
}

function isPartial(report: RunReport): boolean {
  return Boolean(report.options?.interrupted || report.options?.deadlineHit);
}

export interface StoredRun {
  id: number;
  planKey: string;
  planFile: string;
  startedAt: string;
  durationMs: number;
  verdict: Status;
  summary: Summary;
  changes: number;
  partial: boolean;
}

interface RunRow {
  id: number;
  plan_key: string;
  plan_file: string;
  started_at: string;
  duration_ms: number;
  verdict: string;
  summary: string;
  changes: number;
  partial: number;
}

function toStoredRun(row: RunRow): StoredRun {
  let summary: Summary;
  try {
    summary = JSON.parse(row.summary) as Summary;
  } catch {
    summary = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  }
  return {
    id: row.id,
    planKey: row.plan_key,
    planFile: row.plan_file,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    verdict: statusOf(row.verdict),
    summary,
    changes: row.changes,
    partial: row.partial === 1,
  };
}

/** The last complete run of this plan and selection, with its report. */
export function previousRun(db: Db, planKey: string, selection: string): { run: StoredRun; report: RunReport } | undefined {
  const row = db
    .prepare(
      `SELECT id, plan_key, plan_file, started_at, duration_ms, verdict, summary, changes, partial, report
         FROM runs WHERE plan_key = ? AND selection = ? AND partial = 0 ORDER BY id DESC LIMIT 1`,
    )
    .get(planKey, selection) as (RunRow & { report: string }) | undefined;
  if (!row) return undefined;
  try {
    return { run: toStoredRun(row), report: JSON.parse(row.report) as RunReport };
  } catch {
    return undefined; // an unreadable baseline is no baseline
  }
}

export interface ListOptions {
  planKey?: string;
  limit?: number;
}

/** Past runs, newest first. */
export function listRuns(db: Db, options: ListOptions = {}): StoredRun[] {
  const limit = Math.max(1, Math.min(options.limit ?? 20, 100_000));
  const cols = 'id, plan_key, plan_file, started_at, duration_ms, verdict, summary, changes, partial';
  const rows = options.planKey
    ? db.prepare(`SELECT ${cols} FROM runs WHERE plan_key = ? ORDER BY id DESC LIMIT ?`).all(options.planKey, limit)
    : db.prepare(`SELECT ${cols} FROM runs ORDER BY id DESC LIMIT ?`).all(limit);
  return (rows as RunRow[]).map(toStoredRun);
}

/**
 * Records a finished run and returns the report with `changes` (against the previous run of the
 * same plan and selection) and `history`. Throws on store errors; the caller decides (hooks.ts).
 */
export function recordRun(db: Db, report: RunReport, plan: PlanIdentity): RunReport {
  const selection = selectionOf(report);
  const previous = previousRun(db, plan.key, selection);
  const out: RunReport = previous
    ? { ...report, changes: computeChanges(previous.report, report), history: { previous: { startedAt: previous.run.startedAt, verdict: previous.run.verdict } } }
    : { ...report, history: {} };
  const insertRun = db.prepare(
    `INSERT INTO runs (plan_key, plan_file, started_at, duration_ms, verdict, summary, report, selection, partial, changes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertResult = db.prepare(
    `INSERT INTO run_results (run_id, check_id, connector, endpoint, status, message, cert_sha256, tls_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Retention: summaries and per-result rows stay for trends; the whole JSON report (tens to
  // hundreds of KB) only for the newest runs of each plan and selection — a nightly job would
  // otherwise grow the store by tens of MB a year. A baseline is always among the kept ones.
  const pruneReports = db.prepare(
    `UPDATE runs SET report = '' WHERE plan_key = ? AND selection = ? AND report != ''
       AND id NOT IN (SELECT id FROM runs WHERE plan_key = ? AND selection = ? ORDER BY id DESC LIMIT ?)`,
  );
  db.transaction(() => {
    const info = insertRun.run(
      plan.key,
      plan.file,
      out.startedAt,
      Math.round(out.durationMs),
      out.verdict,
      JSON.stringify(out.summary),
      JSON.stringify(out),
      selection,
      isPartial(out) ? 1 : 0,
      out.changes?.length ?? 0,
    );
    for (const r of out.results) {
      insertResult.run(info.lastInsertRowid, r.check, r.connector ?? null, r.endpoint ?? null, r.status, r.message, evidenceString(r, 'certSha256') ?? null, tlsVersionOf(r) ?? null);
    }
    pruneReports.run(plan.key, selection, plan.key, selection, KEEP_FULL_REPORTS);
  }).immediate();
  return out;
}

// ─── Drift ──────────────────────────────────────────────────────────────────────────────────

const MESSAGE_MAX = 200;

/** How many whole JSON reports the store keeps per plan and selection (older runs keep their summary and results). */
export const KEEP_FULL_REPORTS = 60;

function clip(text: string, max = MESSAGE_MAX): string {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function resultKeys(results: CheckResult[]): Map<string, CheckResult> {
  const map = new Map<string, CheckResult>();
  for (const r of results) {
    const base = `${r.check}\u0000${r.connector ?? ''}\u0000${r.endpoint ?? ''}`;
    let key = base;
    for (let n = 2; map.has(key); n++) key = `${base}\u0000${n}`;
    map.set(key, r);
  }
  return map;
}

function where(r: CheckResult): Pick<ChangeEntry, 'check' | 'connector' | 'endpoint'> {
  return { check: r.check, connector: r.connector ?? null, endpoint: r.endpoint ?? null };
}

function day(iso: string | undefined): string {
  return iso && !Number.isNaN(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 10) : 'unknown';
}

/** What changed between two runs of the same plan, most important first. */
export function computeChanges(previous: RunReport, current: RunReport): ChangeEntry[] {
  const newFailures: ChangeEntry[] = [];
  const statusChanges: ChangeEntry[] = [];
  const fixed: ChangeEntry[] = [];
  const before = resultKeys(previous.results ?? []);
  for (const [key, r] of resultKeys(current.results)) {
    const now = statusOf(r.status);
    if (now === 'skipped') continue; // not tested this time: nothing to say
    const p = before.get(key);
    const was: Status | undefined = p && statusOf(p.status) !== 'skipped' ? statusOf(p.status) : undefined;
    if (was === now) continue;
    const label = `${r.check} at ${placeOf(r)}`;
    const wasText = was ? STATUS_LABEL[was] : 'not tested before';
    if (isFailing(now) && (!was || !isFailing(was))) {
      newFailures.push({ kind: 'new-failure', ...where(r), message: `${label} is now ${STATUS_LABEL[now]} (was ${wasText}): ${clip(r.message)}` });
    } else if (now === 'pass' && was) {
      fixed.push({ kind: 'fixed', ...where(r), message: `${label} passes again (was ${wasText})` });
    } else if (was || now !== 'pass') {
      statusChanges.push({ kind: 'status-changed', ...where(r), message: `${label} is now ${STATUS_LABEL[now]} (was ${wasText}): ${clip(r.message)}` });
    }
  }
  return [...newFailures, ...certificateChanges(previous, current), ...tlsVersionChanges(previous, current), ...statusChanges, ...fixed];
}

function certificateChanges(previous: RunReport, current: RunReport): ChangeEntry[] {
  const old = new Map(endpointCertificates(previous).map((c) => [certificateSlot(c), c]));
  const out: ChangeEntry[] = [];
  for (const c of endpointCertificates(current)) {
    const o = old.get(certificateSlot(c));
    if (!o || o.sha256 === c.sha256) continue;
    const was = certificateOf(previous, o.sha256);
    const now = certificateOf(current, c.sha256);
    const whose = c.role === 'client' ? `The client certificate relaycheck presents for ${c.connector ?? c.where}` : `The certificate of ${c.where}`;
    const expiry = was?.notAfter !== now?.notAfter ? `; expires ${day(now?.notAfter)} (was ${day(was?.notAfter)})` : `; expiry unchanged (${day(now?.notAfter)})`;
    const subject = was && now && was.subject !== now.subject ? `; subject ${clip(now.subject, 80)} (was ${clip(was.subject, 80)})` : '';
    out.push({
      kind: 'certificate-changed',
      connector: c.connector,
      endpoint: c.endpoint,
      message: `${whose} changed: SHA-256 ${shortFingerprint(c.sha256)} (was ${shortFingerprint(o.sha256)})${expiry}${subject}`,
    });
  }
  return out;
}

function versionsByEndpoint(report: RunReport): Map<string, { version: string; connector: string | null }> {
  const out = new Map<string, { version: string; connector: string | null }>();
  for (const r of report.results ?? []) {
    const v = tlsVersionOf(r);
    if (v && typeof r.endpoint === 'string' && !out.has(r.endpoint)) out.set(r.endpoint, { version: v, connector: r.connector ?? null });
  }
  return out;
}

function tlsVersionChanges(previous: RunReport, current: RunReport): ChangeEntry[] {
  const old = versionsByEndpoint(previous);
  const out: ChangeEntry[] = [];
  for (const [endpoint, { version, connector }] of versionsByEndpoint(current)) {
    const was = old.get(endpoint)?.version;
    if (!was || was === version) continue;
    out.push({ kind: 'tls-version-changed', connector, endpoint, message: `${endpoint} now negotiates ${version} (was ${was})` });
  }
  return out;
}
