// TLSA (RFC 6698, DANE for SMTP RFC 7672) against the certificates a server presented: usage 3
// (DANE-EE) matches the leaf, usage 2 (DANE-TA) any certificate of the chain; selector 0 = the
// whole certificate, 1 = its SubjectPublicKeyInfo; matching type 0 = exact, 1 = SHA-256, 2 = SHA-512.
// Usages 0 and 1 (PKIX-TA/EE) are unusable for SMTP (RFC 7672 §3.1.3).
import { createHash, X509Certificate } from 'node:crypto';

export interface TlsaData {
  usage: number;
  selector: number;
  matchingType: number;
  /** association data, hex */
  data: string;
}

export interface TlsaMatch {
  record: TlsaData;
  /** usable for SMTP DANE (usage 2 or 3, known selector and matching type) */
  usable: boolean;
  matched: boolean;
  /** index in the chain (0 = leaf) of the certificate that matched */
  certIndex?: number;
  reason?: string;
}

/** The bytes a TLSA record of this selector and matching type carries for a DER certificate. */
export function tlsaAssociation(der: Uint8Array, selector: number, matchingType: number): Buffer | undefined {
  let content: Buffer;
  if (selector === 0) content = Buffer.from(der);
  else if (selector === 1) content = new X509Certificate(Buffer.from(der)).publicKey.export({ type: 'spki', format: 'der' });
  else return undefined;
  if (matchingType === 0) return content;
  if (matchingType === 1) return createHash('sha256').update(content).digest();
  if (matchingType === 2) return createHash('sha512').update(content).digest();
  return undefined;
}

/** "3 1 1 <hex>": the record to publish for a server certificate (DANE-EE, SPKI, SHA-256). */
export function tlsaRecordFor(der: Uint8Array, usage = 3, selector = 1, matchingType = 1): string {
  return `${usage} ${selector} ${matchingType} ${tlsaAssociation(der, selector, matchingType)!.toString('hex')}`;
}

const USAGE_NAMES: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };

export function describeTlsa(r: TlsaData): string {
  return `${r.usage} ${r.selector} ${r.matchingType} (${USAGE_NAMES[r.usage] ?? `usage ${r.usage}`}, ${r.selector === 0 ? 'full certificate' : r.selector === 1 ? 'public key' : `selector ${r.selector}`}, ${['exact', 'SHA-256', 'SHA-512'][r.matchingType] ?? `matching type ${r.matchingType}`})`;
}

/** Matches every record against the chain (base64 DER, leaf first). */
export function matchTlsa(records: TlsaData[], chainBase64: string[]): TlsaMatch[] {
  const chain = chainBase64.map((b) => Buffer.from(b, 'base64'));
  return records.map((record): TlsaMatch => {
    if (record.usage === 0 || record.usage === 1) return { record, usable: false, matched: false, reason: `usage ${record.usage} (${USAGE_NAMES[record.usage]}) is not used for SMTP (RFC 7672 §3.1.3)` };
    if (record.usage !== 2 && record.usage !== 3) return { record, usable: false, matched: false, reason: `unknown usage ${record.usage}` };
    if (record.selector !== 0 && record.selector !== 1) return { record, usable: false, matched: false, reason: `unknown selector ${record.selector}` };
    if (record.matchingType < 0 || record.matchingType > 2) return { record, usable: false, matched: false, reason: `unknown matching type ${record.matchingType}` };
    const want = record.data.toLowerCase();
    // DANE-EE: the leaf only; DANE-TA: any certificate the server sent (leaf excluded: RFC 7671 §5.2)
    const candidates = record.usage === 3 ? chain.slice(0, 1).map((c, i) => [c, i] as const) : chain.map((c, i) => [c, i] as const).slice(1);
    for (const [der, i] of candidates) {
      let got: Buffer | undefined;
      try {
        got = tlsaAssociation(der, record.selector, record.matchingType);
      } catch {
        continue; // a certificate Node cannot parse matches nothing
      }
      if (got && got.toString('hex') === want) return { record, usable: true, matched: true, certIndex: i };
    }
    return { record, usable: true, matched: false };
  });
}
