// The lab's stand-ins for the submission paths beside mailbox submission, built on the Exchange
// Online submission stand-in (src/lab/exo-submission.ts) with the rules of each path
// (shared/reference/exchange-online.md, "Other submission paths in 2026"):
//   - High Volume Email (smtp-hve.office365.com:587): internal recipients only since June 2025,
//     refused at RCPT TO;
//   - Azure Communication Services Email (smtp.azurecomm.net:587): login <resource>.<app id>.
//     <tenant id> with the app's client secret; MAIL FROM must be in a domain verified on the
//     Email resource, refused at MAIL FROM; no Send As (any sender of a verified domain).
// Microsoft publishes no exact wording for these two refusals; the replies below are the lab's
// own, with the enhanced codes of a policy refusal (5.7.1), so a check that recognises only
// wording it has seen still has to recognise the step.
import { startExoSubmission, type ExoSubmissionOptions, type ExoSubmissionServer, type ExoUser } from './exo-submission.js';
import { SmtpReplyError } from './listen.js';

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export interface HveOptions extends Omit<ExoSubmissionOptions, 'pathRules' | 'hostname'> {
  hostname?: string;
  /** the tenant's accepted domains: HVE delivers to these only */
  acceptedDomains: string[];
}

export function startHveStandIn(options: HveOptions): Promise<ExoSubmissionServer> {
  const internal = options.acceptedDomains.map((d) => d.toLowerCase());
  return startExoSubmission({
    ...options,
    hostname: options.hostname ?? 'smtp-hve.office365.com',
    pathRules: {
      rcptTo(address, _user, tag) {
        if (internal.includes(domainOf(address))) return undefined;
        return new SmtpReplyError(550, `5.7.1 High Volume Email can send to internal recipients only; ${address} is outside the organization ${tag}`);
      },
    },
  });
}

export interface AcsOptions extends Omit<ExoSubmissionOptions, 'pathRules' | 'hostname' | 'users' | 'authMethods'> {
  hostname?: string;
  /** domains verified on the Email Communication Service resource */
  verifiedDomains: string[];
  /** <resource>.<app id>.<tenant id> logins and their client secrets */
  apps: { username: string; clientSecret: string }[];
}

export function startAcsStandIn(options: AcsOptions): Promise<ExoSubmissionServer> {
  const verified = options.verifiedDomains.map((d) => d.toLowerCase());
  // ACS has no Send As: every sender of a verified domain is the app's own.
  const users: ExoUser[] = options.apps.map((a) => ({ username: a.username, password: a.clientSecret, sendAs: [], anySender: true }));
  return startExoSubmission({
    ...options,
    users,
    authMethods: ['LOGIN', 'PLAIN'],
    hostname: options.hostname ?? 'smtp.azurecomm.net',
    pathRules: {
      mailFrom(address, _user, tag) {
        if (verified.includes(domainOf(address))) return undefined;
        return new SmtpReplyError(550, `5.7.1 Sender domain ${domainOf(address)} is not a verified domain of this Email Communication Service resource ${tag}`);
      },
    },
  });
}
