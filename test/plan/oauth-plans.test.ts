// The plan's oauth2 blocks: client credentials with a secret or a certificate, the ready token form
// that keeps working, the IMAP mailbox that defaults to the entry's oauth2 — and every bad input
// ending in a usage error (exit 2) that names the plan path, never a stack trace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selfSigned, type Issued } from '../../src/pki/generate.js';
import { appCertificate } from '../helpers/entra.js';
import { tempDir, writeAndLoadPlan } from '../helpers/exo.js';
import { runCli } from '../helpers/cli.js';

const GUID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP = '11111111-2222-3333-4444-555555555555';
let app: Issued;
let small: Issued;
let ec: Issued;
beforeAll(async () => {
  [app, small, ec] = await Promise.all([appCertificate(), selfSigned({ cn: 'small', key: { kind: 'rsa', bits: 1024 } }), selfSigned({ cn: 'ec', key: { kind: 'ec', curve: 'P-256' } })]);
});

function load(oauth2: string, files: Record<string, string> = {}, extra = '') {
  const yaml = `version: 1\ndomain: contoso.com\nsubmission:\n  - name: Scanner\n    endpoint: smtp.office365.com:587\n    username: scanner@contoso.com\n    from: scanner@contoso.com\n    oauth2: ${oauth2}\n${extra}`;
  return writeAndLoadPlan(tempDir('relaycheck-oauth-plan-'), yaml, { 'app.pem': app.certPem, 'app.key': app.keyPem, ...files }, { APP_SECRET: 'the-secret', TOKEN: 'a.b.c' });
}

