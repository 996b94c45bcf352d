// Table-driven: every certificate case × every connector kind yields exactly the expected status
// for each STARTTLS certificate check; failing findings carry the Exchange Online terms.
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import chainCheck from '../../../checks/tls/certificate-chain.js';
import expiryCheck from '../../../checks/tls/certificate-expiry.js';
import nameCheck from '../../../checks/tls/certificate-name.js';
import strengthCheck from '../../../checks/tls/certificate-strength.js';
import trustCheck from '../../../checks/tls/certificate-trust.js';
import { setSystemRoots } from '../../../src/tls/trust.js';
import type { CheckDefinition, Status } from '../../../src/types.js';
import { b64, evaluate, fixtures, session, withMd5Signature, type Fixtures, type Kind } from '../../tls/fixtures.js';

let f: Fixtures;
beforeAll(async () => {
  f = await fixtures();
  // The lab roots stand in for "public" roots: the plan trusts the system store (default plan).
  setSystemRoots(() => [f.root.certPem, f.sha1Root.certPem]);
});
afterAll(() => setSystemRoots(() => rootCertificates));

const KINDS: Kind[] = ['sh-domain', 'sh-wildcard', 'sh-trusted', 'sh-any', 'sh-none', 'mx', 'submission'];
const CHECKS: Record<string, CheckDefinition> = { name: nameCheck, trust: trustCheck, chain: chainCheck, expiry: expiryCheck, strength: strengthCheck };
type Row = Partial<Record<keyof typeof CHECKS, Status | Partial<Record<Kind, Status>>>>;

/**
 * Expected status per check; a plain status means "for every kind", an object overrides kinds
 * (default pass). A smart host without a TLS mode (opportunistic) is expected to behave like 'sh-any'.
 */
