// An Entra ID stand-in for OAuth tests: the lab's token endpoint with one app registration (a
// certificate and a client secret), and plans whose oauth2 block points at it.
import { randomUUID } from 'node:crypto';
import { selfSigned, type Issued } from '../../src/pki/generate.js';
import { startEntra, type EntraApp, type EntraOptions, type EntraServer } from '../../src/lab/entra.js';
import { labPki, serverCert } from './exo.js';

export const ENTRA_HOST = 'login.microsoftonline.lab.test';

export interface EntraFixture {
  entra: EntraServer;
  tenantId: string;
  clientId: string;
  objectId: string;
  secret: string;
  appCert: Issued;
  rootPem: string;
  authority: string;
  /** the plan's resolve: line for the authority */
  resolve: string;
}

let appCertPromise: Promise<Issued> | undefined;
export function appCertificate(): Promise<Issued> {
  appCertPromise ??= selfSigned({ cn: 'relaycheck test app', key: { kind: 'rsa', bits: 2048 } });
  return appCertPromise;
}

export async function startTestEntra(app: Partial<EntraApp> = {}, options: Partial<EntraOptions> = {}): Promise<EntraFixture> {
  const pki = await labPki();
  const { key, cert } = await serverCert(pki, ENTRA_HOST);
  const appCert = await appCertificate();
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const objectId = randomUUID();
  const secret = `s3cret~${randomUUID()}`;
  const entra = await startEntra({
    key,
    cert,
    tenantId,
    tenantDomain: 'contoso-test.onmicrosoft.com',
    apps: [{ clientId, displayName: 'test app', objectId, secrets: [{ value: secret }], certificates: [appCert.certPem], roles: ['SMTP.SendAsApp', 'IMAP.AccessAsApp'], ...app }],
    ...options,
  });
  return { entra, tenantId, clientId, objectId, secret, appCert, rootPem: pki.root.certPem, authority: `https://${ENTRA_HOST}:${entra.port}`, resolve: `"${ENTRA_HOST}:${entra.port}": 127.0.0.1` };
}
