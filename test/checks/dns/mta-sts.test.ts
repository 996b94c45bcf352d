import check from '../../../checks/dns/mta-sts.js';
import type { PolicyFetch } from '../../../src/evidence/dns-probes.js';
import { testCheck } from '../../helpers/check-tester.js';
import type { Zone } from '../../helpers/dns-server.js';
import { zoneAnswer } from '../../helpers/dns-answers.js';
import { mxData, NOW, plan } from './fixtures.js';

const MX: Zone = { 'contoso.com': { MX: [{ preference: 0, exchange: 'contoso-com.e-v1.mx.microsoft' }] } };
const TXT: Zone = { '_mta-sts.contoso.com': { TXT: ['v=STSv1; id=20261127T000000;'] } };
const policy = (body: string, extra: Partial<PolicyFetch> = {}): PolicyFetch => ({ url: 'https://mta-sts.contoso.com/.well-known/mta-sts.txt', host: 'mta-sts.contoso.com', address: '192.0.2.80', status: 200, contentType: 'text/plain', body, tls: { authorized: true, protocol: 'TLSv1.3' }, ms: 5, ...extra });
const GOOD = 'version: STSv1\r\nmode: enforce\r\nmx: *.e-v1.mx.microsoft\r\nmax_age: 604800\r\n';
const probes = (zone: Zone, p: PolicyFetch) => ({ 'dns-mx': mxData(MX), 'dns-mta-sts': { domain: 'contoso.com', txt: zoneAnswer(zone, '_mta-sts.contoso.com', 'TXT'), policy: p, transcript: [] } });

testCheck(check, {
  defaults: { plan, now: NOW },
  valid: [
    {
      name: 'passes an enforced policy whose patterns cover the MX host',
      probes: probes(TXT, policy(GOOD)),
      message: 'policy id=20261127T000000, mode enforce, max_age 604800; mx patterns *.e-v1.mx.microsoft cover contoso-com.e-v1.mx.microsoft',
    },
  ],
  invalid: [
    {
      name: 'fails when "*.mx.microsoft" is used for a host two labels below it',
      status: 'fail',
      probes: probes(TXT, policy(GOOD.replace('*.e-v1.mx.microsoft', '*.mx.microsoft'))),
      message: 'MX host contoso-com.e-v1.mx.microsoft is not covered by the policy\'s mx: patterns (*.mx.microsoft; a "*." pattern covers exactly one label)',
      remediation: /Add "mx: \*\.e-v1\.mx\.microsoft"/,
      exchangeOnline: /refuse to deliver/,
    },
    {
      name: 'warns when MTA-STS is not deployed at all',
      status: 'warn',
      probes: probes({}, policy('', { status: undefined, body: undefined, tls: undefined, error: { kind: 'dns', message: 'mta-sts.contoso.com does not exist (NXDOMAIN)' } })),
      message: /^MTA-STS is not deployed: _mta-sts\.contoso\.com does not exist/,
    },
    {
      name: 'fails when the TXT record exists but the policy cannot be fetched',
      status: 'fail',
      probes: probes(TXT, policy('', { status: 404, error: { kind: 'http', message: 'HTTP 404' } })),
      message: 'https://mta-sts.contoso.com/.well-known/mta-sts.txt answered HTTP 404',
    },
    {
      name: "fails when the policy host's certificate is not trusted",
      status: 'fail',
      probes: probes(TXT, policy(GOOD, { tls: { authorized: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN' } })),
      message: /certificate of mta-sts\.contoso\.com is not valid for senders: SELF_SIGNED_CERT_IN_CHAIN/,
    },
    { name: 'fails when a policy is served without the TXT record', status: 'fail', probes: probes({}, policy(GOOD)), message: /a policy is served but _mta-sts\.contoso\.com does not exist/ },
    { name: 'warns on mode testing', status: 'warn', probes: probes(TXT, policy(GOOD.replace('enforce', 'testing'))), includes: ['testing'] },
  ],
});
