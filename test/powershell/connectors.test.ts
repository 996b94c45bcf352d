import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/load.js';
import { connectorScript, inboundSplat, outboundSplat, renderSplat } from '../../src/powershell/connectors.js';
import { parsePowerShell } from '../../src/powershell/parse.js';
import type { FromOffice365Connector, ToOffice365Connector } from '../../src/types.js';

const PLAN = `
version: 1
organization: Contoso
domain: contoso.com
acceptedDomains: [contoso.com, contoso.onmicrosoft.com]
connectors:
  - name: Office 365 SMTP relay TLS
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com
    requireTls: true
    tlsSenderCertificateName: "*.contoso.com"
    senderDomains: ["*"]
  - name: Office 365 SMTP relay TLS 2
    direction: from-office365
    smartHosts: [mail.contoso.com, "192.0.2.10:2525"]
    tls: { mode: domain, domain: mail.contoso.com }
    validation: { to: [admin@contoso.com] }
submission:
  - name: Scanner
    endpoint: smtp.office365.com:587
    username: scanner@contoso.com
    password: { env: SCANNER_PASSWORD_NOT_SET_ANYWHERE }
    from: scanner@contoso.com
`;

// The plan's secrets are not needed to print PowerShell (the env var above is unset).
const plan = parsePlan(PLAN, 'relaycheck.yaml', { env: {}, secrets: 'ignore' });
const inbound = plan.connectors[0] as ToOffice365Connector;
const outbound = plan.connectors[1] as FromOffice365Connector;

describe('New-InboundConnector', () => {
  it('prints the seed\'s splat for a certificate-based OnPremises connector', () => {
    const text = renderSplat(inboundSplat(inbound));
    expect(text).toContain(
      [
        '$splat = @{',
        "    Name                     = 'Office 365 SMTP relay TLS'",
        "    ConnectorType            = 'OnPremises'",
        "    SenderDomains            = '*'",
        '    RequireTls               = $true',
        "    TlsSenderCertificateName = '*.contoso.com'",
        '}',
        'New-InboundConnector @splat',
      ].join('\n'),
    );
  });

  it('uses SenderIPAddresses for an IP-based connector and restricts a Partner connector to its certificate or addresses', () => {
    const ip = inboundSplat({ ...inbound, tlsSenderCertificateName: undefined, senderIPs: ['198.51.100.25', '203.0.113.0/28'] });
    expect(Object.fromEntries(ip.params)).toMatchObject({ SenderIPAddresses: ['198.51.100.25', '203.0.113.0/28'] });
    expect(Object.fromEntries(ip.params)).not.toHaveProperty('TlsSenderCertificateName');
    expect(Object.fromEntries(ip.params)).not.toHaveProperty('RestrictDomainsToIPAddresses');
    const partner = Object.fromEntries(inboundSplat({ ...inbound, connectorType: 'Partner', senderDomains: ['fabrikam.com'] }).params);
    expect(partner).toMatchObject({ ConnectorType: 'Partner', RestrictDomainsToCertificate: true });
  });

  it('says FILL IN when the plan names neither a certificate nor sender IPs', () => {
    const s = inboundSplat({ ...inbound, tlsSenderCertificateName: undefined, senderIPs: [] });
    expect(s.comments.join('\n')).toMatch(/FILL IN: the plan names neither tlsSenderCertificateName nor senderIPs/);
  });
});

describe('New-OutboundConnector', () => {
  it('routes to the smart hosts on port 25 with the plan\'s TLS mode, for all accepted domains, and explains the choice', () => {
    const s = outboundSplat(outbound, plan);
    expect(s.params).toEqual([
      ['Name', 'Office 365 SMTP relay TLS 2'],
      ['ConnectorType', 'OnPremises'],
      ['UseMXRecord', false],
      ['SmartHosts', ['mail.contoso.com', '192.0.2.10']],
      ['TlsSettings', 'DomainValidation'],
      ['TlsDomain', 'mail.contoso.com'],
      ['AllAcceptedDomains', true],
      ['IsTransportRuleScoped', false],
    ]);
    const comments = s.comments.join('\n');
    expect(comments).toMatch(/AllAcceptedDomains: mail to every accepted domain goes to these smart hosts, as the usual relay set-up does\. To route only some domains, replace it with RecipientDomains = @\('contoso\.com'\)/);
    expect(comments).toMatch(/192\.0\.2\.10 on port 2525; Exchange Online always connects to smart hosts on port 25/);
    expect(s.after.join('\n')).toContain("Validate-OutboundConnector -Identity 'Office 365 SMTP relay TLS 2' -Recipients 'admin@contoso.com'");
  });

  it.each([
    ['any', 'EncryptionOnly'],
    ['trusted-ca', 'CertificateValidation'],
  ] as const)('writes tls.mode %s as TlsSettings %s without a TlsDomain', (mode, settings) => {
    const p = Object.fromEntries(outboundSplat({ ...outbound, tls: { mode } }, plan).params);
    expect(p.TlsSettings).toBe(settings);
    expect(p).not.toHaveProperty('TlsDomain');
  });

  it('leaves TlsSettings out when the plan has no tls, and says that this is opportunistic TLS', () => {
    const s = outboundSplat({ ...outbound, tls: undefined }, plan);
    expect(Object.fromEntries(s.params)).not.toHaveProperty('TlsSettings');
    expect(s.comments.join('\n')).toMatch(/opportunistic TLS/);
  });

  it('creates several outbound connectors rule-scoped, so that they do not all claim every accepted domain', () => {
    const two = { ...plan, connectors: [outbound, { ...outbound, name: 'Second' }] };
    const s = outboundSplat(outbound, two);
    const p = Object.fromEntries(s.params);
    expect(p).toMatchObject({ IsTransportRuleScoped: true });
    expect(p).not.toHaveProperty('AllAcceptedDomains');
    expect(s.comments.join('\n')).toMatch(/FILL IN: the plan has 2 outbound connectors/);
  });
});

