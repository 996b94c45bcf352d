// Verifies the relay's client certificate for an inbound connector: key, full chain (EXO fetches none), trust,
// validity, strength, TlsSenderCertificateName (CN passes, SAN-only warns) and the handshake; else 550 5.7.64.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { combine, defineCheck, nameWithinDomain, type Observation } from '../../src/check-kit/define.js';
import type { SmtpSession } from '../../src/evidence/smtp.js';
import { analyzeChain, pathText } from '../../src/tls/chain.js';
import { parsePemBundle, type Certificate } from '../../src/tls/certificate.js';
import { SESSION_PROBE } from '../../src/tls/context.js';
import { EXO_TENANT_ATTRIBUTION, setTlsSenderCertificateName } from '../../src/exo/tls-terms.js';
import { describeNames, exoMatchCertificate } from '../../src/tls/names.js';
import { strengthObservations } from '../../src/tls/strength.js';
import { baseName, trustStoreFor } from '../../src/tls/trust.js';
import { validityObservations } from '../../src/tls/validity.js';
import type { Finding, Plan, ToOffice365Connector } from '../../src/types.js';

const ATTRIBUTION = `Exchange Online cannot attribute the relay to the connector by certificate: RCPT TO gets "${EXO_TENANT_ATTRIBUTION}" (unless the connector also matches the sending IP).`;

/** OpenSSL alert codes that mean "the server did not accept the client certificate". */
const CERT_ALERT = /BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED/i;

function publicKeyOf(keyPem: string): KeyObject | undefined {
  try {
    return createPublicKey(createPrivateKey(keyPem));
  } catch {
    return undefined; // the key text never reaches a message, not even through an error
  }
}

function keyObservations(c: ToOffice365Connector, certs: Certificate[]): Observation[] {
  const cc = c.clientCertificate!;
  const pub = publicKeyOf(cc.key.value);
  if (!pub) {
    return [{ status: 'fail', message: `the private key (${cc.key.source}) cannot be read as an unencrypted PEM private key`, remediation: 'Point clientCertificate.key at the unencrypted PEM key of the client certificate (the relay needs it unencrypted too).' }];
  }
  const leaf = certs[0]!;
  const same = (cert: Certificate) => cert.publicKey?.equals(pub) ?? false;
  if (same(leaf)) return [];
  const other = certs.findIndex(same);
  return [
    {
      status: 'fail',
      message:
        other > 0
          ? `the private key (${cc.key.source}) belongs to certificate #${other + 1} in ${baseName(cc.certFile)} (${certs[other]!.subject}), not to the first one`
          : `the private key (${cc.key.source}) does not belong to the certificate ${leaf.subject}`,
      remediation: other > 0 ? `Put ${certs[other]!.subject} first in ${baseName(cc.certFile)}, followed by its intermediates.` : 'Use the key the certificate was issued for, on the relay and in the plan.',
      exchangeOnline: `The relay cannot present this certificate (the TLS handshake needs the matching key). ${ATTRIBUTION}`,
    },
  ];
}

