// Path building from what the server sent, the plan's anchors and the plan's CA files.
import { rootCertificates } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeChain } from '../../src/tls/chain.js';
import { parseCertificate, pemBlocks } from '../../src/tls/certificate.js';
import { createTrustStore, setSystemRoots, systemRootIndex } from '../../src/tls/trust.js';
import { b64, fixtures, type Fixtures } from './fixtures.js';

let f: Fixtures;
beforeAll(async () => {
  f = await fixtures();
});
afterAll(() => setSystemRoots(() => rootCertificates));

const certs = (...list: { certDer: Uint8Array }[]) => list.map((c) => parseCertificate(b64(c)));

describe('analyzeChain', () => {
  const planRoot = () => createTrustStore({ system: false, ca: [{ file: '/plan/pki/root.pem', pem: f.root.certPem }] });
  const planRootAndIntermediate = () =>
    createTrustStore({ system: false, ca: [{ file: '/plan/pki/ca-bundle.pem', pem: f.root.certPem + f.intermediate.certPem }] });

  it('builds leaf → intermediate → root when the server sends leaf and intermediate', () => {
    const a = analyzeChain(certs(f.pki.leaves.valid, f.intermediate), planRoot());
    expect(a.end.kind).toBe('anchor');
    expect(a.path.map((s) => s.from)).toEqual(['sent', 'sent', 'anchor']);
    expect(a).toMatchObject({ notSent: [], unrelated: [], outOfOrder: false, rootSent: false, leafSelfSigned: false });
  });

  it('notices the root the server sends along', () => {
    const a = analyzeChain(certs(f.pki.leaves.valid, f.intermediate, f.root), planRoot());
    expect(a.end.kind).toBe('anchor');
    expect(a.rootSent).toBe(true);
    expect(a.unrelated).toEqual([]);
  });

  it('names the issuer that is missing everywhere', () => {
    const a = analyzeChain(certs(f.pki.leaves.leafOnly), planRoot());
    expect(a.end).toMatchObject({ kind: 'issuer-missing', issuer: 'CN=relaycheck Lab Issuing CA' });
  });

  it('completes the path from the plan\'s CA files and records that the server did not send it', () => {
    const a = analyzeChain(certs(f.pki.leaves.leafOnly), planRootAndIntermediate());
    expect(a.end.kind).toBe('anchor');
    expect(a.notSent.map((s) => [s.cert.subject, s.file])).toEqual([['CN=relaycheck Lab Issuing CA', '/plan/pki/ca-bundle.pem']]);
  });

  it('flags certificates sent out of order and certificates that do not belong', () => {
    expect(analyzeChain(certs(f.pki.leaves.valid, f.root, f.intermediate), planRoot()).outOfOrder).toBe(true);
    const extra = analyzeChain(certs(f.pki.leaves.valid, f.intermediate, f.pki.leaves.wrongName), planRoot());
    expect(extra.unrelated.map((u) => u.cert.subject)).toEqual(['CN=wrong.invalid-name.test']);
    expect(extra.outOfOrder).toBe(false);
  });

  it('reports a same-named intermediate whose key did not sign the leaf', () => {
    const a = analyzeChain(certs(f.pki.leaves.valid, f.impostorIntermediate), planRoot());
    expect(a.end).toMatchObject({ kind: 'bad-signature', candidateFrom: 'sent' });
  });

  it('ends at an untrusted root and at a self-signed leaf', () => {
    const empty = createTrustStore({ system: false, ca: [] });
    expect(analyzeChain(certs(f.pki.leaves.valid, f.intermediate, f.root), empty).end.kind).toBe('untrusted-root');
    const self = analyzeChain(certs(f.pki.leaves.selfSigned), empty);
    expect(self.end.kind).toBe('untrusted-root');
    expect(self.leafSelfSigned).toBe(true);
  });

  it('accepts a self-signed certificate that the plan pins as its own anchor', () => {
    const pinned = createTrustStore({ system: false, ca: [{ file: '/plan/pki/snakeoil.pem', pem: f.pki.leaves.selfSigned.certPem }] });
    expect(analyzeChain(certs(f.pki.leaves.selfSigned), pinned).end.kind).toBe('anchor');
  });
});

describe('trust store', () => {
  it('uses the system roots only when the plan trusts them', () => {
    setSystemRoots(() => [f.root.certPem]);
    const sent = certs(f.pki.leaves.valid, f.intermediate);
    expect(analyzeChain(sent, createTrustStore({ system: true, ca: [] })).end).toMatchObject({ kind: 'anchor', anchor: { source: 'system' } });
    expect(analyzeChain(sent, createTrustStore({ system: false, ca: [] })).end.kind).toBe('issuer-missing');
    setSystemRoots(() => rootCertificates);
  });

  it('describes where it looks', () => {
    expect(createTrustStore({ system: true, ca: [{ file: '/etc/pki/a.pem', pem: f.root.certPem }] }).describe()).toBe("Node's root store and plan CA file a.pem");
  });

  it('indexes Node\'s root store lazily and once, and finds a public root in it', () => {
    setSystemRoots(() => rootCertificates);
    const t0 = performance.now();
    const first = systemRootIndex();
    const ms = performance.now() - t0;
    expect(systemRootIndex()).toBe(first);
    expect([...first.values()].flat().length).toBe(rootCertificates.length);
    const some = parseCertificate(pemBlocks(rootCertificates[0]!)[0]!);
    expect(createTrustStore({ system: true, ca: [] }).inSystemStore(some)).toBe(true);
    expect(createTrustStore({ system: false, ca: [] }).inSystemStore(parseCertificate(b64(f.root)))).toBe(false);
    console.log(`indexed ${first.size} system root names in ${ms.toFixed(1)} ms`);
  });
});
