// Tokens obtained in this run, in memory only (the run's shared state), by credential: the SMTP
// and IMAP steps of an entry that use the same app registration use the same token.
import type { OAuthClient, OAuthSettings, ProbeContext } from '../types.js';

const SHARED_TOKENS = 'oauthTokens';

type Shared = Pick<ProbeContext, 'shared'>;

function tokens(ctx: Shared): Map<string, string> {
  let map = ctx.shared.get(SHARED_TOKENS) as Map<string, string> | undefined;
  if (!(map instanceof Map)) ctx.shared.set(SHARED_TOKENS, (map = new Map()));
  return map;
}

/** One key per app registration, credential and scope. */
export function credentialKey(client: OAuthClient): string {
  const credential = client.certificate ? `cert:${client.certificate.thumbprintSha256}` : `secret:${client.secret?.source ?? ''}`;
  return [client.authority.toLowerCase(), client.tenantId.toLowerCase(), client.clientId.toLowerCase(), client.scope, credential].join('|');
}

export function rememberToken(ctx: Shared, client: OAuthClient, token: string): void {
  tokens(ctx).set(credentialKey(client), token);
}

/** The bearer token for XOAUTH2: the plan's ready token, or the one obtained for its client credentials. */
export function tokenFor(ctx: Shared, settings: OAuthSettings | undefined): string | undefined {
  if (!settings) return undefined;
  if (settings.accessToken) return settings.accessToken.value || undefined;
  return settings.client ? tokens(ctx).get(credentialKey(settings.client)) : undefined;
}
