// Verifies the STARTTLS certificate's name: the host (RFC 6125 §6.4, RFC 7817) for the MX and submission
// endpoints, TlsDomain (CN or SAN, "*.x" as Exchange Online reads it) for DomainValidation smart hosts.
import { defineCheck, nameWithinDomain } from '../../src/check-kit/define.js';
import { certificateContext, isFinding, SESSION_PROBE } from '../../src/tls/context.js';
import { exoConsequence, setTlsDomain } from '../../src/exo/tls-terms.js';
import { describeNames, exoMatchCertificate, verifyHost } from '../../src/tls/names.js';
import type { Certificate } from '../../src/tls/certificate.js';
import type { Finding, Plan } from '../../src/types.js';

/** The certificate name to propose as TlsDomain: one in the plan's domains first. */
function proposedTlsDomain(cert: Certificate, plan: Plan): string | undefined {
  const names = [...cert.dnsNames, ...cert.commonNames];
  const domains = [plan.domain, ...plan.acceptedDomains];
  // A name outside the organization's domains is not a TlsDomain to adopt: that certificate is
  // the wrong one and should be replaced, not written into the connector.
  return names.find((n) => domains.some((d) => nameWithinDomain(n, d)));
}

export default defineCheck({
  id: 'tls.certificate-name',
  title: 'The STARTTLS certificate carries the expected name',
  failureTitle: 'The STARTTLS certificate does not carry the expected name',
  severity: 'high',
  scope: 'endpoint',
  description:
    'The certificate names (CN and SAN) match the endpoint: the host for the Office 365 MX and submission endpoints, tls.domain for smart hosts under DomainValidation (reported only under CertificateValidation and EncryptionOnly).',
  remediation: 'Install a certificate whose subjectAltName carries the expected name, or correct the name the connector expects.',
  requires: [SESSION_PROBE],
  evaluate(input): Finding {
    const ctx = certificateContext(input);
    if (isFinding(ctx)) return ctx;
    const { leaf, policy, evidence } = ctx;
    const names = describeNames(leaf);

    if (policy.name.kind === 'tls-domain') {
      const pattern = policy.name.pattern;
      const m = exoMatchCertificate(pattern, leaf, 'TlsDomain');
      const match = [...m.cn.map((h) => ({ ...h, where: 'CN' })), ...m.san.map((h) => ({ ...h, where: 'SAN' }))];
      const exact = match.find((h) => h.result === 'match');
      if (exact) return { status: 'pass', message: `${exact.where} ${exact.name} matches TlsDomain ${pattern} (DomainValidation)`, evidence: { ...evidence, expected: pattern } };
      const unsure = match.find((h) => h.result === 'ambiguous');
      const proposed = proposedTlsDomain(leaf, ctx.plan);
      const powershell = proposed && proposed !== unsure?.name ? setTlsDomain(policy, proposed) : undefined;
      if (unsure) {
        return {
          status: 'warn',
          message: `${unsure.where} ${unsure.name} matches TlsDomain ${pattern} only under one reading: ${unsure.reason}`,
          remediation: `Make the name unambiguous: set TlsDomain to the certificate's exact name, or use a certificate for a subdomain of ${pattern.replace(/^\*\./, '')}.`,
          exchangeOnline: `If Exchange Online does not count ${unsure.name} as a match it defers the mail: ${exoConsequence(policy, 'name', { expected: pattern, presented: leaf.subject })}`,
          ...(powershell ? { powershell } : {}),
          evidence: { ...evidence, expected: pattern },
        };
      }
      return {
        status: 'fail',
        message: `no CN or SAN matches TlsDomain ${pattern}: the certificate has ${names}`,
        remediation: `Install a certificate carrying ${pattern} on the smart host ${policy.host}, or, if the certificate is the right one, set the connector's TlsDomain to a name it carries.`,
        exchangeOnline: exoConsequence(policy, 'name', { expected: pattern, presented: leaf.subject }),
        ...(powershell ? { powershell } : {}),
        evidence: { ...evidence, expected: pattern },
      };
    }

    const m = verifyHost(leaf, policy.host);
    const note = m.note ? ` (${m.note})` : '';
    if (policy.name.kind === 'not-judged') {
      const covers = m.matched ? `covers the smart host name ${policy.host}` : `does not cover the smart host name ${policy.host}`;
      return {
        status: 'pass',
        message: `${policy.exoSetting}: Exchange Online does not match the certificate name; the certificate (${names}) ${covers}${note}`,
        evidence,
      };
    }
    if (m.matched) {
      const via = m.via === 'cn' ? 'CN' : 'SAN';
      return { status: 'pass', message: `${via} ${m.name} matches ${policy.host}${note}`, evidence: { ...evidence, expected: policy.host } };
    }
    const mx = policy.role === 'to-office365';
    return {
      status: 'fail',
      message: `no certificate name matches ${policy.host}: the certificate has ${names}${note}`,
      remediation: mx
        ? `Check that the endpoint is the tenant's MX host (…mail.protection.outlook.com or …mx.microsoft) and that resolve/--resolve does not send ${policy.host} to another server; Microsoft's MX presents *.mail.protection.outlook.com.`
        : `Install a certificate whose subjectAltName includes ${policy.host} on the server, or point the plan (and the clients) at the name the certificate carries.`,
      exchangeOnline: exoConsequence(policy, 'name'),
      evidence: { ...evidence, expected: policy.host },
    };
  },
});
