// A Microsoft Entra ID stand-in for the lab and tests: HTTPS on loopback with a lab certificate,
// the OpenID Connect discovery document and JWKS of a tenant, and a v2.0 token endpoint for the
// client-credentials grant that checks a client secret or a certificate-signed client assertion
// (RFC 7523; the certificate found by its x5t#S256 thumbprint, the signature, aud, iss, sub and
// the time window verified with jose) and issues RS256 access tokens with the claim shapes Entra
// ID gives Exchange Online app tokens (v1.0: aud, iss sts.windows.net, appid, appidacr, oid, roles,
// tid …). Errors come as Entra ID words them: AADSTS codes in error_description and error_codes.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import https from 'node:https';
import { listenTracked } from './listen.js';

type Jose = typeof import('jose');

export interface EntraApp {
  clientId: string;
  displayName: string;
  /** object id of the app's service principal (enterprise application): the token's oid */
  objectId: string;
  /** client secrets; an expired one gets AADSTS7000222 */
  secrets?: { value: string; expired?: boolean }[];
  /** PEM certificates uploaded to the app registration */
  certificates?: string[];
  /** application permissions with admin consent, e.g. SMTP.SendAsApp, IMAP.AccessAsApp */
  roles: string[];
}

export interface EntraOptions {
  host?: string;
  port?: number;
  key: string;
  cert: string;
  tenantId: string;
  /** the tenant's initial domain (contoso.onmicrosoft.com), also accepted in the path */
  tenantDomain: string;
  apps: EntraApp[];
  /** token lifetime, seconds (Entra ID: about an hour) */
  lifetimeSeconds?: number;
  /** the stand-in's clock (tests: a client whose clock is off); default the system clock */
  now?: () => Date;
}

export interface VerifiedToken {
  ok: boolean;
  claims?: Record<string, unknown>;
  why?: string;
}

export interface EntraServer {
  host: string;
  port: number;
  /** every token request: client id, how it authenticated, the AADSTS code when refused */
  requests: { clientId: string; credential: 'secret' | 'assertion' | 'none'; aadsts?: number }[];
  /** every credential presented and token issued, so tests can prove none of them leaks */
  seen: { assertions: string[]; secrets: string[]; tokens: string[] };
  /** verifies an access token as a resource server does: signature, issuer, lifetime (not aud or roles) */
  verify(token: string): Promise<VerifiedToken>;
  close(): Promise<void>;
}

/** The resources the lab's tenant holds: Exchange Online (its URIs), as a real tenant with a licence. */
const RESOURCES = ['https://outlook.office365.com', 'https://outlook.office.com'];

