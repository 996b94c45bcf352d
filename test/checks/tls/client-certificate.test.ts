// tls.client-certificate: the relay's certificate for an inbound (to-office365) connector, judged
// from the plan's files and from the handshake, with Exchange Online's 5.7.64 as the consequence.
import { describe, expect, it } from 'vitest';
import check from '../../../checks/tls/client-certificate.js';
import { setSystemRoots } from '../../../src/tls/trust.js';
import type { Fixtures } from '../../tls/fixtures.js';
import { b64, planFor, session } from '../../tls/fixtures.js';
import { evaluateCase, testCheck, type CaseInput } from '../../helpers/check-tester.js';
import { fx, presenting, useCertificateFixtures, type TlsCaseOptions } from './certificate-cases.js';

useCertificateFixtures((f) => [f.root.certPem]); // the lab root plays a public root

interface Relay extends TlsCaseOptions {
  certPem: string;
  keyPem: string;
}
const ATTRIBUTION_FAILS = '550 5.7.64 TenantAttribution; Relay Access Denied';

/** The MX endpoint of a connector whose relay presents `relay`'s certificate, in a handshake that asked for it. */
function relaying(relay: (f: Fixtures) => Relay, tls: TlsCaseOptions['tls'] = { clientCertificateRequested: true, clientCertificatePresented: true }): CaseInput {
  return presenting(
    'mx',
    (f) => [b64(f.pki.leaves.valid), b64(f.intermediate)],
    (f) => {
      const o = relay(f);
      return { tlsSenderCertificateName: '*.contoso.test', ...o, clientCertificate: { certPem: o.certPem, keyPem: o.keyPem }, tls };
    },
  );
}
const client = (f: Fixtures): Relay => ({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.client.keyPem });

