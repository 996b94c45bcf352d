// The PowerShell that fixes a saved run's connector-side failures: the `powershell` lines checks
// put on failing and warning results, collected, de-duplicated, grouped by connector, each with
// comments naming the check and its message. A line is re-emitted only when it reads as one plain
// cmdlet call with literal arguments (src/powershell/parse.ts), and it is re-quoted with psQuote,
// so a tampered report or a careless plugin cannot smuggle code through.
import type { CheckResult, Plan, RunReport } from '../types.js';
import { parseCommandLine, PsParseError, type PsCommand, type PsValue } from './parse.js';
import { psComment, psQuote } from './quote.js';

/** Verbs whose lines may be re-emitted; anything else (Remove-…, Invoke-…) is shown as a comment only. */
const ALLOWED_VERBS = new Set(['set', 'new', 'add', 'enable', 'disable', 'validate', 'test', 'get']);
const SAFE_BARE = /^[A-Za-z][A-Za-z0-9_.]*$/;

export interface Fix {
  /** the re-rendered command */
  command: string;
  cmdlet: string;
  /** the result's connector (plan entry name), else the command's -Identity */
  target: string | null;
  reasons: { check: string; status: CheckResult['status']; endpoint: string | null; message: string }[];
  parsed: PsCommand;
}

export interface Rejected {
  check: string;
  connector: string | null;
  line: string;
  why: string;
}

export interface FixCollection {
  /** target → fixes, in the order the targets first appear (fail before warn) */
  groups: Map<string | null, Fix[]>;
  rejected: Rejected[];
  /** failing results that carry no PowerShell (fixed elsewhere: certificates, DNS, servers) */
  withoutFix: CheckResult[];
}

function renderValue(v: PsValue): string {
  if (v === true) return '$true';
  if (v === false) return '$false';
  if (v === null) return '$null';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `@(${v.map(renderValue).join(', ')})`;
  return psQuote(v);
}

/**
 * A parsed command written back in canonical, safely quoted form: strings through psQuote, except
 * bare words that were bare and are harmless (-TlsSettings CertificateValidation); switches and
 * -Param:$value as written.
 */
export function renderCommand(cmd: PsCommand): string {
  const args = Object.entries(cmd.params).map(([k, v]) => {
    const form = cmd.forms[k] ?? {};
    if (form.switch && v === true) return `-${k}`;
    if (form.colon) return `-${k}:${renderValue(v)}`;
    if (typeof v === 'string' && form.bare && SAFE_BARE.test(v)) return `-${k} ${v}`;
    return `-${k} ${renderValue(v)}`;
  });
  return [cmd.cmdlet, ...args].join(' ');
}

