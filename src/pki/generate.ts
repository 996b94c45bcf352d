/**
 * Certificate factory for tests and for the built-in lab (DESIGN.md §7: certificates are generated
 * at run time, never committed).
 *
 * Built on @peculiar/x509 with Node's WebCrypto as the crypto provider. Everything is in memory;
 * `writePkiFiles` is the only function that touches the disk.
 *
 * Speed: RSA key generation dominates (measured on the 2-core dev box: RSA-2048 75-470 ms per
 * key, median ~200, very variable because of the prime search; RSA-1024 ~10 ms; ECDSA P-256
 * < 1 ms). `createLabPki` (median ~300 ms, worst seen ~630 ms; ~75 ms with `caKeys`) generates
 * exactly three RSA keys (root 2048, intermediate 2048, the `rsa1024` leaf), all in parallel on
 * the libuv thread pool, and uses ECDSA P-256 for every other leaf. The `sha1` leaf is signed by
 * the RSA intermediate with sha1WithRSAEncryption (the intermediate's key is re-imported with a
 * SHA-1 hash binding; no extra key generation).
 *
 * TLS caveat (Node 20 / OpenSSL 3.0, default security level 1): a server cannot *load* the `sha1`
 * leaf ("ca md too weak": OpenSSL 3 rates SHA-1 signatures at 64 bits, level 1 needs 80). Pass
 * `LEGACY_SERVER_TLS_OPTIONS` (SECLEVEL 0) to `tls.createServer`/`tls.createSecureContext` for
 * that case. The `rsa1024` leaf (80 bits) loads at the default level 1. Node 24 (OpenSSL 3.5)
 * differs: its default refuses to load the `rsa1024` leaf ("ee key too small") and loads the
 * `sha1` one; LEGACY_SERVER_TLS_OPTIONS serves both on every runtime.
 */
import 'reflect-metadata'; // must run before @peculiar/x509 is evaluated (tsyringe needs it)
import * as x509 from '@peculiar/x509';
import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const webcrypto: Crypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

// ---------------------------------------------------------------------------------------------
// Types

export type KeySpec =
  | { kind: 'rsa'; bits: 1024 | 2048 | 3072 | 4096 }
  | { kind: 'ec'; curve: 'P-256' | 'P-384' };

/** Digest used for the certificate signature (by the issuer's key). */
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA-1';

export interface Issued {
  /** e.g. "CN=mail.example.test" */
  subject: string;
  /** Issuer DN, same format as `subject`. */
  issuer: string;
  /** This certificate only. */
  certPem: string;
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
  keyPem: string;
  /** This certificate followed by its issuing intermediates (never the root). */
  chainPem: string;
  certDer: Uint8Array<ArrayBuffer>;
  /** Hex fingerprint of the DER, uppercase colon-separated like `openssl x509 -fingerprint -sha256`. */
  sha256: string;
  /** Serial number, lowercase hex, no leading zero byte. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  keySpec: KeySpec;
  /** Signature hash used by the issuer for this certificate. */
  hash: HashName;
}

export interface CaHandle extends Issued {
  /** Extractable key pair (RSASSA-PKCS1-v1_5 bound to SHA-256, or ECDSA). */
  keys: CryptoKeyPair;
  /** Subject key identifier, lowercase hex; used as the authorityKeyIdentifier of what it issues. */
  keyId: string;
  /** True for a self-signed root: its certificate is then not appended to issued chains. */
  isRoot: boolean;
  /** basicConstraints pathLenConstraint, undefined = unlimited. */
  pathLen?: number;
}

interface CommonOpts {
  key?: KeySpec;
  /** Use this (extractable) key pair instead of generating one; must match `key` if both given. */
  keys?: CryptoKeyPair;
  notBefore?: Date;
  notAfter?: Date;
  hash?: HashName;
  /** Hex serial; random positive 128-bit by default. */
  serialNumber?: string;
}

export interface RootCaOpts extends CommonOpts {
  cn: string;
  /** basicConstraints pathLen; default: none (unlimited). */
  pathLen?: number;
}

export interface IntermediateCaOpts extends CommonOpts {
  cn: string;
  /** basicConstraints pathLen; default 0 (may only issue leaves). */
  pathLen?: number;
}

export interface LeafOpts extends CommonOpts {
  /** Default: first DNS name, else first IP address. */
  cn?: string;
  /** Default: [cn] when cn is given. Pass [] for a certificate without DNS SANs. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** extKeyUsage serverAuth; default true. */
  serverAuth?: boolean;
  /** extKeyUsage clientAuth; default false. */
  clientAuth?: boolean;
}

