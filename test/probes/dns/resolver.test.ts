import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { getEventListeners } from 'node:events';
import { createResolver } from '../../../src/probes/dns/resolver.js';
import { startDnsServer, type DnsTestServer, type Zone } from '../../helpers/dns-server.js';

const zone: Zone = {
  'contoso.com': {
    MX: [{ preference: 0, exchange: 'contoso-com.mail.protection.outlook.com' }],
    TXT: [['v=spf1 include:spf.protection.outlook.com', ' -all'], 'google-site-verification=abc'],
  },
  'selector1._domainkey.contoso.com': { CNAME: ['selector1-contoso-com._domainkey.contoso.onmicrosoft.com'] },
  'selector1-contoso-com._domainkey.contoso.onmicrosoft.com': { TXT: ['v=DKIM1; k=rsa; p=MIIB'] },
  'mail.contoso.com': { A: ['192.0.2.10'] },
};

const servers: DnsTestServer[] = [];
async function server(...args: Parameters<typeof startDnsServer>): Promise<DnsTestServer> {
  const s = await startDnsServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('the DNS resolver', () => {
  it('answers an MX question over UDP and says which server answered', async () => {
    const s = await server(zone);
    const r = createResolver({ servers: [s.server], timeoutMs: 1000 });
    const a = await r.query('contoso.com', 'MX');
    expect(a.status).toBe('ok');
    expect(a.transport).toBe('udp');
    expect(a.server).toBe(`127.0.0.1:${s.port}`);
    expect(a.records).toEqual([{ type: 'MX', name: 'contoso.com', ttl: 300, preference: 0, exchange: 'contoso-com.mail.protection.outlook.com' }]);
  });

  it('joins the character-strings of a TXT record without a separator', async () => {
    const s = await server(zone);
    const a = await createResolver({ servers: [s.server] }).query('contoso.com', 'TXT');
    expect(a.records.map((x) => (x.type === 'TXT' ? x.data : ''))).toEqual(['v=spf1 include:spf.protection.outlook.com -all', 'google-site-verification=abc']);
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const s = await server(zone, { truncateUdp: true });
    const a = await createResolver({ servers: [s.server], timeoutMs: 1000 }).query('contoso.com', 'TXT');
    expect(a.status).toBe('ok');
    expect(a.transport).toBe('tcp');
    expect(a.records).toHaveLength(2);
    expect(s.queries.map((q) => q.transport)).toEqual(['udp', 'tcp']);
  });

  it('keeps a name that does not exist (NXDOMAIN) apart from a name without that record (NODATA)', async () => {
    const s = await server(zone);
    const r = createResolver({ servers: [s.server] });
    const missing = await r.query('_dmarc.contoso.com', 'TXT');
    const nodata = await r.query('mail.contoso.com', 'TXT');
    const emptyNonTerminal = await r.query('_domainkey.contoso.com', 'TXT');
    expect(missing.status).toBe('nxdomain');
    expect(missing.rcode).toBe('NXDOMAIN');
    expect(nodata.status).toBe('nodata');
    expect(emptyNonTerminal.status).toBe('nodata');
  });

  it('reports SERVFAIL and REFUSED as lookup failures, not as missing records', async () => {
    const s = await server(zone, { rcode: (q) => (q.name.startsWith('bad') ? 'SERVFAIL' : q.name.startsWith('no') ? 'REFUSED' : undefined) });
    const r = createResolver({ servers: [s.server], timeoutMs: 500, attempts: 1 });
    expect((await r.query('bad.contoso.com', 'A')).status).toBe('servfail');
    expect((await r.query('no.contoso.com', 'A')).status).toBe('refused');
  });

  it('moves on to the next server when the first answers SERVFAIL', async () => {
    const broken = await server(zone, { rcode: () => 'SERVFAIL' });
    const good = await server(zone);
    const a = await createResolver({ servers: [broken.server, good.server], timeoutMs: 500 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('ok');
    expect(a.server).toBe(`127.0.0.1:${good.port}`);
    expect(a.tries).toBe(2);
  });

  it('ignores an answer with the wrong id and waits for the right one', async () => {
    const s = await server(zone, { wrongIdFirst: true });
    const a = await createResolver({ servers: [s.server], timeoutMs: 1000 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('ok');
    expect(a.records[0]).toMatchObject({ data: '192.0.2.10' });
  });

  it('ignores a TCP answer with the wrong id and reads the next one on the connection', async () => {
    const s = await server(zone, { truncateUdp: true, wrongIdFirst: true });
    const a = await createResolver({ servers: [s.server], timeoutMs: 1000 }).query('contoso.com', 'MX');
    expect(a).toMatchObject({ status: 'ok', transport: 'tcp' });
  });

  it('asks again without EDNS when an old server answers FORMERR to it', async () => {
    const s = await server(zone, { rcode: (q) => (q.dnssecOk ? 'FORMERR' : undefined) });
    const a = await createResolver({ servers: [s.server], timeoutMs: 1000 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('ok');
    expect(s.queries.map((q) => q.dnssecOk)).toEqual([true, false]);
  });

  it('ignores an answer to another question carrying the right id', async () => {
    const s = await server(zone, { wrongQuestionFirst: true });
    const a = await createResolver({ servers: [s.server], timeoutMs: 1000 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('ok');
  });

  it('does not accept an answer that comes from another port', async () => {
    const s = await server(zone, { fromOtherPort: true });
    const a = await createResolver({ servers: [s.server], timeoutMs: 200, attempts: 1 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('timeout');
  });

  it('waits for a slow server within the timeout', async () => {
    const s = await server(zone, { delayMs: 150 });
    const a = await createResolver({ servers: [s.server], timeoutMs: 2000 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('ok');
    expect(a.tries).toBe(1);
  });

  it('gives up on a server that never answers after its tries, with a timeout status', async () => {
    const s = await server(zone, { silent: true });
    const a = await createResolver({ servers: [s.server], timeoutMs: 100, attempts: 2 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('timeout');
    expect(a.tries).toBe(2);
    expect(a.error).toMatch(/no answer from 127\.0\.0\.1:\d+ \(2 tries of 100 ms\)/);
    expect(s.queries).toHaveLength(2);
  });

  it('reports a resolver port where nothing listens as unreachable', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((res) => probe.bind(0, '127.0.0.1', () => res()));
    const port = probe.address().port;
    probe.close();
    const a = await createResolver({ servers: [{ host: '127.0.0.1', port }], timeoutMs: 500, attempts: 1 }).query('mail.contoso.com', 'A');
    expect(a.status).toBe('unreachable');
  });

  it('asks each name once, even for concurrent callers', async () => {
    const s = await server(zone, { delayMs: 50 });
    const r = createResolver({ servers: [s.server], timeoutMs: 1000 });
    const answers = await Promise.all([r.query('contoso.com', 'MX'), r.query('CONTOSO.com.', 'MX'), r.query('contoso.com', 'MX')]);
    expect(answers.every((a) => a.status === 'ok')).toBe(true);
    expect(s.queries).toHaveLength(1);
    expect(r.stats.questions).toBe(1);
  });

  it('uses a fresh random id for every packet and asks with the DNSSEC OK bit', async () => {
    const s = await server(zone);
    const r = createResolver({ servers: [s.server] });
    await Promise.all(Array.from({ length: 12 }, (_, i) => r.query(`n${i}.contoso.com`, 'A')));
    expect(new Set(s.queries.map((q) => q.id)).size).toBeGreaterThan(1);
    expect(s.queries.every((q) => q.dnssecOk)).toBe(true);
  });

  it('records the AD bit of a validating resolver and RRSIGs served with the answer', async () => {
    const s = await server(zone, { ad: true, signed: ['mail.contoso.com'] });
    const a = await createResolver({ servers: [s.server] }).query('mail.contoso.com', 'A');
    expect(a.ad).toBe(true);
    expect(a.signed).toBe(true);
    const plain = await server(zone);
    const b = await createResolver({ servers: [plain.server] }).query('mail.contoso.com', 'A');
    expect(b.ad).toBe(false);
    expect(b.signed).toBe(false);
  });

  it('follows a CNAME the server returns alone by asking for its target', async () => {
    const s = await server(zone, { aliasOnly: true });
    const a = await createResolver({ servers: [s.server] }).query('selector1._domainkey.contoso.com', 'TXT');
    expect(a.status).toBe('ok');
    expect(a.cnames).toEqual(['selector1-contoso-com._domainkey.contoso.onmicrosoft.com']);
    expect(a.records[0]).toMatchObject({ type: 'TXT', data: 'v=DKIM1; k=rsa; p=MIIB' });
  });

  it('returns the CNAME itself for a CNAME question', async () => {
    const s = await server(zone);
    const a = await createResolver({ servers: [s.server] }).query('selector1._domainkey.contoso.com', 'CNAME');
    expect(a.records).toEqual([{ type: 'CNAME', name: 'selector1._domainkey.contoso.com', ttl: 300, data: 'selector1-contoso-com._domainkey.contoso.onmicrosoft.com' }]);
  });

  it('puts one abort listener on the run signal however many questions are in flight, so Node prints no listener-leak warning', async () => {
    const s = await server(zone, { silent: true });
    const ac = new AbortController();
    const r = createResolver({ servers: [s.server], timeoutMs: 5000, signal: ac.signal });
    const pending = Array.from({ length: 20 }, (_, i) => r.query(`n${i}.contoso.com`, 'A'));
    await new Promise((res) => setTimeout(res, 50));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    expect((await Promise.all(pending)).every((a) => a.status === 'error' && /aborted/.test(a.error ?? ''))).toBe(true);
  });

  it('answers every caller with "aborted" once the run is aborted', async () => {
    const s = await server(zone, { silent: true });
    const ac = new AbortController();
    const r = createResolver({ servers: [s.server], timeoutMs: 5000, signal: ac.signal });
    const pending = r.query('mail.contoso.com', 'A');
    setTimeout(() => ac.abort(), 50);
    const a = await pending;
    expect(a.status).toBe('error');
    expect(a.error).toMatch(/aborted/);
  });
});
