import { afterEach, describe, expect, it } from 'vitest';
import { dkimProbe, dmarcProbe, hostProbe, mxProbe, spfProbe, tlsaProbe, tlsRptProbe } from '../../../src/probes/dns/probes.js';
import { SHARED_RESOLVER_KEY, type Resolver } from '../../../src/probes/dns/resolver.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import type { Plan, ProbeContext, Subject } from '../../../src/types.js';
import { startDnsServer, type DnsTestServer, type Zone } from '../../helpers/dns-server.js';
import { probeContext } from '../../helpers/exo.js';
import { planFromYaml } from '../../helpers/plans.js';

const zone: Zone = {
  'contoso.com': {
    MX: [{ preference: 0, exchange: 'contoso-com.mail.protection.outlook.com' }],
    TXT: ['v=spf1 mx include:_spf.contoso.com include:spf.protection.outlook.com -all'],
  },
  '_spf.contoso.com': { TXT: ['v=spf1 a:relay.contoso.com -all'] },
  'relay.contoso.com': { A: ['203.0.113.25'] },
  'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 -all'] },
  'contoso-com.mail.protection.outlook.com': { A: ['52.101.1.1'] },
  'selector1._domainkey.contoso.com': { CNAME: ['selector1-contoso-com._domainkey.contoso.onmicrosoft.com'] },
  'selector1-contoso-com._domainkey.contoso.onmicrosoft.com': { TXT: ['v=DKIM1; p=x'] },
  '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject'] },
  '_smtp._tls.contoso.com': { TXT: ['v=TLSRPTv1; rua=mailto:tls@contoso.com'] },
  'mail.contoso.com': { A: ['192.0.2.10'] },
  '10.2.0.192.in-addr.arpa': { PTR: ['mail.contoso.com'] },
  '_25._tcp.mail.contoso.com': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }] },
};

let server: DnsTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function setup(s: DnsTestServer): { plan: Plan; ctx: ProbeContext } {
  const plan = planFromYaml(`version: 1
domain: contoso.com
dns: { servers: ["127.0.0.1:${s.port}"] }
connectors:
  - name: Relay
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com
    senderIPs: [203.0.113.25]
    tlsSenderCertificateName: "*.contoso.com"
  - name: Smart hosts
    direction: from-office365
    smartHosts: [mail.contoso.com]
    tls: { mode: trusted-ca }
`);
  const ctx = probeContext(plan, { timeouts: { connectMs: 1000, greetingMs: 1000, commandMs: 1000, tlsMs: 1000, deadlineMs: 10_000 }, send: false, runToken: 't' });
  return { plan, ctx };
}
const domain: Subject = { scope: 'domain', domain: 'contoso.com' };

describe('the DNS probes', () => {
  it('gather every record the SPF walk needs, asking each name once', async () => {
    server = await startDnsServer(zone);
    const { ctx } = setup(server);
    const data = await spfProbe.run(domain, ctx);
    expect(data.complete).toBe(true);
    expect(Object.keys(data.answers).sort()).toEqual(['A contoso-com.mail.protection.outlook.com', 'A relay.contoso.com', 'MX contoso.com', 'TXT _spf.contoso.com', 'TXT contoso.com', 'TXT spf.protection.outlook.com']);
    const asked = server.queries.map((q) => `${q.type} ${q.name}`);
    expect(asked.length).toBe(new Set(asked).size);
    expect(data.transcript[0]).toMatchObject({ dir: 'send', line: 'TXT contoso.com?' });
  });

  it('share one cache per run: a name another probe asked is not asked again', async () => {
    server = await startDnsServer(zone);
    const { ctx } = setup(server);
    await Promise.all([mxProbe.run(domain, ctx), spfProbe.run(domain, ctx)]);
    expect(server.queries.filter((q) => q.name === 'contoso.com' && q.type === 'MX')).toHaveLength(1);
    expect(server.queries.filter((q) => q.name === 'contoso-com.mail.protection.outlook.com' && q.type === 'A')).toHaveLength(1);
    expect((ctx.shared.get(SHARED_RESOLVER_KEY) as Resolver).servers).toEqual([{ host: '127.0.0.1', port: server.port }]);
  });

  it('look up both DKIM selectors, the key behind a CNAME, and a missing selector as NXDOMAIN', async () => {
    server = await startDnsServer(zone);
    const { ctx } = setup(server);
    const data = await dkimProbe.run(domain, ctx);
    expect(data.selectors.map((s) => [s.selector, s.cname.status, s.target?.status])).toEqual([
      ['selector1', 'ok', 'ok'],
      ['selector2', 'nxdomain', undefined],
    ]);
  });

  it('look up DMARC, TLS-RPT and MX with the MX host addresses', async () => {
    server = await startDnsServer(zone);
    const { ctx } = setup(server);
    const [dmarc, rpt, mx] = await Promise.all([dmarcProbe.run(domain, ctx), tlsRptProbe.run(domain, ctx), mxProbe.run(domain, ctx)]);
    expect(dmarc.answer.status).toBe('ok');
    expect(dmarc.parents).toEqual([]);
    expect(rpt.answer.records[0]).toMatchObject({ data: 'v=TLSRPTv1; rua=mailto:tls@contoso.com' });
    expect(mx.hosts['contoso-com.mail.protection.outlook.com']!.a.status).toBe('ok');
  });

  it('look up TLSA at _25._tcp and forward-confirm the smart host\'s reverse DNS', async () => {
    server = await startDnsServer(zone);
    const { ctx, plan } = setup(server);
    const endpoint = subjectsFor('endpoint', plan).find((s) => s.scope === 'endpoint' && s.endpoint.host === 'mail.contoso.com')!;
    const [tlsa, host] = await Promise.all([tlsaProbe.run(endpoint, ctx), hostProbe.run(endpoint, ctx)]);
    expect(tlsa.name).toBe('_25._tcp.mail.contoso.com');
    expect(tlsa.answer.records[0]).toMatchObject({ usage: 3, selector: 1, matchingType: 1 });
    expect(host.reverse).toEqual([expect.objectContaining({ address: '192.0.2.10', confirmed: true })]);
  });

  it('turn a resolver that never answers into timeouts, one per name', async () => {
    server = await startDnsServer(zone, { silent: true });
    const { ctx } = setup(server);
    ctx.timeouts.commandMs = 100;
    const data = await spfProbe.run(domain, ctx);
    expect(data.answers['TXT contoso.com']).toMatchObject({ status: 'timeout', tries: 2 });
    expect(Object.keys(data.answers)).toEqual(['TXT contoso.com']);
  });
});
