// What SMTP replies mean, for checks: quoting a reply as the server wrote it, and the Exchange
// Online replies of client submission and connectors with their meaning and fix
// (shared/reference/exchange-online.md, "Replies and what they mean"). Pure: no I/O.
import { psQuote } from '../powershell/quote.js';
import type { SmtpReply } from '../evidence/smtp.js';

/** "550 5.7.60 SMTP; Client does not have permissions …" — the reply as the server wrote it (one line, bounded). */
export function replyText(reply: SmtpReply | undefined, max = 300): string {
  if (!reply) return '(no reply)';
  const lines = reply.lines.map((l) => l.trim()).filter(Boolean);
  let text = lines.join(' ');
  if (reply.enhanced && !text.startsWith(reply.enhanced)) text = `${reply.enhanced} ${text}`;
  const out = `${reply.code}${text ? ` ${text}` : ''}`.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/** Quote a reply in a message: “550 5.7.60 …”. */
export function quote(text: string): string {
  return `“${text}”`;
}

/** The Exchange Online line that gives `username` Send As on `from`. */
export function sendAsGrant(from: string, username: string): string {
  return `Add-RecipientPermission -Identity ${psQuote(from)} -Trustee ${psQuote(username)} -AccessRights SendAs -Confirm:$false`;
}

/** Exchange Online's client submission hosts (smtp.office365.com, smtp-legacy.office365.com, *.outlook.com). */
export function isExchangeOnlineHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'smtp.office365.com' || h.endsWith('.office365.com') || h === 'outlook.com' || h.endsWith('.outlook.com');
}

/** Replies that mean "this account may not send as this sender" (Exchange Online and Postfix). */
export function isSenderRefusal(reply: string | undefined): boolean {
  if (!reply) return false;
  return /\b5\.7\.60\b|\b5\.2\.252\b|SendAsDenied|^553[ -]5\.7\.1\b|not owned by user|send as this sender/i.test(reply);
}

/** Replies that mean "these credentials are refused". */
export function isAuthRefusal(reply: string | undefined): boolean {
  if (!reply) return false;
  return /^535\b|\b5\.7\.139\b|\b5\.7\.3\b.*authentication|\b5\.7\.30\b|^530[ -]5\.7\.57\b/i.test(reply);
}

/**
 * Exchange Online has throttled the sending account after continuous errors: "550 5.2.251" to
 * "5.2.255 Sender throttled due to continuous … errors". (554 5.2.252 SendAsDenied, the same
 * enhanced code without "throttled", is the Send As refusal itself.)
 */
export function isThrottledReply(reply: string | undefined): boolean {
  if (!reply) return false;
  return /sender throttled/i.test(reply) || (/^550\b/.test(reply) && /\b5\.2\.25[1-5]\b/.test(reply) && !/SendAsDenied/i.test(reply));
}

export interface ReplyExplanation {
  /** what the reply means */
  meaning: string;
  /** what to do (imperative) */
  fix: string;
  exchangeOnline?: string;
  powershell?: string;
  /** 4xx: temporary */
  temporary?: boolean;
}

const SMTP_AUTH_DOC = 'https://aka.ms/smtp_auth_disabled';

