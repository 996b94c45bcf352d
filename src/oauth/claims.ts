// The claims of a JWT access token (RFC 7519), decoded without verifying the signature: relaycheck
// cannot verify Entra ID's signature offline, and only reads what Exchange Online will judge.
import type { TokenClaims } from '../evidence/oauth.js';

/** The payload of a JWS compact token, or undefined when the token is not one. */
export function decodeClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!payload || typeof payload !== 'object') return undefined;
  const str = (k: string) => (typeof payload[k] === 'string' ? (payload[k] as string).slice(0, 300) : undefined);
  const num = (k: string) => (typeof payload[k] === 'number' ? (payload[k] as number) : undefined);
  const aud = Array.isArray(payload.aud) ? String(payload.aud[0] ?? '') : str('aud');
  return {
    aud,
    roles: Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string').slice(0, 50) : undefined,
    scp: str('scp'),
    tid: str('tid'),
    appid: str('appid') ?? str('azp'),
    oid: str('oid'),
    iss: str('iss'),
    exp: num('exp'),
    iat: num('iat'),
    nbf: num('nbf'),
  };
}
