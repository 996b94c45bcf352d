import check from '../../../checks/dns/dkim.js';
import { testCheck } from '../../helpers/check-tester.js';
import type { Zone } from '../../helpers/dns-server.js';
import { generateKeyPairSync } from 'node:crypto';
import { dkimData, NOW, plan } from './fixtures.js';

/** A DKIM key record for a real RSA key of `bits`. */
function dkimRecord(bits: number): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return `v=DKIM1; k=rsa; p=${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`;
}
const KEY_2048 = dkimRecord(2048);
const KEY_1024 = dkimRecord(1024);

const T1 = 'selector1-contoso-com._domainkey.contoso.onmicrosoft.com';
const T2 = 'selector2-contoso-com._domainkey.contoso.onmicrosoft.com';
const NEW = 'contoso-com.b-v1.dkim.mail.microsoft';
const good: Zone = {
  'selector1._domainkey.contoso.com': { CNAME: [T1] },
  'selector2._domainkey.contoso.com': { CNAME: [T2] },
  [T1]: { TXT: ['v=DKIM1; k=rsa; p=MIIBIjAN'] },
  [T2]: { TXT: ['v=DKIM1; k=rsa; p=MIIBIjAN'] },
};
const zone = (z: Zone) => ({ 'dns-dkim': dkimData(z) });
const { ['selector2._domainkey.contoso.com']: _selector2, ...withoutSelector2 } = good;
const { [T2]: _key2, ...withoutKey2 } = good;

/** The good zone with selector2's CNAME lookup timing out. */
function selector2TimesOut() {
  const data = dkimData(good);
  data.selectors[1] = { ...data.selectors[1]!, cname: { ...data.selectors[1]!.cname, status: 'timeout', records: [], error: 'no answer from 192.0.2.53:53 (2 tries of 3000 ms)' } };
  return { 'dns-dkim': data };
}

testCheck(check, {
  defaults: { plan, now: NOW },
  valid: [
    { name: 'passes 2048-bit keys', probes: zone({ ...good, [T1]: { TXT: [KEY_2048] }, [T2]: { TXT: [KEY_2048] } }) },
    { name: 'passes when both selectors are CNAMEs to Microsoft with keys behind them', probes: zone(good), message: `selector1 → ${T1}, selector2 → ${T2}; keys published` },
    {
      name: 'accepts the newer dkim.mail.microsoft targets',
      probes: zone({ 'selector1._domainkey.contoso.com': { CNAME: [`selector1-${NEW}`] }, 'selector2._domainkey.contoso.com': { CNAME: [`selector2-${NEW}`] }, [`selector1-${NEW}`]: { TXT: ['v=DKIM1; p=x'] }, [`selector2-${NEW}`]: { TXT: ['v=DKIM1; p=x'] } }),
    },
  ],
  invalid: [
    {
      name: 'warns about a 1024-bit key with the rotation to 2048 bits',
      status: 'warn',
      probes: zone({ ...good, [T1]: { TXT: [KEY_1024] }, [T2]: { TXT: [KEY_2048] } }),
      message: `selector1's key at ${T1} is 1024-bit RSA: Microsoft recommends 2048-bit keys, and receivers increasingly distrust shorter ones`,
      powershell: "Rotate-DkimSigningConfig -Identity 'contoso.com' -KeySize 2048",
    },
    {
      name: 'cannot decide when a selector lookup times out, and points at the resolvers, not at publishing records',
      status: 'error',
      probes: selector2TimesOut,
      message: 'could not decide for selector2: CNAME selector2._domainkey.contoso.com could not be resolved: no answer from 192.0.2.53:53 (2 tries of 3000 ms)',
      remediation: /^Check that the resolvers in dns\.servers/,
    },
    {
      name: 'fails when a selector is missing and says how to read the right CNAMEs',
      status: 'fail',
      probes: zone(withoutSelector2),
      message: 'selector2._domainkey.contoso.com does not exist (NXDOMAIN)',
      remediation: ["Get-DkimSigningConfig -Identity 'contoso.com' | Format-List Selector1CNAME, Selector2CNAME"],
    },
    {
      name: 'fails on a CNAME to a non-Microsoft target and on a self-published key',
      status: 'fail',
      probes: zone({ ...good, 'selector1._domainkey.contoso.com': { CNAME: ['selector1._domainkey.esp.example'] }, 'selector2._domainkey.contoso.com': { TXT: ['v=DKIM1; k=rsa; p=OWNKEY'] } }),
      message: [/is a CNAME to selector1\._domainkey\.esp\.example, which is not a Microsoft DKIM target/, /publishes its own DKIM key \(TXT\) instead of a CNAME to Microsoft/],
    },
    {
      name: 'warns when the target has no key yet: signing is not enabled',
      status: 'warn',
      probes: zone(withoutKey2),
      message: /selector2 points at .* which publishes no key yet \(NXDOMAIN\)/,
      powershell: "Set-DkimSigningConfig -Identity 'contoso.com' -Enabled $true",
    },
  ],
});
