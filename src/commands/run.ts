// `relaycheck run`: load the plan, run the checks, write the reports, exit 0/1/2.
import { UsageError } from '../errors.js';
import { loadPlan } from '../plan/load.js';
import { readCandidateFlag, withCandidate } from '../plan/candidate.js';
import { builtinChecks, builtinProbes } from '../registry.js';
import { loadPlugins } from '../plugins.js';
import { DEFAULT_TIMEOUTS, exitCodeFor, MAX_TIMER_MS, narrowPlan, runPlan, type RunOptions, type Registry } from '../runner/run.js';
import { lockPlan } from '../runner/lock.js';
import { onTermination, setPhase } from '../runner/lifecycle.js';
import { checkOutput, parseFormats, prepareOutputFolder } from '../report/output.js';
import { storePathFor } from '../store/db.js';
import { closeSharedSendLog, SHARED_STORE_PATH } from '../store/send-log.js';
import type { Plan, RunReport, Timeouts } from '../types.js';

export interface RunArgs {
  config: string;
  only?: string[];
  skip?: string[];
  connector?: string[];
  /** --candidate-cert FILE[,KEY]: the next certificate of the smart hosts and the relay */
  candidateCert?: string;
  format: string[];
  out: string;
  failOn: 'warn' | 'fail';
  send: boolean;
  resolve?: string[];
  timeout?: number;
  deadline?: number;
  concurrency: number;
  plugin?: string[];
  /** console: every check as a row */
  verbose?: boolean;
  /** extra run-wide state for the probes (ProbeContext.shared), e.g. the lab's SHARED_MTA_STS_PORT */
  probeState?: Record<string, unknown>;
  /** the run's clock (tests: both sides of a dated verdict); default the system clock */
  now?: () => Date;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTty: boolean;
  stdoutIsTty: boolean;
  color: boolean;
  width?: number;
}

export function timeoutsFrom(args: { timeout?: number; deadline?: number }): Timeouts {
  const t = { ...DEFAULT_TIMEOUTS };
  // Node fires a timer of more than 2^31-1 ms after 1 ms: refuse such values rather than end every step at once.
  const tooLong = `must be at most ${MAX_TIMER_MS} ms (about 24.8 days)`;
  if (args.timeout !== undefined) {
    if (!Number.isFinite(args.timeout) || args.timeout < 100) throw new UsageError([{ path: '--timeout', message: 'must be a number of milliseconds, at least 100' }]);
    if (args.timeout > MAX_TIMER_MS) throw new UsageError([{ path: '--timeout', message: tooLong }]);
    t.connectMs = t.greetingMs = t.commandMs = t.tlsMs = args.timeout;
    // The deadline must leave room for a few steps per endpoint; keep the default unless asked.
    t.deadlineMs = Math.min(MAX_TIMER_MS, Math.max(t.deadlineMs, args.timeout * 4));
  }
  if (args.deadline !== undefined) {
    if (!Number.isFinite(args.deadline) || args.deadline < 100) throw new UsageError([{ path: '--deadline', message: 'must be a number of milliseconds, at least 100' }]);
    if (args.deadline > MAX_TIMER_MS) throw new UsageError([{ path: '--deadline', message: tooLong }]);
    t.deadlineMs = args.deadline;
  }
  return t;
}

export async function runCommand(args: RunArgs, io: Io): Promise<number> {
  return (await runAndReport(args, io)).code;
}

export interface RunOutcome {
  code: number;
  report: RunReport;
  /** report files written (absolute or as --out gave them) */
  files: string[];
}

/** `relaycheck run` without the exit: also what was written (the lab prints where). */
export async function runAndReport(args: RunArgs, io: Io): Promise<RunOutcome> {
  const formats = parseFormats(args.format);
  checkOutput(formats, args.out);
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) throw new UsageError([{ path: '--concurrency', message: 'must be a whole number of at least 1' }]);
  const timeouts = timeoutsFrom(args);
  setPhase('loading plugins');
  const registry = await loadPlugins(args.plugin ?? [], { checks: builtinChecks, probes: builtinProbes });
  setPhase('reading the plan');
  const candidate = args.candidateCert ? readCandidateFlag(args.candidateCert) : undefined;
  const plan = withCandidate(narrowPlan(loadPlan(args.config, { resolve: args.resolve }), args.connector), candidate);
  prepareOutputFolder(formats, args.out);
  // One run of a plan at a time (exit 2, or 3 under nagios, naming the holder's pid).
  const lock = lockPlan(plan.file, storePathFor(plan, args.out));
  try {
    return await runLocked(args, io, formats, timeouts, registry, plan);
  } finally {
    lock?.release();
  }
}

