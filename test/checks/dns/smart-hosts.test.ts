import { describe, expect, it } from 'vitest';
import check from '../../../checks/dns/smart-hosts.js';
import type { Zone } from '../../helpers/dns-server.js';
import { evaluate, hostData, smartHostSubject } from './fixtures.js';

const run = (zone: Zone) => evaluate(check, { 'dns-host': hostData(zone, 'mail.contoso.com') }, smartHostSubject('mail.contoso.com'));

describe('dns.smart-hosts', () => {
  it('passes a public address whose reverse DNS forward-confirms', () => {
    const f = run({ 'mail.contoso.com': { A: ['192.0.2.10'] }, '10.2.0.192.in-addr.arpa': { PTR: ['mail.contoso.com'] } });
    expect(f).toMatchObject({ status: 'pass', message: 'mail.contoso.com → 192.0.2.10 (reverse DNS: 192.0.2.10 ⇄ mail.contoso.com)' });
  });

  it('fails when the smart host does not exist in DNS', () => {
    const f = run({});
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/^mail\.contoso\.com does not exist \(NXDOMAIN/);
    expect(f.exchangeOnline).toMatch(/451 4\.4\.0/);
  });

  it('fails on a private address Exchange Online cannot reach', () => {
    const f = run({ 'mail.contoso.com': { A: ['10.0.0.25'] }, '25.0.0.10.in-addr.arpa': { PTR: ['mail.contoso.com'] } });
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/resolves to 10\.0\.0\.25, a private or loopback address/);
  });

  it('warns when reverse DNS is missing or names a host that does not point back', () => {
    expect(run({ 'mail.contoso.com': { A: ['192.0.2.10'] } }).message).toMatch(/192\.0\.2\.10 has no reverse DNS: PTR 10\.2\.0\.192\.in-addr\.arpa does not exist/);
    const f = run({ 'mail.contoso.com': { A: ['192.0.2.10'] }, '10.2.0.192.in-addr.arpa': { PTR: ['host10.isp.example'] } });
    expect(f.status).toBe('warn');
    expect(f.message).toBe('192.0.2.10 has PTR host10.isp.example, which does not resolve back to 192.0.2.10 (reverse DNS does not forward-confirm)');
  });
});
