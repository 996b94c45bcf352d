import { describe, expect, it } from 'vitest';
import check from '../../../checks/firewall/office365-ranges.js';
import { SHIPPED_RANGES } from '../../../src/exo/ranges.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';

const base = 'version: 1\ndomain: contoso.com\nconnectors:\n  - name: Smart hosts\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\n';
const firewall = (yaml: string) => planFromYaml(base + yaml);
const ALL = `[${[...SHIPPED_RANGES.ipv4, ...SHIPPED_RANGES.ipv6].join(', ')}]`;

describe('firewall.office365-ranges', () => {
  it('ships a dated list of the Exchange Online ranges for port 25', () => {
    expect(SHIPPED_RANGES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(SHIPPED_RANGES.ipv4).toContain('40.92.0.0/15');
    expect(SHIPPED_RANGES.ipv6).toContain('2a01:111:f403::/48');
  });
});

testCheck(check, {
  defaults: { now: '2026-11-27T12:00:00Z' },
  valid: [
    { name: 'passes when the allowed list names every range', plan: firewall(`firewall:\n  allowed: ${ALL}\n`) },
    {
      name: 'passes when wider or adjacent rules cover every range',
      plan: firewall('firewall:\n  allowed: [40.92.0.0/16, 40.93.0.0/16, 40.107.0.0/16, 52.96.0.0/12, 104.47.0.0/16, "2a01:111:f400::/46"]\n'),
      message: `firewall.allowed covers all 8 Exchange Online ranges (the list shipped with relaycheck, as of ${SHIPPED_RANGES.asOf})`,
    },
  ],
  invalid: [
    {
      name: 'fails on missing IPv4 ranges and names partial coverage',
      status: 'fail',
      plan: firewall('firewall:\n  allowed: [40.92.0.0/16, 40.107.0.0/16, 52.100.0.0/15, 52.102.0.0/16, 52.103.0.0/17, "2a01:111:f400::/48", "2a01:111:f403::/48"]\n'),
      message: 'firewall.allowed misses 2 IPv4 ranges: 40.92.0.0/15 (partly: 40.93.0.0/16 missing), 104.47.0.0/17',
      exchangeOnline: /4\.4\.316/,
    },
    {
      name: 'only warns about IPv6 when no IPv6 is allowed at all',
      status: 'warn',
      plan: firewall(`firewall:\n  allowed: [${SHIPPED_RANGES.ipv4.join(', ')}]\n`),
      message: /misses 2 IPv6 ranges: .*no IPv6 is allowed at all/,
    },
    {
      name: "uses the plan's ranges instead of the shipped list",
      status: 'fail',
      plan: firewall('firewall:\n  allowed: [198.51.100.0/24]\n  ranges: [198.51.100.0/25, 203.0.113.0/24]\n'),
      message: 'firewall.allowed misses 1 IPv4 range: 203.0.113.0/24',
      remediation: /firewall\.ranges from the plan/,
    },
    { name: 'warns when the shipped list is more than a year old', status: 'warn', plan: firewall(`firewall:\n  allowed: ${ALL}\n`), now: '2028-06-01T00:00:00Z', message: /over a year old/ },
    { name: 'is skipped when the plan has no firewall section', status: 'skipped', plan: firewall(''), includes: ['firewall'] },
  ],
});
