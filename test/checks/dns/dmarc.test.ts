import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/dmarc.js';
import type { Zone } from '../../helpers/dns-server.js';
import { zoneAnswer } from '../../helpers/dns-answers.js';
import { dmarcData, evaluate } from './fixtures.js';

const run = (zone: Zone) => evaluate(check, { 'dns-dmarc': dmarcData(zone) });

describe('dns.dmarc', () => {
  it('passes p=reject and reports the policy and report address', () => {
    const f = run({ '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com'] } });
    expect(f).toMatchObject({ status: 'pass', message: 'p=reject; reports to mailto:dmarc@contoso.com' });
  });

  it('warns on p=none: monitoring only', () => {
    const f = run({ '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@contoso.com'] } });
    expect(f.status).toBe('warn');
    expect(f.message).toBe('p=none: monitoring only, receivers deliver mail that fails DMARC');
  });

  it('warns when pct limits the policy', () => {
    expect(run({ '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=quarantine; pct=25'] } }).message).toBe('pct=25: p=quarantine applies to only 25% of failing mail');
  });

  it('fails without a record and proposes a starting record', () => {
    const f = run({});
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/^_dmarc\.contoso\.com does not exist \(NXDOMAIN.*receivers apply no DMARC policy/);
    expect(f.remediation).toContain('_dmarc.contoso.com. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@contoso.com"');
  });

  it('fails on two records and on a record that does not parse', () => {
    expect(run({ '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] } }).message).toMatch(/has 2 DMARC records: receivers ignore them all/);
    const f = run({ '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=blocked'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/does not parse: p=blocked is not none, quarantine or reject/);
  });

  it('falls back to the organizational domain for a subdomain', () => {
    const data = { domain: 'mail.contoso.com', answer: zoneAnswer({}, '_dmarc.mail.contoso.com', 'TXT'), parents: [zoneAnswer({ '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject; sp=quarantine'] } }, '_dmarc.contoso.com', 'TXT')], transcript: [] };
    const f = evaluate(check, { 'dns-dmarc': data }, { scope: 'domain', domain: 'mail.contoso.com' });
    expect(f.status).toBe('pass');
    expect(f.message).toBe("sp=quarantine (p=reject) (no record at _dmarc.mail.contoso.com; the organizational domain's _dmarc.contoso.com applies); no rua= (no aggregate reports)");
  });

  it("judges a subdomain by the organizational domain's sp=, not its p=", () => {
    const data = { domain: 'mail.contoso.com', answer: zoneAnswer({}, '_dmarc.mail.contoso.com', 'TXT'), parents: [zoneAnswer({ '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject; sp=none'] } }, '_dmarc.contoso.com', 'TXT')], transcript: [] };
    const f = evaluate(check, { 'dns-dmarc': data }, { scope: 'domain', domain: 'mail.contoso.com' });
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/^sp=none \(no record at _dmarc\.mail\.contoso\.com; the organizational domain's _dmarc\.contoso\.com applies\): monitoring only/);
  });
});
