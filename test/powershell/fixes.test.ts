import { describe, expect, it } from 'vitest';
import { collectFixes, fixScript, renderCommand } from '../../src/powershell/fixes.js';
import { parseCommandLine, parsePowerShell } from '../../src/powershell/parse.js';
import type { CheckResult, RunReport } from '../../src/types.js';
import { runReport } from '../report/fixtures.js';

function result(r: Partial<CheckResult> & Pick<CheckResult, 'check' | 'status'>): CheckResult {
  return { severity: 'high', title: r.check, connector: null, endpoint: null, message: '', remediation: '', durationMs: 1, ...r };
}

function report(results: CheckResult[]): RunReport {
  return runReport({ plan: { organization: 'Contoso', domain: 'contoso.com', file: 'relaycheck.yaml' }, verdict: 'fail', results });
}

const IN = 'Office 365 SMTP relay TLS';
const OUT = 'Office 365 SMTP relay TLS 2';

const RUN = report([
  result({ check: 'smtp.connect', status: 'pass', connector: IN, powershell: "Set-InboundConnector -Identity 'x' -Enabled $false" }),
  result({ check: 'config.connector-tls', status: 'fail', connector: IN, message: 'requireTls is false: Exchange Online accepts this relay\'s mail without TLS', powershell: `Set-InboundConnector -Identity '${IN}' -RequireTls $true` }),
  result({ check: 'tls.client-certificate', status: 'fail', connector: IN, endpoint: 'contoso-com.mail.protection.outlook.com:25', message: 'TLS was not required', powershell: `Set-InboundConnector -Identity '${IN}' -RequireTls $true` }),
  result({ check: 'config.connector-tls', status: 'warn', connector: OUT, message: 'tls.mode any (EncryptionOnly)', powershell: `Set-OutboundConnector -Identity '${OUT}' -TlsSettings CertificateValidation` }),
  result({ check: 'tls.certificate-name', status: 'fail', connector: OUT, endpoint: 'mail.contoso.com:25', message: 'Server said:\r\nRemove-Mailbox -Identity * -Confirm:$false', powershell: `Set-OutboundConnector -Identity '${OUT}' -TlsSettings DomainValidation -TlsDomain 'mail.contoso.com'` }),
  result({ check: 'plugin.evil', status: 'fail', connector: IN, powershell: `Set-InboundConnector -Identity 'x'; Remove-Mailbox -Identity * -Confirm:$false` }),
  result({ check: 'plugin.remove', status: 'fail', connector: IN, powershell: `Remove-InboundConnector -Identity '${IN}' -Confirm:$false` }),
  result({ check: 'tls.certificate-expiry', status: 'fail', connector: OUT, endpoint: 'mail.contoso.com:25', message: 'Expired 35 days ago' }),
  result({ check: 'smtp.starttls', status: 'error', connector: IN, powershell: `Set-InboundConnector -Identity '${IN}' -RequireTls $false` }),
]);

describe('collecting the fixes of a run', () => {
  const { groups, rejected, withoutFix } = collectFixes(RUN);

  it('keeps one command per distinct fix, with every failing check that asked for it', () => {
    const inbound = groups.get(IN)!;
    expect(inbound.map((f) => f.command)).toEqual([`Set-InboundConnector -Identity '${IN}' -RequireTls $true`]);
    expect(inbound[0].reasons.map((r) => r.check)).toEqual(['config.connector-tls', 'tls.client-certificate']);
  });

  it('groups by connector, failures before warnings', () => {
    expect([...groups.keys()]).toEqual([IN, OUT]);
    expect(groups.get(OUT)!.map((f) => f.reasons[0].status)).toEqual(['fail', 'warn']);
  });

  it('ignores passing results and errors (an error decided nothing)', () => {
    const all = [...groups.values()].flat().map((f) => f.command);
    expect(all.join('\n')).not.toMatch(/-Enabled|RequireTls \$false/);
  });

  it('does not emit a line that chains another command, nor a Remove- cmdlet', () => {
    expect(rejected.map((r) => r.check)).toEqual(['plugin.evil', 'plugin.remove']);
  });

  it('lists failing results that carry no PowerShell as fixes outside the connectors', () => {
    expect(withoutFix.map((r) => r.check)).toEqual(['tls.certificate-expiry']);
  });
});

