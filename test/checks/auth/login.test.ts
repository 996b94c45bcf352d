import check from '../../../checks/auth/login.js';
import type { SubmissionProbeData } from '../../../src/evidence/sending.js';
import { testCheck, type InvalidCase } from '../../helpers/check-tester.js';
import { okAuth, reply, submissionPlan } from './fixtures.js';

const exo = submissionPlan();
const own = submissionPlan({ endpoint: 'mail.contoso.com:587' });
const hve = submissionPlan({ endpoint: 'smtp-hve.office365.com:587' });
const oauth = submissionPlan({ password: undefined, oauth2: { accessToken: { env: 'TOKEN' } } });
const auth = (data: SubmissionProbeData) => ({ 'auth.submission': data });
const refused = (text: string, mechanism: 'LOGIN' | 'XOAUTH2' = 'LOGIN') => okAuth({ auth: { attempted: true, mechanism, basic: mechanism !== 'XOAUTH2', ok: false, reply: reply(text) }, senderMatch: undefined });
const notAttempted = (why: string) => auth(okAuth({ auth: { attempted: false, basic: false, ok: false, notAttempted: why } }));
const enableSmtpAuth = "Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false";
const tokenData = (claims: Record<string, unknown>) => ({ entry: 'Scanner', transcript: [], fetches: [{ use: 'smtp', username: 'scanner@contoso.com', source: 'certificate', path: 'submission[0].oauth2', clientId: 'app-1', ok: true, claims, neededUntil: '2026-11-27T03:00:00Z', exchanges: [], durationMs: 5 }] });
const refusedXoauth = okAuth({ auth: { attempted: true, mechanism: 'XOAUTH2', basic: false, ok: false, reply: reply('535 5.7.3 Authentication unsuccessful [AM0PR]') }, senderMatch: undefined });

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
    { name: 'passes Basic authentication on High Volume Email in 2027: its own date is September 2028', plan: hve, now: '2027-02-01T00:00:00Z' },
    { name: 'passes Basic authentication against a server that is not Exchange Online, whatever the date', now: '2027-06-01T00:00:00Z' },
  ],
  invalid: [
    {
      name: 'warns when Basic authentication works against Exchange Online, naming the days left until it is turned off at the end of December 2026',
      status: 'warn',
      plan: exo,
      message: ['Exchange Online turns Basic authentication for SMTP AUTH off by default at the end of December 2026: 35 days left'],
      remediation: ['SMTP.SendAsApp', 'New-ServicePrincipal'],
    },
    { name: 'counts down to the last day of December 2026', status: 'warn', plan: exo, now: '2026-12-31T12:00:00Z', message: [': 1 day left'] },
    ...['2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z'].map((now): InvalidCase => ({
      name: `fails a working Basic login against Exchange Online on ${now.slice(0, 10)}: re-enabled Basic will be removed`,
      status: 'fail',
      plan: exo,
      now,
      message: ['re-enabled Basic will be removed, the final date comes in 2027'],
      remediation: ['oauth2'],
    })),
    { name: 'fails Basic authentication on High Volume Email after September 2028', status: 'fail', plan: hve, now: '2028-10-02T00:00:00Z' },
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
      probes: auth({ ...refused('535 5.7.3 Authentication unsuccessful', 'XOAUTH2'), auth: { attempted: true, mechanism: 'XOAUTH2', basic: false, ok: false, reply: reply('535 5.7.3 Authentication unsuccessful'), challenge: '{"status":"401","schemes":"bearer"}' } }),
      message: ['OAuth access token was refused', '"status":"401"'],
      remediation: ['https://outlook.office365.com'],
    },
    { name: 'warns on a temporary authentication failure', status: 'warn', probes: auth(refused('454 4.7.0 Temporary authentication failure')) },
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
    {
      name: 'says the service principal or the mailbox permission is missing when Exchange refuses a valid token, with the real ids',
      status: 'fail',
      plan: oauth,
      probes: { 'auth.submission': refusedXoauth, 'oauth.token': tokenData({ aud: 'https://outlook.office365.com', roles: ['SMTP.SendAsApp'], appid: '11111111-2222-3333-4444-555555555555', oid: '99999999-8888-7777-6666-555555555555', tid: 't' }) },
      message: ["Exchange Online does not know the app's service principal or the mailbox scanner@contoso.com grants it nothing"],
      powershell:
        "New-ServicePrincipal -AppId '11111111-2222-3333-4444-555555555555' -ObjectId '99999999-8888-7777-6666-555555555555'\nAdd-MailboxPermission -Identity 'scanner@contoso.com' -User '99999999-8888-7777-6666-555555555555' -AccessRights FullAccess",
    },
    {
      name: 'does not blame the service principal when the token itself lacks the role',
      status: 'fail',
      plan: oauth,
      probes: { 'auth.submission': refusedXoauth, 'oauth.token': tokenData({ aud: 'https://outlook.office365.com', roles: [] }) },
      powershell: enableSmtpAuth,
    },
    {
      name: 'gives "basic authentication is disabled" its own meaning: Basic is off for the tenant, move to OAuth',
      status: 'fail',
      plan: exo,
      probes: auth(refused('535 5.7.139 Authentication unsuccessful, basic authentication is disabled [AM0PR]')),
      message: ['Basic authentication is off for this tenant'],
      remediation: ['Move this account to OAuth'],
    },
  ],
});
