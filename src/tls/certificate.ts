// One parsed X.509 certificate (RFC 5280 §4.1): the names, validity, key and signature facts the
// tls.* checks judge. Each DER is parsed once per process (cache keyed by its base64); Node's own
// X509Certificate is only built when a signature has to be verified.
import { X509Certificate, createHash, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { DerError, children, contents, decodeOid, decodeString, decodeTime, readTlv, type Tlv } from './der.js';

export type HashName = 'MD2' | 'MD4' | 'MD5' | 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA3-256' | 'SHA3-384' | 'SHA3-512';

export interface SignatureInfo {
  oid: string;
  /** e.g. "sha256WithRSAEncryption", "ecdsa-with-SHA384", or the dotted OID when unknown */
  name: string;
  /** the digest, null when unknown or intrinsic (Ed25519) */
  hash: HashName | null;
}

export interface KeyInfo {
  type: 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA' | 'unknown';
  /** RSA/DSA modulus bits, EC curve size */
  bits?: number;
  /** EC: "P-256", "P-384", "P-521", "secp256k1", … */
  curve?: string;
  oid: string;
}

export interface NameAttribute {
  oid: string;
  /** short name (CN, O, OU, C, L, ST, E, DC, …) or the dotted OID */
  type: string;
  value: string;
}

const ATTR_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'G',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const SIGNATURES: Record<string, [string, HashName | null]> = {
  '1.2.840.113549.1.1.2': ['md2WithRSAEncryption', 'MD2'],
  '1.2.840.113549.1.1.3': ['md4WithRSAEncryption', 'MD4'],
  '1.2.840.113549.1.1.4': ['md5WithRSAEncryption', 'MD5'],
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'SHA-1'],
  '1.3.14.3.2.29': ['sha1WithRSASignature', 'SHA-1'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption', 'SHA-224'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption', 'SHA-256'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption', 'SHA-384'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption', 'SHA-512'],
  '1.2.840.113549.1.1.10': ['RSASSA-PSS', null], // hash from the parameters
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'SHA-1'],
  '1.2.840.10045.4.3.1': ['ecdsa-with-SHA224', 'SHA-224'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256', 'SHA-256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384', 'SHA-384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512', 'SHA-512'],
  '1.2.840.10040.4.3': ['dsa-with-SHA1', 'SHA-1'],
  '2.16.840.1.101.3.4.3.1': ['dsa-with-SHA224', 'SHA-224'],
  '2.16.840.1.101.3.4.3.2': ['dsa-with-SHA256', 'SHA-256'],
  '2.16.840.1.101.3.4.3.14': ['id-rsassa-pkcs1-v1_5-with-sha3-256', 'SHA3-256'],
  '2.16.840.1.101.3.4.3.15': ['id-rsassa-pkcs1-v1_5-with-sha3-384', 'SHA3-384'],
  '2.16.840.1.101.3.4.3.16': ['id-rsassa-pkcs1-v1_5-with-sha3-512', 'SHA3-512'],
  '1.3.101.112': ['Ed25519', null],
  '1.3.101.113': ['Ed448', null],
};

const HASHES: Record<string, HashName> = {
  '1.2.840.113549.2.2': 'MD2',
  '1.2.840.113549.2.5': 'MD5',
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.4': 'SHA-224',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

const CURVES: Record<string, [string, number]> = {
  '1.2.840.10045.3.1.1': ['P-192', 192],
  '1.3.132.0.33': ['P-224', 224],
  '1.2.840.10045.3.1.7': ['P-256', 256],
  '1.3.132.0.34': ['P-384', 384],
  '1.3.132.0.35': ['P-521', 521],
  '1.3.132.0.10': ['secp256k1', 256],
  '1.3.36.3.3.2.8.1.1.7': ['brainpoolP256r1', 256],
  '1.3.36.3.3.2.8.1.1.11': ['brainpoolP384r1', 384],
  '1.3.36.3.3.2.8.1.1.13': ['brainpoolP512r1', 512],
};

/** Weak digests: a certificate signed with one of these is refused (SHA-1) or breaks TLS 1.2 (MD*). */
export const WEAK_HASHES: readonly HashName[] = ['MD2', 'MD4', 'MD5', 'SHA-1'];

const MAX_VALUE = 256;

/** OpenSSL digest names for crypto.verify; MD2/MD4 are gone from OpenSSL 3 (verification fails). */
const NODE_HASH: Partial<Record<HashName, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA3-256': 'sha3-256',
  'SHA3-384': 'sha3-384',
  'SHA3-512': 'sha3-512',
};