describe('the fix script', () => {
  const script = fixScript(RUN, { runFile: 'reports/relaycheck-20261127T020000Z.json' });

  it('runs only Set-*Connector commands: server text stays in comments and rejected lines are never code', () => {
    const commands = parsePowerShell(script);
    expect(commands.map((c) => c.cmdlet)).toEqual(['Set-InboundConnector', 'Set-OutboundConnector', 'Set-OutboundConnector']);
    for (const line of script.split('\n')) if (/Remove-/.test(line)) expect(line.startsWith('#')).toBe(true);
  });

  it('comments each command with the failing check, its endpoint and message', () => {
    expect(script).toContain(`# fail tls.client-certificate (contoso-com.mail.protection.outlook.com:25): TLS was not required\nSet-InboundConnector -Identity '${IN}' -RequireTls $true`);
    expect(script).toContain('# fail tls.certificate-name (mail.contoso.com:25): Server said: Remove-Mailbox -Identity * -Confirm:$false');
  });

  it('never lets bidi overrides or other invisible characters from a certificate subject reach the script raw', () => {
    const subject = 'CN=mail.contoso.com\u202Emoc.liam\u202C\u2066\u200B\uFEFF';
    const run = report([
      result({ check: 'tls.certificate-name', status: 'fail', connector: OUT, endpoint: 'mail.contoso.com:25', message: `names ${subject}`, powershell: `Set-OutboundConnector -Identity '${OUT}' -TlsDomain '${subject}'` }),
      result({ check: 'tls.certificate-trust', status: 'fail', connector: OUT, endpoint: 'mail.contoso.com:25', message: `untrusted ${subject}` }),
    ]);
    const text = fixScript(run, { runFile: 'run.json' });
    expect(text).not.toMatch(/[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/);
    expect(text).toContain('names CN=mail.contoso.com<U+202E>moc.liam<U+202C><U+2066><U+200B><U+FEFF>');
    expect(text).toContain("-TlsDomain ('CN=mail.contoso.com' + [char]0x202E + 'moc.liam' + [char]0x202C + [char]0x2066 + [char]0x200B + [char]0xFEFF)");
    // and the quoted value still reads back as the server's exact text
    expect(parsePowerShell(text).find((c) => c.cmdlet === 'Set-OutboundConnector')?.params.TlsDomain).toBe(subject);
  });

  it('points out two fixes that set the same parameter differently', () => {
    expect(script).toContain("# CHOOSE: -TlsSettings is set to 'DomainValidation' and to 'CertificateValidation' below: run only the one you want.");
  });

  it('names the run and lists failures that need fixing elsewhere', () => {
    expect(script.split('\n')[0]).toBe('# relaycheck: fixes for the connector-side failures of run reports/relaycheck-20261127T020000Z.json (started 2026-11-27T02:00:00.000Z, plan relaycheck.yaml, verdict fail).');
    expect(script).toMatch(/# 1 failing result needs a fix outside Exchange Online connectors[^\n]*\n#   tls\.certificate-expiry \[Office 365 SMTP relay TLS 2\] \(mail\.contoso\.com:25\): Expired 35 days ago/);
  });

  it('says so when nothing is to be fixed on the connectors', () => {
    expect(fixScript(report([result({ check: 'smtp.connect', status: 'pass' })]))).toContain('# No failing or warning result carries a connector fix.');
  });
});

describe('the lines checks write', () => {
  it.each([
    "Set-InboundConnector -Identity 'Office 365 SMTP relay TLS' -RequireTls $true",
    "Set-InboundConnector -Identity 'Relay' -TlsSenderCertificateName '*.contoso.com'",
    "Set-InboundConnector -Identity 'Relay' -ConnectorType OnPremises",
    "Set-OutboundConnector -Identity 'O''Brien' -TlsSettings CertificateValidation",
    "Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false",
    "Add-RecipientPermission -Identity 'info@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false",
    "Set-InboundConnector -Identity ('Relay' + [char]0x0A + 'x') -RequireTls $true",
  ])('are emitted as written: %s', (line) => {
    expect(renderCommand(parseCommandLine(line))).toBe(line);
  });

  it('groups an account fix under the plan entry it belongs to, not under its -Identity', () => {
    const { groups } = collectFixes(
      report([result({ check: 'auth.sender-match', status: 'fail', connector: 'Scanner account', powershell: "Add-RecipientPermission -Identity 'info@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false" })]),
    );
    expect([...groups.keys()]).toEqual(['Scanner account']);
  });
});

describe('DANE and MTA-STS fixes on outbound connectors', () => {
  it('re-emits Set-OutboundConnector -SmtpDaneMode / -MtaStsMode lines as written, the modes as bare words', () => {
    const line = `Set-OutboundConnector -Identity '${OUT}' -SmtpDaneMode Opportunistic -MtaStsMode Opportunistic`;
    const { groups } = collectFixes(report([result({ check: 'dns.dane', status: 'fail', connector: OUT, powershell: line })]));
    expect(groups.get(OUT)!.map((f) => f.command)).toEqual([line]);
    expect(parseCommandLine(line).params).toEqual({ Identity: OUT, SmtpDaneMode: 'Opportunistic', MtaStsMode: 'Opportunistic' });
  });
});
