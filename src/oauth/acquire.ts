// Client credentials with Microsoft's library (@azure/msal-node, loaded only when a plan uses
// OAuth): a client secret, or a certificate (MSAL signs the client assertion, PS256 with x5t#S256).
// The authority's host goes into knownAuthorities, so an authority MSAL does not know is read
// from its OpenID Connect discovery document and MSAL makes no instance discovery call to
// Microsoft. All HTTP goes through relaycheck's client (src/oauth/http.ts).
import { createPrivateKey } from 'node:crypto';
import type { OAuthHttpClient } from './http.js';
import type { OAuthClient } from '../types.js';

export type Acquired = { ok: true; token: string } | { ok: false; message: string; errorCode?: string };

type Msal = typeof import('@azure/msal-node');

/** `<authority>/<tenant>`: the tenant as a GUID or a domain. */
export function authorityUrl(client: Pick<OAuthClient, 'authority' | 'tenantId'>): string {
  return `${client.authority}/${encodeURIComponent(client.tenantId)}`;
}

export async function acquireToken(client: OAuthClient, http: OAuthHttpClient, learn: (secret: string) => void): Promise<Acquired> {
  const msal: Msal = await import('@azure/msal-node');
  const auth: import('@azure/msal-node').NodeAuthOptions = {
    clientId: client.clientId,
    authority: authorityUrl(client),
    knownAuthorities: [new URL(client.authority).host],
  };
  if (client.certificate) {
    // MSAL wants PKCS#8 PEM; the plan may hold PKCS#1 ("BEGIN RSA PRIVATE KEY"). The converted
    // text is a secret too.
    const privateKey = createPrivateKey(client.certificate.key.value).export({ type: 'pkcs8', format: 'pem' }).toString();
    learn(privateKey);
    auth.clientCertificate = { thumbprintSha256: client.certificate.thumbprintSha256, privateKey };
  } else {
    auth.clientSecret = client.secret?.value ?? '';
  }
  const app = new msal.ConfidentialClientApplication({
    auth,
    system: {
      networkClient: http,
      // One try per run: a nightly check reports a failing endpoint rather than hammering it.
      disableInternalRetries: true,
      loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false, logLevel: msal.LogLevel.Error },
    },
  });
  try {
    const result = await app.acquireTokenByClientCredential({ scopes: [client.scope], skipCache: true });
    if (!result?.accessToken) return { ok: false, message: 'the token endpoint answered without an access token' };
    learn(result.accessToken);
    return { ok: true, token: result.accessToken };
  } catch (err) {
    const e = err as { errorCode?: string; errorMessage?: string; message?: string };
    return { ok: false, errorCode: e.errorCode, message: (e.errorMessage || e.message || String(err)).split(/\r?\n/)[0].slice(0, 400) };
  }
}
