import check from '../../../checks/dns/smart-hosts.js';
import { testCheck } from '../../helpers/check-tester.js';
import type { Zone } from '../../helpers/dns-server.js';
import { hostData, NOW, plan, smartHostSubject } from './fixtures.js';

const zone = (z: Zone) => ({ 'dns-host': hostData(z, 'mail.contoso.com') });

testCheck(check, {
  defaults: { plan, now: NOW, subject: smartHostSubject('mail.contoso.com') },
  valid: [
    {
      name: 'passes a public address whose reverse DNS forward-confirms',
      probes: zone({ 'mail.contoso.com': { A: ['192.0.2.10'] }, '10.2.0.192.in-addr.arpa': { PTR: ['mail.contoso.com'] } }),
      message: 'mail.contoso.com → 192.0.2.10 (reverse DNS: 192.0.2.10 ⇄ mail.contoso.com)',
    },
  ],
  invalid: [
    { name: 'fails when the smart host does not exist in DNS', status: 'fail', probes: zone({}), message: /^mail\.contoso\.com does not exist \(NXDOMAIN/, exchangeOnline: /451 4\.4\.0/ },
    {
      name: 'fails on a private address Exchange Online cannot reach',
      status: 'fail',
      probes: zone({ 'mail.contoso.com': { A: ['10.0.0.25'] }, '25.0.0.10.in-addr.arpa': { PTR: ['mail.contoso.com'] } }),
      message: /resolves to 10\.0\.0\.25, a private or loopback address/,
    },
    {
      name: 'warns when reverse DNS is missing',
      status: 'warn',
      probes: zone({ 'mail.contoso.com': { A: ['192.0.2.10'] } }),
      message: /192\.0\.2\.10 has no reverse DNS: PTR 10\.2\.0\.192\.in-addr\.arpa does not exist/,
    },
    {
      name: 'warns when reverse DNS names a host that does not point back',
      status: 'warn',
      probes: zone({ 'mail.contoso.com': { A: ['192.0.2.10'] }, '10.2.0.192.in-addr.arpa': { PTR: ['host10.isp.example'] } }),
      message: '192.0.2.10 has PTR host10.isp.example, which does not resolve back to 192.0.2.10 (reverse DNS does not forward-confirm)',
    },
  ],
});