function chainObservations(c: ToOffice365Connector, certs: Certificate[], plan: Plan): Observation[] {
  const cc = c.clientCertificate!;
  const file = baseName(cc.certFile);
  const store = trustStoreFor(plan);
  const chain = analyzeChain(certs, store);
  const out: Observation[] = [];
  for (const step of chain.notSent) {
    out.push({
      status: 'fail',
      message: `${file} lacks the intermediate ${step.cert.subject} (it is only in the plan's CA file ${baseName(step.file ?? '')}); Exchange Online does not fetch intermediates`,
      remediation: `Append ${step.cert.subject} to ${file} and to the chain the relay presents (Postfix: smtp_tls_chain_files).`,
      exchangeOnline: ATTRIBUTION,
    });
  }
  const end = chain.end;
  switch (end.kind) {
    case 'anchor':
      if (chain.notCa.length) out.push({ status: 'fail', message: `${chain.notCa.map((x) => x.subject).join(', ')} issued a certificate on the path but is not a CA certificate`, exchangeOnline: ATTRIBUTION });
      else if (end.anchor.source === 'plan' && !store.inSystemStore(end.anchor.cert)) {
        out.push({
          status: 'warn',
          message: `the chain ends at ${end.anchor.cert.subject} from the plan's CA file ${baseName(end.anchor.file ?? '')}, which is not in the public root store: Exchange Online trusts client certificates from public CAs only`,
          remediation: 'Use a client certificate from a public CA for certificate-based connectors.',
          exchangeOnline: ATTRIBUTION,
        });
      }
      break;
    case 'untrusted-root':
      out.push({
        status: 'fail',
        message: chain.leafSelfSigned ? `the client certificate ${certs[0]!.subject} is self-signed` : `the chain ends at ${end.cert.subject}, which is not a trust anchor of the plan (${store.describe()})`,
        remediation: 'Use a client certificate from a public CA: Exchange Online does not trust self-signed or private CAs.',
        exchangeOnline: ATTRIBUTION,
      });
      break;
    case 'issuer-missing':
      out.push({
        status: 'fail',
        message: `${file} ends at ${end.cert.subject}; its issuer ${end.issuer} is neither in the file nor a trust anchor of the plan${end.cert.isCa ? '' : ' (Exchange Online does not fetch missing intermediates)'}`,
        remediation: `Append the intermediate ${end.issuer} to ${file} and to the chain the relay presents (Postfix: smtp_tls_chain_files = key, certificate, intermediates).`,
        exchangeOnline: ATTRIBUTION,
      });
      break;
    case 'bad-signature':
      out.push({ status: 'fail', message: `${end.cert.subject} names ${end.candidate.subject} as its issuer, but the signature does not verify with that certificate's key`, remediation: `Replace the intermediate in ${file} with the one that issued the certificate.`, exchangeOnline: ATTRIBUTION });
      break;
    case 'too-long':
      out.push({ status: 'fail', message: `no trust anchor within 10 certificates: ${pathText(chain.path)}`, exchangeOnline: ATTRIBUTION });
      break;
  }
  return out;
}

function nameObservations(c: ToOffice365Connector, leaf: Certificate, plan: Plan, notes: string[]): Observation[] {
  const wanted = c.tlsSenderCertificateName;
  if (!wanted) {
    notes.push('the connector has no tlsSenderCertificateName, so the name is not judged');
    return [];
  }
  const m = exoMatchCertificate(wanted, leaf, 'TlsSenderCertificateName');
  const cnHit = m.cn.find((h) => h.result === 'match');
  if (cnHit) {
    notes.push(`CN ${cnHit.name} matches tlsSenderCertificateName ${wanted}`);
    return [];
  }
  const cn = leaf.commonNames[0];
  const cnUsable = cn && plan.acceptedDomains.some((d) => nameWithinDomain(cn, d));
  const powershell = cnUsable ? setTlsSenderCertificateName(c.name, cn) : undefined;
  const sanHit = m.san.find((h) => h.result === 'match');
  if (sanHit) {
    return [
      {
        status: 'warn',
        message: `only the SAN ${sanHit.name} matches tlsSenderCertificateName ${wanted}, the CN (${cn ?? 'none'}) does not: Microsoft's pages disagree on whether Exchange Online looks beyond the subject CN`,
        remediation: `Have the certificate issued with a CN matching ${wanted} so that both readings attribute the relay${cnUsable ? ', or set TlsSenderCertificateName to the CN' : ''}.`,
        exchangeOnline: `If Exchange Online reads only the CN: ${ATTRIBUTION}`,
        ...(powershell ? { powershell } : {}),
      },
    ];
  }
  return [
    {
      status: 'fail',
      message: `no CN or SAN matches tlsSenderCertificateName ${wanted}: the certificate has ${describeNames(leaf)}`,
      remediation: cnUsable
        ? `Set the connector's TlsSenderCertificateName to the certificate's name (${cn}) if this is the right certificate, or issue one for ${wanted}.`
        : `Issue the client certificate for a name matching ${wanted} (in an accepted domain).`,
      exchangeOnline: ATTRIBUTION,
      ...(powershell ? { powershell } : {}),
    },
  ];
}

