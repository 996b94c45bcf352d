import { describe, expect, it } from 'vitest';
import check from '../../../checks/auth/oauth-token.js';
import { entrySubject, evaluate, submissionPlan } from './fixtures.js';
import type { OAuthTokenProbeData, TokenClaims, TokenFetch } from '../../../src/evidence/oauth.js';

const NOW = new Date('2026-11-27T02:00:00Z');
const exp = (minutes: number) => Math.floor(NOW.getTime() / 1000) + minutes * 60;
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const plan = submissionPlan({ password: undefined, oauth2: { tenantId: TENANT, clientId: 'app-1', clientSecret: { env: 'TOKEN' } } });
const hvePlan = submissionPlan({ endpoint: 'smtp-hve.office365.com:587', password: undefined, oauth2: { tenantId: TENANT, clientId: 'app-1', clientSecret: { env: 'TOKEN' } } });

function fetch(extra: Partial<TokenFetch> = {}, claims: Partial<TokenClaims> = {}): TokenFetch {
  return {
    use: 'smtp',
    username: 'scanner@contoso.com',
    source: 'client-secret',
    path: 'submission[0].oauth2',
    tenantId: TENANT,
    clientId: 'app-1',
    authority: 'https://login.microsoftonline.com',
    ok: true,
    claims: { aud: 'https://outlook.office365.com', roles: ['SMTP.SendAsApp'], tid: TENANT, appid: 'app-1', oid: 'oid-1', exp: exp(60), ...claims },
    neededUntil: new Date(NOW.getTime() + 5 * 60_000).toISOString(),
    exchanges: [],
    durationMs: 120,
    ...extra,
  };
}
const judge = (fetches: TokenFetch[], p = plan) => evaluate(check, p, entrySubject(p), { 'oauth.token': { entry: 'Scanner', fetches, transcript: [] } satisfies OAuthTokenProbeData });

describe('auth.oauth-token', () => {
  it('passes a token for Exchange Online with the role of the service, the plan tenant, valid past the run', () => {
    const f = judge([fetch()]);
    expect(f.status).toBe('pass');
    expect(f.message).toContain('for https://outlook.office365.com with roles SMTP.SendAsApp, app app-1 in tenant 72f988bf');
  });

  it.each([
    ['an audience other than Exchange Online', { aud: 'https://graph.microsoft.com' }, /the audience \(aud\) is https:\/\/graph\.microsoft\.com, not Exchange Online/],
    ['a token without roles (no admin consent)', { roles: undefined }, /carries no role at all, not SMTP\.SendAsApp: admin consent for the application permission is missing/],
    ['a token with another role', { roles: ['Mail.Read'] }, /carries the roles Mail\.Read, not SMTP\.SendAsApp/],
    ['a token from another tenant', { tid: '00000000-0000-0000-0000-000000000000' }, /issued by tenant 00000000-0000-0000-0000-000000000000, not the plan's tenant/],
    ['an expired token', { exp: exp(-1) }, /expired at/],
    ['a delegated token without SMTP.Send', { roles: undefined, scp: 'Mail.Read' }, /a delegated token with scopes "Mail\.Read", without SMTP\.Send/],
  ])('fails %s', (_what, claims, message) => {
    const f = judge([fetch({}, claims as Partial<TokenClaims>)]);
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(message);
    expect(f.remediation).toBeTruthy();
  });

  it("warns when the token expires before the run's deadline", () => {
    const f = judge([fetch({}, { exp: exp(2) })]);
    expect(f.status).toBe('warn');
    expect(f.message).toContain("before the run's deadline");
  });

  it('accepts the audience forms Exchange Online accepts', () => {
    for (const aud of ['https://outlook.office.com', '00000002-0000-0ff1-ce00-000000000000', 'https://outlook.office365.com/']) expect(judge([fetch({}, { aud })]).status).toBe('pass');
  });

  it('asks IMAP tokens for IMAP.AccessAsApp and High Volume Email tokens for Mail.Send', () => {
    expect(judge([fetch({ use: 'imap', username: 'it@contoso.com' })]).message).toMatch(/IMAP token for it@contoso\.com: the token carries the roles SMTP\.SendAsApp, not IMAP\.AccessAsApp/);
    const hve = judge([fetch({}, { roles: ['SMTP.SendAsApp'] })], hvePlan);
    expect(hve.message).toContain('not Mail.Send');
    expect(hve.remediation).toContain('Add-HVEAppAccess');
    expect(judge([fetch({}, { roles: ['Mail.Send'] })], hvePlan).status).toBe('pass');
  });

  it('reports, without comparing, the tenant of a plan that names its tenant by domain', () => {
    const f = judge([fetch({ tenantId: 'contoso.onmicrosoft.com' })]);
    expect(f.status).toBe('pass');
    expect(f.message).toContain(`in tenant ${TENANT}`);
  });

  it.each([
    [7000215, 'invalid_client', /client secret is wrong/],
    [7000222, 'invalid_client', /client secret has expired/],
    [700016, 'unauthorized_client', /no application with this client id/],
    [90002, 'invalid_request', /tenant was not found/],
    [700027, 'invalid_client', /certificate the app registration does not know|signed with a certificate the app registration does not know/],
    [700024, 'invalid_client', /clock is off/],
    [500011, 'invalid_resource', /Exchange Online\) was not found in the tenant/],
  ])('explains AADSTS%s', (code, error, meaning) => {
    const f = judge([fetch({ ok: false, claims: undefined, failure: { message: 'refused', aadsts: code, error, httpStatus: 400, correlationId: 'c-1' } })]);
    expect(f.status).toBe('fail');
    expect(f.message).toContain(`AADSTS${code}`);
    expect(f.message).toMatch(meaning);
    expect(f.message).toContain('correlation id c-1');
  });

  it('falls back on the OAuth error field for an AADSTS code it does not know', () => {
    const f = judge([fetch({ ok: false, claims: undefined, failure: { message: 'refused', aadsts: 9999999, error: 'invalid_scope' } })]);
    expect(f.message).toContain('AADSTS9999999');
    expect(f.message).toContain('the scope was refused');
  });

  it('says what went wrong when the endpoint gave no OAuth answer at all', () => {
    const f = judge([fetch({ ok: false, claims: undefined, failure: { message: 'no answer from login.microsoftonline.com within 20000 ms' } })]);
    expect(f.status).toBe('fail');
    expect(f.message).toContain('no answer from login.microsoftonline.com within 20000 ms');
    expect(f.remediation).toContain('HTTPS_PROXY');
  });

  it('cannot judge a ready token that is not a JWT, and says so', () => {
    expect(judge([fetch({ source: 'access-token', claims: undefined, opaque: true })]).message).toContain('not a JWT; nothing to judge offline');
  });

  it('warns ahead of the app certificate expiry within the plan window', () => {
    const f = judge([fetch({ source: 'certificate', credentialExpires: '2026-12-10T00:00:00.000Z', certificateSubject: 'CN=app' })]);
    expect(f.status).toBe('warn');
    expect(f.message).toContain('the app certificate (CN=app) expires in 12 days (2026-12-10)');
  });

  it('does not apply to accounts with a password', () => {
    const basic = submissionPlan();
    expect(check.appliesTo!(entrySubject(basic), basic)).toBe(false);
    expect(check.appliesTo!(entrySubject(plan), plan)).toBe(true);
  });
});