export type SelfSignedOpts = LeafOpts & { cn: string };

export const LEAF_CASES = [
  'valid',
  'expired',
  'notYetValid',
  'wrongName',
  'wildcard',
  'selfSigned',
  'leafOnly',
  'rsa1024',
  'sha1',
  'client',
  'clientWrongName',
] as const;
export type LeafCase = (typeof LEAF_CASES)[number];

export interface LabPki {
  root: CaHandle;
  intermediate: CaHandle;
  leaves: Record<LeafCase, Issued>;
}

export interface LabPkiOpts {
  /** e.g. "example.test": wildcard is `*.${domain}`, client cert is `relay.${domain}`. */
  domain: string;
  /** Server host name of the valid leaf, e.g. "mail.example.test". */
  host: string;
  now?: Date;
  /**
   * Reuse these (extractable, RSA) CA key pairs instead of generating two RSA-2048 keys, which is
   * most of createLabPki's time. The certificates are still new (new serials and validity).
   */
  caKeys?: { root: CryptoKeyPair; intermediate: CryptoKeyPair };
}

/**
 * Server-side TLS options needed to serve the `sha1` leaf (and anything else OpenSSL 3 rates
 * below 80 bits) from a Node 20 `tls.createServer` / `tls.createSecureContext`. Without them
 * loading the certificate throws `error:0A00018E:SSL routines::ca md too weak`.
 * The `rsa1024` leaf loads without them (RSA-1024 = 80 bits = security level 1, Node's default),
 * but a *client* that raised its level to 2 will refuse it, which is exactly what the lab tests.
 * Only use these options for the lab's deliberately weak endpoints.
 */
export const LEGACY_SERVER_TLS_OPTIONS = Object.freeze({ ciphers: 'DEFAULT:@SECLEVEL=0' }) as {
  readonly ciphers: string;
};

// ---------------------------------------------------------------------------------------------
// Helpers

const DAY = 86_400_000;

export const DEFAULT_CA_KEY: KeySpec = { kind: 'rsa', bits: 2048 };
export const DEFAULT_LEAF_KEY: KeySpec = { kind: 'ec', curve: 'P-256' };

function keyAlgorithm(spec: KeySpec): RsaHashedKeyGenParams | EcKeyGenParams {
  return spec.kind === 'rsa'
    ? {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: spec.bits,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      }
    : { name: 'ECDSA', namedCurve: spec.curve };
}

/** Generates an extractable signing key pair. */
export async function generateKeyPair(spec: KeySpec): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyAlgorithm(spec), true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

function specOfKey(key: CryptoKey): KeySpec {
  const alg = key.algorithm as Partial<RsaHashedKeyAlgorithm & EcKeyAlgorithm>;
  if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') {
    return { kind: 'rsa', bits: alg.modulusLength as 1024 | 2048 | 3072 | 4096 };
  }
  if (alg.name === 'ECDSA') return { kind: 'ec', curve: alg.namedCurve as 'P-256' | 'P-384' };
  throw new Error(`unsupported key algorithm ${String(alg.name)}`);
}

/** Re-imported copies of RSA private keys bound to another hash (WebCrypto binds RSA keys to one). */
const rsaKeyByHash = new WeakMap<CryptoKey, Map<HashName, Promise<CryptoKey>>>();

/** The key and WebCrypto algorithm with which `privateKey` signs using `hash`. */
async function signerFor(
  privateKey: CryptoKey,
  hash: HashName,
): Promise<{ key: CryptoKey; algorithm: Algorithm | EcdsaParams }> {
  const alg = privateKey.algorithm as RsaHashedKeyAlgorithm | EcKeyAlgorithm;
  if (alg.name === 'ECDSA') return { key: privateKey, algorithm: { name: 'ECDSA', hash } };
  if (alg.name !== 'RSASSA-PKCS1-v1_5') throw new Error(`cannot sign with ${alg.name} keys`);
  const bound = (alg as RsaHashedKeyAlgorithm).hash.name;
  if (bound === hash) return { key: privateKey, algorithm: { name: alg.name } };
  let cache = rsaKeyByHash.get(privateKey);
  if (!cache) rsaKeyByHash.set(privateKey, (cache = new Map()));
  let p = cache.get(hash);
  if (!p) {
    p = webcrypto.subtle
      .exportKey('pkcs8', privateKey)
      .then((pkcs8) =>
        webcrypto.subtle.importKey('pkcs8', pkcs8, { name: alg.name, hash }, false, ['sign']),
      );
    cache.set(hash, p);
  }
  return { key: await p, algorithm: { name: alg.name } };
}

