// Exchange Online's replies and NDR codes in one table: what each means, the step it comes at,
// whether it can be undone, and the fix (shared/reference/exchange-online.md, "Replies and what
// they mean"; where Microsoft publishes no exact wording, the text of its NDR page "Email
// non-delivery reports and SMTP errors in Exchange Online", named in `source`). The checks, the
// probes' refusal tests and `relaycheck explain` all read from here. Pure: no I/O.
import { psQuote } from '../powershell/quote.js';

/** Whether the refusal goes away, and how. */
export type Reversible =
  /** temporary (4xx): the sender retries on its own; the mail still arrives once the cause is gone */
  | 'retry'
  /** the message is refused; it goes through once the fix is made (send it again) */
  | 'after-fix'
  /** a block or limit that nobody can lift at once: it ends when its window passes */
  | 'wait';

export const REVERSIBLE_TEXT: Record<Reversible, string> = {
  retry: 'yes — temporary: the sender retries, and the mail still goes once the cause is fixed',
  'after-fix': 'yes — once fixed: this message was refused; send it again after the fix',
  wait: 'not at once — a block or limit that ends when its window passes (support cannot lift it sooner)',
};

/** Which Exchange Online path the reply belongs to. */
export type ReplyPath = 'submission' | 'relay' | 'smart-host' | 'any';

/** What the caller knows, to name the account, the sender or the connector in the fix. */
export interface ReplyContext {
  username?: string;
  from?: string;
  oauth?: boolean;
  connector?: string;
  certificateName?: string;
}

type Text = string | ((c: ReplyContext) => string);

export interface ReplyRow {
  /** stable key: the enhanced code, plus the variant ('5.7.139-tenant') */
  id: string;
  /** the reply as Exchange Online writes it (the reference's wording, or the NDR page's) */
  wording: string;
  /** where the wording comes from */
  source: string;
  path: ReplyPath;
  /** the SMTP step it comes at */
  step: string;
  reversible: Reversible;
  match: RegExp;
  meaning: Text;
  fix: Text;
  powershell?: (c: ReplyContext) => string | undefined;
  /** the Exchange Online view for a finding ("Exchange Online answers …"); default from step and reply */
  exchangeOnline?: (reply: string) => string;
}

const REF = 'reference: exchange-online.md, Replies and what they mean';
const NDR_PAGE = 'Microsoft Learn, "Email non-delivery reports and SMTP errors in Exchange Online" (NDR text; no reply wording published)';
const SMTP_AUTH_DOC = 'https://aka.ms/smtp_auth_disabled';

const user = (c: ReplyContext) => psQuote(c.username || '<mailbox>');
const account = (c: ReplyContext) => c.username || 'the account';
const enableMailbox = (c: ReplyContext) => `Set-CASMailbox -Identity ${user(c)} -SmtpClientAuthenticationDisabled $false`;
const quoted = (reply: string) => reply.slice(0, 160);

/** The Exchange Online line that gives `username` Send As on `from`. */
export function sendAsGrant(from: string, username: string): string {
  return `Add-RecipientPermission -Identity ${psQuote(from)} -Trustee ${psQuote(username)} -AccessRights SendAs -Confirm:$false`;
}

const SEND_AS: Pick<ReplyRow, 'meaning' | 'fix' | 'powershell' | 'exchangeOnline' | 'path' | 'reversible'> = {
  path: 'submission',
  reversible: 'after-fix',
  meaning: (c) => `the server does not let ${account(c)} send as ${c.from || 'this sender'}`,
  fix: (c) => `Grant ${account(c)} Send As on ${c.from || 'the sender address'}, or set from to the account's own address.`,
  powershell: (c) => (c.username ? sendAsGrant(c.from || '<sender>', c.username) : undefined),
  exchangeOnline: () =>
    'Exchange Online refuses with 550 5.7.60 SMTP; Client does not have permissions to send as this sender or 554 5.2.252 SendAsDenied at the end of DATA (MAIL FROM and RCPT TO got 250); repeated refusals throttle the account (5.2.25x).',
};

