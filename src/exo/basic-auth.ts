// What auth.login says about OAuth and Basic authentication on Exchange Online: the dated Basic
// verdict (Exchange Team blog, 27 Jan 2026; MC786329) and the service principal / mailbox grant a
// valid client-credentials token still needs (Microsoft Learn, "Authenticate an IMAP, POP or SMTP
// connection using OAuth": without them AUTH XOAUTH2 gets 535 5.7.3). Pure.
import { BASIC_AUTH_OFF, HVE_BASIC_AUTH_END } from './facts.js';
import { OAUTH_MIGRATION, isExchangeAudience, servicePrincipalLines } from './oauth.js';
import { serviceOf } from './services.js';
import type { OAuthTokenProbeData } from '../evidence/oauth.js';
import type { Finding, SubmissionAccount } from '../types.js';

const DAY = 86_400_000;

/** A working Basic login: warn with the days left before Exchange Online turns it off, fail after. Undefined where Basic has no date. */
export function basicAuthVerdict(account: SubmissionAccount, said: string, now: Date): Finding | undefined {
  const service = serviceOf(account);
  if (service === 'hve') {
    const days = Math.ceil((HVE_BASIC_AUTH_END.getTime() - now.getTime()) / DAY);
    if (days > 0) return undefined; // High Volume Email keeps Basic authentication until September 2028
    return { status: 'fail', message: `${said}; High Volume Email ended Basic authentication in September 2028`, remediation: 'Move the HVE account to OAuth (Mail.Send with Add-HVEAppAccess).' };
  }
  if (service !== 'exchange-online') return undefined;
  const days = Math.ceil((BASIC_AUTH_OFF.getTime() - now.getTime()) / DAY);
  if (days > 0) {
    return {
      status: 'warn',
      message: `${said}; Exchange Online turns Basic authentication for SMTP AUTH off by default at the end of December 2026: ${days} day${days === 1 ? '' : 's'} left`,
      remediation: `Move this account to OAuth before then. ${OAUTH_MIGRATION}`,
      exchangeOnline: 'After the switch Exchange Online answers AUTH LOGIN with 535 5.7.139 Authentication unsuccessful, basic authentication is disabled (or 550 5.7.30).',
    };
  }
  return {
    status: 'fail',
    message: `${said}; Basic authentication for SMTP AUTH has been off by default since the end of December 2026 and this tenant re-enabled it: re-enabled Basic will be removed, the final date comes in 2027`,
    remediation: `Move this account to OAuth now. ${OAUTH_MIGRATION}`,
    exchangeOnline: 'Once removed, Exchange Online answers AUTH LOGIN with 535 5.7.139 Authentication unsuccessful, basic authentication is disabled.',
  };
}

/**
 * 535 5.7.3 after XOAUTH2 with a client-credentials token Exchange Online should accept (its
 * audience and role are right): Exchange does not know the app's service principal, or the
 * mailbox grants it nothing. The lines carry the real ids from the token.
 */
export function servicePrincipalAdvice(account: SubmissionAccount, said: string, tokens: OAuthTokenProbeData | undefined): { meaning: string; fix: string; powershell: string; exchangeOnline: string } | undefined {
  if (!/^535\b/.test(said) || !/\b5\.7\.3\b/.test(said)) return undefined;
  const smtp = tokens?.fetches?.find((f) => f.use === 'smtp' && f.ok && f.claims);
  const c = smtp?.claims;
  if (!c || !c.aud || !isExchangeAudience(c.aud) || !c.roles?.includes(serviceOf(account) === 'hve' ? 'Mail.Send' : 'SMTP.SendAsApp')) return undefined;
  const appId = c.appid ?? smtp!.clientId ?? '<app id>';
  const oid = c.oid ?? '<object id of the enterprise application>';
  return {
    meaning: `the token is valid (audience ${c.aud}, role ${c.roles.join(', ')}), so Exchange Online does not know the app's service principal or the mailbox ${account.username} grants it nothing`,
    fix: `Register the service principal of app ${appId} in Exchange Online and give it the mailbox (Exchange Online PowerShell, Connect-ExchangeOnline first); the object id is the enterprise application's, as the token's oid carries it. Changes can take up to 30 minutes to apply.`,
    powershell: servicePrincipalLines(appId, oid, account.username),
    exchangeOnline: 'Exchange Online answers AUTH XOAUTH2 with 535 5.7.3 Authentication unsuccessful.',
  };
}
