// DKIM keys Exchange Online signs with: Microsoft recommends 2048-bit RSA and rotates to it with
// Rotate-DkimSigningConfig -KeySize 2048 (shared/reference/exchange-online.md, "DNS the set-up needs").
import { createPublicKey } from 'node:crypto';
import { psQuote } from '../powershell/quote.js';

export const DKIM_MIN_RSA_BITS = 2048;

export function rotateDkim(domain: string): string {
  return `Rotate-DkimSigningConfig -Identity ${psQuote(domain)} -KeySize ${DKIM_MIN_RSA_BITS}`;
}

/** The RSA modulus size of a DKIM key record (`v=DKIM1; k=rsa; p=<base64 SPKI>`), or undefined when it cannot be read. */
export function dkimRsaBits(record: string): number | undefined {
  const tags = new Map(record.split(';').map((t) => t.trim().split('=')).filter((kv) => kv.length >= 2).map(([k, ...v]) => [k!.trim().toLowerCase(), v.join('=').replace(/\s+/g, '')]));
  const k = tags.get('k') ?? 'rsa';
  const p = tags.get('p');
  if (k.toLowerCase() !== 'rsa' || !p) return undefined;
  try {
    const key = createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
  } catch {
    return undefined;
  }
}
