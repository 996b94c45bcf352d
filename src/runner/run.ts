// The runner: selects checks, plans only the probes they need (one task per probe and subject
// key, so one SMTP session feeds every check of an endpoint), runs the probes concurrently under
// a bound and a deadline, evaluates the checks and builds the RunReport.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import { createLimiter } from './limit.js';
import { entriesOf, notTestedReason, subjectLabels, subjectOrder, subjectsFor } from './subjects.js';
import { redactDeep } from '../report/redact.js';
import { countStatuses, worstStatus } from '../status.js';
import { ms } from '../check-kit/session.js';
import { applyPrerequisites, prerequisitesOf, type Outcome } from './prerequisites.js';
import { TOOL_VERSION } from '../version.js';
import {
  STATUS_RANK,
  type CertificateSummary,
  type CheckDefinition,
  type CheckResult,
  type Finding,
  type Plan,
  type ProbeContext,
  type ProbeDefinition,
  type ProbeFailure,
  type RunReport,
  type Status,
  type Subject,
  type Timeouts,
  type TranscriptLine,
} from '../types.js';

export interface Registry {
  checks: CheckDefinition[];
  probes: ProbeDefinition[];
}

export interface RunOptions {
  only?: string[];
  skip?: string[];
  connectors?: string[];
  send: boolean;
  timeouts: Timeouts;
  concurrency: number;
  now?: () => Date;
  /** aborting it (Ctrl-C) ends the run with a partial report */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, label: string) => void;
  /** state probes share for the run (the store, caches); tests inject their own */
  shared?: Map<string, unknown>;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, greetingMs: 20_000, commandMs: 20_000, tlsMs: 15_000, deadlineMs: 300_000 };
export const DEFAULT_CONCURRENCY = 50;
/** An undecided result gets no fix for the thing it could not judge, but what to do about it. */
export const UNDECIDED_REMEDIATION = 'relaycheck could not decide this check: remove what stopped it (named in the message: an unreachable endpoint, a resolver, the deadline), then run again.';
/** The longest delay a Node timer takes: a longer one fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long probes may take to hand back their partial data after the deadline or Ctrl-C. */
export const ABORT_GRACE_MS = 1000;

export function isProbeFailure(value: unknown): value is ProbeFailure {
  return typeof value === 'object' && value !== null && typeof (value as ProbeFailure).probeError === 'string';
}

/** "tls" and "tls.*" select a whole area; exact ids select one check. */
export function matchesSelector(id: string, selector: string): boolean {
  const s = selector.replace(/\.\*$/, '');
  return id === s || id.startsWith(`${s}.`);
}

export function selectChecks(checks: CheckDefinition[], only: string[] = [], skip: string[] = []): CheckDefinition[] {
  for (const sel of [...only, ...skip]) {
    if (!checks.some((c) => matchesSelector(c.id, sel))) {
      throw new UsageError([{ path: only.includes(sel) ? '--only' : '--skip', message: `no check matches "${sel}" (see "relaycheck checks")` }]);
    }
  }
  return checks.filter((c) => (only.length === 0 || only.some((s) => matchesSelector(c.id, s))) && !skip.some((s) => matchesSelector(c.id, s)));
}

/** --connector NAME: keep only those plan entries (connectors or submission accounts). */
export function narrowPlan(plan: Plan, names: string[] = []): Plan {
  if (names.length === 0) return plan;
  const known = entriesOf(plan).map((e) => e.name.toLowerCase());
  for (const n of names) {
    if (!known.includes(n.toLowerCase())) throw new UsageError([{ path: '--connector', message: `no connector or submission account is named "${n}" (the plan has: ${entriesOf(plan).map((e) => e.name).join(', ')})` }]);
  }
  const keep = (name: string) => names.some((n) => n.toLowerCase() === name.toLowerCase());
  return { ...plan, connectors: plan.connectors.filter((c) => keep(c.name)), submission: plan.submission.filter((s) => keep(s.name)) };
}

interface Job {
  check: CheckDefinition;
  subject: Subject;
  probeKeys: Record<string, string>; // probe id → task key
  /** set for a subject that is not tested (a disabled connector): the check is skipped, no probe runs */
  notTested?: string;
  /** a prerequisite of a selected check that was not selected itself: judged, not reported */
  hidden: boolean;
}

