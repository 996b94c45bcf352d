// Verifies that each submission account can authenticate after STARTTLS (RFC 4954; Microsoft:
// SMTP AUTH client submission) and explains Exchange Online's refusals (535 5.7.3, 535 5.7.139,
// 550 5.7.30, 530 5.7.57). Basic authentication for Exchange Online client submission is off by
// default from the end of December 2026: warn with the days left, fail from 1 January 2027.
import { defineCheck } from '../../src/check-kit/define.js';
import type { Finding } from '../../src/types.js';
import { explainAuthRefusal, isExchangeOnlineHost, quote, replyText } from '../../src/exo/replies.js';
import { serviceOf } from '../../src/exo/services.js';
import type { SubmissionProbeData } from '../../src/evidence/sending.js';
import { basicAuthVerdict, servicePrincipalAdvice } from '../../src/exo/basic-auth.js';
import type { OAuthTokenProbeData } from '../../src/evidence/oauth.js';

export default defineCheck({
  id: 'auth.login',
  title: 'The submission account authenticates',
  failureTitle: 'The submission account cannot authenticate',
  severity: 'high',
  scope: 'entry',
  description: 'After STARTTLS, AUTH PLAIN / LOGIN (password) or XOAUTH2 (OAuth token) succeeds with 235; refusals are explained (5.7.3, 5.7.139, 5.7.30, 5.7.57).',
  remediation: 'Check the credentials the plan reads and that SMTP AUTH is enabled for the mailbox.',
  requires: ['auth.submission', 'oauth.token'],
  appliesTo: (s) => s.scope === 'entry' && s.entry.kind === 'submission',
  evaluate({ subject, probes, now }): Finding {
    if (subject.scope !== 'entry' || subject.entry.kind !== 'submission') throw new Error('submission accounts only');
    const account = subject.entry;
    const data = probes['auth.submission'] as SubmissionProbeData;
    const auth = data.auth;
    const oauth = Boolean(account.oauth2) && auth.mechanism !== 'PLAIN' && auth.mechanism !== 'LOGIN';
    if (data.skippedAfterRefusal) {
      return { status: 'skipped', message: `not tried: ${account.username} was already refused in this run (${data.skippedAfterRefusal.reply}, seen by "${data.skippedAfterRefusal.entry}"); relaycheck stops on an account after the first refusal, as Exchange Online throttles accounts that keep failing (5.2.25x)` };
    }
    if (!auth.attempted) {
      const why = auth.notAttempted ?? (data.failure ? `the session stopped at ${data.failure.phase}: ${data.failure.message}` : 'unknown');
      // A server that does not offer the account's mechanism is a finding; everything else means "could not decide".
      if (/not offered|no AUTH/i.test(why)) {
        return {
          status: 'fail',
          message: `not authenticated: ${why}`,
          remediation: /^STARTTLS is not offered/.test(why)
            ? 'Enable STARTTLS on the submission endpoint, and offer AUTH only after it (Postfix: smtpd_tls_security_level = encrypt, smtpd_tls_auth_only = yes).'
            : oauth
            ? 'Enable XOAUTH2 on the server, or configure a password for PLAIN/LOGIN.'
            : 'Enable AUTH PLAIN or LOGIN after STARTTLS on the server (Postfix: smtpd_sasl_auth_enable = yes), or use OAuth (XOAUTH2) where the server offers it.',
          ...(isExchangeOnlineHost(account.endpoint.host) && !oauth ? { exchangeOnline: 'Exchange Online offers AUTH LOGIN and XOAUTH2 after STARTTLS; without LOGIN Basic authentication is off for the tenant (550 5.7.30).' } : {}),
        };
      }
      return { status: 'error', message: `could not decide: AUTH was not tried — ${why}` };
    }
    const mech = auth.mechanism ?? 'AUTH';
    const said = replyText(auth.reply);
    if (auth.ok) {
      const evidence = { mechanism: mech, reply: said, tls: data.tls?.protocol ?? null };
      const basic = auth.basic ? basicAuthVerdict(account, `authenticated as ${account.username} with ${mech} (Basic authentication) after STARTTLS (${quote(said)})`, now) : undefined;
      if (basic) return { ...basic, evidence };
      return { status: 'pass', message: `authenticated as ${account.username} with ${mech} after STARTTLS${data.tls?.protocol ? ` (${data.tls.protocol})` : ''}: ${quote(said)}`, evidence };
    }
    const why = explainAuthRefusal(said, { username: account.username, oauth });
    const principal = oauth ? servicePrincipalAdvice(account, said, probes['oauth.token'] as OAuthTokenProbeData | undefined) : undefined;
    if (principal) Object.assign(why, principal);
    const challenge = auth.challenge ? `; the server's XOAUTH2 error: ${auth.challenge}` : '';
    return {
      status: why.temporary ? 'warn' : 'fail',
      message: `${account.username} was refused with ${mech}: ${quote(said)} — ${why.meaning}${challenge}`,
      remediation: why.fix,
      ...(why.exchangeOnline ? { exchangeOnline: why.exchangeOnline } : {}),
      ...(why.powershell ? { powershell: why.powershell } : {}),
      evidence: { mechanism: mech, reply: said },
    };
  },
});
