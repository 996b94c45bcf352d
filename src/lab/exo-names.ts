// The lab's own copy of how Exchange Online reads certificate names for an inbound connector
// (reference: TlsSenderCertificateName, "*.contoso.com" = the domain and its subdomains; subject
// or SAN; the certificate's domain must be an accepted domain). Deliberately not imported from
// src/tls or src/check-kit: the stand-in answers from the reference, so a wrong rule in the
// checks fails against it instead of passing with it.

function bare(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** TlsSenderCertificateName `pattern` accepts the certificate name `certName`. */
export function senderCertificateNameMatches(pattern: string, certName: string): boolean {
  const p = bare(pattern);
  const n = bare(certName);
  if (!p || !n) return false;
  if (p.startsWith('*.')) {
    const domain = p.slice(2);
    if (n === p || n === domain) return true;
    // a subdomain whose own labels hold no wildcard of their own
    return n.endsWith(`.${domain}`) && !n.slice(0, -domain.length - 1).slice(1).includes('*');
  }
  if (n === p) return true;
  // a wildcard certificate name "*.contoso.com" covers exactly one label in place of the "*"
  if (n.startsWith('*.')) {
    const rest = n.slice(2);
    const dot = p.indexOf('.');
    return dot > 0 && p.slice(dot + 1) === rest;
  }
  return false;
}

/** "*.contoso.com" or "mail.contoso.com" lies in the accepted domain `domain`. */
export function inAcceptedDomain(name: string, domain: string): boolean {
  const n = bare(name).replace(/^\*\./, '');
  const d = bare(domain);
  return n === d || n.endsWith(`.${d}`);
}

/** The legacy tenant MX host: dots of the domain become dashes (contoso.com → contoso-com.mail.protection.outlook.com). */
export function tenantMxHost(domain: string): string {
  return `${bare(domain).replace(/\./g, '-')}.mail.protection.outlook.com`;
}