/** Why AUTH (or the MAIL FROM after it) was refused, and the fix. */
export function explainAuthRefusal(reply: string, account: { username: string; oauth: boolean }): ReplyExplanation {
  const user = psQuote(account.username);
  const enableMailbox = `Set-CASMailbox -Identity ${user} -SmtpClientAuthenticationDisabled $false`;
  if (/\b5\.7\.139\b/.test(reply)) {
    if (/tenant/i.test(reply)) {
      return {
        meaning: 'SMTP AUTH is switched off for the whole tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $true, the default for tenants created after January 2020)',
        fix: `Enable SMTP AUTH for this mailbox only (the mailbox setting wins over the tenant's), or for the tenant with Set-TransportConfig -SmtpClientAuthenticationDisabled $false; see ${SMTP_AUTH_DOC}.`,
        exchangeOnline: `Exchange Online answers AUTH with ${reply.slice(0, 160)}.`,
        powershell: enableMailbox,
      };
    }
    if (/security defaults/i.test(reply)) {
      return {
        meaning: 'Microsoft Entra security defaults are on, and they block Basic authentication for SMTP AUTH',
        fix: 'Use OAuth (XOAUTH2) for this device or application, or replace security defaults with Conditional Access policies that allow this account to use SMTP AUTH.',
        exchangeOnline: 'Exchange Online answers AUTH with 535 5.7.139 … user is locked by security defaults.',
      };
    }
    if (/criteria|conditional access/i.test(reply)) {
      return {
        meaning: 'a Microsoft Entra Conditional Access policy blocked the sign-in (location, device or legacy-authentication rules)',
        fix: "Find the blocking policy in the Entra sign-in logs for this account and exclude the sender's location or account from it, or move to OAuth (XOAUTH2).",
        exchangeOnline: 'Exchange Online answers AUTH with 535 5.7.139 … the request did not meet the criteria to be authenticated successfully.',
      };
    }
    if (/mailbox|SmtpClientAuthentication is disabled/i.test(reply)) {
      return {
        meaning: 'SMTP AUTH is switched off for this mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $true)',
        fix: `Enable SMTP AUTH for the mailbox; see ${SMTP_AUTH_DOC}.`,
        exchangeOnline: `Exchange Online answers AUTH with ${reply.slice(0, 160)}.`,
        powershell: enableMailbox,
      };
    }
    // Another 5.7.139 wording: do not guess which of the causes it is.
    return {
      meaning: 'Exchange Online refused the sign-in for the reason the reply states (535 5.7.139 is used when SMTP AUTH is switched off for the tenant or mailbox, and when security defaults or Conditional Access block it)',
      fix: `Look up the failed sign-in of the account in the Entra sign-in logs, and check that SMTP AUTH is enabled for the mailbox (Get-CASMailbox -Identity ${user} | Format-List SmtpClientAuthenticationDisabled); see ${SMTP_AUTH_DOC}.`,
      exchangeOnline: `Exchange Online answers AUTH with ${reply.slice(0, 160)}.`,
    };
  }
  if (/\b5\.7\.30\b/.test(reply)) {
    return {
      meaning: 'Basic authentication (AUTH PLAIN / LOGIN with a password) is no longer accepted for client submission in this tenant',
      fix: 'Authenticate with OAuth: configure oauth2.accessToken (XOAUTH2, token audience https://outlook.office.com, scope SMTP.Send), or send through a connector instead of SMTP AUTH.',
      exchangeOnline: 'Exchange Online answers 550 5.7.30 Basic authentication is not supported for Client Submission.',
    };
  }
  if (/^530\b|\b5\.7\.57\b/.test(reply)) {
    return {
      meaning: 'the server wanted authentication before MAIL FROM: AUTH did not happen (often because STARTTLS was not used, so AUTH was never offered)',
      fix: 'Use STARTTLS on port 587 and authenticate before sending (AUTH LOGIN or XOAUTH2).',
      exchangeOnline: 'Exchange Online answers MAIL FROM with 530 5.7.57 Client not authenticated to send mail.',
    };
  }
  if (/\b5\.7\.3\b/.test(reply)) {
    if (account.oauth) {
      return {
        meaning: 'the OAuth access token was refused: expired, issued for another audience or scope, or the account behind it may not use this mailbox',
        fix: 'Get a new token for https://outlook.office.com with SMTP.Send (delegated) or .default with SMTP.SendAsApp (app-only), and for an app grant the service principal access to the mailbox (Add-MailboxPermission … -AccessRights FullAccess).',
        exchangeOnline: 'Exchange Online answers AUTH XOAUTH2 with 535 5.7.3 Authentication unsuccessful.',
        powershell: enableMailbox,
      };
    }
    return {
      meaning: 'the credentials were refused: a wrong password, SMTP AUTH disabled for the mailbox, MFA required for the account, or a Conditional Access policy',
      fix: "Check the password first; if it is right, enable SMTP AUTH for the mailbox and look for the failed sign-in in Entra ID's sign-in logs (MFA, Conditional Access).",
      exchangeOnline: 'Exchange Online answers AUTH with 535 5.7.3 Authentication unsuccessful.',
      powershell: enableMailbox,
    };
  }
  if (/^4\d\d\b/.test(reply)) {
    return { meaning: 'a temporary authentication failure on the server side', fix: 'Try again later; if it persists, check the server (for Postfix: its SASL back end, e.g. the Dovecot auth service).', temporary: true };
  }
  if (/^535\b/.test(reply)) {
    return {
      meaning: account.oauth ? 'the server refused the OAuth access token' : 'the server refused the user name or password',
      fix: account.oauth ? 'Get a new access token for the account and check its audience and scope.' : 'Check the user name and the password the plan reads (environment variable or file).',
    };
  }
  return { meaning: 'the server refused the authentication', fix: 'Check the credentials and the server log for the reason.' };
}