function lines(powershell: string): string[] {
  return powershell
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

export function collectFixes(report: RunReport): FixCollection {
  const groups = new Map<string | null, Fix[]>();
  const byCommand = new Map<string, Fix>();
  const rejected: Rejected[] = [];
  const withoutFix: CheckResult[] = [];
  const ordered = [...report.results.filter((r) => r.status === 'fail'), ...report.results.filter((r) => r.status === 'warn')];
  for (const r of ordered) {
    if (!r.powershell || typeof r.powershell !== 'string' || !r.powershell.trim()) {
      if (r.status === 'fail') withoutFix.push(r);
      continue;
    }
    for (const line of lines(r.powershell)) {
      let cmd: PsCommand;
      try {
        cmd = parseCommandLine(line);
      } catch (err) {
        rejected.push({ check: r.check, connector: r.connector, line, why: err instanceof PsParseError ? err.message.replace(/^line \d+: /, '') : String(err) });
        continue;
      }
      const verb = cmd.cmdlet.split('-')[0].toLowerCase();
      if (!ALLOWED_VERBS.has(verb)) {
        rejected.push({ check: r.check, connector: r.connector, line, why: `${cmd.cmdlet} is not emitted automatically` });
        continue;
      }
      const command = renderCommand(cmd);
      const reason = { check: r.check, status: r.status, endpoint: r.endpoint, message: r.message };
      const existing = byCommand.get(command.toLowerCase());
      if (existing) {
        if (!existing.reasons.some((x) => x.check === reason.check && x.endpoint === reason.endpoint && x.message === reason.message)) existing.reasons.push(reason);
        continue;
      }
      const identity = Object.entries(cmd.params).find(([k]) => k.toLowerCase() === 'identity')?.[1];
      const target = r.connector ?? (typeof identity === 'string' ? identity : null);
      const fix: Fix = { command, cmdlet: cmd.cmdlet, target, reasons: [reason], parsed: cmd };
      byCommand.set(command.toLowerCase(), fix);
      const key = [...groups.keys()].find((k) => (k ?? '').toLowerCase() === (target ?? '').toLowerCase() && (k === null) === (target === null));
      if (key !== undefined) groups.get(key)!.push(fix);
      else groups.set(target, [fix]);
    }
  }
  return { groups, rejected, withoutFix };
}

/** Parameters two fixes of one group set to different values: the admin has to choose. */
function conflicts(fixes: Fix[]): string[] {
  const seen = new Map<string, { value: string; cmdlet: string }>();
  const out: string[] = [];
  for (const f of fixes) {
    for (const [k, v] of Object.entries(f.parsed.params)) {
      if (k.toLowerCase() === 'identity') continue;
      const key = `${f.cmdlet.toLowerCase()} ${k.toLowerCase()}`;
      const val = renderValue(v);
      const prior = seen.get(key);
      if (prior && prior.value.toLowerCase() !== val.toLowerCase()) out.push(`-${k} is set to ${prior.value} and to ${val} below: run only the one you want.`);
      else seen.set(key, { value: val, cmdlet: f.cmdlet });
    }
  }
  return [...new Set(out)];
}

function direction(target: string | null, fixes: Fix[], plan?: Plan): string {
  const entry = plan && target !== null ? [...plan.connectors, ...plan.submission].find((e) => e.name.toLowerCase() === target.toLowerCase()) : undefined;
  if (entry?.kind === 'connector') return entry.direction === 'to-office365' ? `Inbound connector ${target} (your mail server -> Office 365)` : `Outbound connector ${target} (Office 365 -> your smart hosts)`;
  if (entry?.kind === 'submission') return `Submission account ${target}`;
  if (fixes.every((f) => /inboundconnector$/i.test(f.cmdlet))) return `Inbound connector ${target}`;
  if (fixes.every((f) => /outboundconnector$/i.test(f.cmdlet))) return `Outbound connector ${target}`;
  return target === null ? 'Tenant-wide' : `${target}`;
}

export interface FixScriptOptions {
  /** the run file as given on the command line */
  runFile?: string;
  /** the plan, when given: labels connectors and notes a run of another plan */
  plan?: Plan;
}

export function fixScript(report: RunReport, options: FixScriptOptions = {}): string {
  const { groups, rejected, withoutFix } = collectFixes(report);
  const out: string[] = [];
  const where = options.runFile ? `${psComment(options.runFile)} ` : '';
  out.push(`# relaycheck: fixes for the connector-side failures of run ${where}(started ${psComment(String(report.startedAt))}, plan ${psComment(String(report.plan?.file ?? '?'))}, verdict ${psComment(String(report.verdict))}).`);
  out.push('# Run in Exchange Online PowerShell (Connect-ExchangeOnline); then run relaycheck again to confirm.');
  if (options.plan && report.plan?.domain && report.plan.domain.toLowerCase() !== options.plan.domain.toLowerCase()) {
    out.push(`# NOTE: this run tested ${psComment(report.plan.domain)}, the plan ${psComment(options.plan.file)} describes ${psComment(options.plan.domain)}.`);
  }
  const total = [...groups.values()].reduce((n, g) => n + g.length, 0);
  if (total === 0) out.push('#', '# No failing or warning result carries a connector fix.');
  for (const [target, fixes] of groups) {
    out.push('', `# ── ${psComment(direction(target, fixes, options.plan))} ──`);
    for (const c of conflicts(fixes)) out.push(`# CHOOSE: ${psComment(c)}`);
    for (const f of fixes) {
      for (const r of f.reasons) out.push(`# ${r.status} ${psComment(r.check)}${r.endpoint ? ` (${psComment(r.endpoint)})` : ''}: ${psComment(r.message)}`);
      out.push(f.command);
    }
  }
  if (rejected.length) {
    out.push('', '# Not emitted (not a plain cmdlet call with literal values; review in the report):');
    for (const r of rejected) out.push(`#   ${psComment(r.check)}${r.connector ? ` [${psComment(r.connector)}]` : ''}: ${psComment(r.why)}: ${psComment(r.line, 200)}`);
  }
  if (withoutFix.length) {
    out.push('', `# ${withoutFix.length} failing result${withoutFix.length === 1 ? ' needs' : 's need'} a fix outside Exchange Online connectors (certificates, DNS, servers, accounts):`);
    for (const r of withoutFix.slice(0, 50)) out.push(`#   ${psComment(r.check)}${r.connector ? ` [${psComment(r.connector)}]` : ''}${r.endpoint ? ` (${psComment(r.endpoint)})` : ''}: ${psComment(r.message, 200)}`);
    if (withoutFix.length > 50) out.push(`#   … and ${withoutFix.length - 50} more (see the report)`);
  }
  return `${out.join('\n')}\n`;
}
