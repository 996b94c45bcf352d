// The DNS checks against a real nsd (Debian package) serving the fixture zones in fixtures/dns/ on
// .1:53 of a loopback block 127.X.Y.0/24 claimed free at start (peers/loopback.ts). The MTA-STS
// policies come from an in-process HTTPS server on .2:443 with a generated certificate (reached
// through the plan's resolve), the smart hosts are in-process SMTP servers with STARTTLS on
// .10/.20:25, so
// dns.dane compares the TLSA records with the certificates the real SMTP session probe sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRootCa, issueLeaf, type CaHandle, type Issued } from '../../src/pki/generate.js';
import { tlsaAssociation } from '../../src/dns/tlsa.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { runPlan, DEFAULT_TIMEOUTS } from '../../src/runner/run.js';
import { SHARED_RESOLVER_KEY, type Resolver } from '../../src/probes/dns/resolver.js';
import type { CheckResult, Plan, RunReport } from '../../src/types.js';
import { requirePeer } from '../peers/available.js';
import { claimLoopbackBlock } from '../peers/loopback.js';
import { startNsd, type NsdInstance } from '../peers/nsd.js';
import { startDnsServer, type DnsTestServer } from '../helpers/dns-server.js';
import { startTlsSmtpServer, type TlsSmtpServer } from '../helpers/tls-smtp-server.js';
import { planFromYaml } from '../helpers/plans.js';
import { tempDir } from '../helpers/exo.js';

// The addresses of this run's loopback block (set in beforeAll).
let NSD = '';
let HTTPS = '';
let SILENT = '';
const SMART = { contoso: '', fabrikam: '', fabrikam2: '' };
const escaped = (address: string) => address.replaceAll('.', '\\.');
const FIXTURES = new URL('../../fixtures/dns/', import.meta.url);
const NOW = new Date('2026-11-27T12:00:00Z');
const ALL_RANGES = '[40.92.0.0/15, 40.107.0.0/16, 52.100.0.0/15, 52.102.0.0/16, 52.103.0.0/17, 104.47.0.0/17, "2a01:111:f400::/48", "2a01:111:f403::/48"]';

const POLICIES: Record<string, string> = {
  'mta-sts.contoso.example': 'version: STSv1\r\nmode: enforce\r\nmx: *.mail.protection.outlook.com\r\nmax_age: 604800\r\n',
  'mta-sts.fabrikam.example': 'version: STSv1\r\nmode: enforce\r\nmx: *.mx.microsoft\r\nmx: backup.fabrikam.example\r\nmax_age: 604800\r\n',
};

