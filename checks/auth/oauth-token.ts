// Verifies the OAuth access token each oauth2 block yields, as Exchange Online will judge it
// (Microsoft Learn, "Authenticate an IMAP, POP or SMTP connection using OAuth"): aud Exchange
// Online, the application role of the service, the plan's tenant, valid past the run; and warns before the app's credential expires.
import { defineCheck, combine, type Observation } from '../../src/check-kit/define.js';
import { explainTokenError } from '../../src/exo/aadsts.js';
import { isExchangeAudience, requiredRole, roleGrantHint } from '../../src/exo/oauth.js';
import { serviceOf } from '../../src/exo/services.js';
import { oauthUses } from '../../src/oauth/uses.js';
import type { OAuthTokenProbeData, TokenFetch } from '../../src/evidence/oauth.js';
import type { Plan, SubmissionAccount } from '../../src/types.js';

const DAY = 86_400_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function label(f: TokenFetch): string {
  return `${f.use === 'smtp' ? 'SMTP' : 'IMAP'} token for ${f.username}`;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function failure(f: TokenFetch): Observation {
  const fail = f.failure!;
  const known = explainTokenError(fail.aadsts, fail.error);
  const code = fail.aadsts ? `AADSTS${fail.aadsts}` : fail.error;
  const where = fail.correlationId ? ` (correlation id ${fail.correlationId})` : '';
  if (known) {
    return {
      status: 'fail',
      message: `${label(f)}: the token endpoint refused the client credentials of app ${f.clientId}: ${code} — ${known.meaning}${where}`,
      remediation: known.fix,
    };
  }
  return {
    status: 'fail',
    message: `${label(f)}: no token from ${f.authority}/${f.tenantId}: ${fail.message}${code ? ` (${code})` : ''}${where}`,
    remediation: `Check that ${f.path}.authority (default https://login.microsoftonline.com) and tenantId are right and that this machine reaches the authority over HTTPS (firewall, HTTPS_PROXY, the plan's trust for a TLS-inspecting proxy).`,
  };
}

function judgeClaims(f: TokenFetch, entryService: ReturnType<typeof serviceOf>, now: Date): Observation[] {
  const c = f.claims!;
  const out: Observation[] = [];
  if (!c.aud || !isExchangeAudience(c.aud)) {
    out.push({
      status: 'fail',
      message: `${label(f)}: the audience (aud) is ${c.aud ?? 'missing'}, not Exchange Online, which refuses it with 535 5.7.3`,
      remediation: `Ask for the Exchange Online scope: set ${f.path}.scope to https://outlook.office365.com/.default (or leave it out).`,
    });
  }
  const role = requiredRole(f.use, entryService);
  if (c.scp && !c.roles?.length) {
    const needed = f.use === 'smtp' ? 'SMTP.Send' : 'IMAP.AccessAsUser.All';
    if (!c.scp.split(' ').includes(needed)) {
      out.push({ status: 'fail', message: `${label(f)}: a delegated token with scopes "${c.scp}", without ${needed}`, remediation: `Request the delegated permission ${needed}, or better for an unattended device, client credentials with ${role}.` });
    }
  } else if (!c.roles?.includes(role)) {
    const has = c.roles?.length ? `the roles ${c.roles.join(', ')}` : 'no role at all';
    out.push({
      status: 'fail',
      message: `${label(f)}: the token carries ${has}, not ${role}${c.roles?.length ? '' : ': admin consent for the application permission is missing (Entra ID issues the token anyway, and Exchange Online refuses it with 535 5.7.3)'}`,
      remediation: `In Entra ID, ${roleGrantHint(role)}.`,
    });
  }
  if (f.tenantId && c.tid) {
    if (GUID.test(f.tenantId) && c.tid.toLowerCase() !== f.tenantId.toLowerCase()) {
      out.push({ status: 'fail', message: `${label(f)}: issued by tenant ${c.tid}, not the plan's tenant ${f.tenantId}`, remediation: `Set ${f.path}.tenantId to the tenant that holds the mailbox.` });
    }
  }
  if (c.exp !== undefined) {
    const exp = c.exp * 1000;
    if (exp <= now.getTime()) out.push({ status: 'fail', message: `${label(f)}: expired at ${new Date(exp).toISOString()}`, remediation: f.source === 'access-token' ? 'A ready token lives about an hour: use client credentials (tenantId, clientId, certificate) so relaycheck obtains one each run.' : 'Check the clock of this machine.' });
    else if (exp < Date.parse(f.neededUntil)) {
      out.push({ status: 'warn', message: `${label(f)}: expires at ${new Date(exp).toISOString()}, before the run's deadline ${f.neededUntil}`, remediation: 'Use client credentials so relaycheck obtains a fresh token each run, or shorten --deadline.' });
    }
  }
  return out;
}

function credentialExpiry(f: TokenFetch, plan: Plan, now: Date): Observation | undefined {
  if (!f.credentialExpires) return undefined;
  const end = Date.parse(f.credentialExpires);
  if (Number.isNaN(end)) return undefined;
  const what = f.source === 'certificate' ? `the app certificate${f.certificateSubject ? ` (${f.certificateSubject})` : ''}` : 'the client secret';
  const days = Math.floor((end - now.getTime()) / DAY);
  const fix = f.source === 'certificate'
    ? `Create a new certificate, upload its public part to app ${f.clientId} in Entra ID (Certificates & secrets), and point ${f.path}.certificate at it before ${day(f.credentialExpires)}.`
    : `Create a new client secret for app ${f.clientId} in Entra ID (Certificates & secrets), store it where ${f.path}.clientSecret reads it, and update clientSecret.expires.`;
  if (end <= now.getTime()) return { status: 'fail', message: `${label(f)}: ${what} expired on ${day(f.credentialExpires)}`, remediation: fix };
  if (days < plan.tlsPolicy.expiryWarnDays) return { status: 'warn', message: `${label(f)}: ${what} expires in ${days} day${days === 1 ? '' : 's'} (${day(f.credentialExpires)}); from then on no token is issued`, remediation: fix };
  return undefined;
}

export default defineCheck({
  id: 'auth.oauth-token',
  title: 'The OAuth access token is one Exchange Online accepts',
  failureTitle: 'The OAuth access token cannot work with Exchange Online',
  severity: 'high',
  scope: 'entry',
  description: 'Obtains the OAuth token of each oauth2 block (client credentials through MSAL) and judges its claims: audience Exchange Online, the role of the service (SMTP.SendAsApp, Mail.Send for HVE, IMAP.AccessAsApp), tenant, expiry; explains AADSTS errors and warns before the app certificate or secret expires.',
  remediation: 'Fix the app registration in Entra ID as the message says (credentials, API permission with admin consent), then run again.',
  requires: ['oauth.token'],
  appliesTo: (s) => s.scope === 'entry' && oauthUses(s.entry).length > 0,
  evaluate({ subject, plan, probes, now }) {
    if (subject.scope !== 'entry') throw new Error('plan entries only');
    const data = probes['oauth.token'] as OAuthTokenProbeData;
    const service = subject.entry.kind === 'submission' ? serviceOf(subject.entry as SubmissionAccount) : 'exchange-online';
    const observations: Observation[] = [];
    const passes: string[] = [];
    for (const f of data.fetches) {
      const expiry = credentialExpiry(f, plan, now);
      if (expiry) observations.push(expiry);
      if (!f.ok) {
        observations.push(f.failure ? failure(f) : { status: 'fail', message: `${label(f)}: the plan's token is empty` });
        continue;
      }
      if (!f.claims) {
        passes.push(`${label(f)}: a ready token that is not a JWT; nothing to judge offline`);
        continue;
      }
      const bad = judgeClaims(f, service, now);
      observations.push(...bad);
      const c = f.claims;
      if (bad.length === 0) {
        const from = f.source === 'access-token' ? 'the plan\'s token' : `${f.reused ? 'the same' : 'a'} token (client credentials, ${f.source === 'certificate' ? 'certificate' : 'client secret'}${f.durationMs ? `, ${f.durationMs} ms` : ''})`;
        passes.push(`${label(f)}: ${from} for ${c.aud} with ${c.roles?.length ? `roles ${c.roles.join(', ')}` : `scopes ${c.scp}`}, app ${c.appid ?? f.clientId} in tenant ${c.tid ?? '?'}${c.exp ? `, valid until ${new Date(c.exp * 1000).toISOString()}` : ''}`);
      }
    }
    const claims = data.fetches.filter((f) => f.claims).map((f) => ({ use: f.use, aud: f.claims!.aud, roles: f.claims!.roles, tid: f.claims!.tid, appid: f.claims!.appid, oid: f.claims!.oid, exp: f.claims!.exp }));
    return combine(observations, passes.join('; '), claims.length ? { tokens: claims } : undefined);
  },
});
