import check from '../../../checks/tls/version.js';
import type { SmtpSession, TlsVersionScan } from '../../../src/evidence/smtp.js';
import { testCheck } from '../../helpers/check-tester.js';
import { failedAt, healthy, NOW, plan, subject } from '../smtp/session-fixtures.js';

const session = (s: SmtpSession) => ({ 'smtp-session': s });

function negotiated(protocol: string, cipher: string, accepted?: TlsVersionScan['accepted']): SmtpSession {
  const s = healthy();
  s.tls = { ...s.tls!, protocol, cipher: { name: cipher, version: protocol } };
  if (accepted) s.versionScan = { accepted };
  return s;
}

const handshakeFailed = (accepted: TlsVersionScan['accepted'], errors?: Record<string, string>): SmtpSession => ({
  ...failedAt({ kind: 'tls-alert', phase: 'tls-handshake', message: 'TLS handshake failed: unsupported protocol (ERR_SSL_UNSUPPORTED_PROTOCOL)' }),
  versionScan: { accepted, ...(errors ? { errors } : {}) },
});

const LEGACY = { TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false };

testCheck(check, {
  defaults: { plan, now: NOW, send: false, subject: subject('smart-host') },
  valid: [
    { name: 'TLS 1.3 passes and shows protocol, cipher and key exchange', probes: session(healthy()), message: /^TLS 1\.3 with TLS_AES_256_GCM_SHA384 \(X25519\)$/ },
    { name: 'TLS 1.2 passes', probes: session(negotiated('TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256')), message: /^TLS 1\.2 with ECDHE-RSA-AES128-GCM-SHA256/ },
    {
      name: 'a failed handshake on a server that does accept TLS 1.2 passes this check',
      probes: session(handshakeFailed({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true })),
      message: /accepts TLS 1\.2\/1\.3 .*another reason/,
    },
  ],
  invalid: [
    {
      name: 'a smart host negotiating TLS 1.1 fails, names what it offers and what Exchange Online does',
      status: 'fail',
      probes: session(negotiated('TLSv1.1', 'ECDHE-ECDSA-AES256-SHA', LEGACY)),
      message: /^Negotiated TLS 1\.1 with ECDHE-ECDSA-AES256-SHA; the server offers only TLS 1\.0\/1\.1$/,
      exchangeOnline: /only TLS 1\.2 and later/,
    },
    {
      name: 'the Exchange Online MX negotiating TLS 1.0 quotes 421 4.7.66',
      status: 'fail',
      subject: subject('to-office365'),
      probes: session(negotiated('TLSv1', 'ECDHE-RSA-AES256-SHA', { TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false })),
      message: /^Negotiated TLS 1\.0 .*offers only TLS 1\.0$/,
      exchangeOnline: /421 4\.7\.66 TLS 1\.0 and 1\.1 are not supported/,
    },
    { name: 'a failed handshake on a legacy-only server fails with "offers only TLS 1.0/1.1"', status: 'fail', probes: session(handshakeFailed(LEGACY)), message: /^The TLS handshake failed; the server offers only TLS 1\.0\/1\.1$/ },
    {
      name: 'a handshake no version completes fails',
      status: 'fail',
      probes: session(handshakeFailed({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false })),
      message: /no TLS version from 1\.0 to 1\.3 completed a handshake/,
    },
    {
      name: 'a failed handshake with no version tried cannot decide',
      status: 'error',
      probes: session(handshakeFailed({}, { TLSv1: 'not tried: Connection refused' })),
      message: /^could not decide: .*not tried: Connection refused/,
    },
    {
      name: 'no STARTTLS is skipped',
      status: 'skipped',
      probes: session({ ...healthy(), starttls: { offered: false }, tls: undefined, ehloAfterTls: undefined }),
      message: /^Not tested: STARTTLS is not offered/,
    },
    { name: 'a session that never connected cannot be decided', status: 'error', probes: session(failedAt({ kind: 'refused', phase: 'connect', message: 'refused' })), message: /^could not decide: the session stopped at connect/ },
  ],
});
