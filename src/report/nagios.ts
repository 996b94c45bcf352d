// Monitoring-plugin output (Nagios, Icinga, Naemon, Checkmk): one status line with performance
// data, then a few lines of long output naming what is wrong and what changed. Under
// `--format nagios` relaycheck exits as a plugin does — 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN —
// instead of its own 0/1/2 contract (a plan or usage error is UNKNOWN there too).
//
// State: any fail → CRITICAL; else any error (a check could not decide) → UNKNOWN; else any
// warn → WARNING; else OK. Server text is stripped of control characters and of "|", which
// separates performance data in both the status line and the long output.
import { stripControl } from './sanitize.js';
import { certDaysMin, knockOnsOf, placeOf, problemsOf, summaryOf } from './model.js';
import type { RunReport } from '../types.js';

export type NagiosState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
export const NAGIOS_EXIT: Record<NagiosState, 0 | 1 | 2 | 3> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** Long output lines after the status line (most monitoring UIs show a few dozen at most). */
const MAX_DETAIL_LINES = 25;

export function nagiosState(report: Pick<RunReport, 'results'>): NagiosState {
  const s = summaryOf(report);
  if (s.fail) return 'CRITICAL';
  if (s.error) return 'UNKNOWN';
  if (s.warn) return 'WARNING';
  return 'OK';
}

export function nagiosExitCode(report: Pick<RunReport, 'results'>): 0 | 1 | 2 | 3 {
  return NAGIOS_EXIT[nagiosState(report)];
}

/** One line of plugin output: no control characters, no "|", bounded. */
export function pluginText(text: unknown, max = 200): string {
  const clean = stripControl(String(text ?? '')).replace(/[\r\n\t]+/g, ' ').replace(/\|/g, '/').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export function renderNagios(report: RunReport): string {
  const state = nagiosState(report);
  const s = summaryOf(report);
  const problems = problemsOf(report);
  const counted = [s.fail ? `${s.fail} fail` : '', s.error ? `${s.error} error` : '', s.warn ? `${s.warn} warn` : ''].filter(Boolean).join(', ');
  const worst = problems[0]?.result;
  const first = worst ? `: ${pluginText(`${worst.check} at ${placeOf(worst)}: ${worst.message}`, 160)}` : '';
  // Root causes are counted; the checks they kept from being tested are counted apart.
  const knockOns = knockOnsOf(report).total;
  const notTested = knockOns ? ` (${knockOns} more not tested because of ${problems.length === 1 ? 'it' : 'them'})` : '';
  const text =
    state === 'OK' ? `${s.pass} checks pass${s.skipped ? `, ${s.skipped} skipped` : ''}` : `${counted}${notTested}${first}`;
  const perf = [
    `pass=${s.pass}`,
    `warn=${s.warn}`,
    `fail=${s.fail}`,
    `error=${s.error}`,
    `skipped=${s.skipped}`,
    `duration=${(Math.max(0, Number(report.durationMs) || 0) / 1000).toFixed(1)}s`,
  ];
  const days = certDaysMin(report);
  if (days !== undefined) perf.push(`cert_days_min=${Math.floor(days)}`);
  if (report.changes) perf.push(`changes=${report.changes.length}`);
  if (knockOns) perf.push(`not_tested=${knockOns}`);

  const lines = [`RELAYCHECK ${state} - ${text} | ${perf.join(' ')}`];
  const detail: string[] = [];
  for (const { result: r, status } of problems) detail.push(pluginText(`${status.toUpperCase()} ${r.check} at ${placeOf(r)}: ${r.message}`, 300));
  for (const c of report.changes ?? []) detail.push(pluginText(`CHANGED ${c.message}`, 300));
  if (report.history?.storeError) detail.push(pluginText(`NOTE ${report.history.storeError}`, 300));
  if (report.options?.interrupted) detail.push('NOTE the run was interrupted: partial results');
  if (report.options?.deadlineHit) detail.push('NOTE the run deadline passed: unfinished probes are errors');
  if (detail.length > MAX_DETAIL_LINES) {
    const more = detail.length - (MAX_DETAIL_LINES - 1);
    detail.splice(MAX_DETAIL_LINES - 1, detail.length, `… ${more} more (see the JSON or HTML report)`);
  }
  lines.push(...detail);
  return `${lines.join('\n')}\n`;
}
