import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/inbound-dane.js';
import { recordsOf } from '../../../src/dns/answer.js';
import type { MxTlsaProbeData } from '../../../src/evidence/dns-probes.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import type { Plan } from '../../../src/types.js';
import { testCheck } from '../../helpers/check-tester.js';
import { zoneAnswer } from '../../helpers/dns-answers.js';
import type { Zone } from '../../helpers/dns-server.js';
import { planFromYaml } from '../../helpers/plans.js';
import { NOW, PLAN_YAML, plan } from './fixtures.js';

const MX = 'contoso-com.d-v1.mx.microsoft';
/** The plan relays to the mx.microsoft host Enable-DnssecForVerifiedDomain gives: the check applies. */
const MX_YAML = PLAN_YAML.replace('contoso-com.mail.protection.outlook.com', MX);
const MX_PLAN = planFromYaml(MX_YAML);
const VALIDATING = planFromYaml(`${MX_YAML}dns: { servers: [127.0.0.1], validating: true }\n`);
const withMx = (host: string, tlsa = true): Zone => ({
  'contoso.com': { MX: [{ preference: 0, exchange: host }] },
  ...(tlsa ? { [`_25._tcp.${host}`]: { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }] } } : {}),
});

/** What the MX/TLSA probe gathers: the MX answer, and TLSA for each MX host under mx.microsoft. */
function data(zone: Zone, ad = false): MxTlsaProbeData {
  const mx = zoneAnswer(zone, 'contoso.com', 'MX');
  const hosts = recordsOf(mx, 'MX')
    .map((r) => r.exchange)
    .filter((h) => h.endsWith('.mx.microsoft'))
    .map((host) => ({ host, name: `_25._tcp.${host}`, answer: { ...zoneAnswer(zone, `_25._tcp.${host}`, 'TLSA'), ad } }));
  return { domain: 'contoso.com', mx, hosts, transcript: [] };
}
const probes = (d: MxTlsaProbeData) => ({ 'dns-mx-tlsa': d });

testCheck(check, {
  defaults: { plan: VALIDATING, now: NOW },
  valid: [
    {
      name: 'passes DNSSEC-validated TLSA records on the mx.microsoft host',
      probes: probes(data(withMx(MX), true)),
      message: `${MX}: 1 TLSA record(s), DNSSEC-validated (AD)`,
    },
  ],
  invalid: [
    {
      name: 'warns with Enable-SmtpDaneInbound when the mx.microsoft host has no TLSA',
      status: 'warn',
      probes: probes(data(withMx(MX, false), true)),
      message: /inbound DANE is not enabled for contoso\.com/,
      powershell: "Enable-SmtpDaneInbound -DomainName 'contoso.com'",
    },
    {
      name: 'fails TLSA records the validating resolver does not vouch for',
      status: 'fail',
      probes: probes(data(withMx(MX), false)),
    },
    {
      name: 'reports DNSSEC as unknown without a resolver marked validating',
      status: 'warn',
      plan: MX_PLAN,
      probes: probes(data(withMx(MX), true)),
      message: /DNSSEC unknown: dns\.validating is not set/,
    },
    {
      name: 'is skipped for the legacy mail.protection.outlook.com host, and says why',
      status: 'skipped',
      probes: probes(data(withMx('contoso-com.mail.protection.outlook.com', false))),
      message: /has no DNSSEC: inbound DANE needs the mx\.microsoft host that Enable-DnssecForVerifiedDomain gives/,
    },
  ],
});

describe('dns.inbound-dane', () => {
  const domainOf = (p: Plan) => subjectsFor('domain', p)[0]!;

  it('applies only when the plan relays to an mx.microsoft host', () => {
    expect(check.appliesTo!(domainOf(plan), plan)).toBe(false);
    expect(check.appliesTo!(domainOf(MX_PLAN), MX_PLAN)).toBe(true);
  });
});