/** Uppercase colon-separated hex SHA-256 of `der`, like openssl's fingerprint output. */
export function sha256Fingerprint(der: Uint8Array): string {
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x01; // positive, and exactly 16 bytes in DER (no leading 0x00)
  return Buffer.from(b).toString('hex');
}

function cnName(cn: string): x509.JsonName {
  return [{ CN: [cn] }];
}

function keyUsageFor(spec: KeySpec, extra: number): x509.KeyUsagesExtension {
  // keyEncipherment only makes sense for RSA (TLS 1.2 RSA key exchange).
  const usages =
    x509.KeyUsageFlags.digitalSignature |
    (spec.kind === 'rsa' ? x509.KeyUsageFlags.keyEncipherment : 0) |
    extra;
  return new x509.KeyUsagesExtension(usages, true);
}

function sanExtension(dnsNames: string[], ipAddresses: string[]): x509.Extension[] {
  const names: x509.JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : [];
}

interface BuildParams {
  subjectCn: string;
  /** Issuer; undefined = self-signed with `keys`. */
  issuer?: CaHandle;
  keys: CryptoKeyPair;
  spec: KeySpec;
  hash: HashName;
  notBefore: Date;
  notAfter: Date;
  serialNumber?: string;
  /** Extensions except SKI/AKI, which are added here. */
  extensions: x509.Extension[];
}

async function build(p: BuildParams): Promise<Issued & { keyId: string }> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(p.keys.publicKey, false, webcrypto);
  const akiId = p.issuer ? p.issuer.keyId : ski.keyId;
  const signingKey = p.issuer ? p.issuer.keys.privateKey : p.keys.privateKey;
  const signer = await signerFor(signingKey, p.hash);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: p.serialNumber ?? randomSerial(),
      subject: cnName(p.subjectCn),
      // Copy the issuer's subject DER verbatim so name matching is byte-exact.
      issuer: p.issuer ? new x509.X509Certificate(p.issuer.certDer).subjectName : cnName(p.subjectCn),
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      publicKey: p.keys.publicKey,
      signingKey: signer.key,
      signingAlgorithm: signer.algorithm,
      extensions: [...p.extensions, ski, new x509.AuthorityKeyIdentifierExtension(akiId, false)],
    },
    webcrypto,
  );
  const certDer = new Uint8Array(cert.rawData);
  const certPem = cert.toString('pem') + '\n';
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', p.keys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n';
  const issuerChain = p.issuer && !p.issuer.isRoot ? p.issuer.chainPem : '';
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    certPem,
    keyPem,
    chainPem: certPem + issuerChain,
    certDer,
    sha256: sha256Fingerprint(certDer),
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    keySpec: p.spec,
    hash: p.hash,
    keyId: ski.keyId,
  };
}

async function resolveKeys(
  opts: CommonOpts,
  fallback: KeySpec,
): Promise<{ keys: CryptoKeyPair; spec: KeySpec }> {
  if (opts.keys) return { keys: opts.keys, spec: specOfKey(opts.keys.privateKey) };
  const spec = opts.key ?? fallback;
  return { keys: await generateKeyPair(spec), spec };
}

/** basicConstraints CA:TRUE (pathLen undefined = unlimited) and the key usages of a CA. */
function caExtensions(pathLen: number | undefined): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLen, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
  ];
}

// ---------------------------------------------------------------------------------------------
// Public factory

/** A self-signed root CA. Default key RSA-2048, valid from now-1d to now+10y. */
export async function createRootCa(opts: RootCaOpts): Promise<CaHandle> {
  const now = Date.now();
  const { keys, spec } = await resolveKeys(opts, DEFAULT_CA_KEY);
  const hash = opts.hash ?? 'SHA-256';
  const built = await build({
    subjectCn: opts.cn,
    keys,
    spec,
    hash,
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 3650 * DAY),
    serialNumber: opts.serialNumber,
    extensions: caExtensions(opts.pathLen),
  });
  return { ...built, chainPem: built.certPem, keys, isRoot: true, pathLen: opts.pathLen };
}