describe.skipIf(!requirePeer('nsd'))('DNS checks against a real nsd', () => {
  let dir: string;
  let root: CaHandle;
  let nsd: NsdInstance;
  let https: Server;
  const smtp: TlsSmtpServer[] = [];
  let silent: DnsTestServer;

  beforeAll(async () => {
    const loopback = await claimLoopbackBlock([
      { host: 1, tcp: [53], udp: [53] },
      { host: 2, tcp: [443] },
      { host: 3 },
      { host: 10, tcp: [25] },
      { host: 20, tcp: [25] },
      { host: 21, tcp: [25] }, // nothing listens: the session there is refused
    ]);
    [NSD, HTTPS, SILENT] = [loopback.at(1), loopback.at(2), loopback.at(3)];
    Object.assign(SMART, { contoso: loopback.at(10), fabrikam: loopback.at(20), fabrikam2: loopback.at(21) });
    dir = tempDir('relaycheck-dns-nsd-');
    root = await createRootCa({ cn: 'relaycheck DNS test root', key: { kind: 'ec', curve: 'P-256' } });
    const [contosoMail, fabrikamMail, policyHost] = await Promise.all([
      issueLeaf(root, { cn: 'mail.contoso.example' }),
      issueLeaf(root, { cn: 'mail.fabrikam.example' }),
      issueLeaf(root, { cn: 'mta-sts.contoso.example', dnsNames: Object.keys(POLICIES) }),
    ]);
    writeFileSync(join(dir, 'root.pem'), root.certPem);

    const zones = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.zone'))
      .map((f) => ({ name: f.replace(/\.zone$/, ''), text: readFileSync(new URL(f, FIXTURES), 'utf8').replaceAll('@TLSA_MAIL@', tlsaAssociation(contosoMail.certDer, 1, 1)!.toString('hex')) }));
    nsd = await startNsd({ dir: join(dir, 'nsd'), address: NSD, port: 53, zones });

    https = createServer({ key: policyHost.keyPem, cert: policyHost.chainPem }, (req, res) => {
      const body = POLICIES[String(req.headers.host)];
      if (req.url !== '/.well-known/mta-sts.txt' || !body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((r) => https.listen(443, HTTPS, () => r()));

    for (const [cert, host, name] of [[contosoMail, SMART.contoso, 'mail.contoso.example'], [fabrikamMail, SMART.fabrikam, 'mail.fabrikam.example']] as [Issued, string, string][]) {
      smtp.push(await startTlsSmtpServer({ key: cert.keyPem, cert: cert.chainPem, host, port: 25, hostname: name }));
    }
    silent = await startDnsServer({}, { silent: true }, SILENT);
  });

  afterAll(async () => {
    await nsd?.stop();
    https?.closeAllConnections();
    await new Promise((r) => (https ? https.close(r) : r(undefined)));
    await Promise.all(smtp.map((s) => s.close()));
    await silent?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function plan(domain: 'contoso' | 'fabrikam', extra = ''): Plan {
    const d = `${domain}.example`;
    const tenant = domain === 'contoso' ? 'contoso-example.mail.protection.outlook.com' : 'fabrikam-example.b-v1.mx.microsoft';
    const smartHosts = domain === 'contoso' ? '[mail.contoso.example]' : '[mail.fabrikam.example, mail2.fabrikam.example]';
    const yaml = `version: 1
domain: ${d}
trust: { system: false, ca: [root.pem] }
dns: { servers: ["${NSD}:53"] }
resolve:
  "mta-sts.${d}:443": ${HTTPS}
  "mail.${d}:25": ${domain === 'contoso' ? SMART.contoso : SMART.fabrikam}
  "mail2.${d}:25": ${SMART.fabrikam2}
connectors:
  - name: Relay to Office 365
    direction: to-office365
    endpoint: ${tenant}
    senderIPs: [${domain === 'contoso' ? '203.0.113.25' : '203.0.113.30'}]
    tlsSenderCertificateName: "*.${d}"
  - name: Office 365 to smart hosts
    direction: from-office365
    smartHosts: ${smartHosts}
    tls: { mode: trusted-ca }
${extra}`;
    return planFromYaml(yaml, {}, join(dir, `${domain}.yaml`));
  }

  async function run(p: Plan, timeouts = DEFAULT_TIMEOUTS): Promise<{ report: RunReport; shared: Map<string, unknown>; ms: number }> {
    const shared = new Map<string, unknown>();
    const t0 = performance.now();
    const report = await runPlan(p, { checks: builtinChecks, probes: builtinProbes }, { only: ['dns', 'firewall'], skip: ['dns.inbound-dane'], send: false, timeouts, concurrency: 8, now: () => NOW, shared });
    return { report, shared, ms: Math.round(performance.now() - t0) };
  }
  const row = (r: CheckResult) => `${r.check} ${r.endpoint ?? '-'} ${r.status}`;

  it('finds nothing wrong with a correctly set-up domain', async () => {
    const { report, ms } = await run(plan('contoso', `firewall:\n  allowed: ${ALL_RANGES}\n`));
    console.log(`[dns-nsd] correct zone: ${report.results.length} results in ${ms} ms`);
    for (const r of report.results) expect(r.status, `${r.check} ${r.endpoint ?? ''}: ${r.message}`).toBe('pass');
    expect(report.results.map(row)).toEqual([
      'firewall.office365-ranges - pass',
      'dns.mx - pass',
      'dns.spf - pass',
      'dns.dkim - pass',
      'dns.dmarc - pass',
      'dns.mta-sts - pass',
      'dns.tls-rpt - pass',
      'dns.dane mail.contoso.example:25 pass',
      'dns.smart-hosts mail.contoso.example:25 pass',
    ]);
    const by = (id: string) => report.results.find((r) => r.check === id)!;
    expect(by('dns.mx').message).toBe('MX 0 contoso-example.mail.protection.outlook.com is the only MX');
    expect(by('dns.spf').message).toBe('one SPF record: includes spf.protection.outlook.com, 2 of 10 DNS lookups, ends in -all; relay 203.0.113.25 passes');
    expect(by('dns.mta-sts').message).toMatch(/mode enforce.*cover contoso-example\.mail\.protection\.outlook\.com/);
    // nsd does not validate, and the plan does not say dns.validating: DNSSEC is reported unknown (test/integration/dnssec-unbound.test.ts validates)
    expect(by('dns.dane').message).toMatch(/^TLSA 3 1 1 \(DANE-EE, public key, SHA-256\) matches the certificate mail\.contoso\.example presented; DNSSEC unknown \(signatures \(RRSIG\) were served, but dns\.validating is not set/);
    expect(by('dns.smart-hosts').message).toBe(`mail.contoso.example → 192.0.2.10 (reverse DNS: 192.0.2.10 ⇄ mail.contoso.example); relaycheck's own sessions go to ${SMART.contoso} from the plan's resolve, while Exchange Online uses DNS`);
    // the DNS transcripts show what nsd answered
    expect(Object.values(report.transcripts).flat().some((l) => l.line.startsWith(`NOERROR, 1 record (udp, ${NSD}:53`))).toBe(true);
  });

  it('reports exactly the dozen deliberate mistakes of the broken zone', async () => {
    const { report, ms } = await run(plan('fabrikam', 'firewall:\n  allowed: [40.92.0.0/16, 40.107.0.0/16, 52.100.0.0/15, 52.102.0.0/16, 52.103.0.0/17]\n'));
    console.log(`[dns-nsd] broken zone: ${report.results.length} results in ${ms} ms`);
    expect(report.results.map(row)).toEqual([
      'firewall.office365-ranges - fail',
      'dns.mx - fail',
      'dns.spf - fail',
      'dns.dkim - fail',
      'dns.dmarc - fail',
      'dns.mta-sts - fail',
      'dns.tls-rpt - fail',
      'dns.dane mail.fabrikam.example:25 fail',
      'dns.dane mail2.fabrikam.example:25 skipped',
      'dns.smart-hosts mail.fabrikam.example:25 warn',
      'dns.smart-hosts mail2.fabrikam.example:25 fail',
    ]);
    const msg = (id: string, endpoint: string | null = null) => report.results.find((r) => r.check === id && r.endpoint === endpoint)!.message;
    // 1. extra MX preferred over Exchange Online
    expect(msg('dns.mx')).toBe("backup.fabrikam.example (preference 5) is preferred over Exchange Online's fabrikam-example.b-v1.mx.microsoft (10): senders deliver there first, bypassing Exchange Online");
    // 2–6. SPF: two records, no Exchange Online include, 12 lookups, relay address not authorized, ?all
    const spf = msg('dns.spf');
    expect(spf).toMatch(/^fabrikam\.example publishes 2 SPF records: receivers return permerror/);
    expect(spf.match(/has no include:spf\.protection\.outlook\.com/g)).toHaveLength(2);
    expect(report.results.find((r) => r.check === 'dns.spf')!.remediation).toContain('Publish: fabrikam.example. 3600 IN TXT "v=spf1 ip4:203.0.113.30 mx a include:_spf-a.fabrikam.example include:_spf-b.fabrikam.example ip4:198.51.100.0/24 include:spf.protection.outlook.com ~all"');
    expect(spf).toContain('needs 12 DNS lookups through nested includes (limit 10, RFC 7208 §4.6.4): receivers return permerror [fabrikam.example (4), _spf-a.fabrikam.example (4), _spf-c.fabrikam.example (2), _spf-b.fabrikam.example (2)]');
    expect(spf).toContain('relay address 203.0.113.30 (senderIPs of the to-office365 connectors) gets SPF softfail from fabrikam.example: ~all');
    expect(spf).toContain('relay address 203.0.113.30 (senderIPs of the to-office365 connectors) gets SPF neutral from fabrikam.example: ?all');
    expect(spf).toContain('ends in ?all (neutral)');
    // 7. no DMARC
    expect(msg('dns.dmarc')).toMatch(new RegExp(`^_dmarc\\.fabrikam\\.example does not exist \\(NXDOMAIN from ${escaped(NSD)}:53\\): receivers apply no DMARC policy`));
    // 8. one DKIM selector missing
    expect(msg('dns.dkim')).toBe('selector2._domainkey.fabrikam.example does not exist (NXDOMAIN)');
    // 9. MTA-STS pattern misses the mx.microsoft host
    expect(msg('dns.mta-sts')).toBe('MX host fabrikam-example.b-v1.mx.microsoft is not covered by the policy\'s mx: patterns (*.mx.microsoft, backup.fabrikam.example; a "*." pattern covers exactly one label)');
    // 10. TLS-RPT without rua
    expect(msg('dns.tls-rpt')).toBe('_smtp._tls.fabrikam.example "v=TLSRPTv1;": rua= (where reports go) is missing');
    // 11. TLSA does not match the certificate the smart host presented
    expect(msg('dns.dane', 'mail.fabrikam.example:25')).toBe('none of the 1 usable TLSA record(s) at _25._tcp.mail.fabrikam.example matches the certificate mail.fabrikam.example presented: 3 1 1 (DANE-EE, public key, SHA-256)');
    expect(msg('dns.dane', 'mail2.fabrikam.example:25')).toMatch(/^no TLSA record at _25\._tcp\.mail2\.fabrikam\.example \(NXDOMAIN\)/);
    // 12–13. smart hosts: reverse DNS does not forward-confirm; a smart host that does not exist
    expect(msg('dns.smart-hosts', 'mail.fabrikam.example:25')).toBe('192.0.2.20 has PTR host20.fabrikam.example, which does not resolve back to 192.0.2.20 (reverse DNS does not forward-confirm)');
    expect(msg('dns.smart-hosts', 'mail2.fabrikam.example:25')).toMatch(new RegExp(`^mail2\\.fabrikam\\.example does not exist \\(NXDOMAIN from ${escaped(NSD)}:53\\)`));
    // 14. the firewall misses Exchange Online ranges
    expect(msg('firewall.office365-ranges')).toBe('firewall.allowed misses 2 IPv4 ranges: 40.92.0.0/15 (partly: 40.93.0.0/16 missing), 104.47.0.0/17; firewall.allowed misses 2 IPv6 ranges: 2a01:111:f400::/48, 2a01:111:f403::/48 (no IPv6 is allowed at all: fine while the smart hosts have no AAAA record)');
    // every failing result says how to fix it
    for (const r of report.results.filter((x) => x.status === 'fail' || x.status === 'warn')) expect(r.remediation, r.check).not.toBe('');
  });

  it('asks nsd each name once per run, however many checks need it', async () => {
    const { shared } = await run(plan('fabrikam'));
    const resolver = shared.get(SHARED_RESOLVER_KEY) as Resolver;
    console.log(`[dns-nsd] broken zone: ${resolver.stats.questions} questions, ${resolver.stats.packets} packets`);
    expect(resolver.stats.packets).toBeLessThanOrEqual(resolver.stats.questions + 5); // CNAME hops only, no retries
  });

  it('turns a resolver that never answers into one timeout per name, not a hang', async () => {
    const p = { ...plan('contoso'), dns: { servers: [{ host: SILENT, port: silent.port }] } };
    const timeouts = { ...DEFAULT_TIMEOUTS, commandMs: 500, deadlineMs: 60_000 };
    const { report, shared, ms } = await run(p, timeouts);
    const resolver = shared.get(SHARED_RESOLVER_KEY) as Resolver;
    const names = new Set(silent.queries.map((q) => `${q.type} ${q.name}`));
    console.log(`[dns-nsd] silent resolver: run finished in ${ms} ms; ${resolver.stats.questions} names asked, ${silent.queries.length} packets (${resolver.attempts} tries of ${resolver.timeoutMs} ms per name)`);
    expect(report.options?.deadlineHit).toBeUndefined();
    expect(silent.queries.length).toBe(names.size * resolver.attempts);
    for (const r of report.results.filter((x) => x.check.startsWith('dns.'))) {
      expect(r.status, r.check).toBe('error');
      expect(r.message, r.check).toMatch(new RegExp(`no answer from ${escaped(SILENT)}:\\d+ \\(2 tries of 500 ms\\)`));
    }
  });
});
