// Table-driven cases for the checks that judge the plan alone.
import { describe, expect, it } from 'vitest';
import connectorTls from '../../../checks/config/connector-tls.js';
import senderAccountMatch from '../../../checks/config/sender-account-match.js';
import quota from '../../../checks/limits/quota.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import { planFromYaml } from '../../helpers/plans.js';
import type { CheckDefinition, Finding, Plan } from '../../../src/types.js';

function evaluateEntries(check: CheckDefinition, plan: Plan): Finding[] {
  return subjectsFor('entry', plan)
    .filter((s) => !check.appliesTo || check.appliesTo(s, plan))
    .map((subject) => check.evaluate({ subject, plan, probes: {}, now: new Date('2026-11-27T02:00:00Z'), options: { send: false } }) as Finding);
}

const head = 'version: 1\ndomain: contoso.com\nacceptedDomains: [contoso.com, fabrikam.com]\n';

describe('config.connector-tls', () => {
  it.each([
    ['an inbound connector with TLS and a certificate name in an accepted domain', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, tlsSenderCertificateName: "*.contoso.com"}', 'pass', /TLS required; attributed by certificate name \*\.contoso\.com/],
    ['an OnPremises inbound connector attributed by IPv4 sender IPs only (MC1226222)', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, senderIPs: [198.51.100.25, 198.51.100.0/24]}', 'warn', /attributes the relay by IP address only \(senderIPs 198\.51\.100\.25, 198\.51\.100\.0\/24\): Microsoft warns \(MC1226222/],
    ['an inbound connector with sender IPs and a certificate name', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, senderIPs: [198.51.100.25], tlsSenderCertificateName: "*.contoso.com"}', 'pass', /certificate name/],
    ['a Partner inbound connector restricted to sender IPs', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, connectorType: Partner, senderIPs: [198.51.100.25]}', 'warn', /^connectorType is Partner/],
    ['an inbound connector that does not require TLS', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, requireTls: false, tlsSenderCertificateName: mail.contoso.com}', 'fail', /requireTls is false/],
    ['an inbound connector with nothing to attribute by', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com}', 'fail', /cannot attribute the relay/],
    ['a certificate name outside the accepted domains', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, tlsSenderCertificateName: relay.tailspin.com}', 'fail', /outside the accepted domains/],
    ['IPv6 sender IPs', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, senderIPs: ["2001:db8::25"]}', 'fail', /is IPv6/],
    ['sender IPs wider than /24', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, senderIPs: [198.51.0.0/16]}', 'fail', /wider than \/24/],
    ['a Partner inbound connector', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, connectorType: Partner, tlsSenderCertificateName: mail.contoso.com}', 'warn', /only through an OnPremises/],
    ['a Partner inbound connector with the partner\'s certificate name', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, connectorType: Partner, tlsSenderCertificateName: mail.tailspin.com}', 'warn', /^connectorType is Partner: it accepts a partner organization's mail/],
    ['an outbound connector with DomainValidation', '{name: b, direction: from-office365, smartHosts: [mail.contoso.com], tls: {mode: domain, domain: mail.contoso.com}}', 'pass', /DomainValidation \(mail\.contoso\.com\)/],
    ['an outbound connector without a TLS mode', '{name: b, direction: from-office365, smartHosts: [mail.contoso.com]}', 'fail', /opportunistic TLS/],
    ['an outbound connector that accepts any certificate', '{name: b, direction: from-office365, smartHosts: [mail.contoso.com], tls: {mode: any}}', 'warn', /EncryptionOnly/],
    ['a TLS domain that the mode ignores', '{name: b, direction: from-office365, smartHosts: [mail.contoso.com], tls: {mode: trusted-ca, domain: mail.contoso.com}}', 'warn', /checks the name only under mode domain \(DomainValidation\); under trusted-ca it is ignored/],
  ])('judges %s', (_name, connector, status, message) => {
    const [finding] = evaluateEntries(connectorTls, planFromYaml(`${head}connectors:\n  - ${connector}\n`));
    expect(finding.status).toBe(status);
    expect(finding.message).toMatch(message);
  });

  it('gives the certificate-based fix, in PowerShell, for an IP-only OnPremises connector', () => {
    const [finding] = evaluateEntries(connectorTls, planFromYaml(`${head}connectors:\n  - {name: Relay, direction: to-office365, endpoint: x.mail.protection.outlook.com, senderIPs: [198.51.100.25]}\n`));
    expect(finding.remediation).toMatch(/^Attribute the relay by certificate instead: .*unique to this tenant/);
    expect(finding.powershell).toBe("Set-InboundConnector -Identity 'Relay' -TlsSenderCertificateName '*.contoso.com' -RequireTls $true\n# once tls.client-certificate and send.validation pass:\nSet-InboundConnector -Identity 'Relay' -SenderIPAddresses $null");
  });

  it('names the Exchange Online answer and the PowerShell fix for a connector without attribution', () => {
    const [finding] = evaluateEntries(connectorTls, planFromYaml(`${head}connectors:\n  - {name: "Relay 'A'", direction: to-office365, endpoint: x.mail.protection.outlook.com, requireTls: false}\n`));
    expect(finding.exchangeOnline).toContain('550 5.7.64 TenantAttribution');
    expect(finding.powershell).toBe("Set-InboundConnector -Identity 'Relay ''A''' -RequireTls $true\nSet-InboundConnector -Identity 'Relay ''A''' -TlsSenderCertificateName '*.contoso.com'");
  });
});

