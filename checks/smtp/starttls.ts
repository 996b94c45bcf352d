// Verifies that the endpoint offers STARTTLS in EHLO, answers it with 220, sends nothing more in
// plaintext, and completes a TLS handshake (RFC 3207). Exchange Online's connectors with a TLS
// setting and its port 587 need this; without it mail is deferred (450 4.4.317 / 4.7.320) or refused.
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { acceptedVersions, endpointOf, sessionOf, versionList } from '../../src/check-kit/session.js';
import { TLS_SETTINGS } from '../../src/powershell/connectors.js';
import { psQuote } from '../../src/powershell/quote.js';
import type { SmtpReply, SmtpSession } from '../../src/evidence/smtp.js';
import type { Endpoint, Finding, PlanEntry } from '../../src/types.js';

function text(reply: SmtpReply | undefined): string {
  if (!reply) return '(no reply)';
  const t = `${reply.code} ${reply.lines.join(' ')}`.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
}

/** What Exchange Online does when this endpoint cannot do STARTTLS, by the endpoint's role. */
function exoImpact(entry: PlanEntry, endpoint: Endpoint): Pick<Finding, 'exchangeOnline' | 'powershell'> {
  if (endpoint.role === 'smart-host' && entry.kind === 'connector' && entry.direction === 'from-office365') {
    if (entry.tls) {
      return {
        exchangeOnline: `The connector requires TLS (TlsSettings ${TLS_SETTINGS[entry.tls.mode]}), so Exchange Online will not deliver to this smart host: messages are deferred with 450 4.4.317 Cannot connect to remote server (or 450 4.7.320 certificate validation failed) and returned after the retry period.`,
      };
    }
    // No PowerShell here on purpose: requiring TLS on the connector before the smart host offers
    // STARTTLS would make Exchange Online defer every message to it.
    return {
      exchangeOnline: `The connector has no TlsSettings (opportunistic TLS): Exchange Online delivers to this smart host in clear text. Enable STARTTLS on the smart host first; only then require TLS on the connector (Set-OutboundConnector -Identity ${psQuote(entry.name)} -TlsSettings CertificateValidation), or Exchange Online defers all mail to it.`,
    };
  }
  if (endpoint.role === 'submission') {
    return { exchangeOnline: "Exchange Online's port 587 requires STARTTLS: AUTH is offered only after it, and a client without TLS gets 530 5.7.57 Client not authenticated to send mail." };
  }
  const requireTls = entry.kind === 'connector' && entry.direction === 'to-office365' && entry.requireTls;
  return {
    exchangeOnline: `Exchange Online always offers STARTTLS on its MX hosts; not seeing it here means a device between the relay and Exchange Online interferes (SMTP inspection).${requireTls ? ' The inbound connector requires TLS and refuses mail sent without it.' : ''}`,
  };
}

function serverFix(endpoint: Endpoint): string {
  if (endpoint.role === 'smart-host') {
    return 'Enable STARTTLS on the smart host with a certificate and key it can load (Postfix: smtpd_tls_security_level = may and smtpd_tls_chain_files = key, certificate, intermediates; Exchange Server: a certificate enabled for SMTP on the receive connector).';
  }
  return 'Remove or reconfigure the device between the relay and Exchange Online that strips STARTTLS or breaks the handshake (e.g. a firewall with SMTP/ESMTP inspection), and test again from the relay.';
}

