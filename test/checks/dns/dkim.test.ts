import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/dkim.js';
import type { Zone } from '../../helpers/dns-server.js';
import { generateKeyPairSync } from 'node:crypto';
import { dkimData, evaluate } from './fixtures.js';

/** A DKIM key record for a real RSA key of `bits`. */
function dkimRecord(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return `v=DKIM1; k=rsa; p=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`;
}

const T1 = 'selector1-contoso-com._domainkey.contoso.onmicrosoft.com';
const T2 = 'selector2-contoso-com._domainkey.contoso.onmicrosoft.com';
const good: Zone = {
  'selector1._domainkey.contoso.com': { CNAME: [T1] },
  'selector2._domainkey.contoso.com': { CNAME: [T2] },
  [T1]: { TXT: ['v=DKIM1; k=rsa; p=MIIBIjAN'] },
  [T2]: { TXT: ['v=DKIM1; k=rsa; p=MIIBIjAN'] },
};
const run = (zone: Zone) => evaluate(check, { 'dns-dkim': dkimData(zone) });

describe('dns.dkim', () => {
  it('passes when both selectors are CNAMEs to Microsoft with keys behind them', () => {
    const f = run(good);
    expect(f.status).toBe('pass');
    expect(f.message).toBe(`selector1 → ${T1}, selector2 → ${T2}; keys published`);
  });

  it('passes 2048-bit keys and warns about a 1024-bit key with the rotation to 2048 bits', () => {
    expect(run({ ...good, [T1]: { TXT: [dkimRecord(2048)] }, [T2]: { TXT: [dkimRecord(2048)] } }).status).toBe('pass');
    const f = run({ ...good, [T1]: { TXT: [dkimRecord(1024)] }, [T2]: { TXT: [dkimRecord(2048)] } });
    expect(f.status).toBe('warn');
    expect(f.message).toBe(`selector1's key at ${T1} is 1024-bit RSA: Microsoft recommends 2048-bit keys, and receivers increasingly distrust shorter ones`);
    expect(f.powershell).toBe("Rotate-DkimSigningConfig -Identity 'contoso.com' -KeySize 2048");
  });

  it('accepts the newer dkim.mail.microsoft targets', () => {
    const t = 'contoso-com.b-v1.dkim.mail.microsoft';
    expect(run({ 'selector1._domainkey.contoso.com': { CNAME: [`selector1-${t}`] }, 'selector2._domainkey.contoso.com': { CNAME: [`selector2-${t}`] }, [`selector1-${t}`]: { TXT: ['v=DKIM1; p=x'] }, [`selector2-${t}`]: { TXT: ['v=DKIM1; p=x'] } }).status).toBe('pass');
  });

  it('cannot decide when a selector lookup times out, and points at the resolvers, not at publishing records', () => {
    const data = dkimData(good);
    data.selectors[1] = { ...data.selectors[1]!, cname: { ...data.selectors[1]!.cname, status: 'timeout', records: [], error: 'no answer from 192.0.2.53:53 (2 tries of 3000 ms)' } };
    const f = evaluate(check, { 'dns-dkim': data });
    expect(f.status).toBe('error');
    expect(f.message).toBe('could not decide for selector2: CNAME selector2._domainkey.contoso.com could not be resolved: no answer from 192.0.2.53:53 (2 tries of 3000 ms)');
    expect(f.remediation).toMatch(/^Check that the resolvers in dns\.servers/);
  });

  it('fails when a selector is missing and says how to read the right CNAMEs', () => {
    const { ['selector2._domainkey.contoso.com']: _gone, ...zone } = good;
    const f = run(zone);
    expect(f.status).toBe('fail');
    expect(f.message).toBe('selector2._domainkey.contoso.com does not exist (NXDOMAIN)');
    expect(f.remediation).toContain("Get-DkimSigningConfig -Identity 'contoso.com' | Format-List Selector1CNAME, Selector2CNAME");
  });

  it('fails on a CNAME to a non-Microsoft target and on a self-published key', () => {
    const f = run({ ...good, 'selector1._domainkey.contoso.com': { CNAME: ['selector1._domainkey.esp.example'] }, 'selector2._domainkey.contoso.com': { TXT: ['v=DKIM1; k=rsa; p=OWNKEY'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/is a CNAME to selector1\._domainkey\.esp\.example, which is not a Microsoft DKIM target/);
    expect(f.message).toMatch(/publishes its own DKIM key \(TXT\) instead of a CNAME to Microsoft/);
  });

  it('warns when the target has no key yet: signing is not enabled', () => {
    const { [T2]: _key, ...zone } = good;
    const f = run(zone);
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/selector2 points at .* which publishes no key yet \(NXDOMAIN\)/);
    expect(f.powershell).toBe("Set-DkimSigningConfig -Identity 'contoso.com' -Enabled $true");
  });
});