describe('connectorScript', () => {
  it('prints one command per connector and nothing for submission accounts', () => {
    const commands = parsePowerShell(connectorScript(plan));
    expect(commands.map((c) => c.cmdlet)).toEqual(['New-InboundConnector', 'New-OutboundConnector', 'Validate-OutboundConnector']);
  });

  it('keeps hostile connector names inside their string literals and comments', () => {
    const name = "Relay'; Remove-Mailbox *; '\n}\nRemove-Mailbox * #";
    const hostile = { ...plan, organization: 'Evil\nRemove-Mailbox *', connectors: [{ ...inbound, name }, { ...outbound, name: `${name} 2` }] };
    const script = connectorScript(hostile);
    for (const line of script.split('\n')) expect(line).not.toMatch(/^Remove-Mailbox/);
    const commands = parsePowerShell(script);
    expect(commands.map((c) => c.cmdlet)).toEqual(['New-InboundConnector', 'New-OutboundConnector', 'Validate-OutboundConnector']);
    expect(commands[0].params.Name).toBe(name);
    expect(commands[2].params.Identity).toBe(`${name} 2`);
  });
});

describe('the plan\'s Exchange Online settings', () => {
  const settingsPlan = parsePlan(
    `version: 1
domain: contoso.com
connectors:
  - name: Partner in
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com
    connectorType: Partner
    tlsSenderCertificateName: mail.fabrikam.com
    senderIPs: [203.0.113.5]
    restrictDomainsToCertificate: false
    enabled: false
  - name: Partner out
    direction: from-office365
    smartHosts: [mx.fabrikam.com, 192.0.2.10]
    connectorType: Partner
    recipientDomains: [fabrikam.com]
    smtpDaneMode: Mandatory
    mtaStsMode: None
  - name: Second out
    direction: from-office365
    smartHosts: [mail.contoso.com]
`,
    'relaycheck.yaml',
    { env: {}, secrets: 'ignore' },
  );
  const commands = parsePowerShell(connectorScript(settingsPlan));

  it('writes what the plan says instead of relaycheck\'s defaults: RestrictDomainsToCertificate $false, a disabled connector, a Partner outbound connector and its RecipientDomains', () => {
    expect(commands[0].params).toMatchObject({ ConnectorType: 'Partner', RestrictDomainsToCertificate: false, RestrictDomainsToIPAddresses: true, Enabled: false });
    expect(commands[1].params).toMatchObject({ ConnectorType: 'Partner', RecipientDomains: 'fabrikam.com', SmtpDaneMode: 'Mandatory', MtaStsMode: 'None' });
    expect(commands[1].params).not.toHaveProperty('IsTransportRuleScoped');
    expect(commands[1].params).not.toHaveProperty('AllAcceptedDomains');
    // a connector whose plan says nothing about its scope keeps relaycheck's choice
    expect(commands[2].params).toMatchObject({ ConnectorType: 'OnPremises', IsTransportRuleScoped: true });
  });

  it('says that the created connector is disabled, and that Mandatory DANE cannot reach an IP-literal smart host', () => {
    const script = connectorScript(settingsPlan);
    expect(script).toContain("# Enabled $false, as in the plan: the connector is created disabled; turn it on with Set-InboundConnector -Identity <name> -Enabled $true.");
    expect(script).toContain('# SmtpDaneMode Mandatory: DANE needs a host name with DNSSEC-signed TLSA records; Exchange Online cannot deliver to 192.0.2.10 this way.');
  });
});
