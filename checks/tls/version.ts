// Verifies that STARTTLS negotiates TLS 1.2 or later (RFC 8996 deprecates TLS 1.0 and 1.1);
// Exchange Online uses and accepts only TLS 1.2+ (421 4.7.66 TLS 1.0 and 1.1 are not supported).
import { defineCheck } from '../../src/check-kit/define.js';
import { acceptedVersions, endpointOf, isLegacyVersion, sessionOf, versionList, versionName } from '../../src/check-kit/session.js';
import type { SmtpSession } from '../../src/evidence/smtp.js';
import type { Endpoint, Finding } from '../../src/types.js';

const SERVER_FIX =
  'Enable TLS 1.2 and 1.3 on the server and turn TLS 1.0/1.1 off (Postfix: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2, with an OpenSSL that supports them; Windows/Exchange Server: enable TLS 1.2 in SCHANNEL and .NET).';

function advice(endpoint: Endpoint): Pick<Finding, 'remediation' | 'exchangeOnline'> {
  if (endpoint.role === 'smart-host') {
    return {
      remediation: SERVER_FIX,
      exchangeOnline: 'Exchange Online uses only TLS 1.2 and later: it cannot complete a handshake with this smart host, so messages are deferred (450 4.4.317 Cannot connect to remote server) and returned after the retry period.',
    };
  }
  return {
    remediation: `Exchange Online itself negotiates TLS 1.2+: a lower version here means a device in the path terminates TLS (an SMTP-inspecting firewall or proxy). Remove it or update it to TLS 1.2, and make sure the ${endpoint.role === 'submission' ? 'device or application' : 'relay'} supports TLS 1.2.`,
    exchangeOnline: 'Exchange Online refuses TLS 1.0 and 1.1: 421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2.',
  };
}

function scanText(session: SmtpSession): string {
  const yes = acceptedVersions(session);
  if (!session.versionScan) return '';
  return yes.length ? `offers only ${versionList(yes)}` : 'no TLS version from 1.0 to 1.3 completed a handshake';
}

export default defineCheck({
  id: 'tls.version',
  title: 'STARTTLS negotiates TLS 1.2 or later',
  failureTitle: 'The endpoint only offers TLS below 1.2',
  severity: 'high',
  scope: 'endpoint',
  description: 'Reads the negotiated TLS version; when the handshake fails or lands below TLS 1.2, tries TLS 1.0, 1.1, 1.2 and 1.3 one by one and names the versions the server offers.',
  remediation: SERVER_FIX,
  requires: ['smtp-session'],
  evaluate({ subject, probes }) {
    const { endpoint } = endpointOf(subject);
    const session = sessionOf(probes);
    const tls = session.tls;
    if (session.failure?.kind === 'aborted' && !tls) return { status: 'error', message: `could not decide: ${session.failure.message}` };
    if (tls?.protocol) {
      const cipher = tls.cipher ? ` with ${tls.cipher.name}` : '';
      const kx = tls.ephemeralKey?.name ? ` (${tls.ephemeralKey.name})` : '';
      if (!isLegacyVersion(tls.protocol)) {
        return { status: 'pass', message: `${versionName(tls.protocol)}${cipher}${kx}`, evidence: { protocol: tls.protocol, cipher: tls.cipher?.name ?? null } };
      }
      const offers = scanText(session);
      return {
        status: 'fail',
        message: `Negotiated ${versionName(tls.protocol)}${cipher}${offers ? `; the server ${offers}` : ''}`,
        ...advice(endpoint),
        evidence: { protocol: tls.protocol, accepted: session.versionScan?.accepted ?? null },
      };
    }
    if (session.failure && (session.failure.phase === 'connect' || session.failure.phase === 'greeting')) {
      return { status: 'error', message: `could not decide: the session stopped at ${session.failure.phase} (${session.failure.kind}; see smtp.connect)`, remediation: 'Make the endpoint reachable first (see smtp.connect).' };
    }
    if (session.failure?.phase !== 'tls-handshake') {
      const why = session.starttls && !session.starttls.offered ? 'STARTTLS is not offered (see smtp.starttls)' : session.failure ? `the session stopped at ${session.failure.phase} (${session.failure.kind})` : 'no TLS handshake';
      return { status: 'skipped', message: `Not tested: ${why}` };
    }
    // The handshake failed: the version scan says whether versions are the reason.
    const scan = session.versionScan;
    if (!scan || Object.keys(scan.accepted).length === 0) {
      const errors = scan?.errors ? Object.values(scan.errors)[0] : undefined;
      return { status: 'error', message: `could not decide: the TLS handshake failed (${session.failure.message}) and no version could be tried${errors ? ` (${errors})` : ''}` };
    }
    const yes = acceptedVersions(session);
    const modern = yes.filter((v) => !isLegacyVersion(v));
    if (modern.length) {
      return {
        status: 'pass',
        message: `The server accepts ${versionList(yes)} on fresh connections; the full handshake failed for another reason (see smtp.starttls)`,
        evidence: { accepted: scan.accepted },
      };
    }
    return {
      status: 'fail',
      message: yes.length ? `The TLS handshake failed; the server ${scanText(session)}` : `The TLS handshake failed and ${scanText(session)} (see smtp.starttls)`,
      ...advice(endpoint),
      evidence: { accepted: scan.accepted },
    };
  },
});