const DANE_FIX_PUBLISH = 'Publish a TLSA record for the certificate the host presents now (3 1 1 is the usual choice) in the DNSSEC-signed zone, and keep the old record until every host uses the new certificate.';

/** Rows are tried in order: a specific wording comes before the generic row of its code. */
export const REPLY_TABLE: readonly ReplyRow[] = [
  // ── client submission: STARTTLS and AUTH ────────────────────────────────────────────────
  {
    id: '4.7.66',
    wording: '421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls.',
    source: REF,
    path: 'submission',
    step: 'STARTTLS on smtp.office365.com (client submission only)',
    reversible: 'after-fix',
    match: /\b4\.7\.66\b/,
    meaning: 'the client negotiated TLS 1.0 or 1.1; Exchange Online accepts client submission only over TLS 1.2 or later',
    fix: 'Update the device or application to TLS 1.2 (.NET Framework: SchUseStrongCrypto / SystemDefaultTlsVersions; Windows: enable TLS 1.2 in SCHANNEL; old firmware: update it), or relay through a server that speaks TLS 1.2.',
  },
  {
    id: '5.7.57',
    wording: '530 5.7.57 Client not authenticated to send mail',
    source: REF,
    path: 'submission',
    step: 'MAIL FROM on port 587',
    reversible: 'after-fix',
    match: /^530\b|\b5\.7\.57\b/,
    meaning: 'the server wanted authentication before MAIL FROM: AUTH did not happen (often because STARTTLS was not used, so AUTH was never offered)',
    fix: 'Use STARTTLS on port 587 and authenticate before sending (AUTH LOGIN or XOAUTH2).',
    exchangeOnline: () => 'Exchange Online answers MAIL FROM with 530 5.7.57 Client not authenticated to send mail.',
  },
  {
    id: '5.7.139-basic-disabled',
    wording: '535 5.7.139 Authentication unsuccessful, basic authentication is disabled',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.139\b.*basic authentication is disabled/i,
    meaning: "Basic authentication is off for this tenant (Exchange Online's default for SMTP AUTH from the end of December 2026)",
    fix: 'Move this account to OAuth: register an app in Entra ID with the application permission SMTP.SendAsApp and a certificate, register its service principal in Exchange Online and grant it the mailbox, then give the plan entry oauth2: { tenantId, clientId, certificate } in place of password (README: "Moving a device or app off Basic authentication"). Re-enabling Basic only buys time: Microsoft removes it for good in 2027.',
    exchangeOnline: (reply) => `Exchange Online answers AUTH LOGIN/PLAIN with ${reply.slice(0, 160)}.`,
  },
  {
    id: '5.7.139-tenant',
    wording: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.139\b.*\btenant\b/i,
    meaning: 'SMTP AUTH is switched off for the whole tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $true, the default for tenants created after January 2020)',
    fix: `Enable SMTP AUTH for this mailbox only (the mailbox setting wins over the tenant's), or for the tenant with Set-TransportConfig -SmtpClientAuthenticationDisabled $false; see ${SMTP_AUTH_DOC}.`,
    powershell: enableMailbox,
  },
  {
    id: '5.7.139-security-defaults',
    wording: '535 5.7.139 Authentication unsuccessful, user is locked by your organization\'s security defaults policy. Contact your administrator.',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.139\b.*security defaults/i,
    meaning: 'Microsoft Entra security defaults are on, and they block Basic authentication for SMTP AUTH',
    fix: 'Use OAuth (XOAUTH2) for this device or application, or replace security defaults with Conditional Access policies that allow this account to use SMTP AUTH.',
    exchangeOnline: () => 'Exchange Online answers AUTH with 535 5.7.139 … user is locked by security defaults.',
  },
  {
    id: '5.7.139-conditional-access',
    wording: '535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.139\b.*(criteria|conditional access)/i,
    meaning: 'a Microsoft Entra Conditional Access policy blocked the sign-in (location, device or legacy-authentication rules)',
    fix: "Find the blocking policy in the Entra sign-in logs for this account and exclude the sender's location or account from it, or move to OAuth (XOAUTH2).",
    exchangeOnline: () => 'Exchange Online answers AUTH with 535 5.7.139 … the request did not meet the criteria to be authenticated successfully.',
  },
  {
    id: '5.7.139-mailbox',
    wording: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.139\b.*(mailbox|SmtpClientAuthentication is disabled)/i,
    meaning: 'SMTP AUTH is switched off for this mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $true)',
    fix: `Enable SMTP AUTH for the mailbox; see ${SMTP_AUTH_DOC}.`,
    powershell: enableMailbox,
  },
  {
    id: '5.7.139',
    wording: '535 5.7.139 Authentication unsuccessful',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.139\b/,
    // Another 5.7.139 wording: do not guess which of the causes it is.
    meaning: 'Exchange Online refused the sign-in for the reason the reply states (535 5.7.139 is used when SMTP AUTH is switched off for the tenant or mailbox, and when security defaults or Conditional Access block it)',
    fix: (c) => `Look up the failed sign-in of the account in the Entra sign-in logs, and check that SMTP AUTH is enabled for the mailbox (Get-CASMailbox -Identity ${user(c)} | Format-List SmtpClientAuthenticationDisabled); see ${SMTP_AUTH_DOC}.`,
  },
  {
    id: '5.7.30',
    wording: '550 5.7.30 Basic authentication is not supported for Client Submission',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.30\b/,
    meaning: 'Basic authentication (AUTH PLAIN / LOGIN with a password) is no longer accepted for client submission in this tenant',
    fix: 'Authenticate with OAuth: give the plan entry oauth2 client credentials (tenantId, clientId, certificate) of an app with SMTP.SendAsApp, or send through a connector instead of SMTP AUTH.',
    exchangeOnline: () => 'Exchange Online answers 550 5.7.30 Basic authentication is not supported for Client Submission.',
  },
  {
    id: '5.7.3',
    wording: '535 5.7.3 Authentication unsuccessful',
    source: REF,
    path: 'submission',
    step: 'AUTH',
    reversible: 'after-fix',
    match: /\b5\.7\.3\b/,
    meaning: (c) =>
      c.oauth
        ? 'the OAuth access token was refused: expired, issued for another audience or scope, or the account behind it may not use this mailbox'
        : 'the credentials were refused: a wrong password, SMTP AUTH disabled for the mailbox, MFA required for the account, or a Conditional Access policy',
    fix: (c) =>
      c.oauth
        ? "Check the token (auth.oauth-token): audience https://outlook.office365.com, the role SMTP.SendAsApp with admin consent; then register the app's service principal in Exchange Online (New-ServicePrincipal) and give it the mailbox (Add-MailboxPermission … -AccessRights FullAccess)."
        : "Check the password first; if it is right, enable SMTP AUTH for the mailbox and look for the failed sign-in in Entra ID's sign-in logs (MFA, Conditional Access).",
    powershell: enableMailbox,
    exchangeOnline: () => 'Exchange Online answers AUTH with 535 5.7.3 Authentication unsuccessful.',
  },
  // ── client submission: sender, throttling, limits ────────────────────────────────────────
  {
    // Before 5.2.252: "554 5.2.252 SendAsDenied" shares the enhanced code of the throttle replies.
    id: '5.2.251-255',
    wording: '550 5.2.252 Sender throttled due to continuous send as denied errors',
    source: REF,
    path: 'submission',
    step: 'MAIL FROM or end of DATA',
    reversible: 'wait',
    match: /sender throttled|^550\b(?!.*SendAsDenied).*\b5\.2\.25[1-5]\b/i,
    meaning: (c) =>
      `Exchange Online has throttled ${c.username || c.from || 'the account'} after continuous errors of the kind the reply names (mailbox full, Send As denied, invalid licence, too many or invalid recipients); Microsoft support cannot lift it`,
    fix: 'Stop sending from this account until the throttle expires, and fix the cause the reply names first; relaycheck tries nothing more on the account in this run.',
  },
  { id: '5.7.60', wording: '550 5.7.60 SMTP; Client does not have permissions to send as this sender', source: REF, step: 'end of DATA (MAIL FROM and RCPT TO got 250)', match: /\b5\.7\.60\b|send as this sender/i, ...SEND_AS },
  { id: '5.2.252', wording: '554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as shared@contoso.com', source: REF, step: 'end of DATA', match: /\b5\.2\.252\b|SendAsDenied/i, ...SEND_AS },
  {
    ...SEND_AS,
    id: 'postfix-553-5.7.1',
    wording: '553 5.7.1 <shared@contoso.com>: Sender address rejected: not owned by user scanner@contoso.com',
    source: 'Postfix reject_sender_login_mismatch (not Exchange Online)',
    path: 'any',
    step: 'MAIL FROM',
    match: /^553[ -]5\.7\.1\b|\b553\b.*\b5\.7\.1\b|not owned by user/i,
  },
  {
    id: '5.1.8',
    wording: '550 5.1.8 Access denied, bad outbound sender',
    source: REF,
    path: 'submission',
    step: 'MAIL FROM or end of DATA',
    reversible: 'after-fix',
    match: /\b5\.1\.8\b/,
    meaning: (c) => `Exchange Online has blocked ${c.username || c.from || 'this account'} from sending: it is on the Restricted entities list because it sent what looked like outbound spam (a compromised account is suspected)`,
    fix: 'Secure the account first (reset the password, revoke its sessions, look for forwarding and inbox rules and app consents), then release it in the Defender portal (Email & collaboration › Review › Restricted entities) or with Remove-BlockedSenderAddress.',
    powershell: (c) => `Remove-BlockedSenderAddress -SenderAddress ${psQuote(c.from || c.username || '<sender>')}`,
  },
  {
    id: '5.1.90',
    wording: "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'submission',
    step: 'end of DATA',
    reversible: 'wait',
    match: /\b5\.1\.90\b/,
    meaning: 'the mailbox reached its recipient rate limit: 10,000 recipients in a sliding 24 hours (counted in recipients, not messages)',
    fix: 'Wait until the count of the last 24 hours falls below the limit; send bulk or device mail through High Volume Email, Azure Communication Services or a connector instead of one mailbox.',
  },
  {
    id: '5.2.0-quota',
    wording: '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException',
    source: REF,
    path: 'submission',
    step: 'end of DATA',
    reversible: 'wait',
    match: /\b5\.2\.0\b.*SubmissionQuotaExceeded|SubmissionQuotaExceeded/i,
    meaning: "the account passed Exchange Online's daily recipient limit",
    fix: 'Wait for the 24-hour window to pass, and spread sending over more accounts.',
  },
  {
    id: '4.3.2',
    wording: '432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded',
    source: REF,
    path: 'submission',
    step: 'end of DATA',
    reversible: 'retry',
    match: /\b4\.3\.2\b.*thread limit|^432\b/i,
    meaning: 'more than 3 concurrent connections for the mailbox',
    fix: 'Send over at most 3 connections per mailbox.',
  },
  // ── tenant limits ──────────────────────────────────────────────────────────────────────────
  {
    id: '5.7.232',
    wording: "550 5.7.232 Your message can't be sent because your trial tenant has exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)",
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'any',
    step: 'RCPT TO',
    reversible: 'wait',
    match: /\b5\.7\.232\b/,
    meaning: 'the trial tenant passed its external recipient limit (TERRL, 5,000 external recipients in a rolling 24 hours for trials)',
    fix: 'Wait until the 24-hour count falls below the limit, or convert the trial to a paid subscription (a higher TERRL); mail through High Volume Email or Azure Communication Services does not count.',
  },
  {
    id: '5.7.233',
    wording: "550 5.7.233 Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)",
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'any',
    step: 'RCPT TO',
    reversible: 'wait',
    match: /\b5\.7\.233\b/,
    meaning: 'the tenant passed its external recipient rate limit (TERRL: 500 × licences^0.7 + 9,500 external recipients in a rolling 24 hours)',
    fix: 'Wait until the 24-hour count falls below the limit; licences raise it; move bulk mail to High Volume Email or Azure Communication Services, which do not count against TERRL.',
  },
  {
    id: '5.7.750',
    wording: '550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains',
    source: REF,
    path: 'any',
    step: 'RCPT TO',
    reversible: 'after-fix',
    match: /\b5\.7\.750\b|unregistered domains/i,
    meaning: 'Exchange Online has blocked the tenant from sending: it sent a large volume from domains it has not added and verified',
    fix: 'Add and verify every domain the tenant sends from (Microsoft 365 admin center › Settings › Domains) or stop sending from the others, then ask Microsoft support to lift the block.',
    powershell: () => 'Get-AcceptedDomain | Format-Table DomainName, DomainType',
  },
  // ── connector relay to the MX ──────────────────────────────────────────────────────────────
  {
    id: '5.7.64-ATTR36',
    wording: '550 5.7.64 TenantAttribution; Relay Access Denied ATTR36',
    source: REF,
    path: 'relay',
    step: 'RCPT TO',
    reversible: 'after-fix',
    match: /\b5\.7\.64\b.*ATTR36|ATTR36/i,
    meaning: 'neither the certificate domain nor the MAIL FROM domain is an accepted domain of the tenant (required for relay since November 2023)',
    fix: 'Send with a MAIL FROM in an accepted domain, or use a certificate whose domain is an accepted domain.',
    exchangeOnline: (r) => `Exchange Online answers RCPT TO with ${quoted(r)}.`,
  },
  {
    id: '5.7.64',
    wording: '550 5.7.64 TenantAttribution; Relay Access Denied',
    source: REF,
    path: 'relay',
    step: 'RCPT TO',
    reversible: 'after-fix',
    match: /\b5\.7\.64\b|TenantAttribution/i,
    meaning: 'no inbound connector matched the connection: the certificate name (or the source IP) does not match the connector, or the chain is incomplete (Exchange Online does not fetch intermediates)',
    // No PowerShell here: the plan's own TlsSenderCertificateName would change nothing;
    // tls.client-certificate proposes a name from the certificate when one fits.
    fix: (c) =>
      `Make the relay present a certificate, with its intermediates, whose name matches the connector's TlsSenderCertificateName${c.certificateName ? ` (${c.certificateName})` : ''} — tls.client-certificate shows the names it carries.`,
    exchangeOnline: () => 'Exchange Online answers RCPT TO with 550 5.7.64 TenantAttribution; Relay Access Denied.',
  },
  {
    id: '4.4.62',
    wording: '451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35',
    source: REF,
    path: 'relay',
    step: 'RCPT TO',
    reversible: 'retry',
    match: /\b4\.4\.62\b|ATTR35/i,
    meaning: 'the message went to the wrong Office 365 endpoint, or no connector matched',
    fix: 'Send to the tenant MX host (<domain>.mail.protection.outlook.com) and check the inbound connector.',
  },
  {
    id: '5.7.68',
    wording: '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources',
    source: REF,
    path: 'relay',
    step: 'RCPT TO',
    reversible: 'after-fix',
    match: /\b5\.7\.68\b/,
    meaning: 'Reject Direct Send is on and no inbound connector matched the connection',
    fix: "Make the connector match (certificate name or IP), or the relay's mail is treated as Direct Send and refused.",
  },
  {
    id: '4.7.500-699',
    wording: '451 4.7.500 Server busy. Please try again later. (AS761)',
    source: REF,
    path: 'relay',
    step: 'RCPT TO or end of DATA',
    reversible: 'retry',
    match: /\b4\.7\.[5-6]\d\d\b/,
    meaning: 'a new or changed source IP is being throttled',
    fix: 'Wait and retry; the limit rises as the IP builds reputation.',
  },
  {
    id: '5.7.606-649',
    wording: '550 5.7.606 Access denied, banned sending IP [192.0.2.10]',
    source: REF,
    path: 'relay',
    step: 'RCPT TO',
    reversible: 'after-fix',
    match: /\b5\.7\.6(0[6-9]|[1-4]\d)\b/,
    meaning: "the sending IP is on Microsoft's block list",
    fix: 'Request delisting at https://sender.office.com.',
  },
  // ── Exchange Online → smart host (message trace, NDR) ──────────────────────────────────────
  {
    id: '5.7.321',
    wording: '5.7.321 starttls-not-supported: Destination mail server must support TLS to receive mail.',
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'smart-host',
    step: 'Exchange Online → smart host, before STARTTLS (SmtpDaneMode)',
    reversible: 'retry',
    match: /\b[45]\.7\.321\b|starttls-not-supported/i,
    meaning: 'the smart host publishes TLSA records (or the connector requires DANE) but does not offer STARTTLS, so DANE cannot authenticate it',
    fix: 'Enable STARTTLS on the smart host with the certificate the TLSA record describes, or withdraw the TLSA records.',
  },
  {
    id: '5.7.322',
    wording: "5.7.322 certificate-expired: Destination mail server's certificate is expired.",
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (SmtpDaneMode)',
    reversible: 'retry',
    match: /\b[45]\.7\.322\b|certificate-expired/i,
    meaning: 'the certificate the smart host presents has expired, which DANE validation does not accept',
    fix: 'Renew the smart host certificate, publish the TLSA record for the new one before switching, and reload the server.',
  },
  {
    id: '5.7.323',
    wording: '5.7.323 tlsa-invalid: The domain failed DANE validation.',
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (SmtpDaneMode)',
    reversible: 'retry',
    match: /\b[45]\.7\.323\b|tlsa-invalid/i,
    meaning: 'no TLSA record at _25._tcp.<host> matches the certificate the smart host presents (or, with Mandatory DANE, there is no DNSSEC-signed TLSA record at all)',
    fix: DANE_FIX_PUBLISH,
  },
  {
    id: '5.7.324',
    wording: '5.7.324 dnssec-invalid: Destination domain returned invalid DNSSEC records.',
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'smart-host',
    step: 'Exchange Online → smart host, DNS lookup (SmtpDaneMode)',
    reversible: 'retry',
    match: /\b[45]\.7\.324\b|dnssec-invalid/i,
    meaning: "the smart host's zone answers with DNSSEC signatures that do not validate (expired signatures, a DS at the parent that matches no key)",
    fix: 'Re-sign the zone and check the chain of trust (the DS record at the parent matches a DNSKEY of the zone); a validating resolver answers SERVFAIL until it does.',
  },
  {
    id: '5.7.325',
    wording: '5.7.325 certificate-host-mismatch: Remote certificate MUST have a common name or subject alternative name matching the hostname (DANE)',
    source: `${REF}; wording: ${NDR_PAGE}`,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (SmtpDaneMode)',
    reversible: 'retry',
    match: /\b[45]\.7\.325\b|certificate-host-mismatch/i,
    meaning: "the smart host's certificate names neither the host nor the MX name DANE looked up (a TLSA 2 x x record requires a matching name)",
    fix: 'Issue the smart host certificate with its host name in a SAN, or publish a 3 1 1 TLSA record (DANE-EE), which does not check names.',
  },
  {
    id: '4.4.316',
    wording: '450 4.4.316 Connection refused',
    source: REF,
    path: 'smart-host',
    step: 'Exchange Online → smart host, connect (message trace)',
    reversible: 'retry',
    match: /\b4\.4\.316\b/,
    meaning: 'Exchange Online could not connect to the smart host on port 25 (refused, or a firewall drops its addresses)',
    fix: "Open TCP 25 on the smart host's firewall for Exchange Online's ranges (see firewall.office365-ranges) and check that the SMTP service runs.",
  },
  {
    id: '4.4.317-untrusted-root',
    wording: '450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot]',
    source: REF,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (message trace)',
    reversible: 'retry',
    match: /\b4\.4\.317\b.*UntrustedRoot|UntrustedRoot/i,
    meaning: "the smart host's chain does not reach a root Exchange Online trusts: self-signed, a private CA, or intermediates missing (Exchange Online does not fetch them)",
    fix: 'Install a certificate from a public CA on the smart host and send its full chain (leaf, then intermediates).',
  },
  {
    id: '4.4.317-subject-mismatch',
    wording: '450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch Expected Subject: mail.contoso.com Presented Subject: other.example]',
    source: REF,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (message trace)',
    reversible: 'retry',
    match: /SubjectMismatch/i,
    meaning: "the smart host's certificate does not carry the outbound connector's TlsDomain (DomainValidation)",
    fix: "Install a certificate carrying the TlsDomain name on the smart host, or set the connector's TlsDomain to a name the certificate carries.",
  },
  {
    id: '4.4.317-certificate-expired',
    wording: '450 4.4.317 Cannot connect to remote server [Message=CertificateExpired]',
    source: REF,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (message trace)',
    reversible: 'retry',
    match: /CertificateExpired/i,
    meaning: "the smart host's certificate has expired",
    fix: 'Renew the certificate on the smart host and reload the server.',
  },
  {
    id: '4.4.317',
    wording: '450 4.4.317 Cannot connect to remote server',
    source: REF,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (message trace)',
    reversible: 'retry',
    match: /\b4\.4\.317\b/,
    meaning: 'Exchange Online reached the smart host but could not complete TLS with it (no common TLS version or cipher — it uses only TLS 1.2 and later — or a certificate problem the message names)',
    fix: "Enable TLS 1.2 or 1.3 on the smart host, with a certificate that meets the connector's TlsSettings.",
  },
  {
    id: '4.4.318',
    wording: '450 4.4.318 Connection was closed abruptly',
    source: REF,
    path: 'smart-host',
    step: 'Exchange Online → smart host (message trace)',
    reversible: 'retry',
    match: /\b4\.4\.318\b/,
    meaning: 'the smart host (or a firewall in front of it) closed the connection in the middle of the dialogue',
    fix: "Look in the smart host's log for the session from Exchange Online's addresses; an SMTP-inspecting firewall is a usual cause.",
  },
  {
    id: '4.7.320',
    wording: '450 4.7.320 certificate validation failed',
    source: REF,
    path: 'smart-host',
    step: 'Exchange Online → smart host, TLS handshake (message trace)',
    reversible: 'retry',
    match: /\b4\.7\.320\b/,
    meaning: "the smart host's certificate failed Exchange Online's validation (untrusted chain, revocation check, SHA-1 signature)",
    fix: 'Install a certificate from a public CA with a SHA-256 signature and its full chain; make its CRL/OCSP endpoints reachable.',
  },
];

