// HTTPS_PROXY for the token requests: MSAL's calls go through a CONNECT tunnel of a loopback
// proxy (TLS to the authority end to end), NO_PROXY bypasses it, and a refusing proxy is a finding.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oauthTokenProbe } from '../../src/probes/oauth-token.js';
import { proxyFor } from '../../src/oauth/proxy.js';
import { startTestEntra, type EntraFixture } from '../helpers/entra.js';
import { probeContext, tempDir, writeAndLoadPlan } from '../helpers/exo.js';
import type { OAuthTokenProbeData } from '../../src/evidence/oauth.js';

let fx: EntraFixture;
let proxy: http.Server;
let proxyPort: number;
const tunnels: string[] = [];
let refuse = false;
const open = new Set<net.Socket>();

beforeAll(async () => {
  fx = await startTestEntra();
  proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: net.Socket, head) => {
    tunnels.push(String(req.url));
    open.add(client);
    if (refuse) return client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
    const [host, port] = String(req.url).split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host, () => {
      open.add(upstream);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyPort = (proxy.address() as AddressInfo).port;
});
afterAll(async () => {
  await fx.entra.close();
  proxy.closeAllConnections();
  for (const s of open) s.destroy();
  await new Promise((r) => proxy.close(r));
});
const saved = { ...process.env };
afterEach(() => {
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  refuse = false;
});

function plan() {
  const yaml = `version: 1
domain: contoso.test
trust: { system: false, ca: [./root.pem] }
resolve: { ${fx.resolve} }
submission:
  - name: Scanner
    endpoint: smtp.office365.com:587
    username: scanner@contoso.test
    from: scanner@contoso.test
    oauth2: { tenantId: ${fx.tenantId}, clientId: ${fx.clientId}, authority: "${fx.authority}", certificate: { cert: ./app.pem, key: { file: ./app.key } } }
`;
  return writeAndLoadPlan(tempDir('relaycheck-proxy-'), yaml, { 'root.pem': fx.rootPem, 'app.pem': fx.appCert.certPem, 'app.key': fx.appCert.keyPem });
}

async function fetchToken() {
  const p = plan();
  return (await oauthTokenProbe.run({ scope: 'entry', entry: p.submission[0] }, probeContext(p))) as OAuthTokenProbeData;
}

describe('token requests through HTTPS_PROXY', () => {
  it('tunnel through the proxy with CONNECT and still verify the authority against the plan trust', async () => {
    process.env.HTTPS_PROXY = `http://127.0.0.1:${proxyPort}`;
    const before = tunnels.length;
    const data = await fetchToken();
    expect(data.fetches[0].ok).toBe(true);
    expect(tunnels.length).toBeGreaterThan(before);
    expect(tunnels.at(-1)).toBe(`127.0.0.1:${fx.entra.port}`);
    expect(data.transcript.map((l) => l.line).join('\n')).toContain(`through the proxy http://127.0.0.1:${proxyPort} (CONNECT`);
  });

  it('say so when the proxy refuses the tunnel', async () => {
    process.env.HTTPS_PROXY = `http://user:proxy-pass@127.0.0.1:${proxyPort}`;
    refuse = true;
    const data = await fetchToken();
    expect(data.fetches[0].ok).toBe(false);
    expect(data.fetches[0].failure?.message).toMatch(new RegExp(`the proxy http://127.0.0.1:${proxyPort} refused CONNECT .*: HTTP 407`));
    expect(JSON.stringify(data)).not.toContain('proxy-pass');
  });

  it('go direct for hosts in NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://127.0.0.1:3128', NO_PROXY: '.lab.test,localhost' };
    expect(proxyFor('login.microsoftonline.lab.test', env)).toBeUndefined();
    expect(proxyFor('login.microsoftonline.com', env)?.url.host).toBe('127.0.0.1:3128');
    expect(proxyFor('login.microsoftonline.com', {})).toBeUndefined();
  });
});
