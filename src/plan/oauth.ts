// The plan's `oauth2:` blocks, checked once the loader has read their files: one credential
// (a ready access token, a client secret or a certificate), a tenant and client id with client
// credentials, and an app certificate MSAL can sign with (PEM, an RSA key of 2048 bits or more that
// belongs to the certificate). Pure: the loader reads the files (src/plan/load.ts).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { DEFAULT_AUTHORITY, defaultScope } from '../exo/oauth.js';
import type { OAuthClient, OAuthSettings, Secret } from '../types.js';

type Raw = Record<string, any>;
type Report = (segments: (string | number)[], message: string) => void;

/** The line that turns a PFX into the PEM files the plan names. */
export const PFX_CONVERSION = 'openssl pkcs12 -in app.pfx -clcerts -nokeys -out app.pem && openssl pkcs12 -in app.pfx -nocerts -nodes -out app.key';

export function isPfxName(file: string): boolean {
  return /\.(pfx|p12)$/i.test(file);
}

export interface OAuthReaders {
  secret(value: Raw, at: (string | number)[]): Secret;
  /** the certificate file's PEM text ('' when unreadable: the reader has said why) */
  pem(file: string, at: (string | number)[], what: string): string;
  resolvePath(file: string): string;
}

export function resolveOAuth(raw: Raw, at: (string | number)[], path: string, read: OAuthReaders, problem: Report): OAuthSettings {
  const credentials = ['accessToken', 'clientSecret', 'certificate'].filter((k) => raw[k] !== undefined);
  if (credentials.length === 0) {
    problem(at, 'needs a credential: clientSecret: { env: NAME } or certificate: { cert: …, key: { file: … } } with tenantId and clientId, or a ready accessToken: { env: NAME }');
    return {};
  }
  if (credentials.length > 1) {
    problem([...at, credentials[1]], `give one credential, not ${credentials.join(' and ')}`);
    return {};
  }
  if (raw.accessToken) {
    for (const k of ['tenantId', 'clientId', 'authority', 'scope']) if (raw[k] !== undefined) problem([...at, k], 'is used with client credentials (clientSecret or certificate), not with a ready accessToken');
    return { accessToken: read.secret(raw.accessToken, [...at, 'accessToken']) };
  }
  if (!raw.tenantId) problem([...at, 'tenantId'], "is required with client credentials: the Directory (tenant) ID from the app registration's Overview page");
  if (!raw.clientId) problem([...at, 'clientId'], "is required with client credentials: the Application (client) ID from the app registration's Overview page");
  const authority = String(raw.authority ?? DEFAULT_AUTHORITY).replace(/\/+$/, '');
  const client: OAuthClient = {
    tenantId: String(raw.tenantId ?? ''),
    clientId: String(raw.clientId ?? ''),
    authority,
    scope: raw.scope ?? defaultScope(authority),
    path,
  };
  if (raw.clientSecret) {
    const cs = raw.clientSecret as Raw;
    const sources = ['env', 'file'].filter((k) => cs[k] !== undefined);
    if (sources.length !== 1) problem([...at, 'clientSecret'], 'must have exactly one of env or file');
    else client.secret = { ...read.secret({ [sources[0]]: cs[sources[0]] }, [...at, 'clientSecret']), ...(cs.expires ? { expires: cs.expires } : {}) };
    if (cs.expires && Number.isNaN(Date.parse(cs.expires))) problem([...at, 'clientSecret', 'expires'], `is not a date (found ${JSON.stringify(cs.expires)}); write YYYY-MM-DD`);
  } else {
    const c = raw.certificate as Raw;
    const certAt = [...at, 'certificate', 'cert'];
    if (isPfxName(c.cert)) {
      problem(certAt, `${c.cert} is a PFX (PKCS#12) file, which relaycheck does not read: convert it to a PEM certificate and key with\n    ${PFX_CONVERSION}`);
      return { client };
    }
    const certPem = read.pem(c.cert, certAt, `OAuth app certificate; a PFX converts with: ${PFX_CONVERSION}`);
    const key = read.secret(c.key, [...at, 'certificate', 'key']);
    const cert = firstCertificate(certPem);
    if (cert && key.value) {
      const keyProblem = checkKey(key.value, cert);
      if (keyProblem) problem([...at, 'certificate', 'key'], keyProblem);
    }
    if (cert) {
      client.certificate = {
        certFile: read.resolvePath(c.cert),
        certPem,
        key,
        thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
        subject: cert.subject.replace(/\n/g, ', '),
        notAfter: new Date(cert.validTo).toISOString(),
      };
    }
  }
  return { client };
}

function firstCertificate(pem: string): X509Certificate | undefined {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!block) return undefined;
  try {
    return new X509Certificate(block);
  } catch {
    return undefined; // the reader has reported the damaged certificate
  }
}

/** Why MSAL cannot sign with this key for this certificate, or undefined. */
function checkKey(keyPem: string, cert: X509Certificate): string | undefined {
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(keyPem) || /passphrase/i.test((err as Error).message);
    return encrypted
      ? 'the private key is encrypted; relaycheck needs it unencrypted (openssl pkey -in app.key -out app-plain.key), readable by the account that runs relaycheck only'
      : 'holds no readable PEM private key';
  }
  if (key.asymmetricKeyType !== 'rsa') return `is not an RSA key (${key.asymmetricKeyType?.toUpperCase() ?? 'unknown type'}); Microsoft Entra ID signs client assertions with RSA only (PS256): use an RSA key of 2048 bits or more`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) return `is an RSA key of ${bits} bits; Microsoft Entra ID requires 2048 bits or more`;
  if (!cert.checkPrivateKey(key)) return 'does not belong to the certificate (its public key differs)';
  return undefined;
}
