import check from '../../../checks/config/connector-tls.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';

/** A plan with one connector, written as a YAML flow mapping. */
const connector = (yaml: string) => planFromYaml(`version: 1\ndomain: contoso.com\nacceptedDomains: [contoso.com, fabrikam.com]\nconnectors:\n  - ${yaml}\n`);
const inbound = (extra: string) => connector(`{name: a, direction: to-office365, endpoint: x.mail.protection.outlook.com${extra}}`);
const outbound = (extra: string) => connector(`{name: b, direction: from-office365, smartHosts: [mail.contoso.com]${extra}}`);

testCheck(check, {
  valid: [
    { name: 'passes an inbound connector with TLS and a certificate name in an accepted domain', plan: inbound(', tlsSenderCertificateName: "*.contoso.com"'), message: /TLS required; attributed by certificate name \*\.contoso\.com/ },
    { name: 'passes an inbound connector with sender IPs and a certificate name', plan: inbound(', senderIPs: [198.51.100.25], tlsSenderCertificateName: "*.contoso.com"'), message: /certificate name/ },
    { name: 'passes an outbound connector with DomainValidation', plan: outbound(', tls: {mode: domain, domain: mail.contoso.com}'), message: /DomainValidation \(mail\.contoso\.com\)/ },
  ],
  invalid: [
    { name: 'fails an inbound connector that does not require TLS', status: 'fail', plan: inbound(', requireTls: false, tlsSenderCertificateName: mail.contoso.com'), message: /requireTls is false/ },
    { name: 'fails an inbound connector with nothing to attribute by', status: 'fail', plan: inbound(''), message: /cannot attribute the relay/ },
    { name: 'fails a certificate name outside the accepted domains', status: 'fail', plan: inbound(', tlsSenderCertificateName: relay.tailspin.com'), message: /outside the accepted domains/ },
    { name: 'fails IPv6 sender IPs', status: 'fail', plan: inbound(', senderIPs: ["2001:db8::25"]'), message: /is IPv6/ },
    { name: 'fails sender IPs wider than /24', status: 'fail', plan: inbound(', senderIPs: [198.51.0.0/16]'), message: /wider than \/24/ },
    {
      name: 'warns on an OnPremises inbound connector attributed by IPv4 sender IPs only (MC1226222), with the certificate-based fix in PowerShell',
      status: 'warn',
      plan: connector('{name: Relay, direction: to-office365, endpoint: x.mail.protection.outlook.com, senderIPs: [198.51.100.25, 198.51.100.0/24]}'),
      message: /attributes the relay by IP address only \(senderIPs 198\.51\.100\.25, 198\.51\.100\.0\/24\): Microsoft warns \(MC1226222/,
      remediation: /^Attribute the relay by certificate instead: .*unique to this tenant/,
      powershell: "Set-InboundConnector -Identity 'Relay' -TlsSenderCertificateName '*.contoso.com' -RequireTls $true\n# once tls.client-certificate and send.validation pass:\nSet-InboundConnector -Identity 'Relay' -SenderIPAddresses $null",
    },
    { name: 'warns on a Partner inbound connector restricted to sender IPs', status: 'warn', plan: inbound(', connectorType: Partner, senderIPs: [198.51.100.25]'), message: /^connectorType is Partner/ },
    { name: 'warns on a Partner inbound connector', status: 'warn', plan: inbound(', connectorType: Partner, tlsSenderCertificateName: mail.contoso.com'), message: /only through an OnPremises/ },
    {
      name: "warns on a Partner inbound connector with the partner's certificate name",
      status: 'warn',
      plan: inbound(', connectorType: Partner, tlsSenderCertificateName: mail.tailspin.com'),
      message: /^connectorType is Partner: it accepts a partner organization's mail/,
    },
    { name: 'fails an outbound connector without a TLS mode', status: 'fail', plan: outbound(''), message: /opportunistic TLS/ },
    { name: 'warns on an outbound connector that accepts any certificate', status: 'warn', plan: outbound(', tls: {mode: any}'), message: /EncryptionOnly/ },
    {
      name: 'warns on a TLS domain that the mode ignores',
      status: 'warn',
      plan: outbound(', tls: {mode: trusted-ca, domain: mail.contoso.com}'),
      message: /checks the name only under mode domain \(DomainValidation\); under trusted-ca it is ignored/,
    },
    {
      name: 'names the Exchange Online answer and the PowerShell fix for a connector without attribution',
      status: 'fail',
      plan: connector(`{name: "Relay 'A'", direction: to-office365, endpoint: x.mail.protection.outlook.com, requireTls: false}`),
      exchangeOnline: ['550 5.7.64 TenantAttribution'],
      powershell: "Set-InboundConnector -Identity 'Relay ''A''' -RequireTls $true\nSet-InboundConnector -Identity 'Relay ''A''' -TlsSenderCertificateName '*.contoso.com'",
    },
  ],
});