describe('oauth2 in the plan', () => {
  it('reads client credentials with a certificate: thumbprint, notAfter, default authority and scope', () => {
    const p = load(`{ tenantId: ${GUID}, clientId: ${APP}, certificate: { cert: ./app.pem, key: { file: ./app.key } } }`);
    const client = p.submission[0].oauth2!.client!;
    expect(client).toMatchObject({ tenantId: GUID, clientId: APP, authority: 'https://login.microsoftonline.com', scope: 'https://outlook.office365.com/.default', path: 'submission[0].oauth2' });
    expect(client.certificate!.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(client.certificate!.notAfter).toBe(app.notAfter.toISOString().replace(/\.\d+Z$/, '.000Z'));
    expect(p.secrets).toContain(app.keyPem.trim());
  });

  it('reads a client secret with its expiry date, and takes the scope of a sovereign cloud from the authority', () => {
    const p = load(`{ tenantId: contoso.onmicrosoft.us, clientId: ${APP}, authority: "https://login.microsoftonline.us/", clientSecret: { env: APP_SECRET, expires: 2027-03-31 } }`);
    const client = p.submission[0].oauth2!.client!;
    expect(client.secret).toMatchObject({ value: 'the-secret', source: 'env APP_SECRET', expires: '2027-03-31' });
    expect(client.authority).toBe('https://login.microsoftonline.us');
    expect(client.scope).toBe('https://outlook.office365.us/.default');
    expect(p.secrets).toContain('the-secret');
  });

  it('keeps the ready accessToken form working', () => {
    expect(load('{ accessToken: { env: TOKEN } }').submission[0].oauth2!.accessToken!.value).toBe('a.b.c');
  });

  it("reads the validation mailbox with the entry's own oauth2 when it gives no password", () => {
    const p = load(`{ tenantId: ${GUID}, clientId: ${APP}, clientSecret: { env: APP_SECRET } }`, {}, '    validation: { to: [it@contoso.com], imap: { host: outlook.office365.com, username: it@contoso.com } }\n');
    expect(p.submission[0].validation!.imap!.oauth2).toBe(p.submission[0].oauth2);
    expect(p.submission[0].validation!.imap!.password).toBeUndefined();
  });
});

describe('bad oauth2 input exits 2 naming the plan path', () => {
  it.each([
    ['a missing tenant id', `{ clientId: ${APP}, clientSecret: { env: APP_SECRET } }`, {}, /submission\[0\]\.oauth2\.tenantId: is required with client credentials: the Directory \(tenant\) ID/],
    ['both a secret and a certificate', `{ tenantId: ${GUID}, clientId: ${APP}, clientSecret: { env: APP_SECRET }, certificate: { cert: ./app.pem, key: { file: ./app.key } } }`, {}, /submission\[0\]\.oauth2\.certificate: give one credential, not clientSecret and certificate/],
    ['no credential', `{ tenantId: ${GUID}, clientId: ${APP} }`, {}, /submission\[0\]\.oauth2: needs a credential/],
    ['an unreadable key', `{ tenantId: ${GUID}, clientId: ${APP}, certificate: { cert: ./app.pem, key: { file: ./missing.key } } }`, {}, /submission\[0\]\.oauth2\.certificate\.key: cannot read secret file \.\/missing\.key: no such file/],
    ['a PFX named as the certificate', `{ tenantId: ${GUID}, clientId: ${APP}, certificate: { cert: ./app.pfx, key: { file: ./app.key } } }`, { 'app.pfx': '\u0030\u0082binary' }, /submission\[0\]\.oauth2\.certificate\.cert: \.\/app\.pfx is a PFX \(PKCS#12\) file[\s\S]*openssl pkcs12 -in app\.pfx -clcerts -nokeys -out app\.pem/],
    ['a PFX under a .pem name', `{ tenantId: ${GUID}, clientId: ${APP}, certificate: { cert: ./bundle.pem, key: { file: ./app.key } } }`, { 'bundle.pem': '0\u0082\u0003binary pkcs12' }, /certificate\.cert: \.\/bundle\.pem holds no PEM certificate \(OAuth app certificate; a PFX converts with: openssl pkcs12/],
    ['a secret written inline', `{ tenantId: ${GUID}, clientId: ${APP}, clientSecret: abc123 }`, {}, /submission\[0\]\.oauth2\.clientSecret: secrets are never written in the plan/],
    ['a secret expiry that is not a date', `{ tenantId: ${GUID}, clientId: ${APP}, clientSecret: { env: APP_SECRET, expires: soon } }`, {}, /submission\[0\]\.oauth2\.clientSecret\.expires/],
    ['an authority that is not https', `{ tenantId: ${GUID}, clientId: ${APP}, authority: "http://login.example", clientSecret: { env: APP_SECRET } }`, {}, /submission\[0\]\.oauth2\.authority/],
  ])('%s', (_what, oauth2, files, message) => {
    expect(() => load(oauth2, files as Record<string, string>)).toThrow(message);
  });

  it('an RSA key under 2048 bits, an EC key, and a key of another certificate', () => {
    const with_ = (cert: Issued, key: Issued) => () => load(`{ tenantId: ${GUID}, clientId: ${APP}, certificate: { cert: ./c.pem, key: { file: ./c.key } } }`, { 'c.pem': cert.certPem, 'c.key': key.keyPem });
    expect(with_(small, small)).toThrow(/submission\[0\]\.oauth2\.certificate\.key: is an RSA key of 1024 bits; Microsoft Entra ID requires 2048 bits or more/);
    expect(with_(ec, ec)).toThrow(/is not an RSA key \(EC\); Microsoft Entra ID signs client assertions with RSA only/);
    expect(with_(app, small)).toThrow(/RSA key of 1024 bits|does not belong to the certificate/);
  });

  it('the CLI exits 2 with the message and no stack trace', async () => {
    const dir = tempDir('relaycheck-oauth-cli-');
    writeFileSync(join(dir, 'relaycheck.yaml'), `version: 1\ndomain: contoso.com\nsubmission:\n  - { name: S, endpoint: smtp.office365.com, username: s@contoso.com, from: s@contoso.com, oauth2: { clientId: ${APP}, clientSecret: { env: X } } }\n`);
    const r = await runCli(['run', '-c', join(dir, 'relaycheck.yaml'), '--no-send', '--format', 'json', '--out', '-'], { env: { X: 'x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/submission\[0\]\.oauth2\.tenantId: is required/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