export async function runPlan(plan: Plan, registry: Registry, options: RunOptions): Promise<RunReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const checks = selectChecks(registry.checks, options.only, options.skip);
  const probesById = new Map(registry.probes.map((p) => [p.id, p]));

  // Plan the work: which (check, subject) pairs, and which probe tasks they need.
  const jobs: Job[] = [];
  const tasks = new Map<string, { probe: ProbeDefinition; subject: Subject; deps: Record<string, string> }>();
  const planTask = (probeId: string, subject: Subject, chain: string[]): string => {
    const probe = probesById.get(probeId);
    if (!probe) throw new UsageError(`check needs probe "${probeId}", which no module provides`);
    if (chain.includes(probeId)) throw new UsageError(`probe dependency cycle: ${[...chain, probeId].join(' → ')}`);
    const key = `${probeId}|${probe.key(subject)}`;
    if (!tasks.has(key)) {
      const deps: Record<string, string> = {};
      for (const dep of probe.after ?? []) deps[dep] = planTask(dep, subject, [...chain, probeId]);
      tasks.set(key, { probe, subject, deps });
    }
    return key;
  };
  // One set of subject objects per scope: every check of an endpoint gets the same subject, so
  // what checks work out per subject (certificate context, endpoint policy) is worked out once.
  const subjectsByScope = new Map<Subject['scope'], Subject[]>();
  const subjectsOf = (scope: Subject['scope']) => {
    let list = subjectsByScope.get(scope);
    if (!list) subjectsByScope.set(scope, (list = subjectsFor(scope, plan)));
    return list;
  };
  for (const { check, hidden } of withPrerequisites(checks, registry.checks)) {
    for (const subject of subjectsOf(check.scope)) {
      if (check.appliesTo && !safeAppliesTo(check, subject, plan)) continue;
      const notTested = notTestedReason(subject);
      if (notTested) {
        jobs.push({ check, subject, probeKeys: {}, notTested, hidden });
        continue;
      }
      const probeKeys: Record<string, string> = {};
      for (const id of check.requires) probeKeys[id] = planTask(id, subject, []);
      jobs.push({ check, subject, probeKeys, hidden });
    }
  }

  // Run the probes: bounded concurrency, dependencies first, one deadline for everything.
  const deadline = new AbortController();
  // The deadline timer holds the process open (it is cleared when the run ends): a probe that
  // never settles and holds nothing open still ends in a report, not in an empty event loop.
  const timer = setTimeout(() => deadline.abort(new Error('deadline')), Math.min(options.timeouts.deadlineMs, MAX_TIMER_MS));
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  const shared = options.shared ?? new Map<string, unknown>();
  const runToken = randomBytes(6).toString('hex');
  const limit = createLimiter(Math.max(1, options.concurrency));
  const outcomes = new Map<string, Promise<unknown>>();
  let done = 0;
  let firstProbeStarted = false;
  const total = tasks.size;

  // When the deadline passes or the user presses Ctrl-C, probes see ctx.signal and return what
  // they have (a session's transcript up to where it hung is the most useful part of a partial
  // report). A probe that does not return within the grace period is given up on.
  const aborted = new Promise<ProbeFailure>((resolve) => {
    const onAbort = () => setTimeout(() => resolve({ probeError: abortText(options) }), ABORT_GRACE_MS);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });

  const start = (key: string): Promise<unknown> => {
    const existing = outcomes.get(key);
    if (existing) return existing;
    const task = tasks.get(key)!;
    const promise = (async () => {
      const depData: Record<string, unknown> = {};
      for (const [id, depKey] of Object.entries(task.deps)) {
        depData[id] = await start(depKey);
        if (isProbeFailure(depData[id])) return { probeError: `needs ${id}, which failed: ${(depData[id] as ProbeFailure).probeError}` };
      }
      if (signal.aborted) return { probeError: abortText(options) };
      return limit(async () => {
        if (signal.aborted) return { probeError: abortText(options) };
        if (!firstProbeStarted) {
          firstProbeStarted = true;
          // `npm run bench` reads this to measure start-up time to the first probe.
          if (process.env.RELAYCHECK_TRACE_STARTUP) process.stderr.write(`relaycheck-first-probe-ms=${performance.now().toFixed(1)}\n`);
        }
        const ctx: ProbeContext = { plan, timeouts: options.timeouts, signal, send: options.send, runToken, startedAt, deps: depData, shared };
        const result = await Promise.race([
          task.probe.run(task.subject, ctx).catch((err: unknown): ProbeFailure => ({ probeError: `probe ${task.probe.id} crashed: ${errorText(err)}` })),
          aborted,
        ]);
        done++;
        options.onProgress?.(done, total, progressLabel(task.probe.id, task.subject));
        // Data handed back after an abort may be incomplete: checks get "could not decide", the
        // report still gets the transcript and certificates gathered so far.
        if (signal.aborted && !isProbeFailure(result)) return { probeError: abortText(options), partial: result } satisfies ProbeFailure;
        return result;
      });
    })();
    outcomes.set(key, promise);
    return promise;
  };
  // Each check is evaluated as soon as the probes it needs are done, while other endpoints are
  // still being probed: with hundreds of endpoints the judging fits in the waits for servers.
  const evaluate = (job: Job, probes: Record<string, unknown>): { findings: Finding[]; ms: number } => {
    const t = performance.now();
    if (job.notTested) return { findings: [{ status: 'skipped', message: job.notTested }], ms: 0 };
    const failed = Object.values(probes).find(isProbeFailure);
    if (failed) return { findings: [{ status: 'error', message: `could not decide: ${failed.probeError}` }], ms: performance.now() - t };
    let findings: Finding[];
    try {
      const out = job.check.evaluate({ subject: job.subject, plan, probes, now: startedAt, options: { send: options.send } });
      if (out && typeof (out as unknown as PromiseLike<unknown>).then === 'function') {
        Promise.resolve(out).catch(() => undefined); // its rejection must not end the process
        throw new Error('returned a Promise: evaluate must be synchronous (do I/O in a probe)');
      }
      findings = Array.isArray(out) ? out : [out];
      for (const f of findings) {
        if (!f || !(f.status in STATUS_RANK) || typeof f.message !== 'string') throw new Error(`returned an invalid finding ${JSON.stringify(f)}`);
      }
    } catch (err) {
      findings = [{ status: 'error', message: `check ${job.check.id} threw: ${errorText(err)} (a bug in the check, not in the target)` }];
    }
    return { findings, ms: performance.now() - t };
  };
  const data = new Map<string, unknown>();
  const evaluated = new Map<Job, { findings: Finding[]; ms: number }>();
  await Promise.all([
    ...[...tasks.keys()].map(async (key) => data.set(key, await start(key))),
    ...jobs.map(async (job) => {
      const probes: Record<string, unknown> = {};
      for (const [id, key] of Object.entries(job.probeKeys)) probes[id] = await start(key);
      evaluated.set(job, evaluate(job, probes));
    }),
  ]);
  clearTimeout(timer);

  // Transcripts get short ids (in task order) so results can point at them.
  const transcripts: Record<string, TranscriptLine[]> = {};
  const transcriptIds = new Map<string, string>();
  const certificates: Record<string, CertificateSummary> = {};
  for (const key of tasks.keys()) {
    const raw = data.get(key);
    const value = isProbeFailure(raw) && raw.partial !== undefined ? raw.partial : raw;
    const t = (value as { transcript?: TranscriptLine[] } | undefined)?.transcript;
    if (Array.isArray(t) && t.length) {
      const id = `t${transcriptIds.size + 1}`;
      transcriptIds.set(key, id);
      transcripts[id] = t;
    }
    for (const cert of (value as { certificateSummaries?: CertificateSummary[] } | undefined)?.certificateSummaries ?? []) certificates[cert.sha256] = cert;
  }

  // Root causes first: the dependants of a failed check are not tested (prerequisites.ts).
  const judged = new Map<Job, Outcome>(jobs.map((job) => [job, { checkId: job.check.id, subject: job.subject, findings: evaluated.get(job)!.findings, hidden: job.hidden }]));
  applyPrerequisites([...judged.values()], new Map(registry.checks.map((c) => [c.id, c])));

  const results: (CheckResult & { order: number })[] = [];
  const checkIndex = new Map(checks.map((c, i) => [c, i]));
  for (const job of jobs) {
    if (job.hidden) continue;
    const { ms } = evaluated.get(job)!;
    const { findings } = judged.get(job)!;
    const transcriptId = Object.values(job.probeKeys).map((k) => transcriptIds.get(k)).find(Boolean);
    const labels = subjectLabels(job.subject);
    for (const f of findings) {
      results.push({
        check: job.check.id,
        status: f.status,
        severity: job.check.severity,
        title: (f.status === 'fail' || f.status === 'warn') && job.check.failureTitle ? job.check.failureTitle : job.check.title,
        ...labels,
        message: f.message,
        remediation: f.remediation ?? (f.status === 'pass' || f.status === 'skipped' ? '' : f.status === 'error' ? UNDECIDED_REMEDIATION : job.check.remediation),
        ...(f.exchangeOnline ? { exchangeOnline: f.exchangeOnline } : {}),
        ...(f.powershell ? { powershell: f.powershell } : {}),
        ...(f.evidence || transcriptId ? { evidence: { ...f.evidence, ...(transcriptId ? { transcript: transcriptId } : {}) } } : {}),
        durationMs: Math.round(ms),
        order: subjectOrder(job.subject, plan) * 1e6 + (job.subject.scope === 'endpoint' ? 1000 : 0) + checkIndex.get(job.check)!,
      });
    }
  }
  results.sort((a, b) => a.order - b.order);

  const report: RunReport = {
    schemaVersion: 1,
    tool: { name: 'relaycheck', version: TOOL_VERSION },
    plan: { organization: plan.organization ?? null, domain: plan.domain, file: plan.file },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    verdict: verdictOf(results),
    summary: countStatuses(results.map((r) => r.status)),
    options: {
      send: options.send,
      ...(options.only?.length ? { only: options.only } : {}),
      ...(options.skip?.length ? { skip: options.skip } : {}),
      ...(options.connectors?.length ? { connectors: options.connectors } : {}),
      ...(deadline.signal.aborted ? { deadlineHit: true } : {}),
      ...(options.signal?.aborted ? { interrupted: true } : {}),
    },
    results: results.map(({ order: _order, ...r }) => r),
    transcripts,
    ...(Object.keys(certificates).length ? { certificates } : {}),
  };
  return redactDeep(report, plan.secrets);
}

