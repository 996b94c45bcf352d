import { beforeAll, describe, expect, it } from 'vitest';
import { createHash, X509Certificate } from 'node:crypto';
import { createRootCa, issueLeaf, type CaHandle, type Issued } from '../../src/pki/generate.js';
import { matchTlsa, tlsaAssociation, tlsaRecordFor } from '../../src/dns/tlsa.js';

let root: CaHandle;
let leaf: Issued;
let other: Issued;
const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');

beforeAll(async () => {
  root = await createRootCa({ cn: 'DANE Test Root', key: { kind: 'ec', curve: 'P-256' } });
  leaf = await issueLeaf(root, { cn: 'mail.contoso.example' });
  other = await issueLeaf(root, { cn: 'mail.contoso.example' });
});

describe('TLSA matching', () => {
  it('computes 3 1 1 as the SHA-256 of the SubjectPublicKeyInfo', () => {
    const spki = new X509Certificate(Buffer.from(leaf.certDer)).publicKey.export({ type: 'spki', format: 'der' });
    expect(tlsaRecordFor(leaf.certDer)).toBe(`3 1 1 ${createHash('sha256').update(spki).digest('hex')}`);
    expect(tlsaAssociation(leaf.certDer, 0, 2)!.toString('hex')).toBe(createHash('sha512').update(leaf.certDer).digest('hex'));
    expect(tlsaAssociation(leaf.certDer, 0, 0)!.equals(Buffer.from(leaf.certDer))).toBe(true);
  });

  it('matches DANE-EE records (3 1 1, 3 0 1, 3 0 2) against the leaf', () => {
    const chain = [b64(leaf.certDer), b64(root.certDer)];
    for (const [selector, matchingType] of [[1, 1], [0, 1], [0, 2], [1, 2]] as const) {
      const data = tlsaAssociation(leaf.certDer, selector, matchingType)!.toString('hex');
      expect(matchTlsa([{ usage: 3, selector, matchingType, data }], chain)[0]).toMatchObject({ usable: true, matched: true, certIndex: 0 });
    }
  });

  it('matches DANE-TA records against a certificate of the chain, not the leaf', () => {
    const chain = [b64(leaf.certDer), b64(root.certDer)];
    const ta = tlsaAssociation(root.certDer, 1, 1)!.toString('hex');
    expect(matchTlsa([{ usage: 2, selector: 1, matchingType: 1, data: ta }], chain)[0]).toMatchObject({ matched: true, certIndex: 1 });
    const leafAsTa = tlsaAssociation(leaf.certDer, 1, 1)!.toString('hex');
    expect(matchTlsa([{ usage: 2, selector: 1, matchingType: 1, data: leafAsTa }], chain)[0]!.matched).toBe(false);
  });

  it('does not match a record made for another certificate', () => {
    const data = tlsaAssociation(other.certDer, 1, 1)!.toString('hex');
    expect(matchTlsa([{ usage: 3, selector: 1, matchingType: 1, data }], [b64(leaf.certDer)])[0]).toMatchObject({ usable: true, matched: false });
  });

  it('marks PKIX usages and unknown parameters as unusable for SMTP', () => {
    const data = tlsaAssociation(leaf.certDer, 1, 1)!.toString('hex');
    const [pkix, odd] = matchTlsa([{ usage: 1, selector: 1, matchingType: 1, data }, { usage: 3, selector: 1, matchingType: 9, data }], [b64(leaf.certDer)]);
    expect(pkix).toMatchObject({ usable: false, matched: false });
    expect(pkix!.reason).toMatch(/RFC 7672/);
    expect(odd).toMatchObject({ usable: false, reason: 'unknown matching type 9' });
  });
});
