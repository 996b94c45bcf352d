// Exchange Online replies of the other submission paths and of the limits (reference: "Other
// submission paths in 2026", "Limits", "Replies and what they mean"): the per-mailbox and tenant
// limits (5.1.90, 5.2.0 SubmissionQuotaExceeded, 5.7.232/233), a restricted sender (5.1.8),
// unregistered domains (5.7.750), Direct Send refused (5.7.68), High Volume Email and Azure
// Communication Services refusals, and Send As at the end of DATA. Each with the step it comes
// at and the fix. Kept apart from replies.ts, which becomes a table; pure, no I/O.
import { psQuote } from '../powershell/quote.js';
import type { ReplyExplanation } from './replies.js';
import type { QuotaLimitName } from '../evidence/sending.js';
import type { SubmissionService } from './services.js';

/** The SMTP step a reply came at. */
export type ReplyStep = 'connect' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'end-of-data' | 'other';

export const STEP_TEXT: Record<ReplyStep, string> = {
  connect: 'before the SMTP dialogue',
  tls: 'at STARTTLS',
  auth: 'at AUTH',
  mail: 'at MAIL FROM',
  rcpt: 'at RCPT TO',
  data: 'at DATA',
  'end-of-data': 'at the end of DATA (after the final dot)',
  other: '',
};

export interface SubmissionReplyContext {
  service?: SubmissionService | 'direct-send' | 'connector';
  username?: string;
  from: string;
  step?: ReplyStep;
  acceptedDomains?: string[];
}

/** The ACS SMTP username: <ACS resource name>.<Entra app id>.<Entra tenant id>. */
const ACS_USERNAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 'resource' for <resource>.<app id>.<tenant id>; 'malformed' when it tries that shape and misses; else 'smtp-username' (an SMTP Username resource). */
export function acsUsernameShape(username: string): 'resource' | 'malformed' | 'smtp-username' {
  if (ACS_USERNAME.test(username)) return 'resource';
  const parts = username.split('.');
  // Two GUID-looking parts (32 hex digits with or without dashes) that fail the exact form.
  const guidish = parts.filter((p) => /^[0-9a-f-]{30,40}$/i.test(p) && /\d/.test(p)).length;
  return guidish >= 1 && !username.includes('@') ? 'malformed' : 'smtp-username';
}

/** The PowerShell of a Partner inbound connector that lets one source's Direct Send through when RejectDirectSend is on. */
export function partnerConnectorFix(name: string, domains: string[]): string {
  const senderDomains = domains.length ? domains.map((d) => psQuote(`smtp:${d};1`)).join(',') : "'smtp:*;1'";
  return [
    `New-InboundConnector -Name ${psQuote(`Partner: ${name}`)} -ConnectorType Partner -SenderDomains ${senderDomains} -SenderIPAddresses <the device's public IPv4> -RestrictDomainsToIPAddresses $true`,
    `# or, certificate-based: -TlsSenderCertificateName <the name in the device's certificate> -RequireTls $true -RestrictDomainsToCertificate $true`,
  ].join('\n');
}

/** What Exchange Online answers when a limit relaycheck enforced would have been passed. */
export function submissionQuotaView(limit: QuotaLimitName): string {
  switch (limit) {
    case 'recipients-day':
      return 'Past the mailbox recipient rate limit Exchange Online answers 550 5.1.90 (daily recipient limit reached) or 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException at DATA, and may throttle the account.';
    case 'day':
      return 'relaycheck enforces the plan\'s messagesPerDay; Exchange Online itself counts recipients (10,000 a day per mailbox) and answers 554 5.2.0 SubmissionQuotaExceededException past them.';
    case 'minute':
      return 'Past 30 messages a minute Exchange Online delays or refuses the mailbox\'s submissions (throttling).';
    case 'recipients-per-message':
      return 'Exchange Online refuses a message with more recipients than the mailbox\'s MaxRecipientEnvelopeLimit (500 by default) with 550 5.5.3 Too many recipients.';
    case 'tenant-external':
      return 'Past the tenant external recipient rate limit Exchange Online answers 550 5.7.233 at RCPT TO (5.7.232 for a trial tenant).';
  }
}

/**
 * Why a submission path, Direct Send or the limits refused a message, and the fix; undefined
 * when the reply is none of these (replies.ts explains the rest).
 */