const CASES: [string, (f: Fixtures) => string[], Row][] = [
  ['valid', (f) => [b64(f.pki.leaves.valid), b64(f.intermediate)], {}],
  ['expired', (f) => [b64(f.pki.leaves.expired), b64(f.intermediate)], { expiry: 'fail' }],
  ['not yet valid', (f) => [b64(f.pki.leaves.notYetValid), b64(f.intermediate)], { expiry: 'fail' }],
  ['wrong name', (f) => [b64(f.pki.leaves.wrongName), b64(f.intermediate)], { name: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', mx: 'fail', submission: 'fail' } }],
  ['wildcard', (f) => [b64(f.pki.leaves.wildcard), b64(f.intermediate)], {}],
  ['self-signed', (f) => [b64(f.pki.leaves.selfSigned)], { trust: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', mx: 'fail', submission: 'fail' } }],
  [
    'leaf only (intermediate missing)',
    (f) => [b64(f.pki.leaves.leafOnly)],
    { trust: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', mx: 'fail', submission: 'fail' }, chain: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', 'sh-any': 'warn', mx: 'fail', submission: 'fail' } },
  ],
  ['RSA-1024', (f) => [b64(f.pki.leaves.rsa1024), b64(f.intermediate)], { strength: 'fail' }],
  ['SHA-1', (f) => [b64(f.pki.leaves.sha1), b64(f.intermediate)], { strength: 'fail' }],
  ['MD5', (f) => [withMd5Signature(f.pki.leaves.rsa1024), b64(f.intermediate)], { strength: 'fail', trust: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', mx: 'fail', submission: 'fail' }, chain: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', 'sh-any': 'warn', mx: 'fail', submission: 'fail' } }],
  ['expiring in 10 days', (f) => [b64(f.expiring10), b64(f.intermediate)], { expiry: 'warn' }],
  ['root sent along with a SHA-1 self-signature', (f) => [b64(f.sha1RootLeaf), b64(f.sha1RootIntermediate), b64(f.sha1Root)], {}],
  ['an expired intermediate', (f) => [b64(f.leafOfExpiredIntermediate), b64(f.expiredIntermediate)], { expiry: 'fail' }],
  ['an outdated intermediate (same name, other key)', (f) => [b64(f.pki.leaves.valid), b64(f.impostorIntermediate)], { trust: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', mx: 'fail', submission: 'fail' }, chain: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', 'sh-any': 'warn', mx: 'fail', submission: 'fail' } }],
  ['certificates out of order', (f) => [b64(f.pki.leaves.valid), b64(f.root), b64(f.intermediate)], { chain: 'warn' }],
  ['an unrelated extra certificate', (f) => [b64(f.pki.leaves.valid), b64(f.intermediate), b64(f.pki.leaves.wrongName)], { chain: 'warn' }],
];

function expected(row: Row, check: string, kind: Kind): Status {
  const e = row[check];
  if (e === undefined) return 'pass';
  if (typeof e === 'string') return e;
  return e[kind] ?? (kind === 'sh-none' ? e['sh-any'] : undefined) ?? 'pass';
}

describe('STARTTLS certificate checks, every case × every connector kind', () => {
  for (const [name, chain, row] of CASES) {
    it(`gives exactly the expected statuses for a ${name} certificate`, () => {
      const got: Record<string, Record<string, Status>> = {};
      const want: Record<string, Record<string, Status>> = {};
      for (const [checkName, check] of Object.entries(CHECKS)) {
        got[checkName] = {};
        want[checkName] = {};
        for (const kind of KINDS) {
          got[checkName][kind] = evaluate(check, kind, session(chain(f)), { now: f.now }).status;
          want[checkName][kind] = expected(row, checkName, kind);
        }
      }
      expect(got).toEqual(want);
    });
  }
});

describe('tls.certificate-name', () => {
  it('names the expected and presented subject under DomainValidation, and proposes no foreign TlsDomain', () => {
    const r = evaluate(nameCheck, 'sh-domain', session([b64(f.pki.leaves.wrongName), b64(f.intermediate)]), { now: f.now });
    expect(r.message).toBe('no CN or SAN matches TlsDomain mail.contoso.test: the certificate has CN=wrong.invalid-name.test; SAN wrong.invalid-name.test');
    expect(r.exchangeOnline).toContain('450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: mail.contoso.test Presented Subject: CN=wrong.invalid-name.test]');
    // wrong.invalid-name.test is outside the plan's domains: the certificate is the thing to replace.
    expect(r.powershell).toBeUndefined();
    expect(r.evidence?.certSha256).toBe(f.pki.leaves.wrongName.sha256);
  });

  it('matches a deeper subdomain against *.domain, as Exchange Online documents "all subdomains"', () => {
    const r = evaluate(nameCheck, 'sh-wildcard', session([b64(f.deepSubdomain), b64(f.intermediate)]), { now: f.now });
    expect(r).toMatchObject({ status: 'pass', message: 'CN smtp.eu.contoso.test matches TlsDomain *.contoso.test (DomainValidation)' });
  });

  it('warns when only the bare domain could match TlsDomain *.domain', () => {
    const r = evaluate(nameCheck, 'sh-wildcard', session([b64(f.bareDomain), b64(f.intermediate)]), { now: f.now });
    expect(r.status).toBe('warn');
    expect(r.message).toMatch(/contoso\.test is the bare domain/);
  });

  it('reports, without judging, the names under CertificateValidation and EncryptionOnly', () => {
    const r = evaluate(nameCheck, 'sh-trusted', session([b64(f.pki.leaves.wrongName), b64(f.intermediate)]), { now: f.now });
    expect(r.message).toBe('CertificateValidation: Exchange Online does not match the certificate name; the certificate (CN=wrong.invalid-name.test; SAN wrong.invalid-name.test) does not cover the smart host name mail.contoso.test');
  });

  it('matches IP-literal endpoints against iPAddress subjectAltNames only', () => {
    const ok = evaluate(nameCheck, 'submission', session([b64(f.ipLeaf), b64(f.intermediate)]), { now: f.now, host: '192.0.2.10' });
    expect(ok).toMatchObject({ status: 'pass', message: 'SAN 192.0.2.10 matches 192.0.2.10' });
    const cn = evaluate(nameCheck, 'submission', session([b64(f.ipInCnOnly), b64(f.intermediate)]), { now: f.now, host: '192.0.2.10' });
    expect(cn.status).toBe('fail');
    expect(cn.message).toMatch(/only against iPAddress subjectAltNames/);
  });

  it('explains the MX case as the relay\'s problem, not an Exchange Online reply', () => {
    const r = evaluate(nameCheck, 'mx', session([b64(f.pki.leaves.wrongName), b64(f.intermediate)]), { now: f.now });
    expect(r.exchangeOnline).toMatch(/No Exchange Online trace exists: a relay that verifies/);
    expect(r.remediation).toMatch(/mail\.protection\.outlook\.com/);
  });
});

describe('tls.certificate-trust', () => {
  it('says UntrustedRoot for an untrusted smart host under CertificateValidation', () => {
    const r = evaluate(trustCheck, 'sh-trusted', session([b64(f.pki.leaves.selfSigned)]), { now: f.now });
    expect(r.status).toBe('fail');
    expect(r.message).toBe("self-signed certificate CN=mail.contoso.test, which is not a trust anchor of the plan (Node's root store)");
    expect(r.exchangeOnline).toContain('450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot]');
    expect(r.exchangeOnline).toContain('450 4.7.320 certificate validation failed');
  });

  it('reports a self-signed certificate as accepted under EncryptionOnly', () => {
    const r = evaluate(trustCheck, 'sh-any', session([b64(f.pki.leaves.selfSigned)]), { now: f.now });
    expect(r.status).toBe('pass');
    expect(r.message).toMatch(/self-signed, accepted under EncryptionOnly/);
  });

  it('names the trust anchor and where it came from', () => {
    const r = evaluate(trustCheck, 'mx', session([b64(f.pki.leaves.valid), b64(f.intermediate)]), { now: f.now });
    expect(r.message).toBe("chains to CN=relaycheck Lab Root CA in Node's root store (mail.contoso.test → relaycheck Lab Issuing CA → relaycheck Lab Root CA)");
  });

  it('warns when a smart host chains only to a private root from the plan, which Exchange Online does not trust', () => {
    const trust = { system: false, ca: [{ file: '/plan/pki/internal-root.pem', pem: f.root.certPem }] };
    setSystemRoots(() => []);
    try {
      const sh = evaluate(trustCheck, 'sh-trusted', session([b64(f.pki.leaves.valid), b64(f.intermediate)]), { now: f.now, trust });
      expect(sh.status).toBe('warn');
      expect(sh.message).toMatch(/not in the public root store/);
      expect(sh.exchangeOnline).toContain('UntrustedRoot');
      expect(evaluate(trustCheck, 'submission', session([b64(f.pki.leaves.valid), b64(f.intermediate)]), { now: f.now, trust }).status).toBe('pass');
    } finally {
      setSystemRoots(() => [f.root.certPem, f.sha1Root.certPem]);
    }
  });

  it('passes when the plan\'s CA file holds the intermediate the server omits, and leaves the gap to tls.certificate-chain', () => {
    const trust = { system: true, ca: [{ file: '/plan/pki/issuing.pem', pem: f.intermediate.certPem }] };
    const data = session([b64(f.pki.leaves.leafOnly)]);
    const t = evaluate(trustCheck, 'sh-domain', data, { now: f.now, trust });
    expect(t.status).toBe('pass');
    expect(t.message).toMatch(/which the server did not send \(see tls\.certificate-chain\)/);
    const c = evaluate(chainCheck, 'sh-domain', data, { now: f.now, trust });
    expect(c.status).toBe('fail');
    expect(c.message).toBe("the server does not send the intermediate CN=relaycheck Lab Issuing CA (it is only in the plan's CA file issuing.pem)");
  });
});

describe('tls.certificate-chain', () => {
  it('names the missing issuer and the Exchange Online reply', () => {
    const r = evaluate(chainCheck, 'sh-trusted', session([b64(f.pki.leaves.leafOnly)]), { now: f.now });
    expect(r.message).toBe("the server sends no issuer for CN=mail.contoso.test: the missing issuer is CN=relaycheck Lab Issuing CA (not sent, and not in the plan's trust either)");
    expect(r.exchangeOnline).toContain('[Message=UntrustedRoot]');
    expect(r.exchangeOnline).toContain('does not fetch missing intermediates');
  });

  it('says so when the root is sent along', () => {
    const r = evaluate(chainCheck, 'mx', session([b64(f.pki.leaves.valid), b64(f.intermediate), b64(f.root)]), { now: f.now });
    expect(r).toMatchObject({ status: 'pass', message: 'complete: mail.contoso.test → relaycheck Lab Issuing CA → relaycheck Lab Root CA (3 sent, root included, which is harmless)' });
  });
});

describe('tls.certificate-expiry', () => {
  it('states how long ago the certificate expired, with notAfter', () => {
    const r = evaluate(expiryCheck, 'sh-domain', session([b64(f.pki.leaves.expired), b64(f.intermediate)]), { now: f.now });
    const notAfter = f.pki.leaves.expired.notAfter.toISOString().replace('.000Z', 'Z');
    expect(r.message).toBe(`Expired 35 days ago (notAfter ${notAfter})`);
    expect(r.exchangeOnline).toContain('450 4.4.317 Cannot connect to remote server [Message=CertificateExpired]');
    expect(r.evidence?.certSha256).toBe(f.pki.leaves.expired.sha256);
  });

  it('still fails an expired certificate under EncryptionOnly, and says Exchange Online delivers anyway', () => {
    const r = evaluate(expiryCheck, 'sh-any', session([b64(f.pki.leaves.expired), b64(f.intermediate)]), { now: f.now });
    expect(r.status).toBe('fail');
    expect(r.exchangeOnline).toMatch(/^With EncryptionOnly Exchange Online does not validate the certificate and still delivers/);
  });

  it('warns within the configured number of days only', () => {
    const data = session([b64(f.expiring10), b64(f.intermediate)]);
    expect(evaluate(expiryCheck, 'mx', data, { now: f.now }).message).toMatch(/^Expires in 10 days \(notAfter /);
    expect(evaluate(expiryCheck, 'mx', data, { now: f.now, expiryWarnDays: 5 }).status).toBe('pass');
  });

  it('judges the clock it is given, not the wall clock', () => {
    const data = session([b64(f.pki.leaves.valid), b64(f.intermediate)]);
    const later = new Date(f.pki.leaves.valid.notAfter.getTime() + 86_400_000);
    expect(evaluate(expiryCheck, 'mx', data, { now: later }).message).toMatch(/^Expired 1 day ago/);
  });

  it('names an expired intermediate', () => {
    const r = evaluate(expiryCheck, 'sh-trusted', session([b64(f.leafOfExpiredIntermediate), b64(f.expiredIntermediate)]), { now: f.now });
    expect(r.message).toMatch(/^intermediate CN=relaycheck Retired Issuing CA expired 2 days ago/);
  });

  it('says when a certificate becomes valid', () => {
    const r = evaluate(expiryCheck, 'submission', session([b64(f.pki.leaves.notYetValid), b64(f.intermediate)]), { now: f.now });
    expect(r.message).toMatch(/^Not valid until .* \(in 10 days\)$/);
  });
});

describe('tls.certificate-strength', () => {
  it('fails a 1024-bit RSA key and a SHA-1 signature with what Exchange Online does', () => {
    const rsa = evaluate(strengthCheck, 'sh-trusted', session([b64(f.pki.leaves.rsa1024), b64(f.intermediate)]), { now: f.now });
    expect(rsa.message).toBe('the certificate has a 1024-bit RSA key (at least 2048 needed)');
    const sha1 = evaluate(strengthCheck, 'sh-trusted', session([b64(f.pki.leaves.sha1), b64(f.intermediate)]), { now: f.now });
    expect(sha1.message).toBe('the certificate is signed with sha1WithRSAEncryption');
    expect(sha1.exchangeOnline).toMatch(/refuses SHA-1-signed certificates \(since 2016\)/);
  });

  it('says MD5 breaks TLS 1.2', () => {
    const r = evaluate(strengthCheck, 'sh-domain', session([withMd5Signature(f.pki.leaves.rsa1024), b64(f.intermediate)]), { now: f.now });
    expect(r.message).toMatch(/signed with md5WithRSAEncryption/);
    expect(r.exchangeOnline).toMatch(/MD5\/MD2 signatures break TLS 1\.2/);
  });

  it('ignores a root\'s own SHA-1 self-signature and says why', () => {
    const r = evaluate(strengthCheck, 'mx', session([b64(f.sha1RootLeaf), b64(f.sha1RootIntermediate), b64(f.sha1Root)]), { now: f.now });
    expect(r.status).toBe('pass');
    expect(r.message).toMatch(/the root's own sha1WithRSAEncryption self-signature does not matter/);
  });
});

describe('corrupted certificates', () => {
  it('every check returns a finding, never throws, whatever bytes of the chain are changed', () => {
    const bases = [Buffer.from(f.pki.leaves.valid.certDer), Buffer.from(f.intermediate.certDer)];
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const seen = new Set<Status>();
    for (let i = 0; i < 300; i++) {
      const chain = bases.map((b) => Buffer.from(b));
      const target = chain[rand(2)]!;
      for (let k = 0; k < 1 + rand(3); k++) target[rand(target.length)] = rand(256);
      const data = session(chain.map((c, j) => (j === 0 && rand(4) === 0 ? c.subarray(0, rand(c.length)) : c).toString('base64')));
      for (const check of Object.values(CHECKS)) {
        const r = evaluate(check, KINDS[rand(KINDS.length)]!, data, { now: f.now });
        expect(['pass', 'warn', 'fail', 'skipped']).toContain(r.status);
        seen.add(r.status);
      }
    }
    expect(seen.has('fail')).toBe(true);
  });
});

describe('sessions without a certificate', () => {
  it.each(Object.entries(CHECKS))('%s is skipped, saying why, when STARTTLS is not offered', (_n, check) => {
    const data = { ...session([]), starttls: { offered: false }, tls: undefined };
    expect(evaluate(check, 'sh-domain', data, { now: f.now })).toEqual({ status: 'skipped', message: 'no certificate: the server does not offer STARTTLS (see smtp.starttls)' });
  });

  it('cannot decide when the session never reached the server, so --only tls cannot pass a server that is down', () => {
    const data = { ...session([]), tls: undefined, starttls: undefined, failure: { kind: 'refused' as const, phase: 'connect' as const, message: 'connect ECONNREFUSED 127.0.0.1:25' } };
    expect(evaluate(trustCheck, 'mx', data, { now: f.now })).toMatchObject({ status: 'error', message: 'could not decide: no certificate, the session stopped at connect (refused: connect ECONNREFUSED 127.0.0.1:25)' });
  });

  it('fails a TLS session that carried no certificate at all', () => {
    expect(evaluate(nameCheck, 'mx', session([]), { now: f.now }).status).toBe('fail');
  });

  it('fails, without throwing, on a certificate that cannot be parsed', () => {
    const r = evaluate(trustCheck, 'mx', session([Buffer.from('garbage').toString('base64')]), { now: f.now });
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/cannot be parsed/);
  });
});