testCheck(check, {
  valid: [
    {
      name: 'passes a certificate whose CN matches',
      ...relaying(client),
      message: /CN relay\.contoso\.test matches tlsSenderCertificateName \*\.contoso\.test; presented and accepted in the TLS handshake/,
    },
    {
      name: 'passes a certificate whose root the plan lists in trust.ca and which is also public',
      ...relaying((f) => ({ ...client(f), trust: { system: false, ca: [{ file: '/plan/pki/roots.pem', pem: f.sha1Root.certPem + f.root.certPem }] } })),
      message: /key matches/,
    },
    {
      name: 'passes a connector attributed by IP (no certificate name to match)',
      ...relaying((f) => ({ certPem: f.pki.leaves.clientWrongName.chainPem, keyPem: f.pki.leaves.clientWrongName.keyPem, tlsSenderCertificateName: undefined })),
      message: /the connector has no tlsSenderCertificateName, so the name is not judged/,
    },
    {
      name: 'notes when the server did not ask for a client certificate',
      ...relaying(client, { clientCertificateRequested: false, clientCertificatePresented: false }),
      message: /the server did not request a client certificate/,
    },
    {
      name: 'passes a certificate whose name matches only in a SAN (MC1226222)',
      ...relaying((f) => ({ certPem: f.clientSanOnly.chainPem, keyPem: f.clientSanOnly.keyPem })),
      message: /SAN relay\.contoso\.test matches tlsSenderCertificateName \*\.contoso\.test \(Exchange Online reads the subject and the SANs \(MC1226222\)\)/,
    },
  ],
  invalid: [
    {
      name: 'fails a certificate for another name',
      status: 'fail',
      ...relaying((f) => ({ certPem: f.pki.leaves.clientWrongName.chainPem, keyPem: f.pki.leaves.clientWrongName.keyPem })),
      message: /no CN or SAN matches tlsSenderCertificateName \*\.contoso\.test/,
      exchangeOnline: [ATTRIBUTION_FAILS],
    },
    {
      name: 'fails a key that belongs to another certificate',
      status: 'fail',
      ...relaying((f) => ({ certPem: f.pki.leaves.client.chainPem, keyPem: f.pki.leaves.clientWrongName.keyPem })),
      message: /the private key \(file \.\/pki\/relay\.key\) does not belong to the certificate CN=relay\.contoso\.test/,
      exchangeOnline: [ATTRIBUTION_FAILS],
    },
    {
      name: 'fails a file without its intermediate',
      status: 'fail',
      ...relaying((f) => ({ certPem: f.pki.leaves.client.certPem, keyPem: f.pki.leaves.client.keyPem })),
      message: /relay\.pem ends at CN=relay\.contoso\.test; its issuer CN=relaycheck Lab Issuing CA is neither in the file nor a trust anchor of the plan \(Exchange Online does not fetch missing intermediates\)/,
      exchangeOnline: [ATTRIBUTION_FAILS],
    },
    {
      name: "fails a file without its intermediate, which only the plan's CA file has",
      status: 'fail',
      ...relaying((f) => ({ certPem: f.pki.leaves.client.certPem, keyPem: f.pki.leaves.client.keyPem, trust: { system: true, ca: [{ file: '/plan/pki/issuing.pem', pem: f.intermediate.certPem }] } })),
      message: /relay\.pem lacks the intermediate CN=relaycheck Lab Issuing CA \(it is only in the plan's CA file issuing\.pem\); Exchange Online does not fetch intermediates/,
      exchangeOnline: [ATTRIBUTION_FAILS],
    },
    {
      name: 'fails an expired certificate',
      status: 'fail',
      ...relaying((f) => ({ certPem: f.clientExpired.chainPem, keyPem: f.clientExpired.keyPem })),
      message: /^the client certificate expired 3 days ago \(notAfter /,
      exchangeOnline: [ATTRIBUTION_FAILS],
    },
    {
      name: 'fails a self-signed certificate',
      status: 'fail',
      ...relaying((f) => ({ certPem: f.selfSignedClient.certPem, keyPem: f.selfSignedClient.keyPem })),
      message: /the client certificate CN=relay\.contoso\.test is self-signed/,
      exchangeOnline: [ATTRIBUTION_FAILS],
    },
    {
      name: 'fails a private key that cannot be read, without quoting it',
      status: 'fail',
      ...relaying((f) => ({ certPem: f.pki.leaves.client.chainPem, keyPem: '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n' })),
      message: 'the private key (file ./pki/relay.key) cannot be read as an unencrypted PEM private key',
      excludes: ['c2VjcmV0'],
    },
    {
      name: 'says which certificate in the file the key belongs to',
      status: 'fail',
      ...relaying((f) => ({ certPem: f.pki.leaves.clientWrongName.certPem + f.pki.leaves.client.certPem, keyPem: f.pki.leaves.client.keyPem })),
      message: /belongs to certificate #2 in relay\.pem \(CN=relay\.contoso\.test\), not to the first one/,
    },
    {
      name: 'gives the Set-InboundConnector line when the certificate carries another accepted-domain name',
      status: 'fail',
      ...relaying((f) => ({ ...client(f), tlsSenderCertificateName: 'mail.contoso.test' })),
      powershell: "Set-InboundConnector -Identity 'Office 365 relay' -TlsSenderCertificateName 'relay.contoso.test'",
    },
    {
      name: 'fails when the server refuses the certificate in the handshake',
      status: 'fail',
      ...relaying(client),
      probes: () => ({
        'smtp-session': {
          ...session([b64(fx().pki.leaves.valid), b64(fx().intermediate)], { clientCertificateRequested: true, clientCertificatePresented: true }),
          tls: undefined,
          failure: { kind: 'tls-alert' as const, phase: 'tls-handshake' as const, message: 'tlsv1 alert unknown ca', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' },
        },
      }),
      message: 'the server refused the client certificate during the TLS handshake (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: tlsv1 alert unknown ca)',
    },
  ],
});

describe('tls.client-certificate', () => {
  it('never puts the private key in a finding', () => {
    const keyPem = fx().pki.leaves.clientWrongName.keyPem;
    const r = evaluateCase(check, relaying((f) => ({ certPem: f.pki.leaves.client.chainPem, keyPem })));
    expect(JSON.stringify(r)).not.toContain(keyPem.split('\n')[1]!);
    const unreadable = evaluateCase(check, relaying((f) => ({ certPem: f.pki.leaves.client.chainPem, keyPem: '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n' })));
    expect(JSON.stringify(unreadable)).not.toContain('c2VjcmV0');
  });

  it('warns when the chain ends at a private root that Exchange Online would not trust', () => {
    setSystemRoots(() => []);
    try {
      const r = evaluateCase(check, relaying((f) => ({ ...client(f), trust: { system: false, ca: [{ file: '/plan/pki/internal-root.pem', pem: f.root.certPem }] } })));
      expect(r.status).toBe('warn');
      expect(r.message).toMatch(/not in the public root store: Exchange Online trusts client certificates from public CAs only/);
    } finally {
      setSystemRoots(() => [fx().root.certPem]);
    }
  });

  it('applies only to to-office365 connectors that have a client certificate', () => {
    const withCert = planFor('mx', { clientCertificate: { certPem: fx().pki.leaves.client.chainPem, keyPem: fx().pki.leaves.client.keyPem } });
    expect(check.appliesTo!(withCert.subject, withCert.plan)).toBe(true);
    for (const kind of ['mx', 'sh-domain', 'submission'] as const) {
      const { plan, subject } = planFor(kind);
      expect(check.appliesTo!(subject, plan)).toBe(false);
    }
  });

  it('gives the leaf fingerprint as evidence', () => {
    const r = evaluateCase(check, relaying(client));
    expect(r.evidence).toEqual({ certSha256: fx().pki.leaves.client.sha256, certFile: '/plan/pki/relay.pem' });
  });
});
