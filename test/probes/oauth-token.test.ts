// The OAuth token probe through the real MSAL client and relaycheck's HTTP client, against the
// lab's Entra ID stand-in: client secret and certificate flows, every AADSTS answer the check
// explains, and hostile token endpoints (down, slow, HTML, a huge body, wrong content type).
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/auth/oauth-token.js';
import { oauthTokenProbe } from '../../src/probes/oauth-token.js';
import { tokenFor } from '../../src/oauth/tokens.js';
import { ENTRA_HOST, startTestEntra, type EntraFixture } from '../helpers/entra.js';
import { labPki, probeContext, serverCert, tempDir, TEST_TIMEOUTS, writeAndLoadPlan } from '../helpers/exo.js';
import type { OAuthTokenProbeData } from '../../src/evidence/oauth.js';
import type { Plan } from '../../src/types.js';

let fx: EntraFixture;
beforeAll(async () => {
  fx = await startTestEntra();
});
afterAll(() => fx.entra.close());

type Cred = 'certificate' | 'secret';
function plan(fx: EntraFixture, cred: Cred, over: { tenantId?: string; clientId?: string; secret?: string; authority?: string; scope?: string; resolve?: string; expires?: string; warnDays?: number } = {}): Plan {
  const dir = tempDir('relaycheck-oauth-');
  const credential = cred === 'certificate' ? 'certificate: { cert: ./app.pem, key: { file: ./app.key } }' : `clientSecret: { env: APP_SECRET${over.expires ? `, expires: ${over.expires}` : ''} }`;
  const yaml = `version: 1
domain: contoso.test
trust: { system: false, ca: [./root.pem] }
resolve: { ${over.resolve ?? fx.resolve} }
${over.warnDays !== undefined ? `certificates: { expiryWarnDays: ${over.warnDays} }\n` : ''}submission:
  - name: Scanner
    endpoint: smtp.office365.com:587
    username: scanner@contoso.test
    from: scanner@contoso.test
    oauth2: { tenantId: ${over.tenantId ?? fx.tenantId}, clientId: ${over.clientId ?? fx.clientId}, authority: "${over.authority ?? fx.authority}", ${over.scope ? `scope: "${over.scope}", ` : ''}${credential} }
`;
  return writeAndLoadPlan(dir, yaml, { 'root.pem': fx.rootPem, 'app.pem': fx.appCert.certPem, 'app.key': fx.appCert.keyPem }, { APP_SECRET: over.secret ?? fx.secret });
}

async function probe(p: Plan, now = new Date()) {
  const ctx = probeContext(p, { startedAt: now });
  const data = (await oauthTokenProbe.run({ scope: 'entry', entry: p.submission[0] }, ctx)) as OAuthTokenProbeData;
  const out = check.evaluate({ subject: { scope: 'entry', entry: p.submission[0] }, plan: p, probes: { 'oauth.token': data }, now, options: { send: true } });
  return { data, finding: Array.isArray(out) ? out[0] : out, ctx };
}

describe('obtaining a token with client credentials through MSAL', () => {
  it.each<Cred>(['certificate', 'secret'])('gets an Exchange Online token with the app %s, keeps it in memory, and redacts it from then on', async (cred) => {
    const p = plan(fx, cred);
    const { data, finding, ctx } = await probe(p);
    expect(finding.status).toBe('pass');
    expect(finding.message).toContain('for https://outlook.office365.com with roles SMTP.SendAsApp, IMAP.AccessAsApp');
    expect(data.fetches[0]).toMatchObject({ ok: true, source: cred === 'certificate' ? 'certificate' : 'client-secret', claims: { tid: fx.tenantId, appid: fx.clientId, oid: fx.objectId } });
    const token = tokenFor(ctx, p.submission[0].oauth2)!;
    expect(token.split('.')).toHaveLength(3);
    expect(p.secrets).toContain(token);
    // the request went through OpenID discovery on the lab authority, then the token endpoint
    expect(data.transcript.map((l) => l.line).join('\n')).toMatch(new RegExp(`GET https://${ENTRA_HOST}:\\d+/${fx.tenantId}/v2.0/.well-known/openid-configuration[\\s\\S]*POST https://${ENTRA_HOST}:\\d+/${fx.tenantId}/oauth2/v2.0/token[\\s\\S]*HTTP 200: access token issued`));
    // no instance discovery at Microsoft: every request went to the plan's authority
    const requests = data.transcript.filter((l) => l.dir === 'send').map((l) => l.line);
    expect(requests).toHaveLength(2);
    for (const r of requests) expect(r).toMatch(new RegExp(`^(GET|POST) https://${ENTRA_HOST}:${fx.entra.port}/`));
    expect(JSON.stringify(data)).not.toContain(token);
    expect(JSON.stringify(data)).not.toContain(fx.secret);
    expect(fx.entra.requests.at(-1)).toMatchObject({ clientId: fx.clientId, credential: cred === 'certificate' ? 'assertion' : 'secret' });
  });

  it('learns the client assertion MSAL signed as a secret, so nothing can print it', async () => {
    const p = plan(fx, 'certificate');
    const before = p.secrets.length;
    await probe(p);
    const assertion = p.secrets.slice(before).find((s) => s.split('.').length === 3 && JSON.parse(Buffer.from(s.split('.')[0], 'base64url').toString()).alg === 'PS256');
    expect(assertion, 'the PS256 client assertion').toBeTruthy();
    expect(JSON.parse(Buffer.from(assertion!.split('.')[0], 'base64url').toString())).toHaveProperty('x5t#S256');
  });
});

