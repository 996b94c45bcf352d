import { describe, expect, it } from 'vitest';
import check from '../../../checks/firewall/office365-ranges.js';
import { SHIPPED_RANGES } from '../../../src/exo/ranges.js';
import { planFromYaml } from '../../helpers/plans.js';
import type { ExoRangesProbeData } from '../../../src/evidence/ranges.js';
import type { Finding } from '../../../src/types.js';

const base = 'version: 1\ndomain: contoso.com\nconnectors:\n  - name: Smart hosts\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\n';
const run = (firewall: string, now = new Date('2026-11-27T12:00:00Z'), state?: ExoRangesProbeData) =>
  check.evaluate({ subject: { scope: 'plan' }, plan: planFromYaml(base + firewall), probes: state ? { 'exo-ranges': state } : {}, now, options: { send: false } }) as Finding;
const ALL = `[${[...SHIPPED_RANGES.ipv4, ...SHIPPED_RANGES.ipv6].join(', ')}]`;

describe('firewall.office365-ranges', () => {
  it('ships a dated list of the Exchange Online ranges for port 25', () => {
    expect(SHIPPED_RANGES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(SHIPPED_RANGES.ipv4).toContain('40.92.0.0/15');
    expect(SHIPPED_RANGES.ipv6).toContain('2a01:111:f403::/48');
  });

  it('passes when the allowed list covers every range, also through wider or adjacent rules', () => {
    expect(run(`firewall:\n  allowed: ${ALL}\n`).status).toBe('pass');
    const f = run('firewall:\n  allowed: [40.92.0.0/16, 40.93.0.0/16, 40.107.0.0/16, 52.96.0.0/12, 104.47.0.0/16, "2a01:111:f400::/46"]\n');
    expect(f.status).toBe('pass');
    expect(f.message).toBe(`firewall.allowed covers all 8 Exchange Online ranges (the list shipped with relaycheck, as of ${SHIPPED_RANGES.asOf})`);
  });

  it('fails on missing IPv4 ranges and names partial coverage', () => {
    const f = run(`firewall:\n  allowed: [40.92.0.0/16, 40.107.0.0/16, 52.100.0.0/15, 52.102.0.0/16, 52.103.0.0/17, "2a01:111:f400::/48", "2a01:111:f403::/48"]\n`);
    expect(f.status).toBe('fail');
    expect(f.message).toBe('firewall.allowed misses 2 IPv4 ranges: 40.92.0.0/15 (partly: 40.93.0.0/16 missing), 104.47.0.0/17');
    expect(f.exchangeOnline).toMatch(/4\.4\.316/);
  });

  it('only warns about IPv6 when no IPv6 is allowed at all', () => {
    const f = run(`firewall:\n  allowed: [${SHIPPED_RANGES.ipv4.join(', ')}]\n`);
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/misses 2 IPv6 ranges: .*no IPv6 is allowed at all/);
  });

  it('uses the plan\'s ranges instead of the shipped list', () => {
    const f = run('firewall:\n  allowed: [198.51.100.0/24]\n  ranges: [198.51.100.0/25, 203.0.113.0/24]\n');
    expect(f.status).toBe('fail');
    expect(f.message).toBe('firewall.allowed misses 1 IPv4 range: 203.0.113.0/24');
    expect(f.remediation).toMatch(/firewall\.ranges from the plan/);
  });

  it('warns when the shipped list is more than 60 days old, and says how to refresh it', () => {
    const later = new Date(Date.parse(SHIPPED_RANGES.asOf) + 61 * 86_400_000);
    const f = run(`firewall:\n  allowed: ${ALL}\n`, later);
    expect(f.status).toBe('warn');
    expect(f.message).toBe(`the shipped range list is from ${SHIPPED_RANGES.asOf}, 61 days old (Microsoft republishes it monthly; older than 60 days may miss new ranges)`);
    expect(f.remediation).toMatch(/relaycheck ranges --from/);
    expect(run(`firewall:\n  allowed: ${ALL}\n`, new Date(Date.parse(SHIPPED_RANGES.asOf) + 59 * 86_400_000)).status).toBe('pass');
  });

  it('prefers a newer refreshed list, and judges the firewall against it', () => {
    const refreshed = { asOf: '2027-03-01', source: 'endpoints web service JSON', ipv4: [...SHIPPED_RANGES.ipv4, '198.18.0.0/24'], ipv6: SHIPPED_RANGES.ipv6 };
    const f = run(`firewall:\n  allowed: ${ALL}\n`, new Date('2027-03-10T00:00:00Z'), { file: '/state/exchange-online-ranges.json', refreshed });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('firewall.allowed misses 1 IPv4 range: 198.18.0.0/24');
    expect(f.remediation).toMatch(/refreshed from the endpoints web service, as of 2027-03-01/);
  });

  it('ignores a refreshed list older than the shipped one', () => {
    const f = run(`firewall:\n  allowed: ${ALL}\n`, undefined, { file: 'x', refreshed: { asOf: '2026-01-01', source: 'x', ipv4: ['198.18.0.0/24'], ipv6: [] } });
    expect(f.status).toBe('pass');
  });

  it('never warns about age when the plan carries its own ranges (the lab does)', () => {
    expect(run('firewall:\n  allowed: [198.51.100.0/24]\n  ranges: [198.51.100.0/25]\n', new Date('2031-01-01T00:00:00Z')).status).toBe('pass');
  });

  it('is skipped when the plan has no firewall section', () => {
    expect(run('').status).toBe('skipped');
  });
});
