// What the OAuth token probe (src/probes/oauth-token.ts) hands to auth.oauth-token: per credential
// use (SMTP submission, IMAP delivery), where the token came from, the claims it carries (never
// the token itself) or why none was obtained, and what the token endpoint said.
import type { HttpExchange } from '../oauth/http.js';
import type { TranscriptLine } from '../types.js';

export interface TokenClaims {
  aud?: string;
  roles?: string[];
  scp?: string;
  tid?: string;
  appid?: string;
  oid?: string;
  iss?: string;
  /** seconds since the epoch */
  exp?: number;
  iat?: number;
  nbf?: number;
}

export interface TokenFetch {
  use: 'smtp' | 'imap';
  /** the login the token is presented for */
  username: string;
  source: 'access-token' | 'client-secret' | 'certificate';
  /** plan path of the oauth2 block */
  path: string;
  authority?: string;
  tenantId?: string;
  clientId?: string;
  scope?: string;
  ok: boolean;
  /** decoded payload of the token (undefined when it is not a JWT) */
  claims?: TokenClaims;
  /** the token is not a JWT (a ready token of another shape): nothing can be judged offline */
  opaque?: boolean;
  /** why no token was obtained */
  failure?: { message: string; aadsts?: number; error?: string; httpStatus?: number; correlationId?: string; description?: string };
  /** the credential's own end: the certificate's notAfter or the secret's `expires` */
  credentialExpires?: string;
  certificateSubject?: string;
  /** the same app registration's token was obtained for an earlier use of this entry */
  reused?: boolean;
  /** the run's deadline: the token must stay valid until then (ISO) */
  neededUntil: string;
  exchanges: HttpExchange[];
  durationMs: number;
}

export interface OAuthTokenProbeData {
  entry: string;
  fetches: TokenFetch[];
  transcript: TranscriptLine[];
}
