import check from '../../../checks/dns/mx.js';
import { testCheck } from '../../helpers/check-tester.js';
import { answer } from '../../helpers/dns-answers.js';
import type { Zone } from '../../helpers/dns-server.js';
import { planFromYaml } from '../../helpers/plans.js';
import { mxData, NOW, plan } from './fixtures.js';

const EXO = 'contoso-com.mail.protection.outlook.com';
const HOSTS: Zone = { [EXO]: { A: ['52.101.1.1'] }, 'contoso-com.e-v1.mx.microsoft': { A: ['52.101.1.2'] }, 'fabrikam-com.mail.protection.outlook.com': { A: ['52.101.1.3'] } };
const zone = (z: Zone) => ({ 'dns-mx': mxData({ ...HOSTS, ...z }) });
const mx = (...records: [number, string][]) => zone({ 'contoso.com': { MX: records.map(([preference, exchange]) => ({ preference, exchange })) } });
const noTenantPlan = planFromYaml('version: 1\ndomain: contoso.com\nconnectors:\n  - name: Smart hosts\n    direction: from-office365\n    smartHosts: [mail.contoso.com]\n    tls: { mode: trusted-ca }\n');

testCheck(check, {
  defaults: { plan, now: NOW },
  valid: [
    { name: "passes when Exchange Online's host is the only MX", probes: mx([0, EXO]), message: `MX 0 ${EXO} is the only MX` },
    { name: 'accepts the newer *.mx.microsoft form without the plan naming it', plan: noTenantPlan, probes: mx([0, 'contoso-com.e-v1.mx.microsoft']) },
  ],
  invalid: [
    { name: 'warns on a backup MX with a higher preference number', status: 'warn', probes: mx([0, EXO], [20, 'backup.contoso.com']), message: /additional MX backup\.contoso\.com \(20\)/ },
    {
      name: 'fails when another MX is preferred over Exchange Online',
      status: 'fail',
      probes: mx([10, EXO], [5, 'mail.contoso.com']),
      message: /mail\.contoso\.com \(preference 5\) is preferred over Exchange Online's/,
      remediation: /Remove the MX record for mail\.contoso\.com/,
    },
    { name: 'fails when another MX has the same preference, since senders pick at random', status: 'fail', probes: mx([10, EXO], [10, 'mail.contoso.com']), message: /same preference/ },
    {
      name: "fails when no MX is Exchange Online's, and gives the record to publish from the plan",
      status: 'fail',
      probes: mx([10, 'mail.contoso.com']),
      message: "MX points at mail.contoso.com (10): none of them is Exchange Online's MX host",
      remediation: [`contoso.com. 3600 IN MX 0 ${EXO}.`],
    },
    { name: 'fails when the domain does not exist, saying NXDOMAIN', status: 'fail', probes: zone({}), message: /contoso\.com does not exist \(NXDOMAIN/ },
    { name: 'fails when the domain has no MX record, saying NODATA', status: 'fail', probes: zone({ 'contoso.com': { A: ['192.0.2.1'] } }), message: /has no MX record \(NODATA\)/ },
    {
      name: 'cannot decide when the MX lookup itself fails',
      status: 'error',
      probes: { 'dns-mx': { domain: 'contoso.com', mx: answer('contoso.com', 'MX', [], 'servfail', { error: 'SERVFAIL from 192.0.2.53:53' }), hosts: {}, transcript: [] } },
      message: /could not decide: MX contoso\.com could not be resolved: the resolver answered SERVFAIL/,
    },
    { name: 'fails when the Exchange Online MX host does not exist', status: 'fail', plan: noTenantPlan, probes: mx([0, 'contoso.mail.protection.outlook.com']), message: /contoso\.mail\.protection\.outlook\.com does not exist/ },
    {
      name: 'warns when the MX host differs from the tenant host the plan relays to',
      status: 'warn',
      probes: mx([0, 'fabrikam-com.mail.protection.outlook.com']),
      message: /but the plan relays to contoso-com\.mail\.protection\.outlook\.com/,
    },
  ],
});
