// Exchange Online's side of OAuth 2.0 client credentials (shared/reference/exchange-online.md,
// "OAuth 2.0 for SMTP AUTH and IMAP"): the authority hosts and default scope of each cloud, the
// audiences Exchange Online accepts, and the application role each service needs. Pure data.
import { psQuote } from '../powershell/quote.js';
import type { SubmissionService } from './services.js';

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

/** Authority host → the Exchange Online resource of that cloud (the scope is `<resource>/.default`). */
const CLOUD_RESOURCES: Record<string, string> = {
  'login.microsoftonline.com': 'https://outlook.office365.com',
  'login.microsoft.com': 'https://outlook.office365.com',
  'login.windows.net': 'https://outlook.office365.com',
  // GCC High and DoD
  'login.microsoftonline.us': 'https://outlook.office365.us',
  // 21Vianet (Microsoft 365 operated in China)
  'login.chinacloudapi.cn': 'https://partner.outlook.cn',
  'login.partner.microsoftonline.cn': 'https://partner.outlook.cn',
};

/** The scope a client-credentials request asks for: `<Exchange Online resource of the cloud>/.default`. */
export function defaultScope(authority: string): string {
  let host = '';
  try {
    host = new URL(authority).hostname.toLowerCase();
  } catch {
    // the plan loader has checked the URL
  }
  return `${CLOUD_RESOURCES[host] ?? 'https://outlook.office365.com'}/.default`;
}

/** The `aud` values Exchange Online accepts for SMTP and IMAP (its resource URIs and app id). */
export const EXCHANGE_AUDIENCES = [
  'https://outlook.office365.com',
  'https://outlook.office.com',
  '00000002-0000-0ff1-ce00-000000000000',
  'https://outlook.office365.us',
  'https://partner.outlook.cn',
];

export function isExchangeAudience(aud: string): boolean {
  return EXCHANGE_AUDIENCES.includes(aud.replace(/\/+$/, '').toLowerCase());
}

export type OAuthUse = 'smtp' | 'imap';

/** The application permission an app needs for SMTP AUTH with client credentials. */
export const SMTP_APP_PERMISSION = 'SMTP.SendAsApp';

/** The application role a client-credentials token needs for what it is used for. */
export function requiredRole(use: OAuthUse, service: SubmissionService): string {
  if (use === 'imap') return 'IMAP.AccessAsApp';
  return service === 'hve' ? 'Mail.Send' : SMTP_APP_PERMISSION;
}

/** How the role is granted (the admin-consent step), for findings. */
export function roleGrantHint(role: string): string {
  if (role === 'Mail.Send') return 'add the application permission Mail.Send (Microsoft Graph) to the app registration, grant admin consent, and give the app the HVE account with Add-HVEAppAccess';
  return `add the application permission ${role} (API "Office 365 Exchange Online") to the app registration and grant admin consent for the tenant`;
}

/**
 * The Exchange Online side of an app that sends or reads as a mailbox with client credentials:
 * its service principal (the enterprise application's object id, the token's `oid`) and the
 * mailbox grant. Without them Exchange Online answers a valid token with 535 5.7.3.
 */
export function servicePrincipalLines(appId: string, objectId: string, mailbox: string): string {
  return [
    `New-ServicePrincipal -AppId ${psQuote(appId)} -ObjectId ${psQuote(objectId)}`,
    `Add-MailboxPermission -Identity ${psQuote(mailbox)} -User ${psQuote(objectId)} -AccessRights FullAccess`,
  ].join('\n');
}

/** What to do to move a Basic-authenticated account to OAuth, in order (README, "Moving a device or app off Basic authentication"). */
export const OAUTH_MIGRATION =
  'Register an app in Entra ID with a certificate, add the application permission SMTP.SendAsApp (Office 365 Exchange Online) and grant admin consent; register its service principal in Exchange Online (New-ServicePrincipal -AppId <app id> -ObjectId <enterprise app object id>) and give it the mailbox (Add-MailboxPermission -AccessRights FullAccess); then replace password with oauth2: { tenantId, clientId, certificate: { cert, key } } in the plan and run relaycheck (README: "Moving a device or app off Basic authentication").';