export function explainSubmissionReply(reply: string, ctx: SubmissionReplyContext): ReplyExplanation | undefined {
  const who = ctx.username ?? ctx.from;
  const said = reply.slice(0, 200);
  if (/\b5\.1\.90\b/.test(reply)) {
    return {
      meaning: `${who} reached its daily recipient limit (Exchange Online counts 10,000 recipients in a sliding 24 hours per mailbox)`,
      fix: 'Wait until the 24-hour window frees recipients, spread the mail over more mailboxes, or move bulk internal mail to High Volume Email (smtp-hve.office365.com) and external bulk mail to Azure Communication Services.',
      exchangeOnline: `Exchange Online answers DATA with ${said}.`,
    };
  }
  if (/\b5\.2\.0\b/.test(reply) && /SubmissionQuotaExceeded/i.test(reply)) {
    return {
      meaning: `${who} passed Exchange Online's daily recipient limit (the submission quota of the mailbox)`,
      fix: 'Wait until the 24-hour window frees recipients and lower limits.recipientsPerDay so relaycheck stops first; spread bulk mail over High Volume Email or Azure Communication Services.',
      exchangeOnline: `Exchange Online answers DATA with ${said}.`,
    };
  }
  if (/\b5\.7\.23[23]\b/.test(reply)) {
    const trial = /\b5\.7\.232\b/.test(reply);
    return {
      meaning: `the tenant passed its external recipient rate limit (TERRL: 500 × licences^0.7 + 9,500 external recipients a day${trial ? '; 5,000 for a trial tenant' : ''}); every mailbox and connector of the tenant is held until the 24-hour window frees recipients`,
      fix: 'Find the mailbox or relay that sends most external mail (message trace), stop or move the bulk to Azure Communication Services (it does not count against TERRL), and set tenant.licenses so relaycheck knows the figure.',
      exchangeOnline: `Exchange Online answers RCPT TO with ${said}.`,
    };
  }
  if (/\b5\.1\.8\b/.test(reply)) {
    return {
      meaning: `${who} is restricted from sending: Exchange Online suspects the account is compromised (outbound spam), so it may not send at all`,
      fix: 'Secure the account (reset its credentials, review sign-ins and inbox rules), then release it in the Microsoft Defender portal under Restricted entities; nothing the client does changes this reply until then.',
      exchangeOnline: `Exchange Online answers with ${said}.`,
    };
  }
  if (/\b5\.7\.750\b/.test(reply)) {
    return {
      meaning: 'the tenant is blocked from sending mail from domains it has not verified (too much mail from unregistered domains)',
      fix: 'Send only with sender domains that are accepted domains of the tenant, add and verify the missing domain (Get-AcceptedDomain), and ask Microsoft support to lift the block once it is fixed.',
      exchangeOnline: `Exchange Online answers RCPT TO with ${said}.`,
    };
  }
  if (/\b5\.7\.68\b/.test(reply)) {
    return {
      meaning: 'Reject Direct Send is on (Set-OrganizationConfig -RejectDirectSend $true) and no inbound connector matched this connection, so mail sent to the tenant MX without a connector is refused',
      fix: 'Create a Partner inbound connector for this source (its IP, or better its certificate) so its mail is attributed, or turn RejectDirectSend off while devices still depend on Direct Send.',
      exchangeOnline: `Exchange Online answers RCPT TO with ${said}.`,
      powershell: partnerConnectorFix(ctx.from.split('@')[1] ?? 'device', ctx.from.includes('@') ? [ctx.from.split('@')[1]] : []),
    };
  }
  if (ctx.service === 'hve') {
    if (ctx.step === 'rcpt' && /^5\d\d\b/.test(reply)) {
      return {
        meaning: 'High Volume Email delivers to internal recipients only (since June 2025): the recipient is not a mailbox of the tenant',
        fix: 'Send HVE mail to recipients in the accepted domains only; use Azure Communication Services (smtp.azurecomm.net) for external recipients.',
        exchangeOnline: `HVE answers RCPT TO with ${said}.`,
      };
    }
    if (ctx.step === 'auth' || /^535\b/.test(reply)) {
      return {
        meaning: 'the HVE account was refused: a wrong password, or for OAuth an app without the application permission Mail.Send or without access to the HVE account',
        fix: `Check the HVE account's password (Basic works until September 2028), or for OAuth grant the app Mail.Send (application) with admin consent and run Add-HVEAppAccess for it.`,
        exchangeOnline: `HVE answers AUTH with ${said}.`,
        powershell: `Add-HVEAppAccess -AppId <application id> -HVEAccount ${psQuote(ctx.username ?? who)}`,
      };
    }
  }
  if (ctx.service === 'acs') {
    if (ctx.step === 'mail' && /^5\d\d\b/.test(reply)) {
      return {
        meaning: `${ctx.from} is not in a verified domain of the Azure Communication Services Email resource: ACS sends only from domains connected to the resource (Azure managed or verified custom domains)`,
        fix: "Use a MAIL FROM in a domain verified on the Email Communication Service resource and connected to the Communication Service, or add and verify the domain (and its sender username) there first.",
        exchangeOnline: `Azure Communication Services answers MAIL FROM with ${said}.`,
      };
    }
    if (ctx.step === 'auth' || /^535\b/.test(reply)) {
      const shape = ctx.username ? acsUsernameShape(ctx.username) : 'smtp-username';
      return {
        meaning: `Azure Communication Services refused the login${shape === 'malformed' ? `: ${ctx.username} is not of the form <ACS resource>.<app id>.<tenant id>` : ': the username is the ACS resource name, the Entra app id and the tenant id joined by dots (or an SMTP Username of the resource), the password the app\'s client secret'}`,
        fix: 'Give the Entra app a role on the Communication Service resource that allows sending (Communication and Email Service Owner, or a custom role with Microsoft.Communication/CommunicationServices/Read and Write and Microsoft.Communication/EmailServices/write), check the client secret has not expired, and use the documented username form.',
        exchangeOnline: `Azure Communication Services answers AUTH with ${said}.`,
      };
    }
  }
  if ((/\b5\.7\.60\b|\b5\.2\.252\b|SendAsDenied/i.test(reply)) && ctx.step === 'end-of-data') {
    return {
      meaning: `${who} has no Send As on ${ctx.from}: Exchange Online accepted MAIL FROM and RCPT TO and refused the message only after the final dot, as it does for a sender the mailbox may not send as`,
      fix: `Grant ${who} Send As on ${ctx.from} (Add-RecipientPermission), or set from to the account's own address. Do not retry: repeated refusals throttle the account (5.2.25x).`,
      exchangeOnline: `Exchange Online answers the end of DATA with ${said}.`,
      ...(ctx.username ? { powershell: `Add-RecipientPermission -Identity ${psQuote(ctx.from)} -Trustee ${psQuote(ctx.username)} -AccessRights SendAs -Confirm:$false` } : {}),
    };
  }
  return undefined;
}
