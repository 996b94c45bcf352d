// The Exchange Online side of OAuth client credentials for SMTP AUTH, for each submission entry
// with an `oauth2: { tenantId, clientId, … }` block: Exchange must know the app's service principal
// (New-ServicePrincipal), the mailbox must grant it access (Add-MailboxPermission … FullAccess), and
// SMTP AUTH must be on for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false).
// Source: Microsoft Learn, "Authenticate an IMAP, POP or SMTP connection using OAuth" (reference:
// exchange-online.md, "OAuth 2.0 for SMTP AUTH and IMAP"). The enterprise application's object id
// is not in the plan (the token's `oid` claim carries it): it is left as FILL IN.
import { SMTP_APP_PERMISSION } from '../exo/oauth.js';
import { serviceOf } from '../exo/services.js';
import type { Plan, SubmissionAccount } from '../types.js';
import { psComment, psQuote } from './quote.js';

export const FILL_IN_OBJECT_ID = 'FILL IN: enterprise app object id';
export const FILL_IN_CLIENT_ID = 'FILL IN: application (client) id';

/** The client-credentials fields of an entry's oauth2 block, read by shape (the accessToken form has none). */
export function clientCredentialsOf(entry: SubmissionAccount): { clientId?: string; tenantId?: string } | undefined {
  const o = entry.oauth2 as { clientId?: unknown; tenantId?: unknown } | undefined;
  if (!o || (o.clientId === undefined && o.tenantId === undefined)) return undefined;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() && !/^FILL IN/i.test(v.trim()) ? v.trim() : undefined);
  return { clientId: text(o.clientId), tenantId: text(o.tenantId) };
}

export function oauthBlock(entry: SubmissionAccount): string {
  const ids = clientCredentialsOf(entry)!;
  const appId = ids.clientId ?? FILL_IN_CLIENT_ID;
  const mailbox = entry.username;
  const service = serviceOf(entry);
  const head = [`# Submission account ${psComment(entry.name)} (${entry.path}): OAuth client credentials for ${psComment(mailbox)}${ids.tenantId ? ` in tenant ${psComment(ids.tenantId)}` : ''}.`];
  if (service === 'acs') {
    return [...head, '# Azure Communication Services: nothing to set in Exchange Online; the Entra app needs a role on the Email resource (see the ACS SMTP documentation).'].join('\n');
  }
  const lines = [
    ...head,
    `# The app registration needs the application permission ${SMTP_APP_PERMISSION} (Office 365 Exchange Online) with admin consent.`,
    '# 1. Register the app\'s service principal in Exchange. -ObjectId is the Object ID of the ENTERPRISE APPLICATION',
    '#    (Entra admin center > Enterprise applications > the app), not of the app registration; the token\'s oid claim shows it.',
    `New-ServicePrincipal -AppId ${psQuote(appId)} -ObjectId ${psQuote(FILL_IN_OBJECT_ID)} -DisplayName ${psQuote(`${entry.name} (SMTP OAuth)`)}`,
  ];
  if (service === 'hve') {
    lines.push(
      '# 2. High Volume Email: the app sends with the application permission Mail.Send, granted to the HVE account with',
      `#    Add-HVEAppAccess (see Microsoft's HVE documentation); mailbox permissions and Set-CASMailbox do not apply to ${psComment(mailbox)}.`,
    );
    return lines.join('\n');
  }
  lines.push(
    '# 2. Let the service principal use the mailbox (use the same enterprise app object id as above).',
    `Add-MailboxPermission -Identity ${psQuote(mailbox)} -User ${psQuote(FILL_IN_OBJECT_ID)} -AccessRights FullAccess`,
    '# 3. SMTP AUTH must be on for the mailbox (and not off for the tenant: Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled).',
    `Set-CASMailbox -Identity ${psQuote(mailbox)} -SmtpClientAuthenticationDisabled $false`,
  );
  return lines.join('\n');
}

/** One block per OAuth client-credentials entry, or '' when the plan has none. */
export function oauthScript(plan: Plan): string {
  const entries = plan.submission.filter((s) => clientCredentialsOf(s));
  if (entries.length === 0) return '';
  const header = [
    '# Exchange Online side of OAuth 2.0 SMTP AUTH (client credentials). Replace every FILL IN before running:',
    '# Exchange refuses "FILL IN" as an object id and as a user, so those lines fail if run unchanged.',
  ].join('\n');
  return [header, ...entries.map(oauthBlock)].join('\n\n');
}
