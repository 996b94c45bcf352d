import { describe, expect, it } from 'vitest';
import check from '../../../checks/auth/login.js';
import { entrySubject, evaluate, okAuth, reply, submissionPlan } from './fixtures.js';
import type { SubmissionProbeData } from '../../../src/evidence/sending.js';
import type { Plan } from '../../../src/types.js';

const exo = submissionPlan();
const own = submissionPlan({ endpoint: 'mail.contoso.com:587' });
const oauth = submissionPlan({ password: undefined, oauth2: { accessToken: { env: 'TOKEN' } } });
const judge = (plan = own, data: SubmissionProbeData = okAuth()) => evaluate(check, plan, entrySubject(plan), { 'auth.submission': data });
const refused = (text: string, mechanism: 'LOGIN' | 'XOAUTH2' = 'LOGIN') => okAuth({ auth: { attempted: true, mechanism, basic: mechanism !== 'XOAUTH2', ok: false, reply: reply(text) }, senderMatch: undefined });

describe('auth.login', () => {
  it('passes when the account authenticates after STARTTLS', () => {
    expect(judge()).toMatchObject({ status: 'pass', message: 'authenticated as scanner@contoso.com with LOGIN after STARTTLS (TLSv1.3): “235 2.7.0 Authentication successful”' });
  });

  const at = (plan: Plan, now: string) => {
    const out = check.evaluate({ subject: entrySubject(plan), plan, probes: { 'auth.submission': okAuth() }, now: new Date(now), options: { send: true } });
    return Array.isArray(out) ? out[0]! : out;
  };

  it('warns when Basic authentication works against Exchange Online, naming the days left until it is turned off at the end of December 2026', () => {
    const f = judge(exo);
    expect(f.status).toBe('warn');
    expect(f.message).toContain('Exchange Online turns Basic authentication for SMTP AUTH off by default at the end of December 2026: 35 days left');
    expect(f.remediation).toContain('SMTP.SendAsApp');
    expect(f.remediation).toContain('New-ServicePrincipal');
    expect(at(exo, '2026-12-31T12:00:00Z').message).toContain(': 1 day left');
  });

  it('fails a working Basic login against Exchange Online from 1 January 2027: re-enabled Basic will be removed', () => {
    for (const now of ['2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z']) {
      const f = at(exo, now);
      expect(f.status).toBe('fail');
      expect(f.message).toContain('re-enabled Basic will be removed, the final date comes in 2027');
      expect(f.remediation).toContain('oauth2');
    }
  });

  it('judges Basic authentication on High Volume Email by its own date (September 2028), not the SMTP AUTH one', () => {
    const hve = submissionPlan({ endpoint: 'smtp-hve.office365.com:587' });
    expect(at(hve, '2027-02-01T00:00:00Z').status).toBe('pass');
    expect(at(hve, '2028-10-02T00:00:00Z').status).toBe('fail');
  });

  it('passes Basic authentication against a server that is not Exchange Online, whatever the date', () => {
    expect(at(own, '2027-06-01T00:00:00Z').status).toBe('pass');
  });

  it('passes OAuth (XOAUTH2) against Exchange Online without a warning', () => {
    expect(judge(oauth, okAuth({ auth: { attempted: true, mechanism: 'XOAUTH2', basic: false, ok: true, reply: reply('235 2.7.0 Authentication successful') } })).status).toBe('pass');
  });

  it.each([
    ['535 5.7.3 Authentication unsuccessful [AM0PR]', /wrong password, SMTP AUTH disabled for the mailbox, MFA/, "Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false"],
    ['535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.', /switched off for the whole tenant/, "Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false"],
    ['535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.', /switched off for this mailbox/, "Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false"],
    ["535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.", /security defaults are on/, undefined],
    ['535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully.', /Conditional Access policy blocked/, undefined],
    ['550 5.7.30 Basic authentication is not supported for Client Submission.', /Basic authentication .* is no longer accepted/, undefined],
    ['535 5.7.8 Error: authentication failed: authentication failure', /refused the user name or password/, undefined],
  ])('fails on %s, quoting it and saying what it means', (text, meaning, powershell) => {
    const f = judge(exo, refused(text));
    expect(f.status).toBe('fail');
    expect(f.message).toContain(`“${text}”`);
    expect(f.message).toMatch(meaning);
    expect(f.remediation).toBeTruthy();
    expect(f.powershell).toBe(powershell);
  });

  it('does not guess "switched off for this mailbox" for a 5.7.139 wording it does not know', () => {
    const text = '535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.';
    const f = judge(exo, refused(text));
    expect(f.status).toBe('fail');
    expect(f.message).toContain(`“${text}”`);
    expect(f.message).not.toMatch(/switched off for this mailbox/);
    expect(f.message).toMatch(/for the reason the reply states/);
    expect(f.remediation).toContain('Entra sign-in logs');
    expect(f.powershell).toBeUndefined();
  });

  it('explains a refused OAuth token with the token audience, not the password', () => {
    const f = judge(oauth, { ...refused('535 5.7.3 Authentication unsuccessful', 'XOAUTH2'), auth: { attempted: true, mechanism: 'XOAUTH2', basic: false, ok: false, reply: reply('535 5.7.3 Authentication unsuccessful'), challenge: '{"status":"401","schemes":"bearer"}' } });
    expect(f.message).toContain('OAuth access token was refused');
    expect(f.message).toContain('"status":"401"');
    expect(f.remediation).toContain('https://outlook.office365.com');
  });

  it('warns on a temporary authentication failure', () => {
    expect(judge(own, refused('454 4.7.0 Temporary authentication failure')).status).toBe('warn');
  });

  it('fails without STARTTLS and says to enable STARTTLS, not a mechanism', () => {
    const f = judge(own, okAuth({ auth: { attempted: false, basic: false, ok: false, notAttempted: 'STARTTLS is not offered, and relaycheck never sends credentials without TLS' } }));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('not authenticated: STARTTLS is not offered, and relaycheck never sends credentials without TLS');
    expect(f.remediation).toMatch(/^Enable STARTTLS on the submission endpoint/);
  });

  it('fails when the server does not offer the mechanism the plan needs', () => {
    const f = judge(oauth, okAuth({ auth: { attempted: false, basic: false, ok: false, notAttempted: 'the server offers AUTH PLAIN LOGIN after STARTTLS, not XOAUTH2, which oauth2.accessToken needs (not offered)' } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('not XOAUTH2');
  });

  it('cannot decide when it did not dare to send the credentials', () => {
    const f = judge(own, okAuth({ auth: { attempted: false, basic: false, ok: false, notAttempted: "the server's certificate is not trusted for mail.contoso.com (SELF_SIGNED_CERT_IN_CHAIN), and relaycheck does not send credentials to a server it cannot authenticate" } }));
    expect(f.status).toBe('error');
    expect(f.message).toMatch(/^could not decide: AUTH was not tried — the server's certificate is not trusted/);
  });

  it('is skipped for an account already refused in this run', () => {
    const f = judge(own, okAuth({ auth: { attempted: false, basic: false, ok: false }, skippedAfterRefusal: { kind: 'auth', reply: '535 5.7.3 Authentication unsuccessful', entry: 'Other' } }));
    expect(f.status).toBe('skipped');
    expect(f.message).toContain('was already refused in this run');
  });
});

describe('auth.login with OAuth client credentials', () => {
  const oauthPlan = submissionPlan({ password: undefined, oauth2: { accessToken: { env: 'TOKEN' } } });
  const tokenData = (claims: Record<string, unknown>) => ({ entry: 'Scanner', transcript: [], fetches: [{ use: 'smtp', username: 'scanner@contoso.com', source: 'certificate', path: 'submission[0].oauth2', clientId: 'app-1', ok: true, claims, neededUntil: '2026-11-27T03:00:00Z', exchanges: [], durationMs: 5 }] });
  const refusedXoauth = okAuth({ auth: { attempted: true, mechanism: 'XOAUTH2', basic: false, ok: false, reply: reply('535 5.7.3 Authentication unsuccessful [AM0PR]') }, senderMatch: undefined });

  it('says the service principal or the mailbox permission is missing when Exchange refuses a valid token, with the real ids', () => {
    const claims = { aud: 'https://outlook.office365.com', roles: ['SMTP.SendAsApp'], appid: '11111111-2222-3333-4444-555555555555', oid: '99999999-8888-7777-6666-555555555555', tid: 't' };
    const f = evaluate(check, oauthPlan, entrySubject(oauthPlan), { 'auth.submission': refusedXoauth, 'oauth.token': tokenData(claims) });
    expect(f.status).toBe('fail');
    expect(f.message).toContain('Exchange Online does not know the app\'s service principal or the mailbox scanner@contoso.com grants it nothing');
    expect(f.powershell).toBe(
      "New-ServicePrincipal -AppId '11111111-2222-3333-4444-555555555555' -ObjectId '99999999-8888-7777-6666-555555555555'\nAdd-MailboxPermission -Identity 'scanner@contoso.com' -User '99999999-8888-7777-6666-555555555555' -AccessRights FullAccess",
    );
  });

  it('does not blame the service principal when the token itself lacks the role', () => {
    const f = evaluate(check, oauthPlan, entrySubject(oauthPlan), { 'auth.submission': refusedXoauth, 'oauth.token': tokenData({ aud: 'https://outlook.office365.com', roles: [] }) });
    expect(f.status).toBe('fail');
    expect(f.powershell ?? '').not.toContain('New-ServicePrincipal');
  });

  it('gives "basic authentication is disabled" its own meaning: Basic is off for the tenant, move to OAuth', () => {
    const f = judge(exo, refused('535 5.7.139 Authentication unsuccessful, basic authentication is disabled [AM0PR]'));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('Basic authentication is off for this tenant');
    expect(f.remediation).toContain('Move this account to OAuth');
  });
});
