import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LEAF_CASES,
  LEGACY_SERVER_TLS_OPTIONS,
  createIntermediateCa,
  createLabPki,
  createRootCa,
  issueLeaf,
  selfSigned,
  sha256Fingerprint,
  writePkiFiles,
  type Issued,
  type LabPki,
} from '../../src/pki/generate.js';

const DOMAIN = 'example.test';
const HOST = 'mail.example.test';
const run = promisify(execFile);

function certsIn(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  );
}

const nodeCert = (issued: Issued) => new X509Certificate(issued.certPem);

const cnOf = (peer: tls.PeerCertificate): string | undefined => {
  const cn: string | string[] | undefined = peer.subject?.CN;
  return Array.isArray(cn) ? cn.join(',') : cn;
};

interface TlsOutcome {
  authorized: boolean;
  error?: string;
  peerSubject?: string;
}

/** Serves `leaf` on 127.0.0.1:0 and connects to it once. */
async function handshake(
  leaf: Issued,
  client: tls.ConnectionOptions,
  server: tls.TlsOptions = {},
): Promise<TlsOutcome> {
  const srv = tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem, ...server }, (s) => s.end());
  srv.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  try {
    return await new Promise<TlsOutcome>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ...client }, () => {
        resolve({
          authorized: socket.authorized,
          error: socket.authorizationError?.toString(),
          peerSubject: cnOf(socket.getPeerCertificate()),
        });
        socket.destroy();
      });
      socket.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ authorized: false, error: err.code ?? err.message }),
      );
    });
  } finally {
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
}

