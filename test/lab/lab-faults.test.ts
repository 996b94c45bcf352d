// The built-in lab, run in-process as `relaycheck lab` runs it: a clean lab passes every check of
// the catalogue, and each --break fault fails exactly the checks it breaks (with remediation) and
// exits 1. One lab at a time: the lab sets the process-wide "public roots" while it runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab, type LabArgs, type LabResult } from '../../src/commands/lab.js';
import { FAULTS, LAB_FAULTS } from '../../src/lab/faults.js';
import type { LabPorts } from '../../src/lab/plan.js';
import { builtinChecks } from '../../src/registry.js';
import type { CheckResult } from '../../src/types.js';
import { captureIo, refused } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-lab-faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
async function lab(faults: string[], extra: Partial<LabArgs> = {}): Promise<LabResult & { io: ReturnType<typeof captureIo> }> {
  const io = captureIo();
  const result = await runLab({ out: join(tmp, `lab-${++n}`), break: faults, format: ['json'], failOn: 'fail', send: true, ...extra }, io);
  return { ...result, io };
}

const failing = (results: CheckResult[]) => [...new Set(results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.check))].sort();

async function allStopped(ports: LabPorts): Promise<boolean> {
  const results = await Promise.all(Object.values(ports).map(refused));
  return results.every(Boolean);
}

describe('relaycheck lab without faults', () => {
  it('passes every check of the catalogue, sends and delivers the validation mail, and exits 0', async () => {
    const r = await lab([]);
    expect(r.code).toBe(0);
    const results = r.report!.results;
    const notPassing = results.filter((x) => x.status !== 'pass').map((x) => `${x.check} ${x.status}: ${x.message}`);
    expect(notPassing).toEqual([]);
    expect(r.report!.verdict).toBe('pass');
    // every built-in check ran against the lab, but inbound DANE: the lab's MX has the legacy form, which has no DNSSEC
    // (dns.inbound-dane runs against real signed zones in test/integration/dnssec-unbound.test.ts)
    expect([...new Set(results.map((x) => x.check))].sort()).toEqual(builtinChecks.map((c) => c.id).filter((id) => id !== 'dns.inbound-dane').sort());
    // six validation messages, one per path: inbound connector, outbound connector (smart host),
    // mailbox submission, High Volume Email, Azure Communication Services, Direct Send
    const delivered = results.filter((x) => x.check === 'send.delivery');
    expect(delivered.map((d) => d.connector).sort()).toEqual(
      ['Lab Exchange Online to on-prem', 'Lab newsletter (Azure Communication Services)', 'Lab notifications (High Volume Email)', 'Lab printer (Direct Send)', 'Lab relay to Exchange Online', 'Lab scanner (SMTP AUTH)'],
    );
    for (const d of delivered) expect(d.message).toMatch(/^arrived in \S+@contoso\.test INBOX/);
    expect(await allStopped(r.ports!)).toBe(true);
  });
});