function handshakeObservations(session: SmtpSession | undefined, notes: string[]): Observation[] {
  if (!session) return [];
  const f = session.failure;
  const alert = f && (f.phase === 'tls-handshake' || f.phase === 'ehlo-tls') && CERT_ALERT.test(`${f.code ?? ''} ${f.message}`);
  if (alert) {
    return [
      {
        status: 'fail',
        message: `the server refused the client certificate during the TLS handshake (${f!.code ?? f!.kind}: ${f!.message})`,
        remediation: 'Check that the server trusts the issuing CA and that the relay presents the full chain.',
        exchangeOnline: ATTRIBUTION,
      },
    ];
  }
  const tls = session.tls;
  if (!tls) {
    notes.push(f ? `not seen in a handshake: the session stopped at ${f.phase} (${f.kind})` : 'not seen in a handshake: the session did not reach TLS');
    return [];
  }
  if (tls.clientCertificatePresented) {
    notes.push(f ? `presented in the TLS handshake; the session later stopped at ${f.phase} (${f.kind})` : 'presented and accepted in the TLS handshake');
  } else if (tls.clientCertificateRequested === false) {
    notes.push('the server did not request a client certificate, so the handshake could not show it accepted');
  } else if (tls.clientCertificateRequested) {
    return [{ status: 'warn', message: 'the server requested a client certificate but the session did not present the plan\'s certificate', remediation: 'Check that the relay (and relaycheck) can read the certificate and key files.' }];
  }
  return [];
}

export default defineCheck({
  id: 'tls.client-certificate',
  title: 'The relay\'s client certificate lets Exchange Online attribute the connector',
  failureTitle: 'The relay\'s client certificate would not attribute the connector',
  severity: 'high',
  scope: 'endpoint',
  description:
    'For to-office365 connectors with a clientCertificate: the key matches, the file holds the full chain to a trusted root (Exchange Online does not fetch intermediates), it is valid and strong, a name matches tlsSenderCertificateName (CN passes, SAN only warns), and the handshake presented it.',
  remediation: 'Fix the client certificate files as the message says, configure the same files on the relay, and reload it.',
  requires: [SESSION_PROBE],
  appliesTo: (s) => s.scope === 'endpoint' && s.entry.kind === 'connector' && s.entry.direction === 'to-office365' && Boolean(s.entry.clientCertificate),
  evaluate({ subject, plan, probes, now }): Finding {
    if (subject.scope !== 'endpoint' || subject.entry.kind !== 'connector' || subject.entry.direction !== 'to-office365' || !subject.entry.clientCertificate) {
      return { status: 'skipped', message: 'no client certificate in the plan for this connector' };
    }
    const c = subject.entry;
    const cc = c.clientCertificate!;
    const bundle = parsePemBundle(cc.certPem);
    const leaf = bundle.certificates[0];
    if (!leaf || bundle.errors[0]?.index === 0) {
      return { status: 'fail', message: `${baseName(cc.certFile)} holds no parseable certificate${bundle.errors[0] ? ` (${bundle.errors[0].message})` : ''}`, remediation: 'Point clientCertificate.cert at the PEM certificate (followed by its intermediates).' };
    }
    const notes: string[] = [];
    const warnDays = plan.tlsPolicy?.expiryWarnDays ?? 30;
    const fix = `Renew the client certificate, update ${baseName(cc.certFile)} and the relay, and reload it`;
    const validity = [
      ...validityObservations(leaf, 'the client certificate', now, warnDays, fix),
      ...bundle.certificates.slice(1).filter((x) => !x.selfIssued).flatMap((x) => validityObservations(x, `the intermediate ${x.subject}`, now, warnDays, fix)),
    ];
    for (const o of validity) if (o.status === 'fail') o.exchangeOnline = ATTRIBUTION;
    const strength = strengthObservations(bundle.certificates, undefined, (x, i) => (i === 0 ? 'the client certificate' : x.subject), notes);
    for (const o of strength) if (o.status === 'fail') o.exchangeOnline = ATTRIBUTION;
    const out: Observation[] = [
      ...keyObservations(c, bundle.certificates),
      ...nameObservations(c, leaf, plan, notes),
      ...chainObservations(c, bundle.certificates, plan),
      ...validity,
      ...strength,
      ...handshakeObservations(probes[SESSION_PROBE] as SmtpSession | undefined, notes),
    ];
    if (bundle.errors.length) out.push({ status: 'warn', message: `${bundle.errors.length} certificate(s) in ${baseName(cc.certFile)} could not be parsed`, remediation: 'Remove malformed blocks from the certificate file.' });
    const pass = `${leaf.subject}: key matches, chain complete and trusted, valid until ${leaf.notAfter.toISOString().slice(0, 10)}${notes.length ? `; ${notes.join('; ')}` : ''}`;
    return combine(out, pass, { certSha256: leaf.sha256, certFile: cc.certFile });
  },
});
