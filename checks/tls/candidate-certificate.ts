// Judges the next certificate before it is installed (candidateCertificate / run --candidate-cert):
// the smart host's by the same checks as its live one (name against TlsDomain, trust, full chain,
// validity, strength), the relay's by tls.client-certificate (TlsSenderCertificateName, accepted domains).
// Public TLS certificates live at most 200 days from March 2026 (CA/Browser Forum Ballot SC-081).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { defineCheck, nameWithinDomain } from '../../src/check-kit/define.js';
import { SMTP_SESSION_PROBE, type SmtpSession } from '../../src/evidence/smtp.js';
import { parsePemBundle } from '../../src/tls/certificate.js';
import { baseName } from '../../src/tls/trust.js';
import { STATUS_RANK, type CheckDefinition, type CheckInput, type Finding, type Secret, type Status } from '../../src/types.js';
import certificateName from './certificate-name.js';
import certificateTrust from './certificate-trust.js';
import certificateChain from './certificate-chain.js';
import certificateExpiry from './certificate-expiry.js';
import certificateStrength from './certificate-strength.js';
import clientCertificate from './client-certificate.js';

/** The checks a live smart host certificate gets, in report order. */
const SMART_HOST_CHECKS: CheckDefinition[] = [certificateName, certificateTrust, certificateChain, certificateExpiry, certificateStrength];

/** Stands for "no key given": tls.client-certificate then leaves the key out. */
export const NO_CANDIDATE_KEY: Secret = Object.freeze({ value: '', source: 'no key given' });

interface Part {
  check: string;
  finding: Finding;
}

function keyPart(certPem: string, key: Secret | undefined, file: string): Part[] {
  if (!key) return [];
  const leaf = parsePemBundle(certPem).certificates[0]!;
  try {
    if (leaf.publicKey?.equals(createPublicKey(createPrivateKey(key.value)))) return [];
    return [{ check: 'key', finding: { status: 'fail', message: `the private key (${key.source}) does not belong to ${baseName(file)}'s certificate ${leaf.subject}`, remediation: 'Use the key the certificate was issued for (the certificate request was made with it).' } }];
  } catch {
    // the key text never reaches a message, not even through an error
    return [{ check: 'key', finding: { status: 'fail', message: `the private key (${key.source}) cannot be read as an unencrypted PEM private key`, remediation: 'Give the unencrypted PEM key of the candidate certificate.' } }];
  }
}

function asList(out: Finding | Finding[]): Finding[] {
  return Array.isArray(out) ? out : [out];
}

export default defineCheck({
  id: 'tls.candidate-certificate',
  title: 'The next certificate would pass the same checks as the live one',
  failureTitle: 'The next certificate would fail once installed',
  severity: 'high',
  scope: 'endpoint',
  description:
    'For connectors with candidateCertificate (or run --candidate-cert FILE[,KEY]): the smart hosts\' next certificate through tls.certificate-name, -trust, -chain, -expiry and -strength, the relay\'s next client certificate through tls.client-certificate and the accepted domains, before it is installed; no network needed.',
  remediation: 'Fix the candidate certificate as the message says before installing it (reissue it, or append its intermediates).',
  requires: [],
  appliesTo: (s) => s.scope === 'endpoint' && s.entry.kind === 'connector' && Boolean(s.entry.candidateCertificate) && (s.endpoint.role === 'smart-host' || s.endpoint.role === 'to-office365'),
  evaluate(input: CheckInput): Finding {
    const { subject, plan } = input;
    if (subject.scope !== 'endpoint' || subject.entry.kind !== 'connector' || !subject.entry.candidateCertificate) return { status: 'skipped', message: 'no candidate certificate for this connector' };
    const entry = subject.entry;
    const cand = entry.candidateCertificate!;
    const file = baseName(cand.certFile);
    const bundle = parsePemBundle(cand.certPem);
    const leaf = bundle.certificates[0];
    if (!leaf || bundle.errors[0]?.index === 0) return { status: 'fail', message: `${file} holds no parseable certificate`, remediation: 'Give the candidate certificate as PEM, followed by its intermediates.' };

    const parts: Part[] = [];
    if (entry.direction === 'from-office365') {
      // The session the smart host will give once the certificate is installed: the same checks read it.
      const session: SmtpSession = { endpoint: subject.endpoint.key, tls: { protocol: 'TLSv1.3', cipher: null, authorized: false, peerChain: bundle.certificates.map((c) => c.base64), handshakeMs: 0 }, transcript: [], durationMs: 0 };
      for (const check of SMART_HOST_CHECKS) for (const finding of asList(check.evaluate({ ...input, probes: { [SMTP_SESSION_PROBE]: session } }))) parts.push({ check: check.id, finding });
      parts.push(...keyPart(cand.certPem, cand.key, cand.certFile));
    } else {
      const next = { ...entry, clientCertificate: { certFile: cand.certFile, certPem: cand.certPem, key: cand.key ?? NO_CANDIDATE_KEY } };
      for (const finding of asList(clientCertificate.evaluate({ ...input, subject: { ...subject, entry: next }, probes: {} }))) parts.push({ check: clientCertificate.id, finding });
      // MC1226222: the certificate domain must be an accepted domain of the tenant.
      const names = [...leaf.dnsNames, ...leaf.commonNames];
      if (!names.some((n) => plan.acceptedDomains.some((d) => nameWithinDomain(n, d)))) {
        parts.push({
          check: 'accepted-domains',
          finding: {
            status: 'fail',
            message: `none of its names (${[...new Set(names)].join(', ') || 'none'}) is in an accepted domain (${plan.acceptedDomains.join(', ')})`,
            remediation: 'Have the certificate issued for a name in one of the tenant\'s accepted domains.',
            exchangeOnline: 'Exchange Online relays only when the certificate domain or the MAIL FROM domain is an accepted domain (MC1226222): 550 5.7.64 TenantAttribution … ATTR36.',
          },
        });
      }
    }

    const head = `candidate ${file} (${leaf.subject}, notAfter ${leaf.notAfter.toISOString().slice(0, 10)})`;
    const bad = parts.filter((p) => p.finding.status !== 'pass' && p.finding.status !== 'skipped');
    const worst: Status = bad.reduce<Status>((w, p) => (STATUS_RANK[p.finding.status] > STATUS_RANK[w] ? p.finding.status : w), 'pass');
    const evidence = { certSha256: leaf.sha256, certFile: cand.certFile, candidate: true };
    if (!bad.length) return { status: 'pass', message: `${head} would pass: ${parts.map((p) => `${p.check}: ${p.finding.message}`).join('; ')}`, evidence };
    const join = (key: 'remediation' | 'exchangeOnline' | 'powershell', sep: string) => {
      const values = [...new Set(bad.map((p) => p.finding[key]).filter((x): x is string => Boolean(x)))];
      return values.length ? values.join(sep) : undefined;
    };
    const remediation = join('remediation', ' ');
    const exchangeOnline = join('exchangeOnline', ' ');
    const powershell = join('powershell', '\n');
    return {
      status: worst,
      message: `${head} ${worst === 'fail' ? 'would fail' : worst === 'warn' ? 'would pass with warnings' : 'could not be judged'}: ${bad.map((p) => `${p.check}: ${p.finding.message}`).join('; ')}`,
      ...(remediation ? { remediation } : {}),
      ...(exchangeOnline ? { exchangeOnline: `Once installed: ${exchangeOnline}` } : {}),
      ...(powershell ? { powershell } : {}),
      evidence,
    };
  },
});
