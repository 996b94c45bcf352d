// PEM-free certificate summaries for reports (report.certificates, keyed by SHA-256): subject,
// issuer, SANs, validity, fingerprint, key and signature algorithm.
//
// Built on node:crypto's X509Certificate rather than @peculiar/x509: the same facts, without the
// ~150 ms it costs to load @peculiar/x509 and reflect-metadata on every run (a one-endpoint run
// must stay close to bare Node start-up). The signature algorithm, which Node 20 does not expose,
// is read from the DER with src/tls/der.ts (Certificate ::= SEQUENCE { tbs, signatureAlgorithm,
// … }, RFC 5280 §4.1).
import { X509Certificate } from 'node:crypto';
import { contents, decodeOid, readTlv } from '../tls/der.js';
import type { CertificateSummary } from '../types.js';

const SIGNATURE_OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521, prime192v1: 192, secp224r1: 224 };

/** The outer signatureAlgorithm of a certificate, by name (OpenSSL's) or dotted OID. */
export function signatureAlgorithmOf(der: Uint8Array): string | undefined {
  try {
    const cert = readTlv(der, 0);
    const tbs = readTlv(der, cert.start);
    const alg = readTlv(der, tbs.end);
    const oid = readTlv(der, alg.start);
    if (oid.tag !== 0x06) return undefined;
    const dotted = decodeOid(contents(der, oid));
    return SIGNATURE_OIDS[dotted] ?? dotted;
  } catch {
    return undefined;
  }
}

/** Node's "DNS:a, IP Address:1.2.3.4" (values with commas are quoted) → ["DNS:a", "IP:1.2.3.4"]. */
export function parseSubjectAltName(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === ',' && text[i + 1] === ' ') {
      out.push(current);
      current = '';
      i++;
      continue;
    }
    current += ch;
  }
  if (current) out.push(current);
  return out.map((s) => s.replace(/^IP Address:/, 'IP:').replace(/^(\w+):"(.*)"$/, (_, t: string, v: string) => `${t}:${v.replace(/\\"/g, '"')}`));
}

/** Node's multi-line distinguished name → "CN=a, O=b" (order as in the certificate). */
function dn(text: string): string {
  return text.split('\n').filter(Boolean).join(', ');
}

function isoDate(text: string): string {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

/** Summary of one certificate (DER bytes or base64 DER). */
export function summarizeCertificate(der: Uint8Array | string): CertificateSummary {
  const bytes = typeof der === 'string' ? Buffer.from(der, 'base64') : Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const cert = new X509Certificate(bytes);
  const summary: CertificateSummary = {
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    sans: parseSubjectAltName(cert.subjectAltName),
    notBefore: isoDate(cert.validFrom),
    notAfter: isoDate(cert.validTo),
    sha256: cert.fingerprint256, // uppercase colon hex, as src/pki's sha256Fingerprint
  };
  try {
    const key = cert.publicKey;
    const type = key.asymmetricKeyType;
    const details = key.asymmetricKeyDetails ?? {};
    if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') {
      summary.keyType = type === 'rsa' ? 'RSA' : type === 'rsa-pss' ? 'RSA-PSS' : 'DSA';
      if (details.modulusLength) summary.keyBits = details.modulusLength;
    } else if (type === 'ec') {
      summary.keyType = `EC${details.namedCurve ? ` ${details.namedCurve}` : ''}`;
      const bits = details.namedCurve ? CURVE_BITS[details.namedCurve] : undefined;
      if (bits) summary.keyBits = bits;
    } else if (type) {
      summary.keyType = type === 'ed25519' ? 'Ed25519' : type === 'ed448' ? 'Ed448' : type;
      if (type === 'ed25519') summary.keyBits = 256;
      if (type === 'ed448') summary.keyBits = 456;
    }
  } catch {
    // an unsupported key algorithm: leave keyType out
  }
  const sig = signatureAlgorithmOf(bytes);
  if (sig) summary.signatureAlgorithm = sig;
  return summary;
}

// The same certificates come back from many endpoints (one wildcard certificate on every smart
// host, the same intermediate everywhere): parse each once per process.
const cache = new Map<string, CertificateSummary | null>();
const CACHE_LIMIT = 2000;

/** Summaries of a chain of base64 DER certificates; unparsable entries are left out. */
export function summarizeChain(chain: string[]): CertificateSummary[] {
  const out: CertificateSummary[] = [];
  for (const b64 of chain) {
    let summary = cache.get(b64);
    if (summary === undefined) {
      try {
        summary = summarizeCertificate(b64);
      } catch {
        summary = null; // a certificate Node cannot parse: the checks report it from the raw DER
      }
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(b64, summary);
    }
    if (summary) out.push({ ...summary, sans: [...summary.sans] });
  }
  return out;
}