async function hasOpenssl(): Promise<boolean> {
  try {
    await run('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
}

let pki: LabPki;
let dir: string;
let files: Awaited<ReturnType<typeof writePkiFiles>>;
const opensslAvailable = await hasOpenssl();

beforeAll(async () => {
  pki = await createLabPki({ domain: DOMAIN, host: HOST });
  dir = await mkdtemp(join(tmpdir(), 'relaycheck-pki-'));
  files = await writePkiFiles(pki, dir);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createLabPki', () => {
  it('builds root -> intermediate -> valid leaf, and each signature verifies with Node', async () => {
    const root = nodeCert(pki.root);
    const inter = nodeCert(pki.intermediate);
    const leaf = nodeCert(pki.leaves.valid);
    expect(root.subject).toBe('CN=relaycheck Lab Root CA');
    expect(inter.subject).toBe('CN=relaycheck Lab Issuing CA');
    expect(root.ca).toBe(true);
    expect(inter.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(root.checkIssued(root)).toBe(true);
    expect(inter.checkIssued(root)).toBe(true);
    expect(leaf.checkIssued(inter)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(inter.verify(root.publicKey)).toBe(true);
    expect(leaf.verify(inter.publicKey)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(false);
  });

  it('gives the valid leaf CN and SAN equal to the host, a chain of leaf plus intermediate, and a validity around now', () => {
    const leaf = nodeCert(pki.leaves.valid);
    expect(pki.leaves.valid.subject).toBe(`CN=${HOST}`);
    expect(leaf.subjectAltName).toBe(`DNS:${HOST}`);
    expect(leaf.checkHost(HOST)).toBe(HOST);
    const chain = certsIn(pki.leaves.valid.chainPem);
    expect(chain.map((c) => c.subject)).toEqual([`CN=${HOST}`, 'CN=relaycheck Lab Issuing CA']);
    const now = Date.now();
    expect(new Date(leaf.validFrom).getTime()).toBeLessThan(now);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(now + 300 * 86_400_000);
  });

  it('puts the CA and key-identifier extensions in place so chains can be built', () => {
    const root = new x509.X509Certificate(pki.root.certDer);
    const inter = new x509.X509Certificate(pki.intermediate.certDer);
    const leaf = new x509.X509Certificate(pki.leaves.valid.certDer);
    const bc = inter.getExtension(x509.BasicConstraintsExtension)!;
    expect(bc.ca).toBe(true);
    expect(bc.pathLength).toBe(0);
    expect(bc.critical).toBe(true);
    const ku = inter.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
    const leafBc = leaf.getExtension(x509.BasicConstraintsExtension)!;
    expect(leafBc.ca).toBe(false);
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
    ]);
    const rootSki = root.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    const interSki = inter.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(inter.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(rootSki);
    expect(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(interSki);
    expect(pki.intermediate.keyId).toBe(interSki);
  });

  it('makes the expired leaf end 35 days in the past and the not-yet-valid leaf start in the future', () => {
    const now = Date.now();
    expect(pki.leaves.expired.notAfter.getTime()).toBeLessThan(now - 34 * 86_400_000);
    expect(new Date(nodeCert(pki.leaves.expired).validTo).getTime()).toBeLessThan(now);
    expect(pki.leaves.notYetValid.notBefore.getTime()).toBeGreaterThan(now + 9 * 86_400_000);
  });

  it('honours an explicit now for all leaf validity periods', async () => {
    const now = new Date('2030-06-01T00:00:00Z');
    const later = await createLabPki({
      domain: DOMAIN,
      host: HOST,
      now,
      caKeys: { root: pki.root.keys, intermediate: pki.intermediate.keys },
    });
    expect(later.leaves.expired.notAfter.toISOString()).toBe('2030-04-27T00:00:00.000Z');
    expect(later.leaves.valid.notBefore.toISOString()).toBe('2030-05-31T00:00:00.000Z');
    expect(later.root.keyId).toBe(pki.root.keyId);
  });

  it('gives the wildcard leaf a *.domain CN and SAN that matches one label', () => {
    const leaf = nodeCert(pki.leaves.wildcard);
    expect(pki.leaves.wildcard.subject).toBe(`CN=*.${DOMAIN}`);
    expect(leaf.subjectAltName).toBe(`DNS:*.${DOMAIN}`);
    expect(leaf.checkHost(HOST)).toBe(`*.${DOMAIN}`);
    expect(leaf.checkHost(`a.b.${DOMAIN}`)).toBeUndefined();
  });

  it('gives the wrong-name leaf a name that does not match the host', () => {
    const leaf = nodeCert(pki.leaves.wrongName);
    expect(leaf.subjectAltName).toBe('DNS:wrong.invalid-name.test');
    expect(leaf.checkHost(HOST)).toBeUndefined();
  });

  it('signs the sha1 leaf with sha1WithRSAEncryption and the others with SHA-256', () => {
    const sha1 = new x509.X509Certificate(pki.leaves.sha1.certDer);
    expect(sha1.signatureAlgorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-1' } });
    expect(nodeCert(pki.leaves.sha1).verify(nodeCert(pki.intermediate).publicKey)).toBe(true);
    const valid = new x509.X509Certificate(pki.leaves.valid.certDer);
    expect(valid.signatureAlgorithm).toMatchObject({ hash: { name: 'SHA-256' } });
    expect(pki.leaves.sha1.hash).toBe('SHA-1');
  });

  it('gives the rsa1024 leaf a 1024-bit RSA key and the CAs 2048-bit RSA keys', () => {
    const key = nodeCert(pki.leaves.rsa1024).publicKey;
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(nodeCert(pki.root).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(nodeCert(pki.intermediate).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(nodeCert(pki.leaves.valid).publicKey.asymmetricKeyType).toBe('ec');
  });

  it('puts only the leaf in the leafOnly chain', () => {
    expect(certsIn(pki.leaves.leafOnly.chainPem)).toHaveLength(1);
    expect(pki.leaves.leafOnly.chainPem).toBe(pki.leaves.leafOnly.certPem);
    expect(pki.leaves.leafOnly.sha256).not.toBe(pki.leaves.valid.sha256);
  });

  it('makes the self-signed leaf its own issuer with the host name', () => {
    const leaf = nodeCert(pki.leaves.selfSigned);
    expect(leaf.issuer).toBe(`CN=${HOST}`);
    expect(leaf.checkIssued(leaf)).toBe(true);
    expect(leaf.verify(leaf.publicKey)).toBe(true);
    expect(certsIn(pki.leaves.selfSigned.chainPem)).toHaveLength(1);
  });

  it('gives the client certificates clientAuth and serverAuth for relay names', () => {
    for (const [c, name] of [
      ['client', `relay.${DOMAIN}`],
      ['clientWrongName', 'relay.other-org.test'],
    ] as const) {
      const leaf = new x509.X509Certificate(pki.leaves[c].certDer);
      expect(leaf.subject).toBe(`CN=${name}`);
      expect(nodeCert(pki.leaves[c]).subjectAltName).toBe(`DNS:${name}`);
      expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]);
    }
  });

  it('reports fingerprints like openssl and uses distinct positive serial numbers', () => {
    const serials = new Set<string>();
    for (const c of LEAF_CASES) {
      const issued = pki.leaves[c];
      expect(issued.sha256).toBe(nodeCert(issued).fingerprint256);
      expect(issued.sha256).toBe(sha256Fingerprint(issued.certDer));
      expect(issued.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      // DER INTEGER: a first byte < 0x80 means positive.
      expect(parseInt(issued.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80);
      serials.add(issued.serialNumber);
    }
    expect(serials.size).toBe(LEAF_CASES.length);
  });
});

describe('writePkiFiles', () => {
  it('writes the CA certificates and a cert, key and chain per case, keys readable only by the owner', async () => {
    expect(files.root.cert).toBe(join(dir, 'root.pem'));
    expect(files.intermediate.cert).toBe(join(dir, 'intermediate.pem'));
    expect(Object.keys(files).sort()).toEqual(['intermediate', 'root', ...LEAF_CASES].sort());
    expect(files.valid).toEqual({
      cert: join(dir, 'valid.crt'),
      key: join(dir, 'valid.key'),
      chain: join(dir, 'valid.chain.pem'),
    });
    expect(await readFile(files.valid.chain, 'utf8')).toBe(pki.leaves.valid.chainPem);
    expect((await stat(files.valid.key)).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!opensslAvailable)(
    'produces files that openssl verify accepts for the valid leaf and rejects for the broken ones',
    async () => {
      const verify = async (c: string, ...extra: string[]) => {
        try {
          const { stdout } = await run('openssl', [
            'verify',
            ...extra,
            '-CAfile',
            files.root.cert,
            '-untrusted',
            files.intermediate.cert,
            join(dir, `${c}.crt`),
          ]);
          return stdout.trim();
        } catch (err) {
          return String((err as { stderr?: string }).stderr ?? err);
        }
      };
      expect(await verify('valid')).toMatch(/valid\.crt: OK$/);
      expect(await verify('valid', '-verify_hostname', HOST)).toMatch(/: OK$/);
      expect(await verify('wildcard', '-verify_hostname', HOST)).toMatch(/: OK$/);
      expect(await verify('client', '-purpose', 'sslclient')).toMatch(/: OK$/);
      expect(await verify('expired')).toMatch(/error 10 at 0 depth .*certificate has expired/);
      expect(await verify('notYetValid')).toMatch(/error 9 at 0 depth .*not yet valid/);
      expect(await verify('selfSigned')).toMatch(/error 18 at 0 depth .*self.signed certificate/);
      expect(await verify('wrongName', '-verify_hostname', HOST)).toMatch(/Hostname mismatch|verification failed/);
      expect(await verify('sha1', '-auth_level', '1')).toMatch(/error 68 .*digest algorithm too weak/);
      expect(await verify('rsa1024', '-auth_level', '2')).toMatch(/error 66 .*key too weak/);
    },
  );
});

describe('TLS with the generated certificates', () => {
  it('accepts a verifying tls.connect to a server with the valid leaf when the root is the only CA', async () => {
    const outcome = await handshake(pki.leaves.valid, {
      ca: pki.root.certPem,
      servername: HOST,
      rejectUnauthorized: true,
    });
    expect(outcome).toEqual({ authorized: true, error: undefined, peerSubject: HOST });
  });

  it.each([
    ['expired', 'CERT_HAS_EXPIRED'],
    ['notYetValid', 'CERT_NOT_YET_VALID'],
    ['wrongName', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['selfSigned', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['leafOnly', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const)('reports the %s leaf to a non-rejecting client as %s', async (c, code) => {
    const outcome = await handshake(pki.leaves[c], {
      ca: pki.root.certPem,
      servername: HOST,
      rejectUnauthorized: false,
    });
    expect(outcome).toMatchObject({ authorized: false, error: code });
  });

  // Node 20 and 22 ship OpenSSL 3.0, whose default security level 1 loads an RSA-1024 key and
  // refuses to load a SHA-1-signed chain; Node 24 ships OpenSSL 3.5, whose default refuses the
  // RSA-1024 key and loads the SHA-1 chain (a verifying client still refuses it).
  const OPENSSL_30 = process.versions.openssl.startsWith('3.0.');

  it('serves the wildcard leaf at the default security level, and the rsa1024 leaf there on OpenSSL 3.0 or at level 0 on OpenSSL 3.5', async () => {
    expect((await handshake(pki.leaves.wildcard, { ca: pki.root.certPem, servername: HOST })).authorized).toBe(true);
    const load = () => tls.createSecureContext({ key: pki.leaves.rsa1024.keyPem, cert: pki.leaves.rsa1024.chainPem });
    if (OPENSSL_30) expect(load).not.toThrow();
    else expect(load).toThrow(/ee key too small/);
    // OpenSSL 3.5 clients refuse the 1024-bit key at their default level too.
    const lowered = OPENSSL_30 ? {} : { ...LEGACY_SERVER_TLS_OPTIONS };
    const outcome = await handshake(pki.leaves.rsa1024, { ca: pki.root.certPem, servername: HOST, ...lowered }, lowered);
    expect(outcome.authorized).toBe(true);
  });

  it('serves the sha1 leaf with LEGACY_SERVER_TLS_OPTIONS (OpenSSL 3.0 cannot load it without), and a verifying client refuses it', async () => {
    const load = () => tls.createSecureContext({ key: pki.leaves.sha1.keyPem, cert: pki.leaves.sha1.chainPem });
    if (OPENSSL_30) expect(load).toThrow(/ca md too weak/);
    else expect(load).not.toThrow();
    const outcome = await handshake(
      pki.leaves.sha1,
      { ca: pki.root.certPem, servername: HOST, rejectUnauthorized: true },
      { ...LEGACY_SERVER_TLS_OPTIONS },
    );
    expect(outcome.authorized).toBe(false);
    const lenient = await handshake(
      pki.leaves.sha1,
      { ca: pki.root.certPem, servername: HOST, rejectUnauthorized: false },
      { ...LEGACY_SERVER_TLS_OPTIONS },
    );
    expect(lenient.peerSubject).toBe(HOST);
  });

  it('lets a client present the client certificate to a server that requires one from the lab root', async () => {
    const srv = tls.createServer({
      key: pki.leaves.valid.keyPem,
      cert: pki.leaves.valid.chainPem,
      ca: pki.root.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const seen = new Promise<string | undefined>((resolve) =>
      srv.on('secureConnection', (s) => {
        resolve(cnOf(s.getPeerCertificate()));
        s.end();
      }),
    );
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as AddressInfo;
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: HOST,
      ca: pki.root.certPem,
      key: pki.leaves.client.keyPem,
      cert: pki.leaves.client.chainPem,
    });
    socket.on('error', () => {});
    expect(await seen).toBe(`relay.${DOMAIN}`);
    socket.destroy();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });
});

describe('the building blocks', () => {
  it('issues an IP-address leaf from an EC root without an intermediate', async () => {
    const root = await createRootCa({ cn: 'EC Root', key: { kind: 'ec', curve: 'P-384' } });
    const leaf = await issueLeaf(root, { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    expect(leaf.subject).toBe('CN=localhost');
    expect(certsIn(leaf.chainPem)).toHaveLength(1);
    const cert = nodeCert(leaf);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(nodeCert(root).publicKey)).toBe(true);
    const outcome = await handshake(leaf, { ca: root.certPem, host: '127.0.0.1' });
    expect(outcome.authorized).toBe(true);
  });

  it('appends every intermediate to a leaf chain under two intermediates', async () => {
    const root = await createRootCa({ cn: 'Deep Root', key: { kind: 'ec', curve: 'P-256' } });
    const a = await createIntermediateCa(root, { cn: 'Level A', key: { kind: 'ec', curve: 'P-256' }, pathLen: 1 });
    const b = await createIntermediateCa(a, { cn: 'Level B', key: { kind: 'ec', curve: 'P-256' } });
    const leaf = await issueLeaf(b, { cn: 'deep.example.test' });
    expect(certsIn(leaf.chainPem).map((c) => c.subject)).toEqual([
      'CN=deep.example.test',
      'CN=Level B',
      'CN=Level A',
    ]);
    const outcome = await handshake(leaf, { ca: root.certPem, servername: 'deep.example.test' });
    expect(outcome.authorized).toBe(true);
  });

  it('makes a self-signed certificate that is trusted when it is itself the CA', async () => {
    const cert = await selfSigned({ cn: 'pinned.example.test' });
    const outcome = await handshake(cert, {
      ca: cert.certPem,
      servername: 'pinned.example.test',
      rejectUnauthorized: true,
    });
    expect(outcome.authorized).toBe(true);
  });
});
