// Verifies that the STARTTLS certificate chains to a trust anchor of the plan (RFC 5280 §6, nothing fetched);
// Exchange Online's CertificateValidation/DomainValidation need a trusted CA, EncryptionOnly accepts any.
import { defineCheck } from '../../src/check-kit/define.js';
import { pathText, type PathEnd } from '../../src/tls/chain.js';
import { certificateContext, isFinding, SESSION_PROBE } from '../../src/tls/context.js';
import { exoConsequence, type EndpointPolicy } from '../../src/exo/tls-terms.js';
import { baseName } from '../../src/tls/trust.js';
import type { Finding } from '../../src/types.js';

function remediationFor(policy: EndpointPolicy, end: PathEnd): string {
  if (end.kind === 'issuer-missing' && !end.cert.isCa) {
    return `Serve the intermediate ${end.issuer} with the certificate on ${policy.host}:${policy.port} (see tls.certificate-chain).`;
  }
  if (end.kind === 'bad-signature') return `Serve the intermediate that really issued the certificate on ${policy.host}:${policy.port} (see tls.certificate-chain).`;
  switch (policy.verifier) {
    case 'exchange-online':
      return `Install a certificate from a public CA that Exchange Online trusts on ${policy.host} and serve the full chain (Postfix: smtpd_tls_chain_files = key, certificate, intermediates).`;
    case 'relay':
      return "Exchange Online's MX chains to DigiCert Global Root G2 (since March 2026): make sure the relay and the plan trust it (trust.system: true, or add it under trust.ca), never pinning a particular root; if this certificate is not Microsoft's, check that the endpoint and resolve point at the tenant's MX host.";
    case 'client':
      return `Install a certificate from a CA the submitting clients trust on ${policy.host}, or add the issuing root to the plan's trust.ca if it is a private CA the clients trust.`;
  }
}

export default defineCheck({
  id: 'tls.certificate-trust',
  title: 'The STARTTLS certificate chains to a trusted root',
  failureTitle: 'The STARTTLS certificate does not chain to a trusted root',
  severity: 'high',
  scope: 'endpoint',
  description:
    "The chain the server sends reaches a trust anchor of the plan (Node's root store and/or the plan's CA files), every signature verified; self-signed and untrusted certificates are reported, not failed, under EncryptionOnly.",
  remediation: 'Serve a certificate issued by a trusted CA, with its intermediates.',
  requires: [SESSION_PROBE],
  evaluate(input): Finding {
    const ctx = certificateContext(input);
    if (isFinding(ctx)) return ctx;
    const { leaf, policy, store, evidence } = ctx;
    const chain = ctx.chain;
    const end = chain.end;
    const via = pathText(chain.path);

    if (end.kind === 'anchor' && chain.notCa.length === 0) {
      const anchor = end.anchor;
      const source = anchor.source === 'system' ? "Node's root store" : `the plan's CA file ${baseName(anchor.file ?? '')}`;
      const borrowed = chain.notSent.length
        ? `, using ${chain.notSent.map((s) => s.cert.subject).join(', ')} from the plan's CA files, which the server did not send (see tls.certificate-chain)`
        : '';
      const message = `chains to ${anchor.cert.subject} in ${source} (${via})${borrowed}`;
      if (policy.verifier === 'exchange-online' && policy.enforcesTrust && anchor.source === 'plan' && !store.inSystemStore(anchor.cert)) {
        return {
          status: 'warn',
          message: `${message}; that root is not in the public root store, and Exchange Online validates smart hosts against Microsoft's trusted roots only`,
          remediation: `Unless ${anchor.cert.subject} is a publicly trusted root, install a certificate from a public CA on ${policy.host}: ${policy.exoSetting} will not accept a private CA.`,
          exchangeOnline: exoConsequence(policy, 'untrusted'),
          evidence,
        };
      }
      return { status: 'pass', message, evidence };
    }

    let problem: string;
    switch (end.kind) {
      case 'anchor':
        problem = `${chain.notCa.map((c) => c.subject).join(', ')} issued a certificate on the path but is not a CA certificate (basicConstraints)`;
        break;
      case 'untrusted-root':
        problem = chain.leafSelfSigned
          ? `self-signed certificate ${leaf.subject}, which is not a trust anchor of the plan (${store.describe()})`
          : `the chain ends at the root ${end.cert.subject}, which is not a trust anchor of the plan (${store.describe()}): ${via}`;
        break;
      case 'issuer-missing':
        problem = `the chain stops at ${end.cert.subject}: its issuer ${end.issuer} was not sent and is not a trust anchor of the plan (${store.describe()})`;
        break;
      case 'bad-signature':
        problem = `${end.cert.subject} names ${end.candidate.subject} as its issuer, but the signature does not verify with that certificate's key`;
        break;
      case 'too-long':
        problem = `no trust anchor within 10 certificates: ${via}`;
        break;
    }
    if (!policy.enforcesTrust) {
      const accepted = chain.leafSelfSigned ? 'self-signed, accepted' : 'not trusted, accepted';
      return {
        status: 'pass',
        message: `${problem}; ${accepted} under ${policy.exoSetting}: Exchange Online encrypts but does not authenticate this smart host`,
        evidence,
      };
    }
    if (store.errors.length) problem += ` (note: ${store.errors.length} certificate(s) in the plan's CA files could not be parsed: ${[...new Set(store.errors.map((e) => baseName(e.file)))].join(', ')})`;
    return {
      status: 'fail',
      message: problem,
      remediation: remediationFor(policy, end),
      exchangeOnline: exoConsequence(policy, 'untrusted'),
      evidence,
    };
  },
});
