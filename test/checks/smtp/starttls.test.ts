import check from '../../../checks/smtp/starttls.js';
import type { SmtpSession } from '../../../src/evidence/smtp.js';
import { testCheck } from '../../helpers/check-tester.js';
import { failedAt, healthy, NOW, plan, subject } from './session-fixtures.js';

const session = (s: SmtpSession) => ({ 'smtp-session': s });

function notOffered(): SmtpSession {
  const s = healthy();
  s.ehlo = { reply: { code: 250, lines: ['mail.contoso.test', 'PIPELINING', 'SIZE 10240000'] }, capabilities: { PIPELINING: [], SIZE: ['10240000'] } };
  s.starttls = { offered: false };
  delete s.tls;
  delete s.ehloAfterTls;
  return s;
}

function legacyScan(s: SmtpSession): SmtpSession {
  return { ...s, versionScan: { accepted: { TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false } } };
}

testCheck(check, {
  // No STARTTLS finding proposes PowerShell: the fix is on the server, not the connector.
  defaults: { plan, now: NOW, send: false, subject: subject('smart-host'), powershell: null },
  valid: [{ name: 'STARTTLS with a completed handshake passes and names protocol and cipher', probes: session(healthy()), message: /^STARTTLS offered, TLSv1\.3 established with TLS_AES_256_GCM_SHA384$/ }],
  invalid: [
    {
      name: 'a smart host without STARTTLS under a TLS connector fails: Exchange Online will not deliver',
      status: 'fail',
      probes: session(notOffered()),
      message: /^STARTTLS is not offered in the EHLO reply \(capabilities: PIPELINING, SIZE\)$/,
      exchangeOnline: /TlsSettings CertificateValidation.*will not deliver.*450 4\.4\.317.*4\.7\.320/,
    },
    {
      name: 'a smart host without STARTTLS under an opportunistic connector fails: mail goes in clear text, and TLS must come to the host before the connector',
      status: 'fail',
      subject: subject('opportunistic'),
      probes: session(notOffered()),
      message: /not offered/,
      exchangeOnline: /clear text\. Enable STARTTLS on the smart host first; only then require TLS on the connector/,
    },
    { name: 'a submission endpoint without STARTTLS says port 587 requires it', status: 'fail', subject: subject('submission'), probes: session(notOffered()), message: /not offered/, exchangeOnline: /587 requires STARTTLS.*530 5\.7\.57/ },
    { name: 'an Exchange Online MX without STARTTLS points at SMTP inspection', status: 'fail', subject: subject('to-office365'), probes: session(notOffered()), message: /not offered/, exchangeOnline: /SMTP inspection.*requires TLS/ },
    {
      name: 'a STARTTLS refused with 454 fails and quotes the reply',
      status: 'fail',
      probes: session(
        failedAt(
          { kind: 'unexpected-reply', phase: 'starttls', message: 'STARTTLS refused: 454 4.7.0 TLS not available', reply: { code: 454, enhanced: '4.7.0', lines: ['4.7.0 TLS not available'] } },
          { starttls: { offered: true, reply: { code: 454, enhanced: '4.7.0', lines: ['4.7.0 TLS not available'] } } },
        ),
      ),
      message: /^STARTTLS is advertised but refused: 454 4\.7\.0 TLS not available$/,
    },
    {
      name: 'plaintext after the 220 fails even when TLS then works',
      status: 'fail',
      probes: session({ ...healthy(), starttls: { offered: true, reply: { code: 220, lines: ['Ready'] }, plaintextAfterReply: { bytes: 20, preview: '250 2.0.0 injected..' } } }),
      message: /^The server sent 20 bytes of plaintext after its 220 reply to STARTTLS .*RFC 3207/,
    },
    {
      name: 'a failed handshake fails and names the versions the scan found',
      status: 'fail',
      probes: session(legacyScan(failedAt({ kind: 'tls-alert', phase: 'tls-handshake', message: 'TLS handshake failed: unsupported protocol (ERR_SSL_UNSUPPORTED_PROTOCOL)', code: 'ERR_SSL_UNSUPPORTED_PROTOCOL' }))),
      message: /^The TLS handshake after STARTTLS failed \(tls-alert\): unsupported protocol \(ERR_SSL_UNSUPPORTED_PROTOCOL\); the server accepts TLS 1\.0\/1\.1 \(see tls\.version\)$/,
      exchangeOnline: /450 4\.4\.317/,
    },
    {
      name: 'plaintext after 220 followed by a broken handshake is reported once as each fact',
      status: 'fail',
      probes: session(
        failedAt(
          { kind: 'protocol-error', phase: 'tls-handshake', message: 'The server sent 30 bytes of plaintext after 220 to STARTTLS (RFC 3207); then: TLS handshake failed: wrong version number' },
          { starttls: { offered: true, reply: { code: 220, lines: ['Ready'] }, plaintextAfterReply: { bytes: 30, preview: '250 injected' } } },
        ),
      ),
      message: /^The server sent 30 bytes of plaintext after its 220 reply to STARTTLS .*; The TLS handshake after STARTTLS failed \(protocol-error\): wrong version number$/,
    },
    {
      name: 'EHLO timing out fails: STARTTLS could not be offered',
      status: 'fail',
      probes: session(failedAt({ kind: 'timeout', phase: 'ehlo', message: 'No reply during ehlo within 10 s' })),
      message: /^STARTTLS could not be offered: No reply during ehlo within 10 s$/,
    },
    {
      name: 'a session that never connected cannot be decided',
      status: 'error',
      probes: session(failedAt({ kind: 'refused', phase: 'connect', message: 'Connection refused by 192.0.2.10:25' })),
      message: /^could not decide: the session ended at the connection \(refused; see smtp\.connect\)$/,
    },
    { name: 'an aborted session cannot decide', status: 'error', probes: session(failedAt({ kind: 'aborted', phase: 'starttls', message: 'Aborted during starttls' })), message: /^could not decide/ },
  ],
});
