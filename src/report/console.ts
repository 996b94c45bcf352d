// The console report: read in ten seconds. One section per connector / account; the checks that
// passed fold into one line per section (--verbose lists them); failures, warnings and undecided
// checks get a row with their message and a pointer to their fix; checks not tested because of
// a failure fold into one line naming it; a closing "N to fix" block lists each distinct fix
// once, with what Exchange Online shows and the PowerShell line.
//
// Every server-provided string is stripped of control characters and ANSI escapes; colour only
// when asked for (a TTY without NO_COLOR). Nothing is wider than the width it is given.
//
// Cells are wrapped to their columns here and framed by box.ts (see there why not cli-table3:
// its measuring made the console the slowest part of a run).
import { forTerminal } from './sanitize.js';
import { drawBox } from './box.js';
import { breakLong, clip, DEFAULT_WIDTH, duration, MIN_WIDTH, wrap } from './wrap.js';

export { breakLong, duration, terminalWidth, wrap } from './wrap.js';
import type { CheckResult, RunReport, Status } from '../types.js';

export interface ConsoleOptions {
  color: boolean;
  /** the terminal's width; nothing printed is wider (default 100) */
  width?: number;
  /** list every result, passing ones too, as rows (default: passing checks fold into one line) */
  verbose?: boolean;
}

const COLORS: Record<Status, [number, number]> = { pass: [32, 39], warn: [33, 39], fail: [31, 39], error: [35, 39], skipped: [90, 39] };
const LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' };
const STATUS_ORDER: Status[] = ['pass', 'warn', 'fail', 'error', 'skipped'];

function paint(text: string, status: Status, color: boolean): string {
  const codes = Object.hasOwn(COLORS, status) ? COLORS[status] : undefined;
  if (!color || !codes) return text;
  return `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m`;
}

/** A saved report (`relaycheck report`) may come from anywhere: an unknown status is shown, not trusted. */
function label(status: Status): string {
  return Object.hasOwn(LABEL, status) ? LABEL[status] : forTerminal(String(status), 8).toUpperCase();
}

function statusOf(value: unknown): Status {
  return typeof value === 'string' && Object.hasOwn(LABEL, value) ? (value as Status) : (forTerminal(String(value), 8) as Status);
}

function rootCauseOf(r: CheckResult): string | undefined {
  const v = (r.evidence as Record<string, unknown> | undefined)?.rootCause;
  return typeof v === 'string' && v ? v : undefined;
}

interface Fix {
  number: number;
  text: string;
  exchangeOnline?: string;
  powershell: string[];
  where: string[];
}

/** The fixes of a report's problems, each distinct remediation once, in report order. */
function collectFixes(problems: CheckResult[]): { fixes: Fix[]; numberOf: Map<CheckResult, number> } {
  const byText = new Map<string, Fix>();
  const numberOf = new Map<CheckResult, number>();
  for (const r of problems) {
    const text = forTerminal(String(r.remediation ?? ''), 800).trim();
    if (!text) continue;
    let fix = byText.get(text);
    if (!fix) byText.set(text, (fix = { number: byText.size + 1, text, powershell: [], where: [] }));
    numberOf.set(r, fix.number);
    if (r.exchangeOnline && !fix.exchangeOnline) fix.exchangeOnline = forTerminal(r.exchangeOnline, 600);
    for (const line of forTerminal(String(r.powershell ?? ''), 2000).split(/\n| ; /)) if (line.trim() && !fix.powershell.includes(line.trim())) fix.powershell.push(line.trim());
    fix.where.push(`${forTerminal(String(r.check), 60)}${r.endpoint ? ` at ${forTerminal(String(r.endpoint), 120)}` : r.connector ? ` (${forTerminal(String(r.connector), 120)})` : ''}`);
  }
  return { fixes: [...byText.values()], numberOf };
}

