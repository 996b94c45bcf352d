import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/tls-rpt.js';
import type { Zone } from '../../helpers/dns-server.js';
import { evaluate, tlsRptData } from './fixtures.js';

const run = (zone: Zone) => evaluate(check, { 'dns-tls-rpt': tlsRptData(zone) });

describe('dns.tls-rpt', () => {
  it('passes a record with a report address', () => {
    expect(run({ '_smtp._tls.contoso.com': { TXT: ['v=TLSRPTv1; rua=mailto:tls@contoso.com'] } })).toMatchObject({ status: 'pass', message: 'TLS reports go to mailto:tls@contoso.com' });
  });

  it('warns when there is none (optional) and gives the record to publish', () => {
    const f = run({});
    expect(f.status).toBe('warn');
    expect(f.remediation).toBe('Publish _smtp._tls.contoso.com. 3600 IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@contoso.com".');
  });

  it('fails on a record without rua', () => {
    const f = run({ '_smtp._tls.contoso.com': { TXT: ['v=TLSRPTv1;'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toBe('_smtp._tls.contoso.com "v=TLSRPTv1;": rua= (where reports go) is missing');
  });
});
