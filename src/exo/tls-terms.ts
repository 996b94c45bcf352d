// What each endpoint's certificate means for Exchange Online (DESIGN §2, reference/exchange-online.md):
// who verifies it, which name it must carry, whether trust is enforced, and the text an admin will
// see in Exchange Online (message trace / NDR) for each kind of certificate failure.
import { TLS_SETTINGS } from '../powershell/connectors.js';
import { psQuote } from '../powershell/quote.js';
import type { EndpointRole, Subject, TlsMode } from '../types.js';

export const EXO_UNTRUSTED_ROOT = '450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot]';
export const EXO_VALIDATION_FAILED = '450 4.7.320 certificate validation failed';
export const EXO_CERTIFICATE_EXPIRED = '450 4.4.317 Cannot connect to remote server [Message=CertificateExpired]';
export const EXO_TENANT_ATTRIBUTION = '550 5.7.64 TenantAttribution; Relay Access Denied';

export function exoSubjectMismatch(expected: string, presented: string): string {
  return `450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: ${expected} Presented Subject: ${presented}]`;
}

export type ExoTlsSetting = 'EncryptionOnly' | 'CertificateValidation' | 'DomainValidation' | 'opportunistic TLS';

export const EXO_TLS_SETTING: Record<TlsMode | 'opportunistic', ExoTlsSetting> = { ...TLS_SETTINGS, opportunistic: 'opportunistic TLS' };

export interface EndpointPolicy {
  role: EndpointRole;
  /** the plan entry's name (connector or submission account) */
  entryName: string;
  host: string;
  port: number;
  /** smart hosts: the outbound connector's TLS mode ('opportunistic' when the plan sets none) */
  mode?: TlsMode | 'opportunistic';
  exoSetting?: ExoTlsSetting;
  /** who verifies this certificate in production */
  verifier: 'exchange-online' | 'relay' | 'client';
  /** untrusted or incomplete chains fail (else they are reported and pass) */
  enforcesTrust: boolean;
  /** which name the certificate must carry */
  name: { kind: 'host' } | { kind: 'tls-domain'; pattern: string } | { kind: 'not-judged' };
  /** the Set-OutboundConnector identity (smart hosts) */
  psIdentity?: string;
}

const policies = new WeakMap<Subject, EndpointPolicy>();

/** The endpoint's policy; worked out once per subject, since every certificate check asks. */
export function endpointPolicy(subject: Subject): EndpointPolicy {
  let policy = policies.get(subject);
  if (!policy) policies.set(subject, (policy = policyFor(subject)));
  return policy;
}

function policyFor(subject: Subject): EndpointPolicy {
  if (subject.scope !== 'endpoint') throw new Error('certificate checks run per endpoint');
  const { entry, endpoint } = subject;
  const base = { role: endpoint.role, entryName: entry.name, host: endpoint.host, port: endpoint.port };
  if (entry.kind === 'connector' && entry.direction === 'from-office365') {
    const mode = entry.tls?.mode ?? 'opportunistic';
    const enforcesTrust = mode === 'trusted-ca' || mode === 'domain';
    return {
      ...base,
      mode,
      exoSetting: EXO_TLS_SETTING[mode],
      verifier: 'exchange-online',
      enforcesTrust,
      name: mode === 'domain' && entry.tls?.domain ? { kind: 'tls-domain', pattern: entry.tls.domain } : { kind: 'not-judged' },
      psIdentity: psQuote(entry.name),
    };
  }
  // to-office365: the org relay verifies Exchange Online's MX; submission: the client verifies the server.
  return { ...base, verifier: endpoint.role === 'submission' ? 'client' : 'relay', enforcesTrust: true, name: { kind: 'host' } };
}

export type CertProblem = 'untrusted' | 'chain' | 'name' | 'expired' | 'weak-signature' | 'broken-signature' | 'weak-key';

/** The `exchangeOnline` text of a failing finding: what the admin will see, per verifier. */
export function exoConsequence(policy: EndpointPolicy, problem: CertProblem, detail?: { expected?: string; presented?: string }): string {
  if (policy.verifier === 'exchange-online') {
    const seen = {
      untrusted: `"${EXO_UNTRUSTED_ROOT}" (or "${EXO_VALIDATION_FAILED}")`,
      chain: `"${EXO_UNTRUSTED_ROOT}": Exchange Online does not fetch missing intermediates`,
      name: `"${exoSubjectMismatch(detail?.expected ?? '?', detail?.presented ?? '?')}"`,
      expired: `"${EXO_CERTIFICATE_EXPIRED}"`,
      'weak-signature': `"${EXO_VALIDATION_FAILED}": Exchange Online refuses SHA-1-signed certificates (since 2016)`,
      'broken-signature': `"450 4.4.317 Cannot connect to remote server": MD5/MD2 signatures break TLS 1.2 negotiation`,
      'weak-key': `"${EXO_VALIDATION_FAILED}" if its validation rejects the key: CAs may not issue keys below 2048-bit RSA / 256-bit EC (CA/Browser Forum)`,
    }[problem];
    const validates = policy.mode === 'trusted-ca' || policy.mode === 'domain';
    if (!validates && (problem === 'untrusted' || problem === 'chain' || problem === 'expired' || problem === 'name')) {
      return `With ${policy.exoSetting} Exchange Online does not validate the certificate and still delivers; under CertificateValidation or DomainValidation its message trace would show ${seen}.`;
    }
    return `Exchange Online defers mail for this smart host; its message trace shows ${seen}, and senders get an NDR when the retries run out.`;
  }
  const where = `${policy.host}:${policy.port}`;
  if (problem === 'weak-signature' || problem === 'weak-key' || problem === 'broken-signature') {
    return policy.verifier === 'relay'
      ? `Nothing reaches Exchange Online if the relay refuses this certificate: OpenSSL at security level 2 (the Debian/Ubuntu default) rejects SHA-1/MD5 signatures and keys below 2048 bits during the handshake with ${where}.`
      : `Nothing reaches Exchange Online: clients at OpenSSL security level 2 (the Debian/Ubuntu default) reject SHA-1/MD5 signatures and keys below 2048 bits during the handshake with ${where}.`;
  }
  return policy.verifier === 'relay'
    ? `No Exchange Online trace exists: a relay that verifies the server certificate (Postfix smtp_tls_security_level = verify or secure) defers the mail for ${where} ("Server certificate not verified"); with opportunistic TLS it delivers without authenticating Exchange Online.`
    : `Nothing reaches Exchange Online: clients that verify the certificate refuse to submit on ${where}; the others submit to a server they have not authenticated.`;
}

/** The Set-OutboundConnector line that makes TlsDomain match a name the certificate carries. */
export function setTlsDomain(policy: EndpointPolicy, name: string): string | undefined {
  return policy.psIdentity ? `Set-OutboundConnector -Identity ${policy.psIdentity} -TlsDomain ${psQuote(name)}` : undefined;
}

export function setTlsSenderCertificateName(connectorName: string, name: string): string {
  return `Set-InboundConnector -Identity ${psQuote(connectorName)} -TlsSenderCertificateName ${psQuote(name)}`;
}