export class Certificate {
  readonly der: Buffer;
  readonly base64: string;
  /** SHA-256 of the DER, uppercase colon-separated hex (as `openssl x509 -fingerprint -sha256`) */
  readonly sha256: string;
  /** RFC 4514 order (most specific first, as Windows and Exchange show it), e.g. "CN=mail.contoso.com, O=Contoso" */
  readonly subject: string;
  readonly issuer: string;
  /** case- and space-insensitive comparison keys of the names (RFC 5280 §7.1) */
  readonly subjectKey: string;
  readonly issuerKey: string;
  readonly subjectAttributes: NameAttribute[];
  readonly commonNames: string[];
  readonly dnsNames: string[];
  /** iPAddress SANs as text (IPv4 dotted, IPv6 RFC 5952 compressed lower case) */
  readonly ipAddresses: string[];
  readonly emailAddresses: string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints cA */
  readonly isCa: boolean;
  readonly signature: SignatureInfo;
  readonly key: KeyInfo;
  /** SHA-256 of the SubjectPublicKeyInfo DER (hex): the same key in a re-issued certificate */
  readonly spkiSha256: string;
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
  /** extendedKeyUsage OIDs, undefined when the extension is absent */
  readonly extendedKeyUsage?: string[];
  /** the DER of tbsCertificate, the signature value and the SubjectPublicKeyInfo (for verification) */
  readonly #tbs: Buffer;
  readonly #signatureValue: Buffer;
  readonly #spki: Buffer;
  #x509?: X509Certificate;
  #publicKey?: KeyObject | null;

