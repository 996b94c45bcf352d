// The DER parser must read generated certificates exactly as @peculiar/x509 and node:crypto do.
import '../../src/pki/generate.js'; // loads reflect-metadata before @peculiar/x509
import * as x509 from '@peculiar/x509';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { DerError } from '../../src/tls/der.js';
import { parseAll, parseCertificate, parsePemBundle, pemBlocks, selfSigned, signedBy } from '../../src/tls/certificate.js';
import { b64, fixtures, withMd5Signature, type Fixtures } from './fixtures.js';

let f: Fixtures;
beforeAll(async () => {
  f = await fixtures();
});

describe('parseCertificate', () => {
  it('reads every lab certificate the way @peculiar/x509 and node:crypto do', () => {
    const all = [f.root, f.intermediate, ...Object.values(f.pki.leaves), f.ipLeaf, f.clientSanOnly];
    for (const issued of all) {
      const mine = parseCertificate(b64(issued));
      const theirs = new x509.X509Certificate(issued.certDer);
      const node = new X509Certificate(issued.certDer);
      expect(mine.subject).toBe(theirs.subject);
      expect(mine.issuer).toBe(theirs.issuer);
      expect(mine.notBefore.getTime()).toBe(theirs.notBefore.getTime());
      expect(mine.notAfter.getTime()).toBe(theirs.notAfter.getTime());
      expect(mine.sha256).toBe(node.fingerprint256);
      expect(mine.isCa).toBe(node.ca);
      const san = theirs.getExtension(x509.SubjectAlternativeNameExtension);
      expect(mine.dnsNames).toEqual(san?.names.items.filter((n) => n.type === 'dns').map((n) => n.value) ?? []);
      const details = node.publicKey.asymmetricKeyDetails!;
      if (mine.key.type === 'RSA') expect(mine.key.bits).toBe(details.modulusLength);
      else expect(mine.key.curve).toBe('P-256');
    }
  });

  it('names the key and the signature of the weak lab leaves', () => {
    const rsa = parseCertificate(b64(f.pki.leaves.rsa1024));
    expect(rsa.key).toMatchObject({ type: 'RSA', bits: 1024 });
    expect(rsa.keyText).toBe('RSA 1024');
    const sha1 = parseCertificate(b64(f.pki.leaves.sha1));
    expect(sha1.signature).toMatchObject({ name: 'sha1WithRSAEncryption', hash: 'SHA-1' });
    const valid = parseCertificate(b64(f.pki.leaves.valid));
    expect(valid.signature).toMatchObject({ name: 'sha256WithRSAEncryption', hash: 'SHA-256' });
    expect(valid.keyText).toBe('EC P-256');
    expect(parseCertificate(withMd5Signature(f.pki.leaves.valid)).signature).toMatchObject({ name: 'md5WithRSAEncryption', hash: 'MD5' });
  });

  it('reads IPv4 and IPv6 subjectAltNames as canonical text', () => {
    expect(parseCertificate(b64(f.ipLeaf)).ipAddresses).toEqual(['192.0.2.10', '2001:db8::25']);
  });

  it('parses each DER once and hands back the same object', () => {
    expect(parseCertificate(b64(f.pki.leaves.valid))).toBe(parseCertificate(b64(f.pki.leaves.valid)));
  });

  it('throws a DerError on bytes that are not a certificate, and parseAll collects it', () => {
    expect(() => parseCertificate(Buffer.from('not a certificate').toString('base64'))).toThrow(DerError);
    const truncated = Buffer.from(f.pki.leaves.valid.certDer).subarray(0, 100).toString('base64');
    const bundle = parseAll([b64(f.pki.leaves.valid), truncated]);
    expect(bundle.certificates).toHaveLength(1);
    expect(bundle.errors).toEqual([{ index: 1, message: expect.stringMatching(/runs past the end|truncated/) }]);
  });

  it('splits a PEM bundle into its certificates in order', () => {
    const bundle = parsePemBundle(f.pki.leaves.client.chainPem);
    expect(bundle.certificates.map((c) => c.label)).toEqual([`relay.contoso.test`, 'relaycheck Lab Issuing CA']);
    expect(pemBlocks('no pem here')).toEqual([]);
  });

  it('parses every root in Node\'s store', () => {
    const blocks = rootCertificates.flatMap(pemBlocks);
    const { certificates, errors } = parseAll(blocks);
    expect(errors).toEqual([]);
    expect(certificates.length).toBe(rootCertificates.length);
    for (const c of certificates) expect(c.subject.length).toBeGreaterThan(0);
  });
});

describe('hostile certificates', () => {
  it('bounds over-long names', async () => {
    const { issueLeaf } = await import('../../src/pki/generate.js');
    const long = await issueLeaf(f.intermediate, { cn: `${'a'.repeat(60)}.contoso.test`, dnsNames: [`${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.${'x'.repeat(200)}.test`] });
    const c = parseCertificate(b64(long));
    expect(c.dnsNames[0]!.length).toBeLessThanOrEqual(257);
    expect(c.subject.length).toBeLessThanOrEqual(513);
  });

});

describe('signatures', () => {
  it('verifies issuer signatures synchronously, SHA-1 included', () => {
    const inter = parseCertificate(b64(f.intermediate));
    expect(signedBy(parseCertificate(b64(f.pki.leaves.valid)), inter)).toBe(true);
    expect(signedBy(parseCertificate(b64(f.pki.leaves.sha1)), inter)).toBe(true);
    expect(signedBy(parseCertificate(b64(f.pki.leaves.valid)), parseCertificate(b64(f.impostorIntermediate)))).toBe(false);
  });

  it('tells self-signed certificates from the rest', () => {
    expect(selfSigned(parseCertificate(b64(f.root)))).toBe(true);
    expect(selfSigned(parseCertificate(b64(f.pki.leaves.selfSigned)))).toBe(true);
    expect(selfSigned(parseCertificate(b64(f.intermediate)))).toBe(false);
  });
});
