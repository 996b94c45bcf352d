import { describe, expect, it } from 'vitest';
import { isExoMxHost, isMicrosoftDkimTarget, isTenantMxHost, planTenantHosts, relayRangesOf } from '../../src/exo/dns.js';
import { planFromYaml } from '../helpers/plans.js';

const plan = planFromYaml(`version: 1
domain: contoso.com
connectors:
  - name: Relay
    direction: to-office365
    endpoint: relay-in.contoso.com
    senderIPs: [203.0.113.25, 198.51.100.0/28]
  - name: Submission front door
    direction: to-office365
    endpoint: smtp.office365.com:587
    senderIPs: [203.0.113.25]
`);

describe('Exchange Online names in DNS', () => {
  it('recognizes both forms of the tenant MX host', () => {
    expect(isExoMxHost('contoso-com.mail.protection.outlook.com')).toBe(true);
    expect(isExoMxHost('CONTOSO-com.mail.protection.outlook.com.')).toBe(true);
    expect(isExoMxHost('contoso-com.e-v1.mx.microsoft')).toBe(true);
    expect(isExoMxHost('mail.protection.outlook.com')).toBe(false);
    expect(isExoMxHost('contoso.com.mail.protection.outlook.com.evil.example')).toBe(false);
  });

  it('takes the plan\'s to-office365 endpoint as the tenant host, but not client submission hosts', () => {
    expect(planTenantHosts(plan)).toEqual(['relay-in.contoso.com']);
    expect(isTenantMxHost('relay-in.contoso.com', plan)).toBe(true);
    expect(isTenantMxHost('mail.contoso.com', plan)).toBe(false);
  });

  it('recognizes Microsoft DKIM targets', () => {
    expect(isMicrosoftDkimTarget('selector1-contoso-com._domainkey.contoso.onmicrosoft.com')).toBe(true);
    expect(isMicrosoftDkimTarget('selector1-contoso-com._domainkey.contoso.c-v1.dkim.mail.microsoft')).toBe(true);
    expect(isMicrosoftDkimTarget('selector1._domainkey.esp.example')).toBe(false);
  });

  it('collects the relay addresses once', () => {
    expect(relayRangesOf(plan)).toEqual(['203.0.113.25', '198.51.100.0/28']);
  });
});
