// Verifies that the STARTTLS certificate and its sent intermediates are within their validity period
// (RFC 5280 §4.1.2.5), warning expiryWarnDays ahead; Exchange Online: 4.4.317 [Message=CertificateExpired].
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { isoSeconds } from '../../src/tls/certificate.js';
import { certificateContext, daysText, isFinding, SESSION_PROBE } from '../../src/tls/context.js';
import { validityObservations } from '../../src/tls/validity.js';
import { exoConsequence, type EndpointPolicy } from '../../src/exo/tls-terms.js';
import type { Finding } from '../../src/types.js';

function renewText(policy: EndpointPolicy): string {
  return `Renew the certificate on ${policy.host}:${policy.port} and reload the server (Postfix: postfix reload)`;
}

export default defineCheck({
  id: 'tls.certificate-expiry',
  title: 'The STARTTLS certificate is within its validity period',
  failureTitle: 'The STARTTLS certificate has expired or is not yet valid',
  severity: 'high',
  scope: 'endpoint',
  description: 'The certificate and the intermediates sent with it are valid now; warns within certificates.expiryWarnDays (default 30) of notAfter.',
  remediation: 'Renew the certificate and reload the server.',
  requires: [SESSION_PROBE],
  evaluate(input): Finding {
    const ctx = certificateContext(input);
    if (isFinding(ctx)) return ctx;
    const { leaf, policy, now, evidence } = ctx;
    const warnDays = ctx.plan.tlsPolicy?.expiryWarnDays ?? 30;
    const fix = renewText(policy);
    // The leaf and the sent intermediates on the path; a root's validity is the verifier's business.
    const chain = ctx.chain;
    const intermediates = chain.path.filter((s, i) => i > 0 && s.index !== undefined && !s.cert.selfIssued).map((s) => s.cert);
    const out: Observation[] = [...validityObservations(leaf, '', now, warnDays, fix)];
    for (const c of intermediates) out.push(...validityObservations(c, `intermediate ${c.subject}`, now, warnDays, `Serve the CA's current intermediate instead of ${c.subject}`));
    for (const o of out) if (o.status === 'fail') o.exchangeOnline = exoConsequence(policy, 'expired');

    const left = leaf.notAfter.getTime() - now.getTime();
    const soonest = intermediates.filter((c) => c.notAfter < leaf.notAfter).sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0];
    const pass = `Valid until ${isoSeconds(leaf.notAfter)} (${daysText(left)} left)${soonest ? `; intermediate ${soonest.subject} until ${isoSeconds(soonest.notAfter)}` : ''}`;
    return combine(out, pass, { ...evidence, notAfter: isoSeconds(leaf.notAfter) });
  },
});