/** An intermediate CA issued by `parent`. Default key RSA-2048, pathLen 0, validity clamped to parent's. */
export async function createIntermediateCa(
  parent: CaHandle,
  opts: IntermediateCaOpts,
): Promise<CaHandle> {
  const now = Date.now();
  const { keys, spec } = await resolveKeys(opts, DEFAULT_CA_KEY);
  const hash = opts.hash ?? 'SHA-256';
  const pathLen = opts.pathLen ?? 0;
  const built = await build({
    subjectCn: opts.cn,
    issuer: parent,
    keys,
    spec,
    hash,
    notBefore: opts.notBefore ?? new Date(Math.max(now - DAY, parent.notBefore.getTime())),
    notAfter: opts.notAfter ?? new Date(Math.min(now + 5 * 365 * DAY, parent.notAfter.getTime())),
    serialNumber: opts.serialNumber,
    extensions: caExtensions(pathLen),
  });
  return { ...built, keys, isRoot: false, pathLen };
}

function leafNames(opts: LeafOpts): { cn: string; dnsNames: string[]; ipAddresses: string[] } {
  const ipAddresses = opts.ipAddresses ?? [];
  const dnsNames = opts.dnsNames ?? (opts.cn !== undefined ? [opts.cn] : []);
  const cn = opts.cn ?? dnsNames[0] ?? ipAddresses[0];
  if (cn === undefined) throw new Error('leaf certificate needs a cn, a DNS name or an IP address');
  return { cn, dnsNames, ipAddresses };
}

/** extKeyUsage (serverAuth unless turned off, clientAuth when asked), and the subjectAltNames. */
function usageAndNames(opts: LeafOpts, names: { dnsNames: string[]; ipAddresses: string[] }): x509.Extension[] {
  const eku: string[] = [];
  if (opts.serverAuth ?? true) eku.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.clientAuth ?? false) eku.push(x509.ExtendedKeyUsage.clientAuth);
  return [...(eku.length ? [new x509.ExtendedKeyUsageExtension(eku, false)] : []), ...sanExtension(names.dnsNames, names.ipAddresses)];
}

function leafExtensions(opts: LeafOpts, spec: KeySpec, names: { dnsNames: string[]; ipAddresses: string[] }): x509.Extension[] {
  return [new x509.BasicConstraintsExtension(false, undefined, true), keyUsageFor(spec, 0), ...usageAndNames(opts, names)];
}

/** An end-entity certificate issued by `issuer`. Default key ECDSA P-256, valid now-1d..now+365d. */
export async function issueLeaf(issuer: CaHandle, opts: LeafOpts): Promise<Issued> {
  const now = Date.now();
  const names = leafNames(opts);
  const { keys, spec } = await resolveKeys(opts, DEFAULT_LEAF_KEY);
  const hash = opts.hash ?? 'SHA-256';
  const { keyId: _keyId, ...issued } = await build({
    subjectCn: names.cn,
    issuer,
    keys,
    spec,
    hash,
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 365 * DAY),
    serialNumber: opts.serialNumber,
    extensions: leafExtensions(opts, spec, names),
  });
  return issued;
}

/**
 * A self-signed end-entity certificate (basicConstraints CA:FALSE, no keyUsage, like a typical
 * "snakeoil" certificate). OpenSSL reports it as X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT (18),
 * and accepts it when the certificate itself is the trust anchor (`ca: cert`).
 */
export async function selfSigned(opts: SelfSignedOpts): Promise<Issued> {
  const now = Date.now();
  const names = leafNames(opts);
  const { keys, spec } = await resolveKeys(opts, DEFAULT_LEAF_KEY);
  const hash = opts.hash ?? 'SHA-256';
  const { keyId: _keyId, ...issued } = await build({
    subjectCn: names.cn,
    keys,
    spec,
    hash,
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 365 * DAY),
    serialNumber: opts.serialNumber,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, false), ...usageAndNames(opts, names)],
  });
  return issued;
}

/**
 * The lab's PKI: "relaycheck Lab Root CA" -> "relaycheck Lab Issuing CA" -> one leaf per case.
 * Three RSA keys are generated (root, intermediate, rsa1024 leaf) in parallel; the rest are P-256.
 */
