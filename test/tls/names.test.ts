// Name matching: RFC 6125 host verification, and Exchange Online's reading of connector patterns.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/tls/certificate.js';
import { canonicalIp, dnsNameMatches, exoMatchCertificate, exoNameMatches, parseIp, verifyHost } from '../../src/tls/names.js';
import { b64, fixtures, type Fixtures } from './fixtures.js';

let f: Fixtures;
beforeAll(async () => {
  f = await fixtures();
});

describe('dnsNameMatches (RFC 6125 §6.4.3)', () => {
  it.each([
    ['mail.contoso.com', 'mail.contoso.com', true],
    ['MAIL.Contoso.COM.', 'mail.contoso.com', true],
    ['*.contoso.com', 'mail.contoso.com', true],
    ['*.contoso.com', 'contoso.com', false],
    ['*.contoso.com', 'a.b.contoso.com', false],
    ['*.mail.protection.outlook.com', 'contoso-com.mail.protection.outlook.com', true],
    ['*.com', 'contoso.com', false],
    ['mail*.contoso.com', 'mail1.contoso.com', false],
    ['mail.*.com', 'mail.contoso.com', false],
    ['mail.contoso.com', 'smtp.contoso.com', false],
  ])('%s covers %s: %s', (certName, host, expected) => {
    expect(dnsNameMatches(certName, host)).toBe(expected);
  });
});

describe('exoNameMatches', () => {
  it.each([
    ['*.contoso.com', 'mail.contoso.com', 'TlsDomain', 'match'],
    ['*.contoso.com', 'smtp.eu.contoso.com', 'TlsDomain', 'match'],
    ['*.contoso.com', '*.contoso.com', 'TlsDomain', 'match'],
    ['*.contoso.com', 'contoso.com', 'TlsDomain', 'ambiguous'],
    ['*.contoso.com', 'contoso.com', 'TlsSenderCertificateName', 'match'],
    ['*.contoso.com', 'mail.fabrikam.com', 'TlsDomain', 'none'],
    ['*.contoso.com', 'evilcontoso.com', 'TlsDomain', 'none'],
    ['mail.contoso.com', 'mail.contoso.com', 'TlsDomain', 'match'],
    ['mail.contoso.com', '*.contoso.com', 'TlsDomain', 'match'],
    ['mail.contoso.com', 'smtp.contoso.com', 'TlsDomain', 'none'],
    ['relay.contoso.com', 'RELAY.contoso.com', 'TlsSenderCertificateName', 'match'],
  ] as const)('pattern %s against %s (%s): %s', (pattern, name, parameter, expected) => {
    expect(exoNameMatches(pattern, name, parameter).result).toBe(expected);
  });

  it('separates CN hits from SAN hits', () => {
    const sanOnly = parseCertificate(b64(f.clientSanOnly));
    expect(exoMatchCertificate('*.contoso.test', sanOnly, 'TlsSenderCertificateName')).toEqual({ cn: [], san: [{ name: 'relay.contoso.test', result: 'match' }] });
    const client = parseCertificate(b64(f.pki.leaves.client));
    expect(exoMatchCertificate('*.contoso.test', client, 'TlsSenderCertificateName').cn).toEqual([{ name: 'relay.contoso.test', result: 'match' }]);
  });
});

describe('verifyHost', () => {
  it('matches the host against DNS subjectAltNames, wildcards included', () => {
    expect(verifyHost(parseCertificate(b64(f.pki.leaves.valid)), 'mail.contoso.test')).toMatchObject({ matched: true, via: 'dns-san' });
    expect(verifyHost(parseCertificate(b64(f.pki.leaves.wildcard)), 'mail.contoso.test')).toMatchObject({ matched: true, name: '*.contoso.test' });
    expect(verifyHost(parseCertificate(b64(f.pki.leaves.wrongName)), 'mail.contoso.test').matched).toBe(false);
  });

  it('matches IP literals only against iPAddress subjectAltNames', () => {
    expect(verifyHost(parseCertificate(b64(f.ipLeaf)), '192.0.2.10')).toMatchObject({ matched: true, via: 'ip-san' });
    expect(verifyHost(parseCertificate(b64(f.ipLeaf)), '[2001:db8:0::25]')).toMatchObject({ matched: true, via: 'ip-san' });
    const cnOnly = verifyHost(parseCertificate(b64(f.ipInCnOnly)), '192.0.2.10');
    expect(cnOnly.matched).toBe(false);
    expect(cnOnly.note).toMatch(/only against iPAddress subjectAltNames/);
  });
});

describe('IP literals', () => {
  it.each([
    ['192.0.2.10', '192.0.2.10'],
    ['::1', '::1'],
    ['[2001:DB8::0:25]', '2001:db8::25'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['mail.contoso.com', null],
    ['256.1.1.1', null],
    ['1:2:3', null],
  ])('%s → %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
    expect(parseIp(text) === null).toBe(canonical === null);
  });
});