describe('token endpoint errors, explained', () => {
  it.each([
    ['a wrong client secret', 'secret', { secret: 'not-the-secret' }, 'AADSTS7000215', /client secret is wrong/],
    ['an unknown client id', 'secret', { clientId: '00000000-1111-2222-3333-444444444444' }, 'AADSTS700016', /no application with this client id/],
    ['an unknown tenant', 'secret', { tenantId: 'nosuch.onmicrosoft.com' }, 'AADSTS90002', /tenant was not found/],
    ['a scope outside Exchange Online', 'secret', { scope: 'https://graph.microsoft.com/.default' }, 'AADSTS500011', /resource \(Exchange Online\) was not found/],
  ] as const)('%s: %s', async (_what, cred, over, code, meaning) => {
    const { finding } = await probe(plan(fx, cred as Cred, over));
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(code);
    expect(finding.message).toMatch(meaning);
    expect(finding.message).toMatch(/correlation id [0-9a-f-]{36}/);
    expect(finding.remediation).toBeTruthy();
  });

  it('an expired client secret: AADSTS7000222', async () => {
    const other = await startTestEntra({ secrets: [{ value: 'old-secret', expired: true }] });
    try {
      const { finding } = await probe(plan(other, 'secret', { secret: 'old-secret' }));
      expect(finding.message).toContain('AADSTS7000222');
      expect(finding.message).toContain('the client secret has expired');
    } finally {
      await other.entra.close();
    }
  });

  it('a certificate the app registration does not know: AADSTS700027', async () => {
    const other = await startTestEntra({ certificates: [] });
    try {
      const { finding } = await probe(plan(other, 'certificate'));
      expect(finding.message).toContain('AADSTS700027');
      expect(finding.remediation).toContain('Upload the certificate');
    } finally {
      await other.entra.close();
    }
  });

  it("a client assertion outside Entra ID's time window (this machine's clock is off): AADSTS700024", async () => {
    const other = await startTestEntra({}, { now: () => new Date(Date.now() + 3_600_000) });
    try {
      const { finding } = await probe(plan(other, 'certificate'));
      expect(finding.message).toContain('AADSTS700024');
      expect(finding.remediation).toContain('Synchronise the clock');
    } finally {
      await other.entra.close();
    }
  });

  it('a token without the role says admin consent is missing', async () => {
    const other = await startTestEntra({ roles: [] });
    try {
      const { finding } = await probe(plan(other, 'certificate'));
      expect(finding.status).toBe('fail');
      expect(finding.message).toContain('the token carries no role at all, not SMTP.SendAsApp: admin consent for the application permission is missing');
    } finally {
      await other.entra.close();
    }
  });
});

describe('the credential itself', () => {
  it('warns ahead of the client secret expiry date the plan gives, and fails once it has passed', async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const warned = await probe(plan(fx, 'secret', { expires: soon }));
    expect(warned.finding.status).toBe('warn');
    expect(warned.finding.message).toMatch(/the client secret expires in (9|10) days/);
    const late = await probe(plan(fx, 'secret', { expires: soon }), new Date(Date.now() + 11 * 86_400_000));
    expect(late.finding.status).toBe('fail');
  });

  it("warns within certificates.expiryWarnDays of the app certificate's notAfter", async () => {
    const { finding } = await probe(plan(fx, 'certificate', { warnDays: 3650 }));
    expect(finding.status).toBe('warn');
    expect(finding.message).toMatch(/the app certificate \(CN=relaycheck test app\) expires in \d+ days/);
  });
});

describe('a hostile or broken token endpoint is a finding, never a crash or a hang', () => {
  const hostile = async (handler: Parameters<typeof createServer>[1]) => {
    const pki = await labPki();
    const { key, cert } = await serverCert(pki, ENTRA_HOST);
    const server = createServer({ key, cert }, handler);
    server.on('error', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
  };
  const viaHost = (port: number) => ({ authority: `https://${ENTRA_HOST}:${port}`, resolve: `"${ENTRA_HOST}:${port}": 127.0.0.1` });

  it.each([
    ['answers HTML', (_q: unknown, res: import('node:http').ServerResponse) => { res.writeHead(502, { 'Content-Type': 'text/html' }); res.end('<html><body>Bad gateway</body></html>'); }, /answered HTTP 502 with text\/html \(\d+ bytes\), not the JSON of an OAuth 2.0 endpoint/],
    ['sends a huge body', (_q: unknown, res: import('node:http').ServerResponse) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(`{"x":"${'a'.repeat(400_000)}"}`); }, /sent more than 256 KiB in answer/],
    ['answers with the wrong content type and no JSON', (_q: unknown, res: import('node:http').ServerResponse) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('OK'); }, /with text\/plain .* not the JSON/],
  ] as const)('an endpoint that %s', async (_what, handler, message) => {
    const s = await hostile(handler as never);
    try {
      const { finding } = await probe(plan(fx, 'secret', viaHost(s.port)));
      expect(finding.status).toBe('fail');
      expect(finding.message).toMatch(message);
      expect(finding.remediation).toContain('authority');
    } finally {
      await s.close();
    }
  });

  it('an endpoint that never answers ends at the timeout', async () => {
    const s = await hostile(() => undefined);
    try {
      const p = plan(fx, 'secret', viaHost(s.port));
      const started = Date.now();
      const ctx = probeContext(p, { timeouts: { ...TEST_TIMEOUTS, connectMs: 800, commandMs: 800 } });
      const data = (await oauthTokenProbe.run({ scope: 'entry', entry: p.submission[0] }, ctx)) as OAuthTokenProbeData;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(data.fetches[0].failure?.message).toMatch(/no answer from .* within 800 ms/);
    } finally {
      await s.close();
    }
  });

  it('an endpoint that is down (connection refused)', async () => {
    const { finding } = await probe(plan(fx, 'secret', viaHost(1)));
    expect(finding.status).toBe('fail');
    expect(finding.message).toMatch(/refused the connection/);
  });
});