export async function createLabPki(opts: LabPkiOpts): Promise<LabPki> {
  const now = (opts.now ?? new Date()).getTime();
  const at = (days: number) => new Date(now + days * DAY);
  const { domain, host } = opts;

  // Start all key generation at once: the RSA ones run on the libuv pool in parallel.
  const rootKeysP = opts.caKeys ? Promise.resolve(opts.caKeys.root) : generateKeyPair(DEFAULT_CA_KEY);
  const interKeysP = opts.caKeys
    ? Promise.resolve(opts.caKeys.intermediate)
    : generateKeyPair(DEFAULT_CA_KEY);
  const rsa1024KeysP = generateKeyPair({ kind: 'rsa', bits: 1024 });
  // Avoid unhandled rejections if an earlier await throws.
  for (const p of [interKeysP, rsa1024KeysP]) p.catch(() => {});

  const root = await createRootCa({
    cn: 'relaycheck Lab Root CA',
    keys: await rootKeysP,
    notBefore: at(-730),
    notAfter: at(3650),
  });
  const intermediate = await createIntermediateCa(root, {
    cn: 'relaycheck Lab Issuing CA',
    keys: await interKeysP,
    notBefore: at(-730),
    notAfter: at(1825),
  });

  const validity = { notBefore: at(-1), notAfter: at(365) };
  const [
    valid,
    expired,
    notYetValid,
    wrongName,
    wildcard,
    selfSignedLeaf,
    leafOnlyLeaf,
    rsa1024,
    sha1,
    client,
    clientWrongName,
  ] = await Promise.all([
    issueLeaf(intermediate, { cn: host, dnsNames: [host], ...validity }),
    issueLeaf(intermediate, { cn: host, dnsNames: [host], notBefore: at(-400), notAfter: at(-35) }),
    issueLeaf(intermediate, { cn: host, dnsNames: [host], notBefore: at(10), notAfter: at(375) }),
    issueLeaf(intermediate, { cn: 'wrong.invalid-name.test', ...validity }),
    issueLeaf(intermediate, { cn: `*.${domain}`, dnsNames: [`*.${domain}`], ...validity }),
    selfSigned({ cn: host, dnsNames: [host], ...validity }),
    issueLeaf(intermediate, { cn: host, dnsNames: [host], ...validity }),
    rsa1024KeysP.then((keys) => issueLeaf(intermediate, { cn: host, dnsNames: [host], keys, ...validity })),
    issueLeaf(intermediate, { cn: host, dnsNames: [host], hash: 'SHA-1', ...validity }),
    issueLeaf(intermediate, { cn: `relay.${domain}`, clientAuth: true, serverAuth: true, ...validity }),
    issueLeaf(intermediate, { cn: 'relay.other-org.test', clientAuth: true, serverAuth: true, ...validity }),
  ]);

  const leafOnly: Issued = { ...leafOnlyLeaf, chainPem: leafOnlyLeaf.certPem };
  return {
    root,
    intermediate,
    leaves: {
      valid,
      expired,
      notYetValid,
      wrongName,
      wildcard,
      selfSigned: selfSignedLeaf,
      leafOnly,
      rsa1024,
      sha1,
      client,
      clientWrongName,
    },
  };
}

export interface PkiFilePaths {
  cert: string;
  key: string;
  chain: string;
}

/**
 * Writes root.pem/root.key, intermediate.pem/intermediate.key and, per case,
 * <case>.crt, <case>.key (mode 0600) and <case>.chain.pem into `dir` (created if missing).
 * Returns the absolute-or-as-given paths keyed by "root", "intermediate" and each LeafCase.
 */
export async function writePkiFiles(
  pki: LabPki,
  dir: string,
): Promise<Record<'root' | 'intermediate' | LeafCase, PkiFilePaths>> {
  await mkdir(dir, { recursive: true });
  const put = async (name: string, text: string, mode = 0o644) => {
    const file = join(dir, name);
    await writeFile(file, text, { mode });
    await chmod(file, mode); // writeFile's mode is ignored when the file already exists
    return file;
  };
  const out = {} as Record<'root' | 'intermediate' | LeafCase, PkiFilePaths>;
  for (const [name, ca] of [
    ['root', pki.root],
    ['intermediate', pki.intermediate],
  ] as const) {
    const cert = await put(`${name}.pem`, ca.certPem);
    out[name] = { cert, key: await put(`${name}.key`, ca.keyPem, 0o600), chain: cert };
  }
  for (const c of LEAF_CASES) {
    const leaf = pki.leaves[c];
    out[c] = {
      cert: await put(`${c}.crt`, leaf.certPem),
      key: await put(`${c}.key`, leaf.keyPem, 0o600),
      chain: await put(`${c}.chain.pem`, leaf.chainPem),
    };
  }
  return out;
}
