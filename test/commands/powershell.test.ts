import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { powershellCommand } from '../../src/commands/powershell.js';
import { parsePowerShell } from '../../src/powershell/parse.js';
import { runCli } from '../helpers/cli.js';
import { runReport } from '../report/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-ps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const plan = join(tmp, 'relaycheck.yaml');
writeFileSync(
  plan,
  `version: 1
domain: contoso.com
connectors:
  - name: Relay
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com
    tlsSenderCertificateName: "*.contoso.com"
submission:
  - name: Scanner
    endpoint: smtp.office365.com:587
    username: scanner@contoso.com
    password: { env: RELAYCHECK_TEST_UNSET_PASSWORD }
    from: scanner@contoso.com
`,
);

const run = join(tmp, 'run.json');
const report = runReport({
  durationMs: 5,
  verdict: 'fail',
  summary: { pass: 0, warn: 0, fail: 1, error: 0, skipped: 0 },
  results: [
    { check: 'config.connector-tls', status: 'fail', severity: 'high', title: 't', connector: 'Relay', endpoint: null, message: 'requireTls is false', remediation: 'r', powershell: "Set-InboundConnector -Identity 'Relay' -RequireTls $true", durationMs: 1 },
  ],
});
writeFileSync(run, JSON.stringify(report));

describe('relaycheck powershell', () => {
  it('prints the New-InboundConnector splat without the plan\'s secrets being set', () => {
    delete process.env.RELAYCHECK_TEST_UNSET_PASSWORD;
    const cmds = parsePowerShell(powershellCommand({ config: plan }));
    expect(cmds).toEqual([expect.objectContaining({ cmdlet: 'New-InboundConnector', params: { Name: 'Relay', ConnectorType: 'OnPremises', SenderDomains: '*', RequireTls: true, TlsSenderCertificateName: '*.contoso.com' } })]);
  });

  it('prints only the fixes when given a run, labelled from the plan', () => {
    const text = powershellCommand({ config: plan, run });
    expect(parsePowerShell(text).map((c) => c.cmdlet)).toEqual(['Set-InboundConnector']);
    expect(text).toContain('# ── Inbound connector Relay (your mail server -> Office 365) ──');
  });

  it('prints both with --create', () => {
    expect(parsePowerShell(powershellCommand({ config: plan, run, create: true })).map((c) => c.cmdlet)).toEqual(['New-InboundConnector', 'Set-InboundConnector']);
  });

  it('needs no plan for the fixes of a run', () => {
    const text = powershellCommand({ run: join(tmp, 'run.json'), config: undefined });
    expect(text).toContain("Set-InboundConnector -Identity 'Relay' -RequireTls $true");
  });

  it('labels the fixes from the plan the run names when no -c is given', () => {
    const named = join(tmp, 'run-with-plan.json');
    writeFileSync(named, JSON.stringify({ ...report, plan: { ...report.plan, file: plan } }));
    const text = powershellCommand({ run: named, create: true });
    expect(parsePowerShell(text).map((c) => c.cmdlet)).toEqual(['New-InboundConnector', 'Set-InboundConnector']);
    expect(text).toContain('# ── Inbound connector Relay (your mail server -> Office 365) ──');
  });

  it('reports a run file that is not a relaycheck report as a usage error', () => {
    const bad = join(tmp, 'bad-run.json');
    writeFileSync(bad, '{"results": 1}');
    expect(() => powershellCommand({ run: bad })).toThrow(/bad-run\.json: not a relaycheck JSON report/);
  });
});

describe('relaycheck powershell on the command line', () => {
  it('prints help with examples', async () => {
    const r = await runCli(['powershell', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('relaycheck powershell');
    expect(r.stdout).toContain('Examples:');
  });

  it('prints the commands and exits 0 with the plan\'s password variable unset', async () => {
    const r = await runCli(['powershell', '-c', plan], { env: { RELAYCHECK_TEST_UNSET_PASSWORD: undefined } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('New-InboundConnector @splat');
  });

  it('exits 2 when the plan is missing', async () => {
    const r = await runCli(['powershell', '-c', join(tmp, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.yaml: cannot read the plan: no such file');
  });
});
