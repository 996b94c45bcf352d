// Exchange Online names in DNS: the tenant MX host (both forms), the SPF include, the DKIM CNAME
// targets. Facts from shared/reference/exchange-online.md §DNS; never build a name that can be read.
import type { Plan } from '../types.js';
import { normalizeName } from '../dns/answer.js';
import { ipFamily } from '../dns/ip.js';

export const EXO_SPF_INCLUDE = 'spf.protection.outlook.com';

/** `contoso-com.mail.protection.outlook.com` or the newer `contoso-com.<x>-v1.mx.microsoft`. */
export function isExoMxHost(host: string): boolean {
  const h = normalizeName(host);
  return /^[^.]+\.mail\.protection\.outlook\.com$/.test(h) || /\.mx\.microsoft$/.test(h);
}

/** `selector1-contoso-com._domainkey.contoso.onmicrosoft.com` or `…dkim.mail.microsoft`. */
export function isMicrosoftDkimTarget(target: string): boolean {
  const h = normalizeName(target);
  return h.endsWith('.onmicrosoft.com') || h.endsWith('.dkim.mail.microsoft');
}

/** Client submission and other front doors that are not an MX host. */
const NOT_MX = new Set(['smtp.office365.com', 'outlook.office365.com', 'smtp-mail.outlook.com']);

/** Tenant MX hosts the plan names (to-office365 connector endpoints that are host names). */
export function planTenantHosts(plan: Plan): string[] {
  const hosts = plan.connectors.filter((c) => c.direction === 'to-office365').map((c) => normalizeName(c.endpoint.host));
  return [...new Set(hosts.filter((h) => ipFamily(h) === 0 && !NOT_MX.has(h)))];
}

/** The MX host is Exchange Online's: either form, or a host the plan relays to. */
export function isTenantMxHost(host: string, plan: Plan): boolean {
  return isExoMxHost(host) || planTenantHosts(plan).includes(normalizeName(host));
}

/** The org's relay addresses: senderIPs of the to-office365 connectors (IPv4, single or CIDR). */
export function relayRangesOf(plan: Plan): string[] {
  return [...new Set(plan.connectors.flatMap((c) => (c.direction === 'to-office365' ? c.senderIPs : [])))];
}
