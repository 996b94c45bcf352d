// Verifies key sizes and signature digests of every certificate the server sends: RSA ≥ 2048 bits,
// EC ≥ 256 bits, no SHA-1/MD5/MD2 signatures (Exchange Online refuses SHA-1 certificates since 2016).
import { combine, defineCheck } from '../../src/check-kit/define.js';
import { certificateContext, isFinding, SESSION_PROBE } from '../../src/tls/context.js';
import { strengthObservations } from '../../src/tls/strength.js';
import type { Finding } from '../../src/types.js';

export default defineCheck({
  id: 'tls.certificate-strength',
  title: 'The STARTTLS certificate chain uses strong keys and signatures',
  failureTitle: 'The STARTTLS certificate chain uses a weak key or signature',
  severity: 'high',
  scope: 'endpoint',
  description: 'Every certificate the server sends has an RSA key of 2048+ bits or an EC key of 256+ bits and no SHA-1, MD5 or MD2 signature (a root\'s self-signature does not count).',
  remediation: 'Reissue the certificate with a 2048-bit RSA or P-256 key and a SHA-256 signature.',
  requires: [SESSION_PROBE],
  evaluate(input): Finding {
    const ctx = certificateContext(input);
    if (isFinding(ctx)) return ctx;
    const { leaf, sent, policy, evidence } = ctx;
    const notes: string[] = [];
    const out = strengthObservations(sent, policy, (c, i) => (i === 0 ? 'the certificate' : `${c.isCa && c.selfIssued ? 'the root' : 'the intermediate'} ${c.subject}`), notes);
    const rest = sent.length > 1 ? `; ${sent.length - 1} more certificate(s) checked` : '';
    const pass = `${leaf.keyText} key, signed with ${leaf.signature.name}${rest}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    return combine(out, pass, evidence);
  },
});
