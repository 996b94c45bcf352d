import { describe, expect, it } from 'vitest';
import check from '../../../checks/auth/oauth-token.js';
import type { OAuthTokenProbeData, TokenClaims, TokenFetch } from '../../../src/evidence/oauth.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import type { Plan } from '../../../src/types.js';
import { testCheck, type InvalidCase, type ValidCase } from '../../helpers/check-tester.js';
import { submissionPlan } from './fixtures.js';

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
/** The probe data of one token fetch. */
const token = (extra: Partial<TokenFetch> = {}, claims: Partial<TokenClaims> = {}) => ({ 'oauth.token': { entry: 'Scanner', fetches: [fetch(extra, claims)], transcript: [] } satisfies OAuthTokenProbeData });
const refused = (failure: NonNullable<TokenFetch['failure']>) => token({ ok: false, claims: undefined, failure });

/** Every AADSTS answer the table explains, in its words, with Entra ID's correlation id. */
const aadsts: [code: number, error: string, meaning: RegExp][] = [
  [7000215, 'invalid_client', /client secret is wrong/],
  [7000222, 'invalid_client', /client secret has expired/],
  [700016, 'unauthorized_client', /no application with this client id/],
  [90002, 'invalid_request', /tenant was not found/],
  [700027, 'invalid_client', /signed with a certificate the app registration does not know/],
  [700024, 'invalid_client', /clock is off/],
  [500011, 'invalid_resource', /Exchange Online\) was not found in the tenant/],
];

testCheck(check, {
  defaults: { plan, now: NOW, probes: token() },
  valid: [
    {
      name: 'passes a token for Exchange Online with the role of the service, the plan tenant, valid past the run',
      message: ['for https://outlook.office365.com with roles SMTP.SendAsApp, app app-1 in tenant 72f988bf'],
    },
    ...['https://outlook.office.com', '00000002-0000-0ff1-ce00-000000000000', 'https://outlook.office365.com/'].map((aud): ValidCase => ({
      name: `accepts the audience ${aud}, a form Exchange Online accepts`,
      probes: token({}, { aud }),
    })),
    { name: 'passes a High Volume Email token that carries Mail.Send', plan: hvePlan, probes: token({}, { roles: ['Mail.Send'] }) },
    {
      name: 'reports, without comparing, the tenant of a plan that names its tenant by domain',
      probes: token({ tenantId: 'contoso.onmicrosoft.com' }),
      message: [`in tenant ${TENANT}`],
    },
    {
      name: 'cannot judge a ready token that is not a JWT, and says so',
      probes: token({ source: 'access-token', claims: undefined, opaque: true }),
      message: ['not a JWT; nothing to judge offline'],
    },
  ],
  invalid: [
    {
      name: 'fails an audience other than Exchange Online',
      status: 'fail',
      probes: token({}, { aud: 'https://graph.microsoft.com' }),
      message: /the audience \(aud\) is https:\/\/graph\.microsoft\.com, not Exchange Online/,
      remediation: ['https://outlook.office365.com/.default'],
    },
    {
      name: 'fails a token without roles, saying admin consent is missing',
      status: 'fail',
      probes: token({}, { roles: undefined }),
      message: /carries no role at all, not SMTP\.SendAsApp: admin consent for the application permission is missing/,
      remediation: ['SMTP.SendAsApp', 'admin consent'],
    },
    {
      name: 'fails a token with another role',
      status: 'fail',
      probes: token({}, { roles: ['Mail.Read'] }),
      message: /carries the roles Mail\.Read, not SMTP\.SendAsApp/,
      remediation: ['SMTP.SendAsApp'],
    },
    {
      name: 'fails a token from another tenant',
      status: 'fail',
      probes: token({}, { tid: '00000000-0000-0000-0000-000000000000' }),
      message: /issued by tenant 00000000-0000-0000-0000-000000000000, not the plan's tenant/,
      remediation: ['submission[0].oauth2.tenantId'],
    },
    { name: 'fails an expired token', status: 'fail', probes: token({}, { exp: exp(-1) }), message: /expired at/, remediation: ['clock'] },
    {
      name: 'fails a delegated token without SMTP.Send',
      status: 'fail',
      probes: token({}, { roles: undefined, scp: 'Mail.Read' }),
      message: /a delegated token with scopes "Mail\.Read", without SMTP\.Send/,
      remediation: ['SMTP.Send'],
    },
    {
      name: "warns when the token expires before the run's deadline",
      status: 'warn',
      probes: token({}, { exp: exp(2) }),
      message: ["before the run's deadline"],
    },
    {
      name: 'asks IMAP tokens for IMAP.AccessAsApp',
      status: 'fail',
      probes: token({ use: 'imap', username: 'it@contoso.com' }),
      message: /IMAP token for it@contoso\.com: the token carries the roles SMTP\.SendAsApp, not IMAP\.AccessAsApp/,
    },
    {
      name: 'asks High Volume Email tokens for Mail.Send, granted with Add-HVEAppAccess',
      status: 'fail',
      plan: hvePlan,
      probes: token({}, { roles: ['SMTP.SendAsApp'] }),
      message: ['not Mail.Send'],
      remediation: ['Add-HVEAppAccess'],
    },
    ...aadsts.map(([code, error, meaning]): InvalidCase => ({
      name: `explains AADSTS${code}`,
      status: 'fail',
      probes: refused({ message: 'refused', aadsts: code, error, httpStatus: 400, correlationId: 'c-1' }),
      message: [`AADSTS${code}`, meaning, 'correlation id c-1'],
    })),
    {
      name: 'falls back on the OAuth error field for an AADSTS code it does not know',
      status: 'fail',
      probes: refused({ message: 'refused', aadsts: 9999999, error: 'invalid_scope' }),
      message: ['AADSTS9999999', 'the scope was refused'],
    },
    {
      name: 'says what went wrong when the endpoint gave no OAuth answer at all',
      status: 'fail',
      probes: refused({ message: 'no answer from login.microsoftonline.com within 20000 ms' }),
      message: ['no answer from login.microsoftonline.com within 20000 ms'],
      remediation: ['HTTPS_PROXY'],
    },
    {
      name: 'warns ahead of the app certificate expiry within the plan window',
      status: 'warn',
      probes: token({ source: 'certificate', credentialExpires: '2026-12-10T00:00:00.000Z', certificateSubject: 'CN=app' }),
      message: ['the app certificate (CN=app) expires in 12 days (2026-12-10)'],
    },
  ],
});

describe('auth.oauth-token', () => {
  const entryOf = (p: Plan) => subjectsFor('entry', p).find((s) => s.scope === 'entry' && s.entry.kind === 'submission')!;

  it('does not apply to accounts with a password', () => {
    const basic = submissionPlan();
    expect(check.appliesTo!(entryOf(basic), basic)).toBe(false);
    expect(check.appliesTo!(entryOf(plan), plan)).toBe(true);
  });
});
