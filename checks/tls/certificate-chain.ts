// Verifies that the server sends the intermediates its certificate needs, in order (RFC 5246 §7.4.2):
// Exchange Online fetches no missing intermediates, so a gap on a smart host is 4.4.317 [Message=UntrustedRoot].
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { pathText } from '../../src/tls/chain.js';
import { certificateContext, isFinding, SESSION_PROBE } from '../../src/tls/context.js';
import { exoConsequence } from '../../src/exo/tls-terms.js';
import { baseName } from '../../src/tls/trust.js';
import type { Finding } from '../../src/types.js';

export default defineCheck({
  id: 'tls.certificate-chain',
  title: 'The server sends the intermediate certificates it needs',
  failureTitle: 'The server does not send a complete certificate chain',
  severity: 'high',
  scope: 'endpoint',
  description:
    'The chain the server sends holds every intermediate between its certificate and a root, leaf first and in order; the missing issuer is named. Under EncryptionOnly a gap is a warning.',
  remediation:
    'Serve the full chain: the certificate followed by its intermediates (Postfix: smtpd_tls_chain_files = key, certificate, intermediates; or append the intermediates to smtpd_tls_cert_file), then reload.',
  requires: [SESSION_PROBE],
  evaluate(input): Finding {
    const ctx = certificateContext(input);
    if (isFinding(ctx)) return ctx;
    const { policy, evidence, leaf } = ctx;
    const chain = ctx.chain;
    const gap = policy.enforcesTrust ? 'fail' : 'warn';
    const out: Observation[] = [];
    const exo = exoConsequence(policy, 'chain');

    for (const step of chain.notSent) {
      out.push({
        status: gap,
        message: `the server does not send the intermediate ${step.cert.subject} (it is only in the plan's CA file ${baseName(step.file ?? '')})`,
        remediation: `Append ${step.cert.subject} to the certificate chain the server sends on ${policy.host}:${policy.port}, then reload it.`,
        exchangeOnline: exo,
      });
    }
    const end = chain.end;
    if (end.kind === 'issuer-missing') {
      if (!end.cert.isCa) {
        out.push({
          status: gap,
          message: `the server sends no issuer for ${end.cert.subject}: the missing issuer is ${end.issuer} (not sent, and not in the plan's trust either)`,
          remediation: `Add the intermediate ${end.issuer} to the chain the server sends on ${policy.host}:${policy.port} (the CA's download page has it), then reload.`,
          exchangeOnline: exo,
        });
      } else {
        out.push({
          status: 'warn',
          message: `the chain ends at the intermediate ${end.cert.subject}; its issuer ${end.issuer} was not sent and is no root the plan knows: if it is an intermediate, the server must send it`,
          remediation: `If ${end.issuer} is an intermediate, append it to the chain the server sends; if it is a root, add it to the plan's trust (see tls.certificate-trust).`,
          exchangeOnline: exo,
        });
      }
    }
    if (end.kind === 'bad-signature' && end.candidateFrom === 'sent') {
      out.push({
        status: gap,
        message: `the server sends ${end.candidate.subject}, but it did not sign ${end.cert.subject} (same name, different key: an outdated or wrong intermediate)`,
        remediation: `Replace the intermediate on ${policy.host} with the one that issued the current certificate.`,
        exchangeOnline: exo,
      });
    }
    if (chain.outOfOrder) {
      out.push({
        status: 'warn',
        message: `the certificates are out of order: sent as ${ctx.sent.map((c) => c.label).join(', ')}, the path is ${pathText(chain.path)} (TLS 1.2 requires each certificate to certify the one before it)`,
        remediation: 'List the certificate first, then its issuer, then that issuer\'s issuer.',
      });
    }
    if (chain.unrelated.length) {
      out.push({
        status: 'warn',
        message: `the server also sends ${chain.unrelated.length} certificate(s) not on the path: ${chain.unrelated.map((u) => u.cert.subject).join('; ')}`,
        remediation: 'Remove certificates that do not belong to this chain from the file the server sends.',
      });
    }
    if (ctx.unparsed.length) {
      out.push({
        status: 'warn',
        message: `${ctx.unparsed.length} sent certificate(s) could not be parsed (${ctx.unparsed.map((u) => `#${u.index + 1}: ${u.message}`).join('; ')})`,
        remediation: 'Remove malformed certificates from the chain file.',
      });
    }

    let pass: string;
    if (chain.leafSelfSigned) pass = `self-signed certificate ${leaf.label}: there are no intermediates to send`;
    else if (end.kind === 'anchor') {
      const n = chain.path.filter((s) => s.index !== undefined).length;
      pass = `complete: ${pathText(chain.path)} (${n} sent${chain.rootSent ? ', root included, which is harmless' : ''})`;
    } else pass = `every intermediate the server needs is sent (${pathText(chain.path)}); trust is judged by tls.certificate-trust`;
    return combine(out, pass, evidence);
  },
});
