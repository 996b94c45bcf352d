// The lab's DNS zone: what public DNS says about contoso.test when the set-up is right — the MX
// at the tenant MX host (its only MX), SPF with Exchange Online's include, DKIM CNAMEs to the
// tenant's onmicrosoft.com keys, DMARC p=reject, TLS-RPT, and for the smart host a public
// address with forward-confirmed reverse DNS and a DANE TLSA record (3 1 1) for the certificate
// it presents. Addresses are documentation addresses (RFC 5737): relaycheck's own connections go
// to the loopback servers through the plan's resolve:, never to them.
import { createHash, X509Certificate } from 'node:crypto';
import type { LabZone } from './dns.js';
import { LAB } from './plan.js';

export interface LabZoneInput {
  smartHostPort: number;
  /** DER of the certificate the smart host presents (the TLSA record is made for it) */
  smartHostCertDer: Uint8Array;
  /** DKIM public keys (SPKI DER, RSA) for selector1 and selector2 */
  dkimKeys: [Uint8Array, Uint8Array];
  /** Exchange Online's ranges (for spf.protection.outlook.com) */
  exoRanges: { ipv4: string[]; ipv6: string[] };
  /** the id in the _mta-sts TXT record */
  mtaStsId?: string;
}

/** The MTA-STS policy (RFC 8461 §3.2): enforce, covering Exchange Online's MX hosts with one label. */
export function labMtaStsPolicy(): string {
  const pattern = `*.${LAB.mxCertNames[0]}`;
  return ['version: STSv1', 'mode: enforce', `mx: ${pattern}`, 'max_age: 604800', ''].join('\r\n');
}

/** Splits a TXT value into DNS character-strings of at most 255 bytes (RFC 1035 §3.3.14). */
export function txtStrings(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 255) out.push(text.slice(i, i + 255));
  return out;
}

function reverseName(ipv4: string): string {
  return `${ipv4.split('.').reverse().join('.')}.in-addr.arpa`;
}

export function labZone(input: LabZoneInput): LabZone {
  const d = LAB.domain;
  const tenant = d.replace(/\./g, '-');
  const dkimHost = (selector: string) => `${selector}-${tenant}._domainkey.contosolab.onmicrosoft.com`;
  const dkim = (key: Uint8Array) => txtStrings(`v=DKIM1; k=rsa; p=${Buffer.from(key).toString('base64')}`);
  // 3 1 1 (RFC 7671): SHA-256 of the certificate's SubjectPublicKeyInfo, computed here rather than
  // with the DANE check's own helper, so that a wrong match in the check fails against the lab.
  const spki = new X509Certificate(Buffer.from(input.smartHostCertDer)).publicKey.export({ type: 'spki', format: 'der' });
  const tlsa = createHash('sha256').update(spki).digest();
  const spfExo = ['v=spf1', ...input.exoRanges.ipv4.map((r) => `ip4:${r}`), ...input.exoRanges.ipv6.map((r) => `ip6:${r}`), '-all'].join(' ');
  return {
    [d]: {
      MX: [{ preference: 0, exchange: LAB.mxHost }],
      TXT: [`v=spf1 include:spf.protection.outlook.com -all`],
    },
    [LAB.mxHost]: { A: [LAB.mxPublicAddress] },
    'spf.protection.outlook.com': { TXT: [txtStrings(spfExo)] },
    [`selector1._domainkey.${d}`]: { CNAME: [dkimHost('selector1')] },
    [`selector2._domainkey.${d}`]: { CNAME: [dkimHost('selector2')] },
    [dkimHost('selector1')]: { TXT: [dkim(input.dkimKeys[0])] },
    [dkimHost('selector2')]: { TXT: [dkim(input.dkimKeys[1])] },
    [`_dmarc.${d}`]: { TXT: [`v=DMARC1; p=reject; rua=mailto:dmarc-reports@${d}`] },
    [`_smtp._tls.${d}`]: { TXT: [`v=TLSRPTv1; rua=mailto:tls-reports@${d}`] },
    [`_mta-sts.${d}`]: { TXT: [`v=STSv1; id=${input.mtaStsId ?? '20260101T000000'}`] },
    [LAB.smartHost]: { A: [LAB.smartHostPublicAddress] },
    [reverseName(LAB.smartHostPublicAddress)]: { PTR: [LAB.smartHost] },
    ...(tlsa ? { [`_${input.smartHostPort}._tcp.${LAB.smartHost}`]: { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: tlsa.toString('hex') }] } } : {}),
  };
}
