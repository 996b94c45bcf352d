// tls.client-certificate: the relay's certificate for an inbound (to-office365) connector, judged
// from the plan's files and from the handshake, with Exchange Online's 5.7.64 as the consequence.
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import clientCheck from '../../../checks/tls/client-certificate.js';
import { setSystemRoots } from '../../../src/tls/trust.js';
import type { Status } from '../../../src/types.js';
import { b64, evaluate, fixtures, planFor, session, type Fixtures, type PlanOptions } from '../../tls/fixtures.js';

let f: Fixtures;
beforeAll(async () => {
  f = await fixtures();
  setSystemRoots(() => [f.root.certPem]); // the lab root plays a public root
});
afterAll(() => setSystemRoots(() => rootCertificates));

const handshake = () => session([b64(f.pki.leaves.valid), b64(f.intermediate)], { clientCertificateRequested: true, clientCertificatePresented: true });
const run = (o: Partial<PlanOptions> & { certPem: string; keyPem: string }, data = handshake()) =>
  evaluate(clientCheck, 'mx', data, { now: f.now, tlsSenderCertificateName: '*.contoso.test', ...o, clientCertificate: { certPem: o.certPem, keyPem: o.keyPem } });

describe('tls.client-certificate', () => {
  const cases: [string, () => Partial<PlanOptions> & { certPem: string; keyPem: string }, Status, RegExp][] = [
    ['a certificate whose CN matches', () => ({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem }), 'pass', /CN relay\.contoso\.test matches tlsSenderCertificateName \*\.contoso\.test; presented and accepted in the TLS handshake/],
    ['a certificate whose name matches only in a SAN (MC1226222)', () => ({ certPem: f.clientSanOnly.chainPem, keyPem: f.clientSanOnly.keyPem }), 'pass', /SAN relay\.contoso\.test matches tlsSenderCertificateName \*\.contoso\.test \(Exchange Online reads the subject and the SANs \(MC1226222\)\)/],
    ['a certificate for another name', () => ({ certPem: f.pki.leaves.clientWrongName.chainPem, keyPem: f.pki.leaves.clientWrongName.keyPem }), 'fail', /no CN or SAN matches tlsSenderCertificateName \*\.contoso\.test/],
    ['a key that belongs to another certificate', () => ({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.clientWrongName.keyPem }), 'fail', /the private key \(file \.\/pki\/relay\.key\) does not belong to the certificate CN=relay\.contoso\.test/],
    ['a file without its intermediate', () => ({ certPem: f.pki.leaves.client.certPem, keyPem: f.pki.leaves.client.keyPem }), 'fail', /relay\.pem ends at CN=relay\.contoso\.test; its issuer CN=relaycheck Lab Issuing CA is neither in the file nor a trust anchor of the plan \(Exchange Online does not fetch missing intermediates\)/],
    [
      'a file without its intermediate, which only the plan\'s CA file has',
      () => ({ certPem: f.pki.leaves.client.certPem, keyPem: f.pki.leaves.client.keyPem, trust: { system: true, ca: [{ file: '/plan/pki/issuing.pem', pem: f.intermediate.certPem }] } }),
      'fail',
      /relay\.pem lacks the intermediate CN=relaycheck Lab Issuing CA \(it is only in the plan's CA file issuing\.pem\); Exchange Online does not fetch intermediates/,
    ],
    ['an expired certificate', () => ({ certPem: f.clientExpired.chainPem, keyPem: f.clientExpired.keyPem }), 'fail', /^the client certificate expired 3 days ago \(notAfter /],
    ['a self-signed certificate', () => ({ certPem: f.selfSignedClient.certPem, keyPem: f.selfSignedClient.keyPem }), 'fail', /the client certificate CN=relay\.contoso\.test is self-signed/],
    ['a certificate whose root the plan lists in trust.ca and which is also public', () => ({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem, trust: { system: false, ca: [{ file: '/plan/pki/roots.pem', pem: f.sha1Root.certPem + f.root.certPem }] } }), 'pass', /key matches/],
    ['a connector attributed by IP (no certificate name to match)', () => ({ certPem: f.pki.leaves.clientWrongName.chainPem, keyPem: f.pki.leaves.clientWrongName.keyPem, tlsSenderCertificateName: undefined }), 'pass', /the connector has no tlsSenderCertificateName, so the name is not judged/],
  ];

  it.each(cases)('judges %s', (_name, options, status, message) => {
    const r = run(options());
    expect(r.status).toBe(status);
    expect(r.message).toMatch(message);
    if (status === 'fail') expect(r.exchangeOnline).toContain('550 5.7.64 TenantAttribution; Relay Access Denied');
  });

  it('never puts the private key in a finding', () => {
    const keyPem = f.pki.leaves.clientWrongName.keyPem;
    const r = run({ certPem: f.pki.leaves.client.chainPem, keyPem });
    const body = keyPem.split('\n')[1]!;
    expect(JSON.stringify(r)).not.toContain(body);
    const unreadable = run({ certPem: f.pki.leaves.client.chainPem, keyPem: '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n' });
    expect(unreadable.status).toBe('fail');
    expect(unreadable.message).toBe('the private key (file ./pki/relay.key) cannot be read as an unencrypted PEM private key');
    expect(JSON.stringify(unreadable)).not.toContain('c2VjcmV0');
  });

  it('says which certificate in the file the key belongs to', () => {
    const r = run({ certPem: f.pki.leaves.clientWrongName.certPem + f.pki.leaves.client.certPem, keyPem: f.pki.leaves.client.keyPem });
    expect(r.message).toMatch(/belongs to certificate #2 in relay\.pem \(CN=relay\.contoso\.test\), not to the first one/);
  });

  it('gives the Set-InboundConnector line when the certificate carries another accepted-domain name', () => {
    const r = run({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem, tlsSenderCertificateName: 'mail.contoso.test' });
    expect(r.status).toBe('fail');
    expect(r.powershell).toBe("Set-InboundConnector -Identity 'Office 365 relay' -TlsSenderCertificateName 'relay.contoso.test'");
  });

  it('warns when the chain ends at a private root that Exchange Online would not trust', () => {
    setSystemRoots(() => []);
    try {
      const r = run({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem, trust: { system: false, ca: [{ file: '/plan/pki/internal-root.pem', pem: f.root.certPem }] } });
      expect(r.status).toBe('warn');
      expect(r.message).toMatch(/not in the public root store: Exchange Online trusts client certificates from public CAs only/);
    } finally {
      setSystemRoots(() => [f.root.certPem]);
    }
  });

  it('fails when the server refuses the certificate in the handshake', () => {
    const data = { ...handshake(), tls: undefined, failure: { kind: 'tls-alert' as const, phase: 'tls-handshake' as const, message: 'tlsv1 alert unknown ca', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' } };
    const r = run({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem }, data);
    expect(r.status).toBe('fail');
    expect(r.message).toBe('the server refused the client certificate during the TLS handshake (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: tlsv1 alert unknown ca)');
  });

  it('notes when the server did not ask for a client certificate', () => {
    const data = session([b64(f.pki.leaves.valid), b64(f.intermediate)], { clientCertificateRequested: false, clientCertificatePresented: false });
    const r = run({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem }, data);
    expect(r.status).toBe('pass');
    expect(r.message).toMatch(/the server did not request a client certificate/);
  });

  it('applies only to to-office365 connectors that have a client certificate', () => {
    const withCert = planFor('mx', { clientCertificate: { certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem } });
    expect(clientCheck.appliesTo!(withCert.subject, withCert.plan)).toBe(true);
    for (const kind of ['mx', 'sh-domain', 'submission'] as const) {
      const { plan, subject } = planFor(kind);
      expect(clientCheck.appliesTo!(subject, plan)).toBe(false);
    }
  });

  it('gives the leaf fingerprint as evidence', () => {
    const r = run({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem });
    expect(r.evidence).toEqual({ certSha256: f.pki.leaves.client.sha256, certFile: '/plan/pki/relay.pem' });
  });
});
