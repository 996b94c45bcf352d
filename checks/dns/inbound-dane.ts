// Verifies inbound DANE for Exchange Online (RFC 7672; Microsoft: Enable-DnssecForVerifiedDomain, then
// Enable-SmtpDaneInbound): each MX host under mx.microsoft has TLSA records, DNSSEC-validated by a validating resolver.
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, recordsOf } from '../../src/dns/answer.js';
import { isDaneMxHost, isExoMxHost, planTenantHosts } from '../../src/exo/dns.js';
import { DNS_PROBES, type MxTlsaProbeData } from '../../src/evidence/dns-probes.js';
import { psQuote } from '../../src/powershell/quote.js';

export default defineCheck({
  id: 'dns.inbound-dane',
  title: 'The Exchange Online MX hosts publish DNSSEC-signed TLSA records (inbound DANE)',
  failureTitle: 'Inbound DANE for the Exchange Online MX hosts is missing or not DNSSEC-validated',
  severity: 'medium',
  scope: 'domain',
  description:
    'When the plan relays to an mx.microsoft host: each MX host under mx.microsoft has TLSA at _25._tcp.<mx>, DNSSEC-validated (the AD bit of a resolver marked dns.validating; else unknown), as Enable-SmtpDaneInbound publishes them.',
  remediation: 'Run Enable-DnssecForVerifiedDomain (the MX moves to an mx.microsoft host), publish the new MX, then Enable-SmtpDaneInbound for the domain.',
  requires: [DNS_PROBES.mxTlsa],
  // Only where the plan relays to an mx.microsoft host: the legacy hosts cannot have DANE at all.
  appliesTo: (_s, plan) => planTenantHosts(plan).some(isDaneMxHost),
  evaluate({ subject, plan, probes }) {
    const data = probes[DNS_PROBES.mxTlsa] as MxTlsaProbeData;
    const domain = subject.scope === 'domain' ? subject.domain : data.domain;
    const evidence = { mx: answerEvidence(data.mx), tlsa: data.hosts.map((h) => answerEvidence(h.answer)) };
    if (lookupFailed(data.mx)) return { status: 'error', message: `could not decide: MX ${domain} ${describeAnswer(data.mx)}`, evidence };
    if (!data.hosts.length) {
      const legacy = recordsOf(data.mx, 'MX').some((r) => isExoMxHost(r.exchange));
      return {
        status: 'skipped',
        message: legacy
          ? `${domain}'s MX is a *.mail.protection.outlook.com host, which has no DNSSEC: inbound DANE needs the mx.microsoft host that Enable-DnssecForVerifiedDomain gives`
          : `${domain} has no MX host under mx.microsoft: inbound DANE for Exchange Online does not apply`,
        evidence,
      };
    }
    const enable = `Enable-SmtpDaneInbound -DomainName ${psQuote(domain)}`;
    const out: Observation[] = [];
    const passed: string[] = [];
    for (const h of data.hosts) {
      if (lookupFailed(h.answer)) {
        out.push({
          status: h.answer.status === 'servfail' && plan.dns.validating ? 'fail' : 'error',
          message: `TLSA ${h.name} ${describeAnswer(h.answer)}${h.answer.status === 'servfail' && plan.dns.validating ? ': the validating resolver cannot validate the mx.microsoft zone (DNSSEC bogus), so DANE senders defer mail to the tenant' : ''}`,
          remediation: 'Check the resolvers in dns.servers; if they validate, the chain of trust to the MX host is broken.',
        });
        continue;
      }
      const tlsa = recordsOf(h.answer, 'TLSA');
      if (!tlsa.length) {
        out.push({ status: 'warn', message: `${h.host} has no TLSA record at ${h.name} (${h.answer.status.toUpperCase()}): inbound DANE is not enabled for ${domain}`, remediation: `Enable inbound DANE for the domain, then check that ${h.name} answers with TLSA records.`, powershell: enable });
        continue;
      }
      if (!plan.dns.validating) {
        out.push({
          status: 'warn',
          message: `${tlsa.length} TLSA record(s) at ${h.name}; DNSSEC unknown: dns.validating is not set, so the answer's AD bit (${h.answer.ad ? 'set' : 'clear'}) is not taken as proof`,
          remediation: 'List a DNSSEC-validating resolver in dns.servers and set dns.validating: true.',
        });
        continue;
      }
      if (!h.answer.ad) {
        out.push({ status: 'fail', message: `${tlsa.length} TLSA record(s) at ${h.name}, but the validating resolver did not vouch for them (AD clear): DANE senders ignore them`, remediation: 'Check that the domain is DNSSEC-enabled in Exchange Online (Get-DnssecStatusForVerifiedDomain) and that the MX points at the mx.microsoft host.', powershell: enable });
        continue;
      }
      passed.push(`${h.host}: ${tlsa.length} TLSA record(s), DNSSEC-validated (AD)`);
    }
    return combine(out, passed.join('; '), evidence);
  },
});
