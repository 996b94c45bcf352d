// Key-size and signature-digest observations shared by tls.certificate-strength and
// tls.client-certificate (RSA >= 2048, EC >= 256, no SHA-1/MD5/MD2 except a root's self-signature).
import type { Observation } from '../check-kit/define.js';
import { selfSigned, WEAK_HASHES, type Certificate } from './certificate.js';
import { exoConsequence, type EndpointPolicy } from '../exo/tls-terms.js';

export const MIN_RSA_BITS = 2048;
export const MIN_EC_BITS = 256;

/** Key and signature observations for a list of certificates (leaf first). */
export function strengthObservations(certs: Certificate[], policy: EndpointPolicy | undefined, whoOf: (c: Certificate, i: number) => string, notes: string[]): Observation[] {
  const out: Observation[] = [];
  const exo = (p: 'weak-key' | 'weak-signature' | 'broken-signature') => (policy ? { exchangeOnline: exoConsequence(policy, p) } : {});
  certs.forEach((c, i) => {
    const who = whoOf(c, i);
    const k = c.key;
    if ((k.type === 'RSA' || k.type === 'RSA-PSS') && (k.bits ?? 0) < MIN_RSA_BITS) {
      out.push({ status: 'fail', message: `${who} has a ${k.bits}-bit RSA key (at least ${MIN_RSA_BITS} needed)`, remediation: `Reissue ${who} with an RSA key of at least ${MIN_RSA_BITS} bits or an EC P-256 key.`, ...exo('weak-key') });
    } else if (k.type === 'EC' && (k.bits ?? 0) < MIN_EC_BITS) {
      out.push({ status: 'fail', message: `${who} has an EC key on ${k.curve} (at least ${MIN_EC_BITS} bits needed)`, remediation: `Reissue ${who} with an EC P-256 or P-384 key.`, ...exo('weak-key') });
    } else if (k.type === 'DSA') {
      out.push({ status: 'fail', message: `${who} has a DSA key, which TLS 1.3 does not support and current clients refuse`, remediation: `Reissue ${who} with an RSA (2048+) or EC P-256 key.`, ...exo('weak-key') });
    } else if (k.type === 'unknown') {
      out.push({ status: 'warn', message: `${who} has a key of an algorithm this check does not know (${k.oid})`, remediation: `Use an RSA (2048+) or EC P-256/P-384 key for ${who}.` });
    }
    const hash = c.signature.hash;
    if (hash && WEAK_HASHES.includes(hash)) {
      if (i > 0 && c.isCa && selfSigned(c)) {
        notes.push(`the root's own ${c.signature.name} self-signature does not matter (a root is trusted by being in the store, not by its signature)`);
        return;
      }
      const broken = hash !== 'SHA-1';
      out.push({
        status: 'fail',
        message: `${who} is signed with ${c.signature.name}`,
        remediation: `Reissue ${who} with a SHA-256 signature (every current CA does).`,
        ...exo(broken ? 'broken-signature' : 'weak-signature'),
      });
    }
  });
  return out;
}