function observe(session: SmtpSession, entry: PlanEntry, endpoint: Endpoint): Observation[] {
  const out: Observation[] = [];
  const impact = exoImpact(entry, endpoint);
  const st = session.starttls;
  if (st?.plaintextAfterReply) {
    out.push({
      status: 'fail',
      message: `The server sent ${st.plaintextAfterReply.bytes} bytes of plaintext after its 220 reply to STARTTLS (${JSON.stringify(st.plaintextAfterReply.preview.slice(0, 60))}); relaycheck discarded them as RFC 3207 requires`,
      remediation:
        'A server must send nothing between its 220 to STARTTLS and the TLS handshake. Upgrade the MTA, or remove the SMTP-inspecting device in front of it: this is the pattern of STARTTLS command injection (CVE-2011-0411), which Postfix and other clients defend against by dropping such sessions.',
      ...impact,
    });
  }
  const f = session.failure;
  if (f?.phase === 'starttls') {
    if (f.kind === 'unexpected-reply') out.push({ status: 'fail', message: `STARTTLS is advertised but refused: ${text(f.reply ?? st?.reply)}`, remediation: serverFix(endpoint), ...impact });
    else out.push({ status: 'fail', message: `STARTTLS did not get a usable reply: ${f.message}`, remediation: serverFix(endpoint), ...impact });
  } else if (f?.phase === 'tls-handshake') {
    const scanned = acceptedVersions(session);
    const scanNote = session.versionScan ? (scanned.length ? `; the server accepts ${versionList(scanned)} (see tls.version)` : '; no TLS version from 1.0 to 1.3 completed a handshake') : '';
    out.push({
      status: 'fail',
      message: `The TLS handshake after STARTTLS failed (${f.kind}): ${f.message.replace(/^The server sent .*?; then: /, '').replace(/^TLS handshake failed: /, '')}${scanNote}`,
      remediation: `${serverFix(endpoint)} The server must complete a TLS 1.2 (or 1.3) handshake with current ciphers (ECDHE with AES-GCM).`,
      ...impact,
    });
  } else if (f?.phase === 'ehlo-tls') {
    out.push({ status: 'fail', message: `TLS was established but the session broke afterwards: ${f.message}`, remediation: serverFix(endpoint), ...impact });
  }
  return out;
}

export default defineCheck({
  id: 'smtp.starttls',
  title: 'STARTTLS is offered and the TLS handshake completes',
  failureTitle: 'STARTTLS is missing, refused or broken',
  severity: 'high',
  scope: 'endpoint',
  description: 'Checks that EHLO advertises STARTTLS, the server answers it with 220 and nothing else (RFC 3207), and the TLS handshake completes.',
  remediation: 'Enable STARTTLS with a loadable certificate and TLS 1.2 or later on the server, and remove anything in the path that strips or intercepts STARTTLS.',
  requires: ['smtp-session'],
  evaluate({ subject, probes }) {
    const { entry, endpoint } = endpointOf(subject);
    const session = sessionOf(probes);
    const f = session.failure;
    if (f?.kind === 'aborted') return { status: 'error', message: `could not decide: ${f.message}` };
    if (f && (f.phase === 'connect' || f.phase === 'greeting')) {
      // Could not decide, not "skipped": a run with --only tls must not pass a server that is down.
      return { status: 'error', message: `could not decide: the session ended at ${f.phase === 'connect' ? 'the connection' : 'the greeting'} (${f.kind}; see smtp.connect)`, remediation: 'Make the endpoint reachable first (see smtp.connect).' };
    }
    if (!session.starttls) {
      // EHLO (and HELO) failed before STARTTLS could be offered.
      return { status: 'fail', message: `STARTTLS could not be offered: ${f ? f.message : 'no EHLO reply'}`, remediation: serverFix(endpoint), ...exoImpact(entry, endpoint) };
    }
    if (!session.starttls.offered) {
      const caps = Object.keys(session.ehlo?.capabilities ?? {});
      const heloOnly = session.ehlo && session.ehlo.reply.code !== 250;
      return {
        status: 'fail',
        message: heloOnly
          ? `EHLO is refused (${text(session.ehlo!.reply)}), so the server offers no extensions and no STARTTLS`
          : `STARTTLS is not offered in the EHLO reply (capabilities: ${caps.length ? caps.join(', ') : 'none'})`,
        remediation: serverFix(endpoint),
        ...exoImpact(entry, endpoint),
      };
    }
    const tls = session.tls;
    const pass = tls ? `STARTTLS offered, ${tls.protocol ?? 'TLS'} established with ${tls.cipher?.name ?? 'an unknown cipher'}` : 'STARTTLS offered';
    return combine(observe(session, entry, endpoint), pass, tls ? { protocol: tls.protocol, cipher: tls.cipher?.name ?? null } : undefined);
  },
});
