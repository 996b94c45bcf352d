// Verifies, from the plan alone, that each connector is set up the way Exchange Online needs:
// inbound connectors require TLS and can attribute the relay (certificate name in an accepted
// domain, or IPv4 sender IPs /24../32); outbound connectors always use TLS. Microsoft:
// New-InboundConnector / New-OutboundConnector parameter reference; relay rules since Nov 2023.
import { isIP } from 'node:net';
import { combine, defineCheck, nameWithinDomain, type Observation } from '../../src/check-kit/define.js';
import { psQuote } from '../../src/powershell/quote.js';
import type { FromOffice365Connector, Plan, ToOffice365Connector } from '../../src/types.js';

function inbound(c: ToOffice365Connector, plan: Plan): Observation[] {
  const out: Observation[] = [];
  const id = psQuote(c.name);
  if (!c.requireTls) {
    out.push({ status: 'fail', message: 'requireTls is false: Exchange Online accepts this relay\'s mail without TLS', powershell: `Set-InboundConnector -Identity ${id} -RequireTls $true` });
  }
  if (!c.tlsSenderCertificateName && c.senderIPs.length === 0) {
    out.push({
      status: 'fail',
      message: 'neither tlsSenderCertificateName nor senderIPs is set: Exchange Online cannot attribute the relay to the tenant',
      exchangeOnline: 'Exchange Online answers 550 5.7.64 TenantAttribution; Relay Access Denied at RCPT TO.',
      powershell: `Set-InboundConnector -Identity ${id} -TlsSenderCertificateName ${psQuote(`*.${plan.domain}`)}`,
    });
  }
  // A Partner connector names the partner's certificate, which is outside our domains by nature.
  if (c.connectorType === 'OnPremises' && c.tlsSenderCertificateName && !plan.acceptedDomains.some((d) => nameWithinDomain(c.tlsSenderCertificateName!, d))) {
    out.push({
      status: 'fail',
      message: `tlsSenderCertificateName ${c.tlsSenderCertificateName} is outside the accepted domains (${plan.acceptedDomains.join(', ')})`,
      exchangeOnline: 'Since November 2023 Exchange Online relays only when the certificate domain or the MAIL FROM domain is an accepted domain: 550 5.7.64 TenantAttribution … ATTR36.',
    });
  }
  for (const ip of c.senderIPs) {
    const [addr, mask] = ip.split('/');
    if (isIP(addr) === 6) out.push({ status: 'fail', message: `senderIPs ${ip} is IPv6, which inbound connectors do not accept`, remediation: 'Relay over IPv4, or authenticate the connector by certificate name instead.' });
    else if (mask !== undefined && Number(mask) < 24) out.push({ status: 'fail', message: `senderIPs ${ip} is wider than /24, which inbound connectors do not accept`, remediation: 'List the relay\'s addresses as single IPs or ranges of /24 to /32.' });
  }
  if (c.connectorType === 'Partner') {
    out.push({ status: 'warn', message: "connectorType is Partner: it accepts a partner organization's mail for the tenant, but relaying to internet recipients works only through an OnPremises inbound connector", remediation: 'If this connector is your own relay, make it an OnPremises connector; if it is a partner\'s, leave it and test your relay through an OnPremises connector.' });
  }
  return out;
}

function outbound(c: FromOffice365Connector, plan: Plan): Observation[] {
  const id = psQuote(c.name);
  if (!c.tls) {
    return [{ status: 'fail', message: 'no tls.mode: Exchange Online uses opportunistic TLS and may deliver in clear text', powershell: `Set-OutboundConnector -Identity ${id} -TlsSettings CertificateValidation` }];
  }
  const out: Observation[] = [];
  if (c.tls.mode === 'any') {
    out.push({ status: 'warn', message: 'tls.mode any (EncryptionOnly): any certificate is accepted, so the smart host is not authenticated', powershell: `Set-OutboundConnector -Identity ${id} -TlsSettings CertificateValidation`, remediation: 'Give the smart hosts CA-issued certificates and switch the connector to CertificateValidation or DomainValidation.' });
  }
  if (c.tls.mode !== 'domain' && c.tls.domain) {
    out.push({ status: 'warn', message: `tls.domain ${c.tls.domain} is set, but Exchange Online checks the name only under mode domain (DomainValidation); under ${c.tls.mode} it is ignored`, remediation: 'Set tls.mode to domain if the connector uses DomainValidation, or remove tls.domain.' });
  }
  if (c.tls.mode === 'domain' && c.tls.domain && !plan.acceptedDomains.some((d) => nameWithinDomain(c.tls!.domain!, d)) && !nameWithinDomain(c.tls.domain, plan.domain)) {
    out.push({ status: 'warn', message: `tls.domain ${c.tls.domain} is outside the plan's domains: is this the smart host's certificate name?`, remediation: 'Set tls.domain to the name in the smart hosts\' certificates.' });
  }
  return out;
}

export default defineCheck({
  id: 'config.connector-tls',
  title: 'The connector is configured for TLS and tenant attribution',
  failureTitle: 'The connector configuration leaves TLS or attribution open',
  severity: 'high',
  scope: 'entry',
  description: 'Inbound connectors require TLS and attribute by certificate name (in an accepted domain) or IPv4 sender IPs (/24../32); outbound connectors set a TLS mode.',
  remediation: 'Change the connector as the message says (Set-InboundConnector / Set-OutboundConnector), then update the plan to match.',
  requires: [],
  appliesTo: (s) => s.scope === 'entry' && s.entry.kind === 'connector',
  evaluate({ subject, plan }) {
    if (subject.scope !== 'entry' || subject.entry.kind !== 'connector') throw new Error('connectors only');
    const c = subject.entry;
    if (c.direction === 'to-office365') {
      const how = c.tlsSenderCertificateName ? `certificate name ${c.tlsSenderCertificateName}` : `sender IPs ${c.senderIPs.join(', ')}`;
      return combine(inbound(c, plan), `TLS required; attributed by ${how}`);
    }
    const mode = { any: 'EncryptionOnly', 'trusted-ca': 'CertificateValidation', domain: `DomainValidation (${c.tls?.domain})` }[c.tls?.mode ?? 'any'];
    return combine(outbound(c, plan), `always TLS with ${mode}`);
  },
});
