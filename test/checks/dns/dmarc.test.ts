import check from '../../../checks/dns/dmarc.js';
import { testCheck } from '../../helpers/check-tester.js';
import type { Zone } from '../../helpers/dns-server.js';
import { zoneAnswer } from '../../helpers/dns-answers.js';
import { dmarcData, NOW, plan } from './fixtures.js';

const zone = (z: Zone) => ({ 'dns-dmarc': dmarcData(z) });
const record = (...txt: string[]) => zone({ '_dmarc.contoso.com': { TXT: txt } });
/** mail.contoso.com without a record of its own, under contoso.com's record. */
const subdomainUnder = (organizational: string) => ({
  'dns-dmarc': { domain: 'mail.contoso.com', answer: zoneAnswer({}, '_dmarc.mail.contoso.com', 'TXT'), parents: [zoneAnswer({ '_dmarc.contoso.com': { TXT: [organizational] } }, '_dmarc.contoso.com', 'TXT')], transcript: [] },
});
const subdomain = { scope: 'domain', domain: 'mail.contoso.com' } as const;

testCheck(check, {
  defaults: { plan, now: NOW },
  valid: [
    { name: 'passes p=reject and reports the policy and report address', probes: record('v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com'), message: 'p=reject; reports to mailto:dmarc@contoso.com' },
    {
      name: 'falls back to the organizational domain for a subdomain',
      subject: subdomain,
      probes: subdomainUnder('v=DMARC1; p=reject; sp=quarantine'),
      message: "sp=quarantine (p=reject) (no record at _dmarc.mail.contoso.com; the organizational domain's _dmarc.contoso.com applies); no rua= (no aggregate reports)",
    },
  ],
  invalid: [
    { name: 'warns on p=none: monitoring only', status: 'warn', probes: record('v=DMARC1; p=none; rua=mailto:dmarc@contoso.com'), message: 'p=none: monitoring only, receivers deliver mail that fails DMARC' },
    { name: 'warns when pct limits the policy', status: 'warn', probes: record('v=DMARC1; p=quarantine; pct=25'), message: 'pct=25: p=quarantine applies to only 25% of failing mail' },
    {
      name: 'fails without a record and proposes a starting record',
      status: 'fail',
      probes: zone({}),
      message: /^_dmarc\.contoso\.com does not exist \(NXDOMAIN.*receivers apply no DMARC policy/,
      remediation: ['_dmarc.contoso.com. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@contoso.com"'],
    },
    { name: 'fails on two records', status: 'fail', probes: record('v=DMARC1; p=reject', 'v=DMARC1; p=none'), message: /has 2 DMARC records: receivers ignore them all/ },
    { name: 'fails on a record that does not parse', status: 'fail', probes: record('v=DMARC1; p=blocked'), message: /does not parse: p=blocked is not none, quarantine or reject/ },
    {
      name: "judges a subdomain by the organizational domain's sp=, not its p=",
      status: 'warn',
      subject: subdomain,
      probes: subdomainUnder('v=DMARC1; p=reject; sp=none'),
      message: /^sp=none \(no record at _dmarc\.mail\.contoso\.com; the organizational domain's _dmarc\.contoso\.com applies\): monitoring only/,
    },
  ],
});