  constructor(der: Uint8Array, base64?: string) {
    this.der = Buffer.isBuffer(der) ? der : Buffer.from(der.buffer, der.byteOffset, der.byteLength);
    this.base64 = base64 ?? this.der.toString('base64');
    this.sha256 = createHash('sha256').update(this.der).digest('hex').toUpperCase().match(/../g)!.join(':');
    const buf = this.der;
    const outer = readTlv(buf, 0);
    if (outer.tag !== 0x30 || outer.end !== buf.length) throw new DerError('not a DER certificate (outer SEQUENCE)');
    const [tbs, sigAlg, sigValue] = children(buf, outer);
    if (!tbs || !sigAlg || !sigValue || tbs.tag !== 0x30 || sigAlg.tag !== 0x30 || sigValue.tag !== 0x03) throw new DerError('not a certificate: missing tbsCertificate, signatureAlgorithm or signatureValue');
    this.signature = signatureInfo(buf, sigAlg);
    this.#tbs = buf.subarray(tbs.at, tbs.end);
    this.#signatureValue = buf.subarray(sigValue.start + 1, sigValue.end); // skip the unused-bits octet

    const fields = children(buf, tbs);
    let i = 0;
    if (fields[i]?.tag === 0xa0) i++; // version
    i++; // serialNumber
    i++; // signature (inner copy)
    const issuer = fields[i++];
    const validity = fields[i++];
    const subject = fields[i++];
    const spki = fields[i++];
    if (!issuer || !validity || !subject || !spki) throw new DerError('truncated tbsCertificate');
    const issuerRdns = parseName(buf, issuer);
    const subjectRdns = parseName(buf, subject);
    this.issuer = displayName(issuerRdns);
    this.subject = displayName(subjectRdns);
    this.issuerKey = nameKey(issuerRdns);
    this.subjectKey = nameKey(subjectRdns);
    this.subjectAttributes = subjectRdns.flat();
    this.commonNames = this.subjectAttributes.filter((a) => a.oid === '2.5.4.3').map((a) => a.value);
    const [nb, na] = children(buf, validity);
    if (!nb || !na) throw new DerError('truncated validity');
    this.notBefore = decodeTime(buf, nb);
    this.notAfter = decodeTime(buf, na);
    this.key = keyInfo(buf, spki);
    this.#spki = buf.subarray(spki.at, spki.end);
    this.spkiSha256 = createHash('sha256').update(this.#spki).digest('hex');

    const dns: string[] = [];
    const ips: string[] = [];
    const emails: string[] = [];
    let isCa = false;
    for (; i < fields.length; i++) {
      if (fields[i]!.tag !== 0xa3) continue;
      const [seq] = children(buf, fields[i]!);
      for (const ext of seq ? children(buf, seq) : []) {
        const parts = children(buf, ext);
        const oid = decodeOid(contents(buf, parts[0]!));
        const value = parts[parts.length - 1]!;
        if (value.tag !== 0x04) continue;
        const inner = readTlv(buf, value.start, value.end);
        switch (oid) {
          case '2.5.29.17': // subjectAltName
            for (const gn of children(buf, inner)) {
              if (gn.tag === 0x82) dns.push(bounded(decodeString(buf, { ...gn, tag: 0x16 })));
              else if (gn.tag === 0x87) ips.push(ipText(contents(buf, gn)));
              else if (gn.tag === 0x81) emails.push(bounded(decodeString(buf, { ...gn, tag: 0x16 })));
            }
            break;
          case '2.5.29.19': {
            // basicConstraints
            const first = children(buf, inner)[0];
            isCa = first?.tag === 0x01 && buf[first.start] !== 0;
            break;
          }
          case '2.5.29.14':
            this.subjectKeyId = Buffer.from(contents(buf, inner)).toString('hex');
            break;
          case '2.5.29.35': {
            const keyId = children(buf, inner).find((c) => c.tag === 0x80);
            if (keyId) this.authorityKeyId = Buffer.from(contents(buf, keyId)).toString('hex');
            break;
          }
          case '2.5.29.37':
            this.extendedKeyUsage = children(buf, inner).map((o) => decodeOid(contents(buf, o)));
            break;
        }
      }
    }
    this.dnsNames = dns;
    this.ipAddresses = ips;
    this.emailAddresses = emails;
    this.isCa = isCa;
  }

  /** subject and issuer are the same name (a root, or a self-signed leaf) */
  get selfIssued(): boolean {
    return this.subjectKey === this.issuerKey;
  }

  /** Node's X509Certificate, built on first use (the fallback for signatures verify() does not handle). */
  get x509(): X509Certificate {
    this.#x509 ??= new X509Certificate(this.der);
    return this.#x509;
  }

  /** The SubjectPublicKeyInfo DER (the key with its algorithm). */
  get spki(): Buffer {
    return this.#spki;
  }

  /** The subject public key as a KeyObject, or undefined when OpenSSL cannot read it. */
  get publicKey(): KeyObject | undefined {
    if (this.#publicKey === undefined) {
      try {
        this.#publicKey = createPublicKey({ key: this.#spki, format: 'der', type: 'spki' });
      } catch {
        this.#publicKey = null;
      }
    }
    return this.#publicKey ?? undefined;
  }

  /**
   * Whether `issuer`'s key verifies this certificate's signature. RSA PKCS#1 v1.5, ECDSA and EdDSA
   * go straight to crypto.verify over the tbsCertificate bytes (no X509Certificate needed, which
   * is most of the cost); RSA-PSS and anything else fall back to X509Certificate.verify.
   */
  verifiedBy(issuer: Certificate): boolean {
    const key = issuer.publicKey;
    if (!key) return false;
    const sig = this.signature;
    const hash = sig.hash ? NODE_HASH[sig.hash] : undefined;
    const pkcs1 = sig.oid.startsWith('1.2.840.113549.1.1.') && sig.oid !== '1.2.840.113549.1.1.10';
    const ecdsa = sig.oid.startsWith('1.2.840.10045.4.');
    const eddsa = sig.oid === '1.3.101.112' || sig.oid === '1.3.101.113';
    try {
      if ((pkcs1 && key.asymmetricKeyType === 'rsa') || (ecdsa && key.asymmetricKeyType === 'ec')) {
        return hash ? verifySignature(hash, this.#tbs, key, this.#signatureValue) : false;
      }
      if (eddsa) return verifySignature(null, this.#tbs, key, this.#signatureValue);
      return this.x509.verify(key);
    } catch {
      return false;
    }
  }

  /** "RSA 2048", "EC P-256" */
  get keyText(): string {
    return this.key.type === 'EC' ? `EC ${this.key.curve ?? '?'}` : `${this.key.type}${this.key.bits ? ` ${this.key.bits}` : ''}`;
  }

  /** The leftmost CN, else the first DNS SAN, else the subject: a short label for messages. */
  get label(): string {
    return this.commonNames[0] ?? this.dnsNames[0] ?? this.ipAddresses[0] ?? (this.subject || this.sha256.slice(0, 23));
  }
}

function bounded(s: string): string {
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s;
}

function signatureInfo(buf: Uint8Array, alg: Tlv): SignatureInfo {
  const parts = children(buf, alg);
  const oid = decodeOid(contents(buf, parts[0]!));
  const known = SIGNATURES[oid];
  if (!known) return { oid, name: oid, hash: null };
  if (oid !== '1.2.840.113549.1.1.10') return { oid, name: known[0], hash: known[1] };
  // RSASSA-PSS-params: [0] hashAlgorithm DEFAULT sha1 (RFC 4055 §3.1)
  let hash: HashName | null = 'SHA-1';
  const params = parts[1];
  if (params?.tag === 0x30) {
    const h = children(buf, params).find((c) => c.tag === 0xa0);
    if (h) {
      const algId = readTlv(buf, h.start, h.end);
      hash = HASHES[decodeOid(contents(buf, children(buf, algId)[0]!))] ?? null;
    }
  }
  return { oid, name: `RSASSA-PSS${hash ? ` (${hash})` : ''}`, hash };
}

function keyInfo(buf: Uint8Array, spki: Tlv): KeyInfo {
  const [algId, bits] = children(buf, spki);
  const algParts = children(buf, algId!);
  const oid = decodeOid(contents(buf, algParts[0]!));
  const params = algParts[1];
  const intBits = (t: Tlv) => {
    let start = t.start;
    while (start < t.end && buf[start] === 0) start++;
    if (start === t.end) return 0;
    return (t.end - start - 1) * 8 + (32 - Math.clz32(buf[start]!));
  };
  try {
    switch (oid) {
      case '1.2.840.113549.1.1.1':
      case '1.2.840.113549.1.1.10': {
        // BIT STRING: unused-bits octet, then RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
        const rsa = readTlv(buf, bits!.start + 1, bits!.end);
        const modulus = children(buf, rsa)[0]!;
        return { type: oid.endsWith('.1.1') ? 'RSA' : 'RSA-PSS', bits: intBits(modulus), oid };
      }
      case '1.2.840.10045.2.1': {
        const curveOid = params?.tag === 0x06 ? decodeOid(contents(buf, params)) : '';
        const curve = CURVES[curveOid];
        return { type: 'EC', curve: curve?.[0] ?? (curveOid || 'explicit parameters'), bits: curve?.[1], oid };
      }
      case '1.3.101.112':
        return { type: 'Ed25519', bits: 256, oid };
      case '1.3.101.113':
        return { type: 'Ed448', bits: 456, oid };
      case '1.2.840.10040.4.1': {
        const p = params?.tag === 0x30 ? children(buf, params)[0] : undefined;
        return { type: 'DSA', bits: p ? intBits(p) : undefined, oid };
      }
    }
  } catch {
    // a malformed key is reported as unknown; signature verification will fail on it anyway
  }
  return { type: 'unknown', oid };
}

function parseName(buf: Uint8Array, name: Tlv): NameAttribute[][] {
  return children(buf, name).map((rdn) =>
    children(buf, rdn).map((atv) => {
      const [type, value] = children(buf, atv);
      const oid = decodeOid(contents(buf, type!));
      return { oid, type: ATTR_NAMES[oid] ?? oid, value: bounded(decodeString(buf, value!)) };
    }),
  );
}

function escape4514(value: string): string {
  return value
    .replace(/[\\,+"<>;]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

function displayName(rdns: NameAttribute[][]): string {
  const text = [...rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.type}=${escape4514(a.value)}`).join('+'))
    .join(', ');
  return text.length > 2 * MAX_VALUE ? `${text.slice(0, 2 * MAX_VALUE)}…` : text;
}

function nameKey(rdns: NameAttribute[][]): string {
  return rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`)
        .sort()
        .join('+'),
    )
    .join('/');
}

/** iPAddress SAN bytes as text: IPv4 dotted quad, IPv6 compressed (RFC 5952). */
export function ipText(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return `#${Buffer.from(b).toString('hex')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // longest run of two or more zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

// ─── Parsing entry points and the per-process cache ──────────────────────────────────────────

const CACHE_LIMIT = 2000;
const cache = new Map<string, Certificate>();

/** Parses base64 DER (as SmtpSession.tls.peerChain holds it) or DER bytes; cached by base64. Throws on malformed input. */
export function parseCertificate(input: string | Uint8Array): Certificate {
  const base64 = typeof input === 'string' ? input : Buffer.from(input).toString('base64');
  const hit = cache.get(base64);
  if (hit) return hit;
  const der = typeof input === 'string' ? Buffer.from(input, 'base64') : input;
  const cert = new Certificate(der, base64);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(base64, cert);
  return cert;
}

/** The fields of tbsCertificate with `version` skipped: serial, signature, issuer, validity, subject, spki, … */
function tbsFields(der: Uint8Array): Tlv[] {
  const outer = readTlv(der, 0);
  const [tbs] = children(der, outer);
  if (outer.tag !== 0x30 || !tbs || tbs.tag !== 0x30) throw new DerError('not a DER certificate (outer SEQUENCE)');
  const fields = children(der, tbs);
  const out = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
  if (out.length < 6) throw new DerError('truncated tbsCertificate');
  return out;
}

/**
 * The subject name's comparison key (Certificate.subjectKey) read straight from the DER, without
 * parsing the rest: indexing Node's ~140 roots this way costs a fraction of parsing them.
 */
export function subjectKeyOf(der: Uint8Array): string {
  return nameKey(parseName(der, tbsFields(der)[4]!));
}

/** The base64 DER bodies of every CERTIFICATE block in a PEM text, in order. */
export function pemBlocks(pem: string): string[] {
  const out: string[] = [];
  const re = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(m[1]!.replace(/[^A-Za-z0-9+/=]/g, ''));
  return out;
}

export interface ParsedBundle {
  certificates: Certificate[];
  /** blocks that could not be parsed: index and reason */
  errors: { index: number; message: string }[];
}

/** Parses a list of base64 DER certificates, collecting parse errors instead of throwing. */
export function parseAll(base64s: string[]): ParsedBundle {
  const out: ParsedBundle = { certificates: [], errors: [] };
  base64s.forEach((b, index) => {
    try {
      out.certificates.push(parseCertificate(b));
    } catch (err) {
      out.errors.push({ index, message: err instanceof Error ? err.message : String(err) });
    }
  });
  return out;
}

export function parsePemBundle(pem: string): ParsedBundle {
  return parseAll(pemBlocks(pem));
}

// ─── Signatures ──────────────────────────────────────────────────────────────────────────────

const verified = new Map<string, boolean>();

/**
 * Whether `issuer`'s public key verifies `cert`'s signature (synchronous, OpenSSL via node:crypto).
 * Digests OpenSSL 3 no longer implements (MD2, MD4) report false.
 */
export function signedBy(cert: Certificate, issuer: Certificate): boolean {
  const key = `${cert.sha256}>${issuer.sha256}`;
  let ok = verified.get(key);
  if (ok === undefined) {
    ok = cert.verifiedBy(issuer);
    if (verified.size >= CACHE_LIMIT * 4) verified.clear();
    verified.set(key, ok);
  }
  return ok;
}

/** A self-issued certificate whose signature verifies with its own key. */
export function selfSigned(cert: Certificate): boolean {
  return cert.selfIssued && signedBy(cert, cert);
}

/** ISO 8601 without milliseconds: 2026-10-23T12:26:05Z */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
