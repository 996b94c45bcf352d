import check from '../../../checks/auth/login.js';
import type { SubmissionProbeData } from '../../../src/evidence/sending.js';
import { testCheck, type InvalidCase } from '../../helpers/check-tester.js';
import { okAuth, reply, submissionPlan } from './fixtures.js';

const exo = submissionPlan();
const own = submissionPlan({ endpoint: 'mail.contoso.com:587' });
const oauth = submissionPlan({ password: undefined, oauth2: { accessToken: { env: 'TOKEN' } } });
const auth = (data: SubmissionProbeData) => ({ 'auth.submission': data });
const refused = (text: string, mechanism: 'LOGIN' | 'XOAUTH2' = 'LOGIN') => okAuth({ auth: { attempted: true, mechanism, basic: mechanism !== 'XOAUTH2', ok: false, reply: reply(text) }, senderMatch: undefined });
const notAttempted = (why: string) => auth(okAuth({ auth: { attempted: false, basic: false, ok: false, notAttempted: why } }));
const enableSmtpAuth = "Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false";

/** Exchange Online's (and Postfix's) refusals: each is quoted, explained, and fixed where a cmdlet fixes it. */
const refusals: [reply: string, meaning: RegExp, powershell: string | null][] = [
  ['535 5.7.3 Authentication unsuccessful [AM0PR]', /wrong password, SMTP AUTH disabled for the mailbox, MFA/, enableSmtpAuth],
  ['535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.', /switched off for the whole tenant/, enableSmtpAuth],
  ['535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.', /switched off for this mailbox/, enableSmtpAuth],
  ["535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.", /security defaults are on/, null],
  ['535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully.', /Conditional Access policy blocked/, null],
  ['550 5.7.30 Basic authentication is not supported for Client Submission.', /Basic authentication .* is no longer accepted/, null],
  ['535 5.7.8 Error: authentication failed: authentication failure', /refused the user name or password/, null],
];

testCheck(check, {
  defaults: { plan: own, probes: auth(okAuth()) },
  valid: [
    { name: 'passes when the account authenticates after STARTTLS', message: 'authenticated as scanner@contoso.com with LOGIN after STARTTLS (TLSv1.3): “235 2.7.0 Authentication successful”' },
    {
      name: 'passes OAuth (XOAUTH2) against Exchange Online without a warning',
      plan: oauth,
      probes: auth(okAuth({ auth: { attempted: true, mechanism: 'XOAUTH2', basic: false, ok: true, reply: reply('235 2.7.0 Authentication successful') } })),
    },
  ],
  invalid: [
    {
      name: 'warns when Basic authentication is used against Exchange Online, which turns it off at the end of December 2026',
      status: 'warn',
      plan: exo,
      message: ['Exchange Online turns Basic authentication for SMTP AUTH off by default at the end of December 2026'],
      remediation: ['XOAUTH2'],
    },
    {
      name: 'still warns on Basic authentication after December 2026, saying it is now off by default and this tenant still allows it',
      status: 'warn',
      plan: exo,
      now: '2027-02-01T00:00:00Z',
      message: ['has turned Basic authentication for SMTP AUTH off by default since the end of December 2026; this tenant still allows it'],
    },
    ...refusals.map(([text, meaning, powershell]): InvalidCase => ({
      name: `fails on ${text}, quoting it and saying what it means`,
      status: 'fail',
      plan: exo,
      probes: auth(refused(text)),
      message: [`“${text}”`, meaning],
      remediation: /\S/,
      powershell,
    })),
    {
      name: 'does not guess "switched off for this mailbox" for a 5.7.139 wording it does not know',
      status: 'fail',
      plan: exo,
      probes: auth(refused('535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.')),
      message: ['“535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.”', /for the reason the reply states/],
      excludes: [/switched off for this mailbox/],
      remediation: ['Entra sign-in logs'],
      powershell: null,
    },
    {
      name: 'explains a refused OAuth token with the token audience, not the password',
      status: 'fail',
      plan: oauth,
      probes: auth({
        ...refused('535 5.7.3 Authentication unsuccessful', 'XOAUTH2'),
        auth: { attempted: true, mechanism: 'XOAUTH2', basic: false, ok: false, reply: reply('535 5.7.3 Authentication unsuccessful'), challenge: '{"status":"401","schemes":"bearer"}' },
      }),
      message: ['OAuth access token was refused', '"status":"401"'],
      remediation: ['https://outlook.office.com'],
    },
    { name: 'warns on a temporary authentication failure', status: 'warn', probes: auth(refused('454 4.7.0 Temporary authentication failure')), includes: ['454 4.7.0'] },
    {
      name: 'fails without STARTTLS and says to enable STARTTLS, not a mechanism',
      status: 'fail',
      probes: notAttempted('STARTTLS is not offered, and relaycheck never sends credentials without TLS'),
      message: 'not authenticated: STARTTLS is not offered, and relaycheck never sends credentials without TLS',
      remediation: /^Enable STARTTLS on the submission endpoint/,
    },
    {
      name: 'fails when the server does not offer the mechanism the plan needs',
      status: 'fail',
      plan: oauth,
      probes: notAttempted('the server offers AUTH PLAIN LOGIN after STARTTLS, not XOAUTH2, which oauth2.accessToken needs (not offered)'),
      message: ['not XOAUTH2'],
    },
    {
      name: 'cannot decide when it did not dare to send the credentials',
      status: 'error',
      probes: notAttempted("the server's certificate is not trusted for mail.contoso.com (SELF_SIGNED_CERT_IN_CHAIN), and relaycheck does not send credentials to a server it cannot authenticate"),
      message: /^could not decide: AUTH was not tried — the server's certificate is not trusted/,
    },
    {
      name: 'is skipped for an account already refused in this run',
      status: 'skipped',
      probes: auth(okAuth({ auth: { attempted: false, basic: false, ok: false }, skippedAfterRefusal: { kind: 'auth', reply: '535 5.7.3 Authentication unsuccessful', entry: 'Other' } })),
      message: ['was already refused in this run'],
    },
  ],
});
