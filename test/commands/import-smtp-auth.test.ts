// `relaycheck import --cas-mailboxes … --transport-config … --smtp-auth-report …`: every mailbox
// that can still authenticate with SMTP AUTH is listed with its way forward, and the plan carries one
// commented-out entry per account that, filled in and uncommented, is a plan entry that tests it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { importCommand } from '../../src/commands/import.js';
import { validatePlanData } from '../../src/plan/schema.js';
import { runCli } from '../helpers/cli.js';

const FIX = fileURLToPath(new URL('../../fixtures/exports/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-import-smtp-auth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const smtpAuth = {
  casMailboxes: join(FIX, 'cas-mailboxes/ps7.json'),
  transportConfig: join(FIX, 'transport-config/smtp-auth-allowed.json'),
  smtpAuthReport: join(FIX, 'smtp-auth-report/smtp-auth-clients.csv'),
  accepted: join(FIX, 'ps7/accepted-domains.json'),
};

/** The commented block at the end of the plan, uncommented, with every FILL IN filled. */
function uncommentedEntries(yaml: string, section: 'submission' | 'connectors'): unknown[] {
  const lines = yaml.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^# ${section}:`).test(l));
  expect(start, `${section} block`).toBeGreaterThan(0);
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!/^# {2}/.test(l)) break;
    body.push(l.slice(2));
  }
  const filled = body
    .join('\n')
    .replace(/"FILL IN: <ACS resource>[^"]*"/g, 'fabrikam-acs.9b1f4a52-3c6d-4e7f-8a9b-0c1d2e3f4a5b.72f988bf-86f1-41af-91ab-2d7cd011db47')
    .replace(/"FILL IN: the certificate name[^"]*"/g, '"*.fabrikam.com"')
    .replace(/FILL-IN@/g, 'postmaster@');
  return parseYaml(`${section}:\n${filled}`)[section];
}

describe('relaycheck import with the SMTP AUTH exports', () => {
  it('lists every account that can still authenticate, the three states counted apart, with a way forward for each', () => {
    const { stdout } = importCommand({ ...smtpAuth, out: join(tmp, 'smtp-auth.yaml'), force: false });
    expect(stdout).toContain('SMTP AUTH: 8 mailboxes: 3 with SMTP AUTH on (SmtpClientAuthenticationDisabled: false), 3 inheriting the tenant setting (null; the tenant allows SMTP AUTH), 2 with SMTP AUTH off (true).');
    expect(stdout).toContain('7 accounts can still authenticate with SMTP AUTH. Ways forward: OAuth 2.0 2, connector relay 2, Azure Communication Services 1, turn SMTP AUTH off 2.');
    // inheriting mailboxes are there, which a filter on SmtpClientAuthenticationDisabled -eq $false would miss
    expect(stdout).toMatch(/- alice@fabrikam\.com: SmtpClientAuthenticationDisabled: null, inherits the tenant, which allows SMTP AUTH[^\n]*no SMTP AUTH submissions in the report\. Way forward: turn SMTP AUTH off\./);
    expect(stdout).toMatch(/- printer-line3@fabrikam\.com: [^\n]*\(TLS 1\.0 100%\)\. Way forward: connector relay\./);
    expect(stdout).not.toMatch(/- bob@fabrikam\.com/);
  });

  it('writes one commented-out entry per exposed account that becomes a valid plan entry once filled in, with FILL IN for tenant id, client id and credentials', () => {
    const out = join(tmp, 'entries.yaml');
    importCommand({ ...smtpAuth, out, force: false });
    const yaml = readFileSync(out, 'utf8');
    const submission = uncommentedEntries(yaml, 'submission') as Record<string, any>[];
    const connectors = uncommentedEntries(yaml, 'connectors') as Record<string, any>[];
    expect(submission.map((s) => s.from)).toEqual(['newsletter@fabrikam.com', 'scanner@fabrikam.com', 'erp@fabrikam.com']);
    expect(connectors.map((c) => c.validation.from)).toEqual(['printer-line3@fabrikam.com', 'ghost@fabrikam.com']);
    const oauth = submission.filter((s) => s.oauth2);
    expect(oauth).toHaveLength(2);
    for (const s of oauth) {
      expect(s.oauth2.tenantId).toMatch(/^FILL IN: tenant id/);
      expect(s.oauth2.clientId).toMatch(/^FILL IN: application \(client\) id/);
      expect(s.oauth2.certificate).toEqual({ cert: './FILL-IN-app-cert.pem', key: { file: './FILL-IN-app-key.pem' } });
      expect(s.from).toBe(s.username);
    }
    // The entries that need no OAuth schema validate as they are once filled in.
    const acs = submission.filter((s) => !s.oauth2);
    expect(acs).toEqual([expect.objectContaining({ endpoint: 'smtp.azurecomm.net:587', password: { env: 'FILL_IN_NEWSLETTER_ACS_SECRET' }, from: 'newsletter@fabrikam.com' })]);
    expect(validatePlanData({ version: 1, domain: 'fabrikam.com', connectors, submission: acs })).toEqual([]);
    // accounts that sent nothing are to be turned off, not tested: one Set-CASMailbox line for an own
    // setting, the address for an inheriting one
    expect(yaml).toContain("# Sent nothing through SMTP AUTH in the report period (2): turn SMTP AUTH off for them.\n# Set-CASMailbox -Identity 'room-berlin@fabrikam.com' -SmtpClientAuthenticationDisabled $true\n# 1 of them inherit the tenant setting (see the tenant advice above):\n#   alice@fabrikam.com");
    // no secret value is ever written, only references
    expect(yaml).not.toMatch(/clientSecret: (?!\{ env: )/);
  });

  it('runs from the command line with only the SMTP AUTH exports and exits 0', async () => {
    const out = join(tmp, 'cli.yaml');
    const r = await runCli(['import', '--cas-mailboxes', smtpAuth.casMailboxes, '--transport-config', smtpAuth.transportConfig, '--smtp-auth-report', smtpAuth.smtpAuthReport, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 accounts can still authenticate with SMTP AUTH');
    expect(readFileSync(out, 'utf8')).toMatch(/^domain: fabrikam\.com # FILL IN: derived from the most common mailbox domain/m);
  });

  it('exits 2 naming the flag when --transport-config or --smtp-auth-report comes without --cas-mailboxes', async () => {
    const r = await runCli(['import', '--transport-config', smtpAuth.transportConfig, '-o', join(tmp, 'x.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--transport-config: needs --cas-mailboxes cas\.json/);
  });

  it('exits 2 naming the file and line for a report that is not the SMTP AUTH clients report', async () => {
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'Date,Count\n2026-12-01,3\n');
    const r = await runCli(['import', '--cas-mailboxes', smtpAuth.casMailboxes, '--smtp-auth-report', bad, '-o', join(tmp, 'y.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:1: not an SMTP AUTH clients report`);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
