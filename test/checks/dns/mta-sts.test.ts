import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/mta-sts.js';
import type { PolicyFetch } from '../../../src/evidence/dns-probes.js';
import type { Zone } from '../../helpers/dns-server.js';
import { zoneAnswer } from '../../helpers/dns-answers.js';
import { evaluate, mxData } from './fixtures.js';

const MX: Zone = { 'contoso.com': { MX: [{ preference: 0, exchange: 'contoso-com.e-v1.mx.microsoft' }] } };
const TXT: Zone = { '_mta-sts.contoso.com': { TXT: ['v=STSv1; id=20261127T000000;'] } };
const policy = (body: string, extra: Partial<PolicyFetch> = {}): PolicyFetch => ({ url: 'https://mta-sts.contoso.com/.well-known/mta-sts.txt', host: 'mta-sts.contoso.com', address: '192.0.2.80', status: 200, contentType: 'text/plain', body, tls: { authorized: true, protocol: 'TLSv1.3' }, ms: 5, ...extra });
const GOOD = 'version: STSv1\r\nmode: enforce\r\nmx: *.e-v1.mx.microsoft\r\nmax_age: 604800\r\n';
const run = (zone: Zone, p: PolicyFetch, mxZone: Zone = MX) => evaluate(check, { 'dns-mx': mxData(mxZone), 'dns-mta-sts': { domain: 'contoso.com', txt: zoneAnswer(zone, '_mta-sts.contoso.com', 'TXT'), policy: p, transcript: [] } });

describe('dns.mta-sts', () => {
  it('passes an enforced policy whose patterns cover the MX host', () => {
    const f = run(TXT, policy(GOOD));
    expect(f.status).toBe('pass');
    expect(f.message).toBe('policy id=20261127T000000, mode enforce, max_age 604800; mx patterns *.e-v1.mx.microsoft cover contoso-com.e-v1.mx.microsoft');
  });

  it('fails when "*.mx.microsoft" is used for a host two labels below it', () => {
    const f = run(TXT, policy(GOOD.replace('*.e-v1.mx.microsoft', '*.mx.microsoft')));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('MX host contoso-com.e-v1.mx.microsoft is not covered by the policy\'s mx: patterns (*.mx.microsoft; a "*." pattern covers exactly one label)');
    expect(f.remediation).toMatch(/Add "mx: \*\.e-v1\.mx\.microsoft"/);
    expect(f.exchangeOnline).toMatch(/refuse to deliver/);
  });

  it('warns when MTA-STS is not deployed at all', () => {
    const f = run({}, policy('', { status: undefined, body: undefined, tls: undefined, error: { kind: 'dns', message: 'mta-sts.contoso.com does not exist (NXDOMAIN)' } }));
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/^MTA-STS is not deployed: _mta-sts\.contoso\.com does not exist/);
  });

  it('fails when the TXT record exists but the policy cannot be fetched', () => {
    const f = run(TXT, policy('', { status: 404, error: { kind: 'http', message: 'HTTP 404' } }));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('https://mta-sts.contoso.com/.well-known/mta-sts.txt answered HTTP 404');
  });

  it('fails when the policy host\'s certificate is not trusted', () => {
    const f = run(TXT, policy(GOOD, { tls: { authorized: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN' } }));
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/certificate of mta-sts\.contoso\.com is not valid for senders: SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('fails when a policy is served without the TXT record', () => {
    expect(run({}, policy(GOOD)).message).toMatch(/a policy is served but _mta-sts\.contoso\.com does not exist/);
  });

  it('warns on mode testing', () => {
    expect(run(TXT, policy(GOOD.replace('enforce', 'testing'))).status).toBe('warn');
  });
});