describe('config.sender-account-match', () => {
  const account = (from: string, sendAs = '[]') => planFromYaml(`${head}submission:\n  - {name: s, endpoint: smtp.office365.com, username: scanner@contoso.com, password: {env: PW}, from: ${from}, sendAs: ${sendAs}}\n`, { PW: 'x' });
  it.each([
    ['the account itself', 'Scanner@Contoso.com', '[]', 'pass', 'from Scanner@Contoso.com is the account itself'],
    ['an address the account may send as', 'helpdesk@contoso.com', '[helpdesk@contoso.com]', 'pass', 'from helpdesk@contoso.com is listed in sendAs (the mailbox must grant Send As)'],
    ['another mailbox', 'ceo@contoso.com', '[]', 'fail', 'from ceo@contoso.com is neither the account scanner@contoso.com nor listed in sendAs'],
    ['a domain the tenant does not accept', 'scanner@tailspin.com', '[scanner@tailspin.com]', 'warn', "the sender domain tailspin.com is not among the plan's accepted domains (contoso.com, fabrikam.com)"],
  ])('judges a sender that is %s', (_n, from, sendAs, status, message) => {
    const [finding] = evaluateEntries(senderAccountMatch, account(from, sendAs));
    expect(finding).toMatchObject({ status, message });
  });

  it('gives the Send As grant that fixes a mismatch', () => {
    const [finding] = evaluateEntries(senderAccountMatch, account('ceo@contoso.com'));
    expect(finding.powershell).toBe("Add-RecipientPermission -Identity 'ceo@contoso.com' -Trustee 'scanner@contoso.com' -AccessRights SendAs -Confirm:$false");
    expect(finding.exchangeOnline).toContain('554 5.2.252 SendAsDenied');
  });
});

describe('limits.quota', () => {
  const plan = (limits: string) => planFromYaml(`${head}${limits}submission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: PW}, from: a@contoso.com}\n`, { PW: 'x' });
  it.each([
    ['the seed defaults when the plan sets none', '', 'pass', 'limits 1,500/day and 30/minute (defaults)'],
    ['limits above what Exchange Online allows', 'limits: {messagesPerDay: 20000, messagesPerMinute: 60}\n', 'warn', /above Exchange Online's 10,000 recipients a day.*above Exchange Online's 30 messages a minute/],
    ['a per-minute limit above the daily one', 'limits: {messagesPerDay: 10, messagesPerMinute: 30}\n', 'fail', 'messagesPerMinute (30) is above messagesPerDay (10)'],
  ])('judges %s', (_n, limits, status, message) => {
    const [finding] = evaluateEntries(quota, plan(limits));
    expect(finding.status).toBe(status);
    expect(finding.message).toMatch(message);
  });
});
