import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/mx.js';
import { answer } from '../../helpers/dns-answers.js';
import { evaluate, mxData, plan } from './fixtures.js';
import { planFromYaml } from '../../helpers/plans.js';

const EXO = 'contoso-com.mail.protection.outlook.com';
const HOSTS = { [EXO]: { A: ['52.101.1.1'] }, 'contoso-com.e-v1.mx.microsoft': { A: ['52.101.1.2'] }, 'fabrikam-com.mail.protection.outlook.com': { A: ['52.101.1.3'] } };
const run = (zone: Parameters<typeof mxData>[0], p = plan) => evaluate(check, { 'dns-mx': mxData({ ...HOSTS, ...zone }) }, undefined, p);
const noTenantPlan = planFromYaml('version: 1\ndomain: contoso.com\nconnectors:\n  - name: Smart hosts\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\n');

describe('dns.mx', () => {
  it('passes when Exchange Online\'s host is the only MX', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 0, exchange: EXO }] }, [EXO]: { A: ['52.101.1.1'] } });
    expect(f.status).toBe('pass');
    expect(f.message).toBe(`MX 0 ${EXO} is the only MX`);
  });

  it('accepts the newer *.mx.microsoft form without the plan naming it', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 0, exchange: 'contoso-com.e-v1.mx.microsoft' }] } }, noTenantPlan);
    expect(f.status).toBe('pass');
  });

  it('warns on a backup MX with a higher preference number', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 0, exchange: EXO }, { preference: 20, exchange: 'backup.contoso.com' }] } });
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/additional MX backup\.contoso\.com \(20\)/);
  });

  it('fails when another MX is preferred over Exchange Online', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 10, exchange: EXO }, { preference: 5, exchange: 'mail.contoso.com' }] } });
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/mail\.contoso\.com \(preference 5\) is preferred over Exchange Online's/);
    expect(f.remediation).toMatch(/Remove the MX record for mail\.contoso\.com/);
  });

  it('fails when another MX has the same preference, since senders pick at random', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 10, exchange: EXO }, { preference: 10, exchange: 'mail.contoso.com' }] } });
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/same preference/);
  });

  it('fails when no MX is Exchange Online\'s, and gives the record to publish from the plan', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 10, exchange: 'mail.contoso.com' }] } });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('MX points at mail.contoso.com (10): none of them is Exchange Online\'s MX host');
    expect(f.remediation).toContain(`contoso.com. 3600 IN MX 0 ${EXO}.`);
  });

  it('keeps a missing domain, a domain without MX and a failed lookup apart', () => {
    expect(run({}).message).toMatch(/contoso\.com does not exist \(NXDOMAIN/);
    expect(run({ 'contoso.com': { A: ['192.0.2.1'] } }).message).toMatch(/has no MX record \(NODATA\)/);
    const failed = evaluate(check, { 'dns-mx': { domain: 'contoso.com', mx: answer('contoso.com', 'MX', [], 'servfail', { error: 'SERVFAIL from 192.0.2.53:53' }), hosts: {}, transcript: [] } });
    expect(failed.status).toBe('error');
    expect(failed.message).toMatch(/could not decide: MX contoso\.com could not be resolved: the resolver answered SERVFAIL/);
  });

  it('fails when the Exchange Online MX host does not exist', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 0, exchange: 'contoso.mail.protection.outlook.com' }] } }, noTenantPlan);
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/contoso\.mail\.protection\.outlook\.com does not exist/);
  });

  it('warns when the MX host differs from the tenant host the plan relays to', () => {
    const f = run({ 'contoso.com': { MX: [{ preference: 0, exchange: 'fabrikam-com.mail.protection.outlook.com' }] } });
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/but the plan relays to contoso-com\.mail\.protection\.outlook\.com/);
  });
});
