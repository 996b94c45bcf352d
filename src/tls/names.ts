// Certificate name matching. Two different rule sets meet here:
// - host verification as an SMTP client does it (RFC 6125 §6.4, RFC 7817 for SMTP): DNS-ID
//   subjectAltNames, a wildcard only as the whole leftmost label and covering exactly one label,
//   the CN only when the certificate has no DNS-ID; IP literals against iPAddress SANs;
// - Exchange Online's connector patterns (TlsDomain, TlsSenderCertificateName): a domain, or
//   "*.contoso.com", which Microsoft's cmdlet reference defines as "all subdomains" of contoso.com.
import type { Certificate } from './certificate.js';
import { ipText } from './certificate.js';

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return null;
    out.push(Number(p));
  }
  return out;
}

function parseIpv6(text: string): number[] | null {
  let s = text;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct); // zone id
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.') && lastColon >= 0) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return null;
    tail = v4;
    s = `${s.slice(0, lastColon + 1)}0:0`; // placeholder groups, replaced below
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : fill < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The bytes of an IPv4 or IPv6 literal ("[::1]" accepted), or null for a host name. */
export function parseIp(text: string): Uint8Array | null {
  const s = text.trim().replace(/^\[(.*)\]$/, '$1');
  const b = s.includes(':') ? parseIpv6(s) : parseIpv4(s);
  return b ? Uint8Array.from(b) : null;
}

/** Canonical text of an IP literal, for comparing with Certificate.ipAddresses. */
export function canonicalIp(text: string): string | null {
  const b = parseIp(text);
  return b ? ipText(b) : null;
}

/**
 * RFC 6125 §6.4.3: does the certificate's DNS name (possibly "*.example.com") cover `host`?
 * The wildcard must be the whole leftmost label, covers exactly one label, and needs at least two
 * labels after it ("*.com" matches nothing). Partial wildcards ("mail*.example.com") match nothing.
 */
export function dnsNameMatches(certName: string, host: string): boolean {
  const c = normalizeName(certName);
  const h = normalizeName(host);
  if (!c || !h) return false;
  if (!c.includes('*')) return c === h;
  if (!c.startsWith('*.') || c.indexOf('*', 1) >= 0) return false;
  const base = c.slice(2);
  if (base.split('.').length < 2) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === base;
}

export interface HostMatch {
  matched: boolean;
  /** which certificate name matched */
  via?: 'dns-san' | 'ip-san' | 'cn';
  name?: string;
  /** a fact worth stating next to the result (CN fallback, IP in CN only) */
  note?: string;
}

/** Host verification as a TLS client does it (RFC 6125 §6.4; iPAddress SANs for IP literals). */
export function verifyHost(cert: Certificate, host: string): HostMatch {
  const ip = canonicalIp(host);
  if (ip) {
    if (cert.ipAddresses.includes(ip)) return { matched: true, via: 'ip-san', name: ip };
    const cnIp = cert.commonNames.find((cn) => canonicalIp(cn) === ip);
    return cnIp
      ? { matched: false, note: `the CN is ${cnIp}, but clients match an IP address only against iPAddress subjectAltNames` }
      : { matched: false };
  }
  const san = cert.dnsNames.find((n) => dnsNameMatches(n, host));
  if (san) return { matched: true, via: 'dns-san', name: san };
  if (cert.dnsNames.length === 0) {
    const cn = cert.commonNames.find((n) => dnsNameMatches(n, host));
    if (cn) return { matched: true, via: 'cn', name: cn, note: 'matched on the CN because the certificate has no DNS subjectAltName (RFC 6125 §6.4.4 fallback; some clients no longer accept this)' };
  } else {
    const cn = cert.commonNames.find((n) => dnsNameMatches(n, host));
    if (cn) return { matched: false, note: `the CN ${cn} matches, but clients ignore the CN when DNS subjectAltNames are present (RFC 6125 §6.4.4)` };
  }
  return { matched: false };
}

export type ExoParameter = 'TlsDomain' | 'TlsSenderCertificateName';
export type ExoNameResult = 'match' | 'ambiguous' | 'none';

export interface ExoNameHit {
  name: string;
  result: ExoNameResult;
  /** why a match is ambiguous */
  reason?: string;
}

/**
 * Exchange Online's reading of a connector pattern against one certificate name.
 *
 * "*.contoso.com" is matched as "any subdomain of contoso.com, at any depth" (mail.contoso.com,
 * smtp.eu.contoso.com, and the certificate wildcard *.contoso.com itself): that is how Microsoft's
 * Set-OutboundConnector / Set-InboundConnector reference defines it ("all subdomains"); the
 * one-label rule of RFC 6125 applies to wildcards *in certificates*, not to connector patterns.
 * The bare domain (contoso.com) matches for TlsSenderCertificateName (documented as "the domain and
 * its subdomains") and is ambiguous for TlsDomain (documented only as "all subdomains"), so it is
 * reported as a warning there instead of guessed.
 * An exact pattern ("mail.contoso.com") matches the same name or a certificate wildcard covering
 * it under RFC 6125 (*.contoso.com).
 */
export function exoNameMatches(pattern: string, certName: string, parameter: ExoParameter): ExoNameHit {
  const p = normalizeName(pattern);
  const n = normalizeName(certName);
  const hit = (result: ExoNameResult, reason?: string): ExoNameHit => ({ name: certName, result, ...(reason ? { reason } : {}) });
  if (!p || !n) return hit('none');
  if (p.startsWith('*.')) {
    const domain = p.slice(2);
    if (n === p) return hit('match');
    if (n === domain) {
      return parameter === 'TlsSenderCertificateName'
        ? hit('match')
        : hit('ambiguous', `${certName} is the bare domain: Microsoft documents TlsDomain ${pattern} as "all subdomains" of ${domain}, not the domain itself`);
    }
    if (n.endsWith(`.${domain}`) && !n.slice(0, -domain.length - 1).includes('*', 1)) return hit('match');
    return hit('none');
  }
  if (n === p) return hit('match');
  if (n.includes('*') && dnsNameMatches(n, p)) return hit('match');
  return hit('none');
}

export interface ExoCertificateMatch {
  /** hits among the subject CNs */
  cn: ExoNameHit[];
  /** hits among the DNS subjectAltNames */
  san: ExoNameHit[];
}

/** Every CN and DNS SAN of the certificate judged against the connector pattern (non-matches left out). */
export function exoMatchCertificate(pattern: string, cert: Certificate, parameter: ExoParameter): ExoCertificateMatch {
  const judge = (names: string[]) => names.map((n) => exoNameMatches(pattern, n, parameter)).filter((h) => h.result !== 'none');
  return { cn: judge(cert.commonNames), san: judge(cert.dnsNames) };
}

/** Up to `max` names of a certificate for messages: "CN=mail.contoso.com; SAN: a, b (+3 more)". */
export function describeNames(cert: Certificate, max = 8): string {
  const cn = cert.commonNames.length ? `CN=${cert.commonNames.join(', CN=')}` : 'no CN';
  const sans = [...cert.dnsNames, ...cert.ipAddresses];
  if (sans.length === 0) return `${cn}; no DNS or IP subjectAltName`;
  const shown = sans.slice(0, max).join(', ');
  return `${cn}; SAN ${shown}${sans.length > max ? ` (+${sans.length - max} more)` : ''}`;
}