/** "smtp-session mail.contoso.com:25", "dns contoso.com": what a person reads in the progress line. */
function progressLabel(probeId: string, subject: Subject): string {
  const { connector, endpoint } = subjectLabels(subject);
  const what = endpoint ?? (subject.scope === 'domain' ? subject.domain : connector);
  return what ? `${probeId} ${what}` : probeId;
}

/** The selected checks, then the prerequisites they need that were not selected (hidden). */
function withPrerequisites(selected: CheckDefinition[], all: CheckDefinition[]): { check: CheckDefinition; hidden: boolean }[] {
  const byId = new Map(all.map((c) => [c.id, c]));
  const out = selected.map((check) => ({ check, hidden: false }));
  const seen = new Set(selected.map((c) => c.id));
  for (let i = 0; i < out.length; i++) {
    for (const id of prerequisitesOf(out[i].check)) {
      const pre = byId.get(id);
      if (!pre || seen.has(id)) continue;
      seen.add(id);
      out.push({ check: pre, hidden: true });
    }
  }
  return out;
}

function safeAppliesTo(check: CheckDefinition, subject: Subject, plan: Plan): boolean {
  try {
    return check.appliesTo!(subject, plan);
  } catch {
    return true; // evaluate will run and report the bug as an error result
  }
}

function abortText(options: RunOptions): string {
  if (options.signal?.aborted) return 'run interrupted before this probe finished';
  return `the run's deadline (${ms(options.timeouts.deadlineMs)}) passed before this probe finished`;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function verdictOf(results: { status: Status }[]): Status {
  return worstStatus(results.map((r) => r.status));
}

/** Exit code contract: 1 when any result is at or above --fail-on, or any error; else 0. */
export function exitCodeFor(report: Pick<RunReport, 'results'>, failOn: 'warn' | 'fail'): 0 | 1 {
  const threshold = STATUS_RANK[failOn];
  return report.results.some((r) => r.status === 'error' || (r.status !== 'skipped' && STATUS_RANK[r.status] >= threshold)) ? 1 : 0;
}
