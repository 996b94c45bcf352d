import { describe, expect, it } from 'vitest';
import check from '../../../checks/smtp/starttls.js';
import { evaluate, failedAt, healthy, subject } from './session-fixtures.js';
import type { SmtpSession } from '../../../src/probes/smtp-types.js';
import type { Status } from '../../../src/types.js';

type Role = Parameters<typeof subject>[0];

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

const cases: { name: string; role: Role; session: SmtpSession; status: Status; message: RegExp; exo?: RegExp; remediation?: RegExp; ps?: RegExp }[] = [
  { name: 'STARTTLS with a completed handshake passes and names protocol and cipher', role: 'smart-host', session: healthy(), status: 'pass', message: /^STARTTLS offered, TLSv1\.3 established with TLS_AES_256_GCM_SHA384$/ },
  {
    name: 'a smart host without STARTTLS under a TLS connector fails: Exchange Online will not deliver',
    role: 'smart-host',
    session: notOffered(),
    status: 'fail',
    message: /^STARTTLS is not offered in the EHLO reply \(capabilities: PIPELINING, SIZE\)$/,
    exo: /TlsSettings CertificateValidation.*will not deliver.*450 4\.4\.317.*4\.7\.320/,
  },
  {
    name: 'a smart host without STARTTLS under an opportunistic connector fails: mail goes in clear text, and TLS must come to the host before the connector',
    role: 'opportunistic',
    session: notOffered(),
    status: 'fail',
    message: /not offered/,
    exo: /clear text\. Enable STARTTLS on the smart host first; only then require TLS on the connector/,
  },
  { name: 'a submission endpoint without STARTTLS says port 587 requires it', role: 'submission', session: notOffered(), status: 'fail', message: /not offered/, exo: /587 requires STARTTLS.*530 5\.7\.57/ },
  { name: 'an Exchange Online MX without STARTTLS points at SMTP inspection', role: 'to-office365', session: notOffered(), status: 'fail', message: /not offered/, exo: /SMTP inspection.*requires TLS/ },
  {
    name: 'a STARTTLS refused with 454 fails and quotes the reply',
    role: 'smart-host',
    session: failedAt(
      { kind: 'unexpected-reply', phase: 'starttls', message: 'STARTTLS refused: 454 4.7.0 TLS not available', reply: { code: 454, enhanced: '4.7.0', lines: ['4.7.0 TLS not available'] } },
      { starttls: { offered: true, reply: { code: 454, enhanced: '4.7.0', lines: ['4.7.0 TLS not available'] } } },
    ),
    status: 'fail',
    message: /^STARTTLS is advertised but refused: 454 4\.7\.0 TLS not available$/,
  },
  {
    name: 'plaintext after the 220 fails even when TLS then works',
    role: 'smart-host',
    session: { ...healthy(), starttls: { offered: true, reply: { code: 220, lines: ['Ready'] }, plaintextAfterReply: { bytes: 20, preview: '250 2.0.0 injected..' } } },
    status: 'fail',
    message: /^The server sent 20 bytes of plaintext after its 220 reply to STARTTLS .*RFC 3207/,
  },
  {
    name: 'a failed handshake fails and names the versions the scan found',
    role: 'smart-host',
    session: legacyScan(failedAt({ kind: 'tls-alert', phase: 'tls-handshake', message: 'TLS handshake failed: unsupported protocol (ERR_SSL_UNSUPPORTED_PROTOCOL)', code: 'ERR_SSL_UNSUPPORTED_PROTOCOL' })),
    status: 'fail',
    message: /^The TLS handshake after STARTTLS failed \(tls-alert\): unsupported protocol \(ERR_SSL_UNSUPPORTED_PROTOCOL\); the server accepts TLS 1\.0\/1\.1$/,
    remediation: /^Enable TLS 1\.2 and 1\.3 on the server \(it offers only TLS 1\.0\/1\.1\)/,
    exo: /450 4\.4\.317/,
  },
  {
    name: 'plaintext after 220 followed by a broken handshake is reported once as each fact',
    role: 'smart-host',
    session: failedAt(
      { kind: 'protocol-error', phase: 'tls-handshake', message: 'The server sent 30 bytes of plaintext after 220 to STARTTLS (RFC 3207); then: TLS handshake failed: wrong version number' },
      { starttls: { offered: true, reply: { code: 220, lines: ['Ready'] }, plaintextAfterReply: { bytes: 30, preview: '250 injected' } } },
    ),
    status: 'fail',
    message: /^The server sent 30 bytes of plaintext after its 220 reply to STARTTLS .*; The TLS handshake after STARTTLS failed \(protocol-error\): wrong version number$/,
  },
  { name: 'EHLO timing out fails: STARTTLS could not be offered', role: 'smart-host', session: failedAt({ kind: 'timeout', phase: 'ehlo', message: 'No reply during ehlo within 10 s' }), status: 'fail', message: /^STARTTLS could not be offered: No reply during ehlo within 10 s$/ },
  { name: 'a session that never connected cannot be decided', role: 'smart-host', session: failedAt({ kind: 'refused', phase: 'connect', message: 'Connection refused by 192.0.2.10:25' }), status: 'error', message: /^could not decide: the session ended at the connection \(refused; see smtp\.connect\)$/ },
  { name: 'an aborted session cannot decide', role: 'smart-host', session: failedAt({ kind: 'aborted', phase: 'starttls', message: 'Aborted during starttls' }), status: 'error', message: /^could not decide/ },
];

describe('smtp.starttls', () => {
  for (const c of cases) {
    it(c.name, () => {
      const f = evaluate(check, subject(c.role), c.session);
      expect(f.status).toBe(c.status);
      expect(f.message).toMatch(c.message);
      if (c.exo) expect(f.exchangeOnline).toMatch(c.exo);
      if (c.remediation) expect(f.remediation).toMatch(c.remediation);
      if (c.ps) expect(f.powershell).toMatch(c.ps);
      else expect(f.powershell).toBeUndefined();
      if (c.status === 'fail') expect(f.remediation ?? check.remediation).toBeTruthy();
    });
  }
});
