import { describe, expect, it } from 'vitest';
import check from '../../../checks/tls/version.js';
import { evaluate, failedAt, healthy, subject } from '../smtp/session-fixtures.js';
import type { SmtpSession, TlsVersionScan } from '../../../src/evidence/smtp.js';
import type { Status } from '../../../src/types.js';

type Role = Parameters<typeof subject>[0];

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

const cases: { name: string; role: Role; session: SmtpSession; status: Status; message: RegExp; exo?: RegExp }[] = [
  { name: 'TLS 1.3 passes and shows protocol, cipher and key exchange', role: 'smart-host', session: healthy(), status: 'pass', message: /^TLS 1\.3 with TLS_AES_256_GCM_SHA384 \(X25519\)$/ },
  { name: 'TLS 1.2 passes', role: 'smart-host', session: negotiated('TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256'), status: 'pass', message: /^TLS 1\.2 with ECDHE-RSA-AES128-GCM-SHA256/ },
  {
    name: 'a smart host negotiating TLS 1.1 fails, names what it offers and what Exchange Online does',
    role: 'smart-host',
    session: negotiated('TLSv1.1', 'ECDHE-ECDSA-AES256-SHA', LEGACY),
    status: 'fail',
    message: /^Negotiated TLS 1\.1 with ECDHE-ECDSA-AES256-SHA; the server offers only TLS 1\.0\/1\.1$/,
    exo: /only TLS 1\.2 and later/,
  },
  {
    name: 'client submission negotiating TLS 1.0 quotes 421 4.7.66',
    role: 'submission',
    session: negotiated('TLSv1', 'ECDHE-RSA-AES256-SHA', { TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false }),
    status: 'fail',
    message: /^Negotiated TLS 1\.0 .*offers only TLS 1\.0$/,
    exo: /421 4\.7\.66 TLS 1\.0 and 1\.1 are not supported/,
  },
  {
    name: 'the Exchange Online MX on port 25 negotiating TLS 1.0 does not quote client submission\'s 421 4.7.66 as its reply',
    role: 'to-office365',
    session: negotiated('TLSv1', 'ECDHE-RSA-AES256-SHA', { TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false }),
    status: 'fail',
    message: /^Negotiated TLS 1\.0 /,
    exo: /^Exchange Online's MX hosts accept only TLS 1\.2 and later: .*not of the MX/,
  },
  { name: 'a failed handshake on a legacy-only server fails with "offers only TLS 1.0/1.1"', role: 'smart-host', session: handshakeFailed(LEGACY), status: 'fail', message: /^The TLS handshake failed; the server offers only TLS 1\.0\/1\.1$/ },
  { name: 'a failed handshake on a server that does accept TLS 1.2 passes this check', role: 'smart-host', session: handshakeFailed({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true }), status: 'pass', message: /accepts TLS 1\.2\/1\.3 .*another reason/ },
  { name: 'a handshake no version completes fails', role: 'smart-host', session: handshakeFailed({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false }), status: 'fail', message: /no TLS version from 1\.0 to 1\.3 completed a handshake/ },
  { name: 'a failed handshake with no version tried cannot decide', role: 'smart-host', session: handshakeFailed({}, { TLSv1: 'not tried: Connection refused' }), status: 'error', message: /^could not decide: .*not tried: Connection refused/ },
  {
    name: 'no STARTTLS is skipped',
    role: 'smart-host',
    session: { ...healthy(), starttls: { offered: false }, tls: undefined, ehloAfterTls: undefined },
    status: 'skipped',
    message: /^Not tested: STARTTLS is not offered/,
  },
  { name: 'a session that never connected cannot be decided', role: 'smart-host', session: failedAt({ kind: 'refused', phase: 'connect', message: 'refused' }), status: 'error', message: /^could not decide: the session stopped at connect/ },
];

describe('tls.version', () => {
  for (const c of cases) {
    it(c.name, () => {
      const f = evaluate(check, subject(c.role), c.session);
      expect(f.status).toBe(c.status);
      expect(f.message).toMatch(c.message);
      if (c.exo) expect(f.exchangeOnline).toMatch(c.exo);
    });
  }
});