export async function startEntra(options: EntraOptions): Promise<EntraServer> {
  const jose: Jose = await import('jose');
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const tid = options.tenantId;
  // Entra ID accepts an assertion within five minutes of its own time.
  const clock = options.now ?? (() => new Date());
  const issuer = `https://sts.windows.net/${tid}/`;
  const requests: EntraServer['requests'] = [];
  const seen: EntraServer['seen'] = { assertions: [], secrets: [], tokens: [] };
  const apps = new Map(options.apps.map((a) => [a.clientId.toLowerCase(), a]));
  const thumbprints = new Map<string, { app: EntraApp; pem: string }>();
  for (const app of options.apps) {
    for (const pem of app.certificates ?? []) thumbprints.set(createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url'), { app, pem });
  }
  const knownTenant = (t: string) => t.toLowerCase() === tid.toLowerCase() || t.toLowerCase() === options.tenantDomain.toLowerCase();

  const send = (res: import('node:http').ServerResponse, status: number, body: unknown, correlationId: string) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', 'client-request-id': correlationId, 'x-ms-request-id': randomUUID(), 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const aadError = (res: import('node:http').ServerResponse, status: number, error: string, code: number, text: string, correlationId: string) => {
    const traceId = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    send(res, status, {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    }, correlationId);
  };

  const token = async (res: import('node:http').ServerResponse, tenant: string, form: URLSearchParams, origin: string, correlationId: string) => {
    const clientId = form.get('client_id') ?? '';
    const log: EntraServer['requests'][number] = { clientId, credential: form.get('client_assertion') ? 'assertion' : form.get('client_secret') ? 'secret' : 'none' };
    requests.push(log);
    if (form.get('client_assertion')) seen.assertions.push(form.get('client_assertion')!);
    if (form.get('client_secret')) seen.secrets.push(form.get('client_secret')!);
    const refuse = (status: number, error: string, code: number, text: string) => {
      log.aadsts = code;
      aadError(res, status, error, code, text, correlationId);
    };
    if (!knownTenant(tenant)) return refuse(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
    if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    const app = apps.get(clientId.toLowerCase());
    if (!app) return refuse(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${options.tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    let appidacr = '1';
    const assertion = form.get('client_assertion');
    if (assertion) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return refuse(400, 'invalid_request', 50027, 'Invalid JWT token. The client assertion type is not supported.');
      let header: ReturnType<Jose['decodeProtectedHeader']>;
      try {
        header = jose.decodeProtectedHeader(assertion);
      } catch {
        return refuse(401, 'invalid_client', 50027, 'Invalid JWT token. Token format not valid.');
      }
      const thumb = (header['x5t#S256'] as string | undefined) ?? '';
      const registered = thumbprints.get(thumb);
      if (!registered || registered.app !== app) {
        return refuse(401, 'invalid_client', 700027, `Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${Buffer.from(thumb, 'base64url').toString('hex').toUpperCase()}', Please visit the Microsoft Entra admin center and verify that the certificate is uploaded to the application.]`);
      }
      try {
        const key = await jose.importX509(registered.pem, String(header.alg ?? 'PS256'));
        await jose.jwtVerify(assertion, key, { audience: `${origin}/${tenant}/oauth2/v2.0/token`, issuer: app.clientId, subject: app.clientId, algorithms: ['PS256', 'RS256'], clockTolerance: 300, currentDate: clock() });
      } catch (err) {
        const e = err as { code?: string; claim?: string };
        if (e.code === 'ERR_JWT_EXPIRED' || (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (e.claim === 'nbf' || e.claim === 'iat'))) {
          return refuse(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${clock().toISOString()}.`);
        }
        if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'aud') return refuse(401, 'invalid_client', 700212, 'No matching federated identity record found for presented assertion audience.');
        return refuse(401, 'invalid_client', 700027, 'Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]');
      }
      appidacr = '2';
    } else {
      const given = form.get('client_secret') ?? '';
      if (!given) return refuse(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      const secret = (app.secrets ?? []).find((s) => s.value === given);
      if (!secret) return refuse(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);
      if (secret.expired) return refuse(401, 'invalid_client', 7000222, `The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`);
    }
    const scope = form.get('scope') ?? '';
    const resource = scope.replace(/\/\.default$/, '');
    if (!scope.endsWith('/.default') || !RESOURCES.includes(resource)) {
      return refuse(400, 'invalid_resource', 500011, `The resource principal named ${resource || scope} was not found in the tenant named ${options.tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
    }
    const now = Math.floor(Date.now() / 1000);
    const lifetime = options.lifetimeSeconds ?? 3599;
    const claims: Record<string, unknown> = {
      aud: resource,
      iss: issuer,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      aio: randomUUID().replace(/-/g, ''),
      app_displayname: app.displayName,
      appid: app.clientId,
      appidacr,
      idp: issuer,
      oid: app.objectId,
      rh: `0.${Buffer.from(randomUUID()).toString('base64url').slice(0, 40)}.`,
      ...(app.roles.length ? { roles: app.roles } : {}),
      sid: randomUUID(),
      sub: app.objectId,
      tid,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '1.0',
      wids: ['0997a1d0-0d1d-4acb-b408-d5ca73121e90'],
    };
    const accessToken = await new jose.SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid, x5t: kid }).sign(privateKey);
    seen.tokens.push(accessToken);
    send(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }, correlationId);
  };

  const server = https.createServer({ key: options.key, cert: options.cert, minVersion: 'TLSv1.2' }, (req, res) => {
    const origin = `https://${req.headers.host ?? 'localhost'}`;
    const url = new URL(req.url ?? '/', origin);
    const correlationId = String(req.headers['client-request-id'] ?? randomUUID());
    const parts = url.pathname.split('/').filter(Boolean);
    const tenant = decodeURIComponent(parts[0] ?? '');
    const rest = parts.slice(1).join('/');
    if (req.method === 'GET' && rest === 'v2.0/.well-known/openid-configuration') {
      if (!knownTenant(tenant)) return aadError(res, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, correlationId);
      return send(res, 200, {
        token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${origin}/${tid}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${origin}/oidc/userinfo`,
        authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid', 'roles'],
        tenant_region_scope: 'EU',
        cloud_instance_name: url.host,
      }, correlationId);
    }
    if (req.method === 'GET' && rest === 'discovery/v2.0/keys') return send(res, 200, { keys: [jwk] }, correlationId);
    if (req.method === 'POST' && rest === 'oauth2/v2.0/token') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 64 * 1024) chunks.push(c);
      });
      req.on('end', () => {
        if (size > 64 * 1024) return aadError(res, 400, 'invalid_request', 90014, 'The request body is too large.', correlationId);
        token(res, tenant, new URLSearchParams(Buffer.concat(chunks).toString('utf8')), origin, correlationId).catch(() => aadError(res, 500, 'server_error', 90033, 'A transient error has occurred. Please try again.', correlationId));
      });
      return;
    }
    aadError(res, 404, 'invalid_request', 900561, 'The endpoint only accepts POST requests.', correlationId);
  });
  const host = options.host ?? '127.0.0.1';
  const listening = await listenTracked(server, host, options.port);
  const port = listening.port;
  return {
    host,
    port,
    requests,
    seen,
    async verify(accessToken: string): Promise<VerifiedToken> {
      try {
        const { payload } = await jose.jwtVerify(accessToken, publicKey, { issuer, algorithms: ['RS256'] });
        return { ok: true, claims: payload as Record<string, unknown> };
      } catch (err) {
        return { ok: false, why: (err as Error).message };
      }
    },
    close: listening.close,
  };
}
