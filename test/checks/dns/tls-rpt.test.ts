import check from '../../../checks/dns/tls-rpt.js';
import { testCheck } from '../../helpers/check-tester.js';
import type { Zone } from '../../helpers/dns-server.js';
import { NOW, plan, tlsRptData } from './fixtures.js';

const zone = (z: Zone) => ({ 'dns-tls-rpt': tlsRptData(z) });

testCheck(check, {
  defaults: { plan, now: NOW },
  valid: [{ name: 'passes a record with a report address', probes: zone({ '_smtp._tls.contoso.com': { TXT: ['v=TLSRPTv1; rua=mailto:tls@contoso.com'] } }), message: 'TLS reports go to mailto:tls@contoso.com' }],
  invalid: [
    {
      name: 'warns when there is none (optional) and gives the record to publish',
      status: 'warn',
      probes: zone({}),
      remediation: 'Publish _smtp._tls.contoso.com. 3600 IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@contoso.com".',
    },
    {
      name: 'fails on a record without rua',
      status: 'fail',
      probes: zone({ '_smtp._tls.contoso.com': { TXT: ['v=TLSRPTv1;'] } }),
      message: '_smtp._tls.contoso.com "v=TLSRPTv1;": rua= (where reports go) is missing',
    },
  ],
});
