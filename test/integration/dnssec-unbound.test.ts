// DANE as Exchange Online's SmtpDaneMode sees it, for real: nsd (.1:53 of the file's loopback block)
// serves zones signed with ldns-signzone — one good, one with expired signatures — and one unsigned
// zone; unbound (.53:53) validates them from the test trust anchors and sets the AD bit; the smart
// hosts are one in-process STARTTLS server on .10:25 reached through the plan's resolve. The block
// 127.X.Y.0/24 is claimed free at start (test/peers/loopback.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRootCa, issueLeaf } from '../../src/pki/generate.js';
import { tlsaAssociation } from '../../src/dns/tlsa.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { runPlan, DEFAULT_TIMEOUTS } from '../../src/runner/run.js';
import type { CheckResult, Plan } from '../../src/types.js';
import { requirePeer } from '../peers/available.js';
import { claimLoopbackBlock } from '../peers/loopback.js';
import { startNsd, type NsdInstance } from '../peers/nsd.js';
import { signZone } from '../peers/dnssec.js';
import { startUnbound, type UnboundInstance } from '../peers/unbound.js';
import { startTlsSmtpServer, type TlsSmtpServer } from '../helpers/tls-smtp-server.js';
import { planFromYaml } from '../helpers/plans.js';
import { tempDir } from '../helpers/exo.js';

// The addresses of this run's loopback block (set in beforeAll).
let NSD = '';
let UNBOUND = '';
let SMART = '';
const escaped = (address: string) => address.replaceAll('.', '\\.');
const MX = 'signed-example.d-v1.mx.microsoft';
const WRONG = 'ab'.repeat(32);

const soa = (apex: string) => `$TTL 300
@ IN SOA ns1.${apex}. hostmaster.${apex}. 1 3600 600 86400 300
@ IN NS ns1.${apex}.
ns1 IN A ${NSD}
`;

