// `relaycheck import`: turn exported Get-InboundConnector / Get-OutboundConnector /
// Get-AcceptedDomain JSON into a commented relaycheck.yaml. The written plan must load as it is
// (checked here before anything is written); what the exports cannot say is left as FILL IN comments.
import { existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { parsePlan } from '../plan/load.js';
import { EXPORT_HINTS, parseAcceptedDomainsExport, parseInboundExport, parseOutboundExport } from '../import/exports.js';
import { readExportFile, readExportText } from '../import/read.js';
import { parseCasMailboxExport, parseSmtpAuthReport, parseTransportConfigExport, SMTP_AUTH_HINTS } from '../import/smtp-auth-exports.js';
import { assessExposure } from '../import/smtp-auth-exposure.js';
import { importPlan, type ImportInput, type ImportResult } from '../import/to-plan.js';

export interface ImportArgs {
  inbound?: string;
  outbound?: string;
  accepted?: string;
  /** Get-CASMailbox | ConvertTo-Json: who can still use SMTP AUTH */
  casMailboxes?: string;
  /** Get-TransportConfig | ConvertTo-Json: the tenant's SmtpClientAuthenticationDisabled */
  transportConfig?: string;
  /** the Exchange admin center's SMTP AUTH clients report (CSV) */
  smtpAuthReport?: string;
  /** the plan file to write, or - for stdout */
  out: string;
  force: boolean;
}

/** Reads the exports and builds the plan; writes nothing. */
export function buildImport(args: Omit<ImportArgs, 'force'>): ImportResult {
  if (!args.casMailboxes && (args.transportConfig || args.smtpAuthReport)) {
    throw new UsageError([{ path: args.transportConfig ? '--transport-config' : '--smtp-auth-report', message: `needs --cas-mailboxes cas.json, the mailboxes it is judged against (${SMTP_AUTH_HINTS.cas})` }]);
  }
  if (!args.inbound && !args.outbound && !args.casMailboxes) {
    throw new UsageError([
      { path: '--inbound/--outbound', message: `give at least one export: --inbound in.json (${EXPORT_HINTS.inbound}) and/or --outbound out.json (${EXPORT_HINTS.outbound}), or --cas-mailboxes cas.json (${SMTP_AUTH_HINTS.cas})` },
    ]);
  }
  const input: ImportInput = { planFile: args.out === '-' ? undefined : args.out };
  if (args.inbound) input.inbound = { file: args.inbound, connectors: parseInboundExport(readExportFile(args.inbound, EXPORT_HINTS.inbound)) };
  if (args.outbound) input.outbound = { file: args.outbound, connectors: parseOutboundExport(readExportFile(args.outbound, EXPORT_HINTS.outbound)) };
  if (args.accepted) input.accepted = { file: args.accepted, domains: parseAcceptedDomainsExport(readExportFile(args.accepted, EXPORT_HINTS.accepted)) };
  if (args.casMailboxes) {
    input.exposure = assessExposure({
      cas: { file: args.casMailboxes, mailboxes: parseCasMailboxExport(readExportFile(args.casMailboxes, SMTP_AUTH_HINTS.cas)) },
      transport: args.transportConfig ? { file: args.transportConfig, smtpAuthDisabled: parseTransportConfigExport(readExportFile(args.transportConfig, SMTP_AUTH_HINTS.transport)) } : undefined,
      report: args.smtpAuthReport ? { file: args.smtpAuthReport, rows: parseSmtpAuthReport(readExportText(args.smtpAuthReport), args.smtpAuthReport) } : undefined,
    });
  }

  const result = importPlan(input);
  const connectorExports = Boolean(args.inbound || args.outbound);
  if (connectorExports && result.data.connectors!.length === 0) {
    const files = [args.inbound, args.outbound].filter(Boolean).join(' and ');
    const why = result.skipped.length ? `: ${result.skipped.join('; ')}` : ' (the exports are empty)';
    throw new UsageError([{ file: files, message: `no connector relaycheck can test${why}` }]);
  }
  // The plan must load as written; secrets are not read (the import writes none). A plan from the
  // SMTP AUTH exports alone has only commented-out entries: "nothing to test" until one is used.
  try {
    parsePlan(result.yaml, args.out === '-' ? 'relaycheck.yaml' : args.out, { secrets: 'ignore' });
  } catch (err) {
    const onlyEmpty = err instanceof UsageError && err.problems.every((p) => /^nothing to test/.test(p.message));
    if (connectorExports || !onlyEmpty) throw err;
  }
  return result;
}

export function importCommand(args: ImportArgs): { stdout: string; stderr: string } {
  if (args.out !== '-' && existsSync(args.out) && !args.force) throw new UsageError([{ file: args.out, message: 'already exists; use --force to overwrite it, or -o another file' }]);
  const result = buildImport(args);
  if (args.out === '-') return { stdout: result.yaml, stderr: summary(result, null) };
  try {
    writeFileSync(args.out, result.yaml);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError([{ file: args.out, message: `cannot write the plan: ${code === 'ENOENT' ? 'no such folder' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}` }]);
  }
  return { stdout: summary(result, args.out), stderr: '' };
}

function summary(r: ImportResult, file: string | null): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const lines = [
    `${file ? `Wrote ${file}` : 'Plan written to stdout'}: ${n(r.counts.inbound, 'inbound connector')} (to-office365), ${n(r.counts.outbound, 'outbound connector')} (from-office365), ${n(r.counts.acceptedDomains, 'accepted domain')}.`,
    ...(r.skipped.length ? ['Not imported:', ...r.skipped.map((s) => `  - ${s}`)] : []),
    ...disabledLine(r),
    ...(r.exposureSummary ?? []),
    'Fill in before the first run (search the file for FILL IN):',
    ...r.fillIn.map((f) => `  - ${f}`),
    `Then: relaycheck run -c ${file ?? 'relaycheck.yaml'} --no-send`,
  ];
  return `${lines.join('\n')}\n`;
}

function disabledLine(r: ImportResult): string[] {
  const names = (r.data.connectors ?? []).filter((c) => c.enabled === false).map((c) => `"${c.name}"`);
  return names.length ? [`Disabled in Exchange Online, imported as enabled: false (run reports their checks as skipped): ${names.join(', ')}`] : [];
}