export function renderConsole(report: RunReport, options: ConsoleOptions = { color: false }): string {
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH));
  const color = options.color;
  const results = Array.isArray(report.results) ? report.results : [];
  const lines: string[] = [];

  const org = report.plan?.organization ? `${forTerminal(String(report.plan.organization), 200)} · ` : '';
  const head = `relaycheck ${forTerminal(String(report.tool?.version), 40)} · ${org}${forTerminal(String(report.plan?.domain), 200)} · ${forTerminal(String(report.plan?.file), 400)} · ${forTerminal(String(report.startedAt), 40)}`;
  lines.push(...wrap(head, width, '  '));
  if (report.options && !report.options.send) lines.push('No validation mail was sent (--no-send).');
  if (report.options?.deadlineHit) lines.push('The run deadline passed: results for unfinished probes are errors.');
  if (report.options?.interrupted) lines.push('The run was interrupted: this report is partial.');
  if (report.history?.storeError) lines.push(...wrap(`History not recorded: ${forTerminal(report.history.storeError, 400)}`, width, '  '));

  // Sections: domain- and plan-level results first, then each connector / account in report order.
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) {
    const name = typeof r.connector === 'string' ? r.connector : '';
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name)!.push(r);
  }
  const names = [...groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : 0));
  const problems = results.filter((r) => ['fail', 'error', 'warn'].includes(statusOf(r.status)) || !Object.hasOwn(LABEL, String(r.status)));
  const { fixes, numberOf } = collectFixes(problems);

  // Table geometry: status | check and endpoint | message. Widths include cli-table3's padding.
  const statusCol = 7;
  const checkCol = Math.min(30, Math.max(24, Math.floor(width * 0.28)));
  const messageCol = width - 4 - statusCol - checkCol;
  const listIndent = '        ';

  const titleOf = (name: string) => (name ? forTerminal(name, 200) : `Domain and plan: ${forTerminal(String(report.plan?.domain ?? ''), 200)}`);
  const allPass = (name: string) => groups.get(name)!.every((r) => statusOf(r.status) === 'pass');
  // In a run with something to fix, the sections where everything passes fold into one list, so
  // the sections with findings stay on one screen; in a passing run each keeps its folded line.
  const foldSections = !options.verbose && names.some((n) => !allPass(n));
  const folded = foldSections ? names.filter(allPass) : [];
  let previousAllPass = false;
  for (const name of names) {
    if (folded.includes(name)) continue;
    const rows = groups.get(name)!;
    const counts = new Map<Status, number>();
    for (const r of rows) counts.set(statusOf(r.status), (counts.get(statusOf(r.status)) ?? 0) + 1);
    const countText = [...counts].sort((a, b) => STATUS_ORDER.indexOf(a[0]) - STATUS_ORDER.indexOf(b[0])).map(([s, n]) => paint(`${n} ${Object.hasOwn(LABEL, s) ? s : label(s)}`, s, color && s !== 'pass')).join(', ');
    // Sections that only pass are two lines each: no blank line between them.
    const onlyPass = !options.verbose && allPass(name);
    if (!(onlyPass && previousAllPass)) lines.push('');
    previousAllPass = onlyPass;
    lines.push(`${clip(titleOf(name), Math.max(20, width - 40))} — ${countText}`);

    const passing: CheckResult[] = [];
    const knockOns: CheckResult[] = [];
    const skipped: CheckResult[] = [];
    const tableRows: CheckResult[] = [];
    for (const r of rows) {
      const st = statusOf(r.status);
      if (st === 'skipped' && rootCauseOf(r)) knockOns.push(r);
      else if (options.verbose) tableRows.push(r);
      else if (st === 'pass') passing.push(r);
      else if (st === 'skipped') skipped.push(r);
      else tableRows.push(r);
    }

    if (!options.verbose && passing.length) {
      const ids = [...new Set(passing.map((r) => forTerminal(String(r.check), 60)))];
      lines.push(clip(`  ${paint('PASS', 'pass', color)} ${passing.length}: ${ids.join(', ')}`, width + (color ? 10 : 0)));
    }
    if (tableRows.length) {
      const boxRows = tableRows.map((r) => {
        const status = statusOf(r.status);
        const where = [forTerminal(String(r.check), 80), ...(r.endpoint ? [forTerminal(String(r.endpoint), 200)] : [])];
        const message = wrap(forTerminal(String(r.message), 800), messageCol - 2);
        const n = numberOf.get(r);
        if (n !== undefined) message.push(...wrap(`→ fix ${n}: ${firstSentence(fixes[n - 1].text)}`, messageCol - 2, '  '));
        return [[paint(label(status), status, color)], where.flatMap((w) => breakLong(w, checkCol - 2).split('\n')), message];
      });
      lines.push(...drawBox(boxRows, [statusCol - 2, checkCol - 2, messageCol - 2], color ? (t) => `\u001b[90m${t}\u001b[39m` : undefined));
    }
    if (!options.verbose) {
      for (const r of skipped) {
        lines.push(clip(`  ${paint('SKIP', 'skipped', color)} ${forTerminal(String(r.check), 60)}${r.endpoint ? ` ${forTerminal(String(r.endpoint), 120)}` : ''}: ${forTerminal(String(r.message), 300)}`, width + (color ? 10 : 0)));
      }
    }
    // Knock-ons: one line per root cause, naming what it kept from being tested.
    const byCause = new Map<string, CheckResult[]>();
    for (const r of knockOns) {
      const key = forTerminal(String(r.message), 300);
      if (!byCause.has(key)) byCause.set(key, []);
      byCause.get(key)!.push(r);
    }
    for (const [why, list] of byCause) {
      const ids = [...new Set(list.map((r) => forTerminal(String(r.check), 60)))].join(', ');
      lines.push(...wrap(`  ${paint('SKIP', 'skipped', color)}  ${list.length} ${why}: ${ids}`, width + (color ? 10 : 0), listIndent));
    }
  }

  if (folded.length) {
    const list = folded.map((n) => `${titleOf(n)} (${groups.get(n)!.length})`).join(', ');
    lines.push('', ...wrap(`${paint('PASS', 'pass', color)} every check in ${list}`, width + (color ? 10 : 0), '  '));
  }

  if (report.changes?.length) {
    lines.push('', 'Changes since the previous run:');
    for (const c of report.changes) lines.push(...wrap(`  • ${forTerminal(String(c.message), 300)}`, width, '    '));
  }

  if (fixes.length) {
    lines.push('', `${fixes.length} to fix:`);
    for (const fix of fixes) {
      const num = `${String(fix.number).padStart(2)}. `;
      const pad = ' '.repeat(num.length);
      lines.push(...wrap(`${num}${fix.text}`, width, pad));
      if (fix.exchangeOnline) lines.push(...wrap(`${pad}${/^Exchange Online\b/.test(fix.exchangeOnline) ? '' : 'Exchange Online: '}${fix.exchangeOnline}`, width, pad));
      for (const ps of fix.powershell) lines.push(...wrap(`${pad}PS> ${ps}`, width, `${pad}    `));
      lines.push(clip(`${pad}for ${fix.where.join('; ')}`, width));
    }
  }

  const s = report.summary;
  const knockOnCount = results.filter((r) => statusOf(r.status) === 'skipped' && rootCauseOf(r)).length;
  const counts = STATUS_ORDER.map((k) => paint(`${Number(s?.[k]) || 0} ${k}`, k, color && Number(s?.[k]) > 0)).join(', ');
  const verdict = statusOf(report.verdict);
  const knock = knockOnCount ? ` (${knockOnCount} not tested because of a failure)` : '';
  lines.push('', ...wrap(`${paint(Object.hasOwn(LABEL, verdict) ? verdict.toUpperCase() : label(verdict), verdict, color)}: ${counts}${knock} in ${duration(Number(report.durationMs))}`, width + (color ? 60 : 0)));
  return `${lines.join('\n')}\n`;
}

/** The first sentence of a fix, for the row that points at it. */
function firstSentence(text: string): string {
  const m = /^(.{20,}?\.)(\s|$)/.exec(text);
  const first = m ? m[1] : text;
  return first.length > 140 ? `${first.slice(0, 139)}…` : first;
}