describe.skipIf(!requirePeer('nsd', 'unbound'))('DANE against signed zones and a validating unbound', () => {
  let dir: string;
  let nsd: NsdInstance;
  let unbound: UnboundInstance;
  let smtp: TlsSmtpServer;

  beforeAll(async () => {
    const loopback = await claimLoopbackBlock([
      { host: 1, tcp: [53], udp: [53] },
      { host: 53, tcp: [53], udp: [53] },
      { host: 10, tcp: [25] },
    ]);
    [NSD, UNBOUND, SMART] = [loopback.at(1), loopback.at(53), loopback.at(10)];
    dir = tempDir('relaycheck-dnssec-');
    const root = await createRootCa({ cn: 'relaycheck DNSSEC test root', key: { kind: 'ec', curve: 'P-256' } });
    const leaf = await issueLeaf(root, { cn: 'mail.signed.example' });
    const hash = tlsaAssociation(leaf.certDer, 1, 1)!.toString('hex');
    writeFileSync(join(dir, 'root.pem'), root.certPem);
    const keys = join(dir, 'keys');
    const signed = signZone({
      dir: keys,
      name: 'signed.example',
      text: `${soa('signed.example')}@ IN MX 0 ${MX}.
mail IN A ${SMART}
_25._tcp.mail IN TLSA 3 1 1 ${hash}
other IN A ${SMART}
_25._tcp.other IN TLSA 3 1 1 ${WRONG}
nodane IN A ${SMART}
`,
    });
    // Signatures that expired a year ago: a validating resolver answers SERVFAIL (DNSSEC bogus).
    const bogus = signZone({ dir: keys, name: 'bogus.example', text: `${soa('bogus.example')}mail IN A ${SMART}\n_25._tcp.mail IN TLSA 3 1 1 ${hash}\n`, inception: '20250101000000', expiration: '20250201000000' });
    const mx = signZone({ dir: keys, name: 'd-v1.mx.microsoft', text: `${soa('d-v1.mx.microsoft')}signed-example IN A ${SMART}\n_25._tcp.signed-example IN TLSA 3 1 1 ${hash}\n` });
    nsd = await startNsd({
      dir: join(dir, 'nsd'),
      address: NSD,
      port: 53,
      zones: [signed, bogus, mx, { name: 'unsigned.example', text: `${soa('unsigned.example')}mail IN A ${SMART}\n_25._tcp.mail IN TLSA 3 1 1 ${hash}\n` }],
    });
    unbound = await startUnbound({
      dir: join(dir, 'unbound'),
      address: UNBOUND,
      port: 53,
      stubs: ['signed.example', 'bogus.example', 'unsigned.example', 'd-v1.mx.microsoft'].map((name) => ({ name, server: `${NSD}@53` })),
      trustAnchors: [signed.ds, bogus.ds, mx.ds],
      insecure: ['unsigned.example'],
    });
    smtp = await startTlsSmtpServer({ key: leaf.keyPem, cert: leaf.chainPem, host: SMART, port: 25, hostname: 'mail.signed.example' });
  }, 60_000);

  afterAll(async () => {
    await smtp?.close();
    await unbound?.stop();
    await nsd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const HOSTS = ['mail.signed.example', 'other.signed.example', 'nodane.signed.example', 'mail.unsigned.example', 'mail.bogus.example'];

  function plan(opts: { mode: string; validating: boolean; ipLiteral?: boolean }): Plan {
    const hosts = [...HOSTS, ...(opts.ipLiteral ? [SMART] : [])];
    return planFromYaml(
      `version: 1
domain: signed.example
trust: { system: false, ca: [root.pem] }
dns: { servers: ["${UNBOUND}:53"]${opts.validating ? ', validating: true' : ''} }
resolve:
${HOSTS.map((h) => `  "${h}:25": ${SMART}`).join('\n')}
connectors:
  - name: Relay to Office 365
    direction: to-office365
    endpoint: ${MX}
    tlsSenderCertificateName: "*.signed.example"
  - name: Office 365 to smart hosts
    direction: from-office365
    smartHosts: [${hosts.join(', ')}]
    tls: { mode: trusted-ca }
    smtpDaneMode: ${opts.mode}
    mtaStsMode: Opportunistic
`,
      {},
      join(dir, 'plan.yaml'),
    );
  }

  async function results(p: Plan): Promise<CheckResult[]> {
    const report = await runPlan(p, { checks: builtinChecks, probes: builtinProbes }, { only: ['dns.dane', 'dns.inbound-dane'], send: false, timeouts: DEFAULT_TIMEOUTS, concurrency: 8 });
    return report.results;
  }
  const byEndpoint = (rs: CheckResult[], host: string) => rs.find((r) => r.check === 'dns.dane' && r.endpoint === `${host}:25`)!;

  it('with Mandatory DANE and a validating resolver, passes only the smart host with matching, DNSSEC-validated TLSA', async () => {
    const rs = await results(plan({ mode: 'Mandatory', validating: true, ipLiteral: true }));
    const status = Object.fromEntries(rs.map((r) => [`${r.check} ${r.endpoint ?? '-'}`, r.status]));
    expect(status).toEqual({
      'dns.inbound-dane -': 'pass',
      'dns.dane mail.signed.example:25': 'pass',
      'dns.dane other.signed.example:25': 'fail',
      'dns.dane nodane.signed.example:25': 'fail',
      'dns.dane mail.unsigned.example:25': 'fail',
      'dns.dane mail.bogus.example:25': 'error',
      [`dns.dane ${SMART}:25`]: 'fail',
    });
    expect(byEndpoint(rs, 'mail.signed.example').message).toMatch(new RegExp(`matches the certificate mail\\.signed\\.example presented; the answer was DNSSEC-validated \\(AD from ${escaped(UNBOUND)}:53, marked validating\\)$`));
    expect(byEndpoint(rs, 'other.signed.example').exchangeOnline).toMatch(/5\.7\.323 tlsa-invalid/);
    expect(byEndpoint(rs, 'nodane.signed.example').message).toMatch(/Mandatory, but there is no TLSA record at _25\._tcp\.nodane\.signed\.example \(NXDOMAIN\)/);
    expect(byEndpoint(rs, 'mail.unsigned.example').message).toMatch(new RegExp(`the validating resolver ${escaped(UNBOUND)}:53 did not vouch for it \\(AD clear\\)`));
    expect(byEndpoint(rs, 'mail.bogus.example').message).toMatch(/SERVFAIL.*the resolver is marked validating, and SERVFAIL for a signed zone usually means broken DNSSEC signatures/);
    expect(byEndpoint(rs, 'mail.bogus.example').exchangeOnline).toMatch(/5\.7\.324 dnssec-invalid/);
    expect(byEndpoint(rs, SMART).message).toMatch(/is an IP address: DANE looks up TLSA records/);
    expect(rs.find((r) => r.check === 'dns.inbound-dane')!.message).toBe(`${MX}: 1 TLSA record(s), DNSSEC-validated (AD)`);
  });

  it('without dns.validating reports DNSSEC as unknown, even though unbound sets AD', async () => {
    const rs = await results(plan({ mode: 'Mandatory', validating: false }));
    const good = byEndpoint(rs, 'mail.signed.example');
    expect(good.status).toBe('warn');
    expect(good.message).toMatch(new RegExp(`DNSSEC unknown: dns\\.validating is not set, so relaycheck does not take ${escaped(UNBOUND)}:53's word for it \\(the answer carried AD\\)`));
    expect(rs.find((r) => r.check === 'dns.inbound-dane')!.message).toMatch(/DNSSEC unknown/);
  });

  it('with Opportunistic DANE, an unsigned zone only warns', async () => {
    const rs = await results(plan({ mode: 'Opportunistic', validating: true }));
    expect(byEndpoint(rs, 'mail.unsigned.example').status).toBe('warn');
    expect(byEndpoint(rs, 'nodane.signed.example').status).toBe('skipped');
    expect(byEndpoint(rs, 'mail.signed.example').status).toBe('pass');
  });
});