describe('relaycheck lab --break', () => {
  // A fault whose verdict depends on the date is judged as on 15 January 2027, after the cut-over.
  const after2027 = () => new Date('2027-01-15T08:00:00Z');

  it('refuses to send an HVE validation message to an external recipient, and says why', async () => {
    const r = await lab(['hve-external-recipient']);
    const hve = r.report!.results.filter((x) => x.connector === 'Lab notifications (High Volume Email)');
    const sent = hve.find((x) => x.check === 'send.validation')!;
    expect(sent.status).toBe('fail');
    expect(sent.message).toMatch(/^not sent: High Volume Email delivers to internal recipients only \(since June 2025\), and partner@fabrikam\.test is outside the accepted domains \(contoso\.test\)/);
  });

  it('shows 550 5.7.68 for Direct Send with RejectDirectSend on, with the Partner connector that fixes it', async () => {
    const r = await lab(['direct-send-rejected'], { send: false });
    const f = r.report!.results.find((x) => x.check === 'send.direct-send')!;
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/^Direct Send from printer@contoso\.test to it@contoso\.test is refused at RCPT TO: “550 5\.7\.68 TenantInboundAttribution; Direct Send not allowed/);
    expect(f.powershell).toMatch(/^New-InboundConnector -Name 'Partner: contoso\.test' -ConnectorType Partner /);
  });

  it('proves nothing about a foreign sender under --no-send: auth.sender-match is skipped, not passed', async () => {
    const r = await lab(['sender-mismatch'], { send: false });
    const f = r.report!.results.find((x) => x.check === 'auth.sender-match' && x.connector === 'Lab scanner (SMTP AUTH)')!;
    expect(f.status).toBe('skipped');
    expect(f.message).toMatch(/^not decided: only a sent message proves Send As on Exchange Online, and no message was sent \(--no-send\)/);
  });

  it.each(LAB_FAULTS.map((f) => [f, FAULTS[f].expected] as const))('%s fails exactly %j and exits 1', async (fault, expected) => {
    const r = await lab([fault], FAULTS[fault].warnsBefore2027 ? { now: after2027 } : {});
    expect(r.code).toBe(1);
    const results = r.report!.results;
    expect(failing(results)).toEqual([...expected].sort());
    // the check the fault is about fails (not "could not decide"), with a remediation
    expect(results.filter((x) => x.check === expected[0]).map((x) => x.status)).toContain('fail');
    for (const x of results.filter((y) => y.status === 'fail')) expect(x.remediation, `${x.check} has no remediation`).not.toBe('');
    // nothing else is off: the rest passes, or is skipped because of the fault
    expect(results.filter((x) => x.status === 'warn').map((x) => `${x.check}: ${x.message}`)).toEqual([]);
    expect(r.io.out.join('')).toMatch(/As expected, the injected fault failed the run/);
    expect(await allStopped(r.ports!)).toBe(true);
  });

  it('shows a working Basic login as a warning with the days left before 1 January 2027, and as a failure from then on', async () => {
    const before = await lab(['basic-auth'], { now: () => new Date('2026-12-03T08:00:00Z') });
    const login = before.report!.results.find((x) => x.check === 'auth.login')!;
    expect(login.status).toBe('warn');
    expect(login.message).toContain('29 days left');
    expect(before.code).toBe(0);
    expect(before.io.out.join('')).toMatch(/As expected/);
    const after = await lab(['basic-auth'], { now: after2027 });
    expect(after.report!.results.find((x) => x.check === 'auth.login')!.message).toContain('re-enabled Basic will be removed');
  });

  it('answers OAuth problems with the AADSTS code, the missing role, and the service principal lines with the real ids', async () => {
    const secret = await lab(['oauth-bad-secret']);
    expect(secret.report!.results.find((x) => x.check === 'auth.oauth-token')!.message).toContain('AADSTS7000215');
    const role = await lab(['oauth-no-role']);
    expect(role.report!.results.find((x) => x.check === 'auth.oauth-token')!.message).toMatch(/no role at all, not SMTP\.SendAsApp: admin consent/);
    const grant = await lab(['oauth-no-mailbox-permission']);
    const login = grant.report!.results.find((x) => x.check === 'auth.login')!;
    expect(login.message).toMatch(/535 5\.7\.3/);
    expect(login.powershell).toMatch(/^New-ServicePrincipal -AppId '[0-9a-f-]{36}' -ObjectId '[0-9a-f-]{36}'\nAdd-MailboxPermission -Identity 'scanner@contoso\.test' -User '[0-9a-f-]{36}' -AccessRights FullAccess$/);
    const disabled = await lab(['basic-disabled']);
    expect(disabled.report!.results.find((x) => x.check === 'auth.login')!.message).toContain('Basic authentication is off for this tenant');
  }, 120_000);

  it('injects several faults at once, failing the union of their checks', async () => {
    const r = await lab(['expired-cert,sender-mismatch', 'client-cert-mismatch']);
    expect(r.code).toBe(1);
    const expected = new Set([...FAULTS['expired-cert'].expected, ...FAULTS['sender-mismatch'].expected, ...FAULTS['client-cert-mismatch'].expected]);
    expect(failing(r.report!.results)).toEqual([...expected].sort());
  });

  it('shows the Exchange Online replies a newcomer must learn: 5.7.64 for an unattributed relay, 5.7.60 for a sender without Send As', async () => {
    const r = await lab(['client-cert-mismatch', 'sender-mismatch']);
    const find = (check: string, connector: string) => r.report!.results.find((x) => x.check === check && x.connector === connector)!;
    expect(find('send.validation', 'Lab relay to Exchange Online').message).toMatch(/550 5\.7\.64 TenantAttribution/);
    const sender = find('auth.sender-match', 'Lab scanner (SMTP AUTH)');
    expect(sender.message).toMatch(/at the end of DATA \(after the final dot\) \(validation message\): “550 5\.7\.60 SMTP; Client does not have permissions to send as this sender/);
    expect(sender.powershell).toMatch(/^Add-RecipientPermission -Identity 'scans@contoso\.test' -Trustee 'scanner@contoso\.test' -AccessRights SendAs/);
  });
});
