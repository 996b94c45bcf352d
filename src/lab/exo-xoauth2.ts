// How the lab's Exchange Online stand-ins (smtp.office365.com, outlook.office365.com IMAP) judge an
// XOAUTH2 bearer token, as Exchange Online does (Microsoft Learn, "Authenticate an IMAP, POP or
// SMTP connection using OAuth"): a valid signature from the tenant's Entra ID, an Exchange Online
// audience, not expired, the application role of the protocol, a service principal registered in
// Exchange for the app (New-ServicePrincipal) and a grant on the mailbox (Add-MailboxPermission).
// Any miss is the same refusal to the client (535 5.7.3 / NO AUTHENTICATE failed); the reason is
// kept for the lab's own log. The lab's own copy of these rules: it does not import src/exo/.
import type { VerifiedToken } from './entra.js';

/** Exchange Online's side of app access: service principals and the mailboxes they may use. */
export interface LabExchangeApps {
  /** app id → object id registered with New-ServicePrincipal */
  servicePrincipals: Map<string, string>;
  /** service principal object id → mailboxes it has FullAccess on (lower case) */
  mailboxGrants: Map<string, Set<string>>;
}

const AUDIENCES = ['https://outlook.office365.com', 'https://outlook.office.com', '00000002-0000-0ff1-ce00-000000000000'];

export type XoauthVerdict = { ok: true; appId: string } | { ok: false; why: string };

export async function judgeBearer(
  token: string,
  mailbox: string,
  role: 'SMTP.SendAsApp' | 'IMAP.AccessAsApp',
  verify: (token: string) => Promise<VerifiedToken>,
  exchange: LabExchangeApps,
): Promise<XoauthVerdict> {
  const v = await verify(token);
  if (!v.ok || !v.claims) return { ok: false, why: `token not valid: ${v.why ?? 'unknown'}` };
  const c = v.claims;
  if (!AUDIENCES.includes(String(c.aud))) return { ok: false, why: `audience ${String(c.aud)}` };
  const roles = Array.isArray(c.roles) ? c.roles.map(String) : [];
  if (!roles.includes(role)) return { ok: false, why: `no ${role} role` };
  const appId = String(c.appid ?? '');
  const registered = exchange.servicePrincipals.get(appId);
  if (!registered || registered !== String(c.oid)) return { ok: false, why: `no service principal for app ${appId}` };
  if (!exchange.mailboxGrants.get(registered)?.has(mailbox.toLowerCase())) return { ok: false, why: `service principal ${registered} has no permission on ${mailbox}` };
  return { ok: true, appId };
}
