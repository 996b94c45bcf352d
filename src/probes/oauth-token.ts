// The OAuth token probe (`oauth.token`): for each use of an `oauth2:` block of a plan entry (SMTP
// submission, IMAP delivery), obtain an access token with the client credentials through MSAL
// (src/oauth/acquire.ts) over relaycheck's own HTTP client, or take the plan's ready token. The
// token stays in memory (the run's shared state) and joins the redaction list the moment it
// exists; the probe data carries its decoded claims, never the token.
import { performance } from 'node:perf_hooks';
import { entryKey } from './accounts.js';
import { trustedCas } from './send.js';
import { acquireToken, authorityUrl } from '../oauth/acquire.js';
import { decodeClaims } from '../oauth/claims.js';
import { OAuthHttpClient } from '../oauth/http.js';
import { learnSecret, learnToken } from '../oauth/secrets.js';
import { credentialKey, rememberToken, tokenFor } from '../oauth/tokens.js';
import { oauthUses, type OAuthUse as Use } from '../oauth/uses.js';
import type { OAuthTokenProbeData, TokenFetch } from '../evidence/oauth.js';
import type { ProbeContext, ProbeDefinition, TranscriptLine } from '../types.js';

export const OAUTH_TOKEN_PROBE_ID = 'oauth.token';

async function fetchFor(u: Use, usernames: string[], ctx: ProbeContext, transcript: TranscriptLine[], t0: number, refused: Map<string, TokenFetch['failure']>): Promise<TokenFetch> {
  const started = performance.now();
  const neededUntil = new Date(ctx.startedAt.getTime() + ctx.timeouts.deadlineMs).toISOString();
  const base = { use: u.use, username: u.username, path: u.path, neededUntil, exchanges: [] };
  if (u.settings.accessToken) {
    const token = u.settings.accessToken.value;
    learnToken(ctx.plan, token, usernames);
    const claims = decodeClaims(token);
    return { ...base, source: 'access-token', ok: Boolean(token), claims, opaque: !claims, durationMs: 0 };
  }
  const client = u.settings.client!;
  const fetch: TokenFetch = {
    ...base,
    source: client.certificate ? 'certificate' : 'client-secret',
    authority: client.authority,
    tenantId: client.tenantId,
    clientId: client.clientId,
    scope: client.scope,
    ok: false,
    credentialExpires: client.certificate?.notAfter ?? client.secret?.expires,
    ...(client.certificate ? { certificateSubject: client.certificate.subject } : {}),
    durationMs: 0,
  };
  const earlier = tokenFor(ctx, u.settings);
  if (earlier) {
    learnToken(ctx.plan, earlier, usernames);
    return { ...fetch, ok: true, reused: true, claims: decodeClaims(earlier) };
  }
  // The same app registration already refused in this entry: one request is enough.
  const known = refused.get(credentialKey(client));
  if (known) return { ...fetch, reused: true, failure: known };
  const learn = (s: string) => learnSecret(ctx.plan, s);
  const http = new OAuthHttpClient({ ca: trustedCas(ctx.plan), resolve: ctx.plan.resolve, timeoutMs: Math.max(ctx.timeouts.connectMs, ctx.timeouts.commandMs), signal: ctx.signal, learn });
  const offset = Math.round(performance.now() - t0);
  http.note(`${u.use === 'smtp' ? 'SMTP' : 'IMAP'} token for ${u.username}: client credentials (${fetch.source}) of app ${client.clientId} at ${authorityUrl(client)}, scope ${client.scope}`);
  const got = await acquireToken(client, http, learn);
  for (const l of http.transcript) transcript.push({ ...l, t: l.t + offset });
  fetch.exchanges = http.exchanges;
  fetch.durationMs = Math.round(performance.now() - started);
  if (got.ok) {
    learnToken(ctx.plan, got.token, usernames);
    rememberToken(ctx, client, got.token);
    fetch.ok = true;
    fetch.claims = decodeClaims(got.token);
    return fetch;
  }
  // What the endpoint said beats MSAL's summary of it.
  const said = [...http.exchanges].reverse().find((e) => e.problem || e.error || (e.status ?? 200) >= 400);
  fetch.failure = {
    message: said?.problem ?? (said?.error ? `${said.url} answered HTTP ${said.status}: ${said.description ?? said.error}` : got.message),
    ...(said?.aadsts ? { aadsts: said.aadsts } : {}),
    ...(said?.error ? { error: said.error } : got.errorCode ? { error: got.errorCode } : {}),
    ...(said?.status ? { httpStatus: said.status } : {}),
    ...(said?.correlationId ? { correlationId: said.correlationId } : {}),
    ...(said?.description ? { description: said.description } : {}),
  };
  refused.set(credentialKey(client), fetch.failure);
  return fetch;
}

export const oauthTokenProbe: ProbeDefinition<OAuthTokenProbeData> = {
  id: OAUTH_TOKEN_PROBE_ID,
  scope: 'entry',
  key: entryKey,
  async run(subject, ctx) {
    if (subject.scope !== 'entry' && subject.scope !== 'endpoint') return { entry: '', fetches: [], transcript: [] };
    const entry = subject.entry;
    const uses = oauthUses(entry);
    const transcript: TranscriptLine[] = [];
    const t0 = performance.now();
    const usernames = [...new Set(uses.map((u) => u.username))];
    const fetches: TokenFetch[] = [];
    // One after the other: the IMAP use of the same app registration reuses the SMTP token.
    const refused = new Map<string, TokenFetch['failure']>();
    for (const u of uses) fetches.push(await fetchFor(u, usernames, ctx, transcript, t0, refused));
    return { entry: entry.name, fetches, transcript };
  },
};
