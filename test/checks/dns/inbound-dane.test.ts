import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/inbound-dane.js';
import { recordsOf } from '../../../src/dns/answer.js';
import type { MxTlsaProbeData } from '../../../src/evidence/dns-probes.js';
import { zoneAnswer } from '../../helpers/dns-answers.js';
import type { Zone } from '../../helpers/dns-server.js';
import { planFromYaml } from '../../helpers/plans.js';
import { domainSubject, evaluate, PLAN_YAML, plan } from './fixtures.js';

const MX = 'contoso-com.d-v1.mx.microsoft';
const VALIDATING = planFromYaml(`${PLAN_YAML}dns: { servers: [127.0.0.1], validating: true }\n`);
const withMx = (host: string, tlsa = true): Zone => ({
  'contoso.com': { MX: [{ preference: 0, exchange: host }] },
  ...(tlsa ? { [`_25._tcp.${host}`]: { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }] } } : {}),
});

function data(zone: Zone, ad = false): MxTlsaProbeData {
  const mx = zoneAnswer(zone, 'contoso.com', 'MX');
  const hosts = recordsOf(mx, 'MX')
    .map((r) => r.exchange)
    .filter((h) => h.endsWith('.mx.microsoft'))
    .map((host) => ({ host, name: `_25._tcp.${host}`, answer: { ...zoneAnswer(zone, `_25._tcp.${host}`, 'TLSA'), ad } }));
  return { domain: 'contoso.com', mx, hosts, transcript: [] };
}

const run = (d: MxTlsaProbeData, p = VALIDATING) => evaluate(check, { 'dns-mx-tlsa': d }, domainSubject(p), p);

describe('dns.inbound-dane', () => {
  it('applies only when the plan relays to an mx.microsoft host', () => {
    expect(check.appliesTo!(domainSubject(plan), plan)).toBe(false);
    const mxPlan = planFromYaml(PLAN_YAML.replace('contoso-com.mail.protection.outlook.com', MX));
    expect(check.appliesTo!(domainSubject(mxPlan), mxPlan)).toBe(true);
  });

  it('passes DNSSEC-validated TLSA records on the mx.microsoft host', () => {
    const f = run(data(withMx(MX), true));
    expect(f.status).toBe('pass');
    expect(f.message).toBe(`${MX}: 1 TLSA record(s), DNSSEC-validated (AD)`);
  });

  it('warns with Enable-SmtpDaneInbound when the mx.microsoft host has no TLSA', () => {
    const f = run(data(withMx(MX, false), true));
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/inbound DANE is not enabled for contoso\.com/);
    expect(f.powershell).toBe("Enable-SmtpDaneInbound -DomainName 'contoso.com'");
  });

  it('fails TLSA records the validating resolver does not vouch for', () => {
    expect(run(data(withMx(MX), false)).status).toBe('fail');
  });

  it('reports DNSSEC as unknown without a resolver marked validating', () => {
    const f = run(data(withMx(MX), true), plan);
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/DNSSEC unknown: dns\.validating is not set/);
  });

  it('is skipped for the legacy mail.protection.outlook.com host, and says why', () => {
    const f = run(data(withMx('contoso-com.mail.protection.outlook.com', false)));
    expect(f.status).toBe('skipped');
    expect(f.message).toMatch(/has no DNSSEC: inbound DANE needs the mx\.microsoft host that Enable-DnssecForVerifiedDomain gives/);
  });
});