async function runLocked(args: RunArgs, io: Io, formats: string[], timeouts: Timeouts, registry: Registry, plan: Plan): Promise<RunOutcome> {
  // Ctrl-C, SIGTERM (systemd stopping the unit, `timeout`) and SIGHUP end the run alike: the
  // probes stop, the partial report is written, the store is closed (no -wal/-shm left), exit 1.
  const interrupt = new AbortController();
  const offTermination = onTermination((signal) => {
    io.stderr(signal === 'SIGINT' ? '\nInterrupted: finishing with a partial report (Ctrl-C again to quit at once).\n' : `\nrelaycheck: ${signal} received: finishing with a partial report (${signal} again to quit at once).\n`);
    interrupt.abort();
  });
  try {
    return await runInterruptibly(args, io, { formats, registry, plan, timeouts, interrupt });
  } finally {
    offTermination();
  }
}

async function runInterruptibly(
  args: RunArgs,
  io: Io,
  { formats, registry, plan, timeouts, interrupt }: { formats: string[]; registry: Registry; plan: Plan; timeouts: Timeouts; interrupt: AbortController },
): Promise<RunOutcome> {
  setPhase('probing');
  const progress = io.stderrIsTty
    ? (done: number, total: number, label: string) => io.stderr(`\r\u001b[K[${done}/${total}] ${label.slice(0, 60)}`)
    : undefined;
  const options: RunOptions = {
    only: args.only,
    skip: args.skip,
    connectors: args.connector,
    send: args.send,
    timeouts,
    concurrency: args.concurrency,
    signal: interrupt.signal,
    onProgress: progress,
    ...(args.now ? { now: args.now } : {}),
    // The send log (quota) lives in the plan's store: file, else <out>/relaycheck.sqlite.
    shared: new Map<string, unknown>([...Object.entries(args.probeState ?? {}), [SHARED_STORE_PATH, storePathFor(plan, args.out)]]),
  };
  let report: RunReport;
  try {
    report = await runPlan(plan, registry, options);
  } finally {
    closeSharedSendLog(options.shared!);
    if (progress) io.stderr('\r\u001b[K');
  }
  setPhase('writing the reports');
  // Loaded after the probes: the store, the history and the renderers are not needed to start
  // probing, and start-up time counts for every cron run.
  const [{ recordAndWrite }, { nagiosExitCode }] = await Promise.all([import('../runner/hooks.js'), import('../report/nagios.js')]);
  // The reports are written before the store commits: a store that fills the disk cannot cost the report.
  const finished = recordAndWrite(report, plan, formats, args.out, { color: io.color, width: io.width, verbose: args.verbose }, io.stderr, { latest: true });
  report = finished.report;
  const written = finished.written;
  if (written.stdout) io.stdout(written.stdout);
  for (const err of written.errors) io.stderr(`relaycheck: ${err.message}\n`);
  // --format nagios: exit as a monitoring plugin (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
  let code = formats.includes('nagios') ? nagiosExitCode(report) : exitCodeFor(report, args.failOn);
  // A report that could not be written is a failed run, whatever it found.
  if (written.errors.length && code === 0) code = formats.includes('nagios') ? 3 : 1;
  if (written.files.length && (io.stderrIsTty || io.stdoutIsTty)) io.stderr(`Reports: ${written.files.join(', ')}\n`);
  // Cron stays quiet on success; on failure say so in one line even when no console was asked for.
  if (code !== 0 && !formats.includes('console') && !formats.includes('nagios') && args.out !== '-') {
    const s = report.summary;
    io.stderr(`relaycheck: ${plan.file}: ${report.verdict} (${s.fail} fail, ${s.error} error, ${s.warn} warn)${written.files.length ? ` — see ${written.files[0]}` : ''}\n`);
  }
  return { code, report, files: written.files };
}
