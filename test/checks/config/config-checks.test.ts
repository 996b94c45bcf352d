// Table-driven cases for the checks that judge the plan alone.
import { describe, expect, it } from 'vitest';
import connectorTls from '../../../checks/config/connector-tls.js';
import senderAccountMatch from '../../../checks/config/sender-account-match.js';
import quota from '../../../checks/limits/quota.js';
import sendingPath from '../../../checks/config/sending-path.js';
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
    ['an inbound connector attributed by IPv4 sender IPs', '{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com, senderIPs: [198.51.100.25, 198.51.100.0/24]}', 'pass', /sender IPs/],
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
    ["Microsoft's per-mailbox figures when the plan sets none, without a messages-per-day limit", '', 'pass', 'mailbox submission: 10,000 recipients/day, 30 messages/minute, 500 recipients/message'],
    ['limits above what Exchange Online allows', 'limits: {messagesPerDay: 20000, messagesPerMinute: 60}\n', 'warn', /above Exchange Online's 10,000 recipients a day.*above Exchange Online's 30 messages a minute/],
    ['a per-minute limit above the daily one', 'limits: {messagesPerDay: 10, messagesPerMinute: 30}\n', 'fail', 'messagesPerMinute (30) is above messagesPerDay (10)'],
  ])('judges %s', (_n, limits, status, message) => {
    const [finding] = evaluateEntries(quota, plan(limits));
    expect(finding.status).toBe(status);
    expect(finding.message).toMatch(message);
  });
});

describe('config.sending-path', () => {
  const plan = (entries: string) => planFromYaml(`${head}${entries}`, { PW: 'x' });
  const hve = (to: string) => `submission:\n  - {name: h, endpoint: smtp-hve.office365.com, username: notify@contoso.com, password: {env: PW}, from: notify@contoso.com, validation: {to: [${to}]}}\n`;
  it.each([
    ['an HVE account with internal recipients, on Basic authentication until September 2028', hve('it@contoso.com'), 'pass', /^High Volume Email \(HVE\): internal recipients only \(it@contoso\.com\), Basic authentication \(allowed for HVE until 2028-09-30, unlike mailbox submission\)/],
    ['an HVE account with a recipient outside the accepted domains', hve('it@contoso.com, partner@tailspin.com'), 'fail', /^High Volume Email delivers to internal recipients only \(since June 2025\), and partner@tailspin\.com is outside the accepted domains \(contoso\.com, fabrikam\.com\)/],
    ['an ACS login of the documented form', 'submission:\n  - {name: a, endpoint: smtp.azurecomm.net, username: contoso-acs.6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c.72f988bf-86f1-41af-91ab-2d7cd011db47, password: {env: PW}, from: no-reply@contoso.com}\n', 'pass', /the login has the form <resource>\.<app id>\.<tenant id>/],
    ['an ACS login with a broken GUID', 'submission:\n  - {name: a, endpoint: smtp.azurecomm.net, username: contoso-acs.6f1d2c3b-4a5e-4f60.72f988bf-86f1-41af-91ab-2d7cd011db47, password: {env: PW}, from: no-reply@contoso.com}\n', 'fail', /is not an Azure Communication Services SMTP login/],
    ['Direct Send to a tenant mailbox', 'directSend:\n  - {name: d, endpoint: contoso-com.mail.protection.outlook.com, validation: {from: printer@contoso.com, to: [it@contoso.com]}}\n', 'pass', /^Direct Send to it@contoso\.com: tenant mailboxes only/],
    ['Direct Send to an external recipient', 'directSend:\n  - {name: d, endpoint: contoso-com.mail.protection.outlook.com, validation: {from: printer@contoso.com, to: [someone@tailspin.com]}}\n', 'fail', /^Direct Send delivers to the tenant's own mailboxes only/],
  ])('judges %s', (_n, entries, status, message) => {
    const [finding] = evaluateEntries(sendingPath, plan(entries));
    expect(finding.status).toBe(status);
    expect(finding.message).toMatch(message);
    if (status === 'fail') expect(finding.remediation).toBeTruthy();
  });

  it('fails HVE Basic authentication once September 2028 is over', () => {
    const p = plan(hve('it@contoso.com'));
    const [subject] = subjectsFor('entry', p);
    const f = sendingPath.evaluate({ subject, plan: p, probes: {}, now: new Date('2028-10-02T00:00:00Z'), options: { send: false } }) as Finding;
    expect(f.status).toBe('fail');
    expect(f.powershell).toBe("Add-HVEAppAccess -AppId <application id> -HVEAccount 'notify@contoso.com'");
  });

  it('does not apply to mailbox submission or connectors', () => {
    expect(evaluateEntries(sendingPath, plan('submission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: PW}, from: a@contoso.com}\n'))).toEqual([]);
  });
});
