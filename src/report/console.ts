// The console table: grouped by connector / account, one row per result, a summary line.
// Every server-provided string is stripped of control characters and ANSI escapes; colour only
// when asked for (a TTY without NO_COLOR).
import Table from 'cli-table3';
import { forTerminal } from './sanitize.js';
import type { CheckResult, RunReport, Status } from '../types.js';

export interface ConsoleOptions {
  color: boolean;
  /** terminal width; messages wrap to fit */
  width?: number;
  /** show passing rows too (default: yes) */
  verbose?: boolean;
}

const COLORS: Record<Status, [number, number]> = { pass: [32, 39], warn: [33, 39], fail: [31, 39], error: [35, 39], skipped: [90, 39] };
const LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' };

function paint(text: string, status: Status, color: boolean): string {
  const codes = Object.hasOwn(COLORS, status) ? COLORS[status] : undefined;
  if (!color || !codes) return text;
  return `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m`;
}

/** A saved report (`relaycheck report`) may come from anywhere: an unknown status is shown, not trusted. */
function label(status: Status): string {
  return Object.hasOwn(LABEL, status) ? LABEL[status] : forTerminal(String(status), 8).toUpperCase();
}

/**
 * Host names and check ids have no spaces, so the table would cut them; break them after a dot,
 * dash or colon instead, so that the whole name (and the port) stays readable and copyable.
 */
export function breakLong(text: string, width: number): string {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    // After a dot or dash; before a colon, so a port stays ":25".
    const after = Math.max(rest.lastIndexOf('.', width - 1), rest.lastIndexOf('-', width - 1)) + 1;
    const before = rest.lastIndexOf(':', width);
    const cut = Math.max(after, before);
    const at = cut > 0 ? cut : width;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  lines.push(rest);
  return lines.join('\n');
}

export function renderConsole(report: RunReport, options: ConsoleOptions = { color: false }): string {
  const width = Math.max(80, Math.min(options.width ?? 120, 200));
  const groups = new Map<string, CheckResult[]>();
  for (const r of report.results) {
    const name = r.connector ?? 'Domain and plan';
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name)!.push(r);
  }
  const lines: string[] = [];
  const org = report.plan.organization ? `${forTerminal(report.plan.organization)} — ` : '';
  lines.push(`relaycheck ${forTerminal(String(report.tool?.version), 40)}: ${org}${forTerminal(String(report.plan.domain))} (${forTerminal(String(report.plan.file))}), ${forTerminal(String(report.startedAt), 40)}`);
  if (report.options && !report.options.send) lines.push('No validation mail was sent (--no-send).');
  if (report.options?.deadlineHit) lines.push('The run deadline passed: results for unfinished probes are errors.');
  if (report.options?.interrupted) lines.push('The run was interrupted: this report is partial.');
  const messageWidth = Math.max(30, width - 8 - 32 - 26 - 10);
  for (const [name, rows] of groups) {
    lines.push('', forTerminal(name, 200));
    const table = new Table({
      head: ['Status', 'Check', 'Endpoint', 'Message'],
      colWidths: [8, 32, 26, messageWidth],
      wordWrap: true,
      wrapOnWordBoundary: true,
      style: { head: options.color ? ['bold'] : [], border: options.color ? ['grey'] : [] },
    });
    for (const r of rows) {
      if (options.verbose === false && r.status === 'pass') continue;
      const open = r.status !== 'pass' && r.status !== 'skipped';
      // What Exchange Online will show for this finding, and the connector-side fix, as in the HTML.
      const remedy = open
        ? [
            r.remediation ? `\n→ ${forTerminal(r.remediation, 600)}` : '',
            r.exchangeOnline ? `\nExchange Online: ${forTerminal(r.exchangeOnline, 600)}` : '',
            r.powershell ? `\nPowerShell: ${forTerminal(r.powershell, 600).replace(/\n/g, ' ; ')}` : '',
          ].join('')
        : '';
      table.push([paint(label(r.status), r.status, options.color), breakLong(forTerminal(String(r.check), 60), 30), breakLong(forTerminal(r.endpoint ?? '—', 80), 24), forTerminal(String(r.message), 800) + remedy]);
    }
    lines.push(table.toString());
  }
  if (report.changes?.length) {
    lines.push('', 'Changes since the previous run:');
    for (const c of report.changes) lines.push(`  • ${forTerminal(c.message, 300)}`);
  }
  const s = report.summary;
  const counts = (['pass', 'warn', 'fail', 'error', 'skipped'] as Status[]).map((k) => paint(`${Number(s?.[k]) || 0} ${k}`, k, options.color && Number(s?.[k]) > 0)).join(', ');
  lines.push('', `${paint(Object.hasOwn(LABEL, report.verdict) ? report.verdict.toUpperCase() : label(report.verdict), report.verdict, options.color)}: ${counts} in ${((Number(report.durationMs) || 0) / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}