/** What Exchange Online does with a smart host that offers no TLS 1.2 (port 25; 421 4.7.66 is client submission's). */
export const SMART_HOST_BELOW_TLS12 =
  'Exchange Online uses only TLS 1.2 and later: it cannot complete a handshake with this smart host, so messages are deferred (450 4.4.317 Cannot connect to remote server) and returned after the retry period.';

/** What Exchange Online's MX does with a relay limited to TLS 1.0/1.1 (port 25; not the 421 4.7.66 of client submission). */
export const MX_BELOW_TLS12 =
  "Exchange Online's MX hosts accept only TLS 1.2 and later: a relay limited to TLS 1.0/1.1 cannot complete STARTTLS there, so the inbound connector (RequireTls) cannot take its mail. (421 4.7.66 is the reply of client submission on smtp.office365.com, not of the MX.)";

/** The first row whose pattern matches `text`, among the rows of `paths` (default: every row). */
export function findReply(text: string, paths?: readonly ReplyPath[]): ReplyRow | undefined {
  return REPLY_TABLE.find((r) => (!paths || paths.includes(r.path) || r.path === 'any') && r.match.test(text));
}

/** A row by its id (tests, explain). */
export function replyRow(id: string): ReplyRow | undefined {
  return REPLY_TABLE.find((r) => r.id === id);
}

export function textOf(t: Text, c: ReplyContext): string {
  return typeof t === 'function' ? t(c) : t;
}
