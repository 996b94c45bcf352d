import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRootCa, issueLeaf, type CaHandle, type Issued } from '../../src/pki/generate.js';
import { fetchMtaStsPolicy, mtaStsProbe, SHARED_MTA_STS_PORT } from '../../src/probes/mta-sts.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../../src/types.js';
import { startDnsServer, type DnsTestServer } from '../helpers/dns-server.js';
import { probeContext } from '../helpers/exo.js';
import { planFromYaml } from '../helpers/plans.js';

let root: CaHandle;
let leaf: Issued;
let wrongName: Issued;
let servers: Server[] = [];
let dns: DnsTestServer | undefined;
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: *.mail.protection.outlook.com\r\nmax_age: 604800\r\n';

beforeAll(async () => {
  root = await createRootCa({ cn: 'MTA-STS Test Root', key: { kind: 'ec', curve: 'P-256' } });
  leaf = await issueLeaf(root, { cn: 'mta-sts.contoso.com' });
  wrongName = await issueLeaf(root, { cn: 'www.contoso.com' });
});
afterEach(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
  await dns?.stop();
  dns = undefined;
});

async function https(cert: Issued, handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer({ key: cert.keyPem, cert: cert.chainPem }, handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}
const serve = (body: string, status = 200, headers: Record<string, string> = { 'content-type': 'text/plain' }) => https(leaf, (req, res) => {
  res.writeHead(status, headers);
  res.end(req.url === '/.well-known/mta-sts.txt' ? body : 'wrong path');
});
const probeCtx = (plan: Plan, shared = new Map<string, unknown>()) => probeContext(plan, { timeouts: { connectMs: 1000, greetingMs: 1000, commandMs: 1000, tlsMs: 1000, deadlineMs: 10_000 }, send: false, runToken: 't', shared });
const fetchFrom = (port: number, ca = [root.certPem], timeoutMs = 2000) => fetchMtaStsPolicy({ host: 'mta-sts.contoso.com', address: '127.0.0.1', port, ca, timeoutMs });

describe('fetching the MTA-STS policy', () => {
  it('gets the policy over HTTPS with a certificate trusted by the plan\'s CA', async () => {
    const r = await fetchFrom(await serve(POLICY));
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ status: 200, contentType: 'text/plain', body: POLICY, tls: { authorized: true } });
  });

  it('reports a certificate the trust anchors do not vouch for, without failing the fetch', async () => {
    const r = await fetchFrom(await serve(POLICY), []);
    expect(r.body).toBe(POLICY);
    expect(r.tls).toMatchObject({ authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('reports a certificate for another name', async () => {
    const port = await https(wrongName, (_req, res) => res.end(POLICY));
    const r = await fetchFrom(port);
    expect(r.tls).toMatchObject({ authorized: false, authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('does not follow redirects', async () => {
    const r = await fetchFrom(await serve('', 301, { location: 'https://elsewhere.example/policy' }));
    expect(r.error).toMatchObject({ kind: 'redirect' });
    expect(r.error!.message).toMatch(/301 redirect to https:\/\/elsewhere\.example\/policy/);
  });

  it('reports HTTP errors with their status', async () => {
    expect((await fetchFrom(await serve('no', 404))).error).toEqual({ kind: 'http', message: 'HTTP 404' });
  });

  it('stops reading a policy larger than 64 KiB', async () => {
    const r = await fetchFrom(await serve('x'.repeat(70_000)));
    expect(r.error).toMatchObject({ kind: 'too-large' });
  });

  it('times out on a server that never answers', async () => {
    const port = await https(leaf, () => undefined);
    const r = await fetchFrom(port, [root.certPem], 300);
    expect(r.error).toEqual({ kind: 'timeout', message: 'no complete answer within 300 ms' });
  });

  it('reports a refused connection', async () => {
    const port = await serve(POLICY);
    await new Promise((r) => servers.pop()!.close(r));
    expect((await fetchFrom(port)).error).toMatchObject({ kind: 'connect' });
  });
});

describe('the MTA-STS probe', () => {
  it('looks up the TXT record and the policy host through the run\'s DNS, and says when the host does not resolve', async () => {
    dns = await startDnsServer({ '_mta-sts.contoso.com': { TXT: ['v=STSv1; id=1'] } });
    const plan = planFromYaml(`version: 1\ndomain: contoso.com\ndns: { servers: ["127.0.0.1:${dns.port}"] }\nconnectors:\n  - name: Smart hosts\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\n`);
    const ctx = probeCtx(plan);
    const data = await mtaStsProbe.run({ scope: 'domain', domain: 'contoso.com' }, ctx);
    expect(data.txt.status).toBe('ok');
    expect(data.policy.error).toMatchObject({ kind: 'dns' });
    expect(data.policy.error!.message).toMatch(/^mta-sts\.contoso\.com does not exist \(NXDOMAIN/);
    expect(dns.queries.map((q) => `${q.type} ${q.name}`).sort()).toEqual(['A mta-sts.contoso.com', 'AAAA mta-sts.contoso.com', 'TXT _mta-sts.contoso.com']);
  });

  it('fetches the policy from the address the plan\'s resolve gives, trusting the plan\'s CA file', async () => {
    const port = await serve(POLICY);
    dns = await startDnsServer({ '_mta-sts.contoso.com': { TXT: ['v=STSv1; id=1'] } });
    const dir = mkdtempSync(join(tmpdir(), 'mta-sts-'));
    writeFileSync(join(dir, 'root.pem'), root.certPem);
    const plan = planFromYaml(`version: 1\ndomain: contoso.com\ntrust: { system: false, ca: [root.pem] }\ndns: { servers: ["127.0.0.1:${dns.port}"] }\nresolve: { "mta-sts.contoso.com:443": 127.0.0.1 }\nconnectors:\n  - name: Smart hosts\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\n`, {}, join(dir, 'plan.yaml'));
    const shared = new Map<string, unknown>([[SHARED_MTA_STS_PORT, port]]);
    const ctx = probeCtx(plan, shared);
    const data = await mtaStsProbe.run({ scope: 'domain', domain: 'contoso.com' }, ctx);
    expect(data.policy).toMatchObject({ address: '127.0.0.1', addressSource: 'plan', status: 200, body: POLICY, tls: { authorized: true } });
    expect(dns.queries.map((q) => q.name)).toEqual(['_mta-sts.contoso.com']);
    expect(data.transcript.at(-1)!.line).toMatch(/^GET https:\/\/mta-sts\.contoso\.com:\d+\/\.well-known\/mta-sts\.txt \(127\.0\.0\.1\): HTTP 200, TLSv1\.3, certificate trusted$/);
  });
});