/** Why a validation message was refused (connectors and submission), and the fix. */
export function explainSendRefusal(reply: string, ctx: { connector?: string; username?: string; from: string; certificateName?: string }): ReplyExplanation | undefined {
  if (isThrottledReply(reply)) {
    return {
      meaning: `Exchange Online has throttled ${ctx.username ?? ctx.from} after continuous errors of the kind the reply names (mailbox full, Send As denied, invalid licence, too many or invalid recipients); Microsoft support cannot lift it`,
      fix: 'Stop sending from this account until the throttle expires, and fix the cause the reply names first; relaycheck tries nothing more on the account in this run.',
      exchangeOnline: `Exchange Online answers with ${reply.slice(0, 160)}.`,
      temporary: false,
    };
  }
  if (/\b5\.7\.64\b/.test(reply) && /ATTR36/i.test(reply)) {
    return {
      meaning: 'neither the certificate domain nor the MAIL FROM domain is an accepted domain of the tenant (required for relay since November 2023)',
      fix: 'Send with a MAIL FROM in an accepted domain, or use a certificate whose domain is an accepted domain.',
      exchangeOnline: `Exchange Online answers RCPT TO with ${reply.slice(0, 160)}.`,
    };
  }
  if (/\b5\.7\.64\b/.test(reply)) {
    return {
      meaning: 'no inbound connector matched the connection: the certificate name (or the source IP) does not match the connector, or the chain is incomplete (Exchange Online does not fetch intermediates)',
      // No PowerShell here: the plan's own TlsSenderCertificateName would change nothing;
      // tls.client-certificate proposes a name from the certificate when one fits.
      fix: `Make the relay present a certificate, with its intermediates, whose name matches the connector's TlsSenderCertificateName${ctx.certificateName ? ` (${ctx.certificateName})` : ''} — tls.client-certificate shows the names it carries.`,
      exchangeOnline: 'Exchange Online answers RCPT TO with 550 5.7.64 TenantAttribution; Relay Access Denied.',
    };
  }
  if (/\b5\.7\.60\b|\b5\.2\.252\b|SendAsDenied/i.test(reply) || (/^553\b/.test(reply) && /5\.7\.1\b/.test(reply))) {
    return {
      meaning: `the server does not let ${ctx.username ?? 'the account'} send as ${ctx.from}`,
      fix: `Grant ${ctx.username ?? 'the account'} Send As on ${ctx.from}, or set from to the account's own address.`,
      exchangeOnline: 'Exchange Online refuses with 550 5.7.60 SMTP; Client does not have permissions to send as this sender (MAIL FROM) or 554 5.2.252 SendAsDenied (after DATA); repeated refusals throttle the account (5.2.25x).',
      ...(ctx.username ? { powershell: sendAsGrant(ctx.from, ctx.username) } : {}),
    };
  }
  if (/\b4\.4\.62\b|ATTR35/i.test(reply)) {
    return { meaning: 'the message went to the wrong Office 365 endpoint, or no connector matched', fix: 'Send to the tenant MX host (<domain>.mail.protection.outlook.com) and check the inbound connector.', temporary: true };
  }
  if (/\b5\.7\.68\b/.test(reply)) {
    return { meaning: 'Reject Direct Send is on and no inbound connector matched the connection', fix: "Make the connector match (certificate name or IP), or the relay's mail is treated as Direct Send and refused." };
  }
  if (/\b5\.7\.6(0[6-9]|[1-4]\d)\b/.test(reply)) {
    return { meaning: "the sending IP is on Microsoft's block list", fix: 'Request delisting at https://sender.office.com.' };
  }
  if (/\b5\.2\.0\b.*SubmissionQuotaExceeded/i.test(reply)) {
    return { meaning: "the account passed Exchange Online's daily recipient limit", fix: 'Wait for the 24-hour window to pass, and spread sending over more accounts.' };
  }
  if (/\b4\.3\.2\b.*thread limit|^432\b/i.test(reply)) {
    return { meaning: 'more than 3 concurrent connections for the mailbox', fix: 'Send over at most 3 connections per mailbox.', temporary: true };
  }
  if (/\b4\.7\.[5-6]\d\d\b/.test(reply)) {
    return { meaning: 'a new or changed source IP is being throttled', fix: 'Wait and retry; the limit rises as the IP builds reputation.', temporary: true };
  }
  if (/^53[05]\b|\b5\.7\.(3|139|30|57)\b/.test(reply)) {
    const a = explainAuthRefusal(reply, { username: ctx.username ?? '', oauth: false });
    return a;
  }
  return undefined;
}
