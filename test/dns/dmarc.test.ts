import { describe, expect, it } from 'vitest';
import { isDmarcRecord, parseDmarc } from '../../src/dns/dmarc.js';
import { parseTagList } from '../../src/dns/tags.js';

describe('DMARC records', () => {
  it('recognizes a DMARC record by its leading version tag', () => {
    expect(isDmarcRecord('v=DMARC1; p=reject')).toBe(true);
    expect(isDmarcRecord('v = DMARC1 ;p=none')).toBe(true);
    expect(isDmarcRecord('v=spf1 -all')).toBe(false);
    expect(isDmarcRecord('p=reject; v=DMARC1')).toBe(false);
  });

  it('reads the policy, subdomain policy, percentage and report addresses', () => {
    expect(parseDmarc('v=DMARC1; p=quarantine; sp=reject; pct=50; rua=mailto:d@contoso.com,mailto:x@vendor.example!10m; adkim=s')).toEqual({
      policy: 'quarantine',
      subdomainPolicy: 'reject',
      pct: 50,
      rua: ['mailto:d@contoso.com', 'mailto:x@vendor.example'],
      ruf: [],
      adkim: 's',
      aspf: 'r',
      errors: [],
    });
  });

  it('names what keeps receivers from applying a record', () => {
    expect(parseDmarc('v=DMARC1; rua=mailto:d@contoso.com').errors).toEqual(['p= (the policy) is missing']);
    expect(parseDmarc('v=DMARC1; rua=mailto:d@contoso.com').policy).toBe('none'); // RFC 7489 §6.6.3
    expect(parseDmarc('v=DMARC1; p=block').errors).toEqual(['p=block is not none, quarantine or reject']);
    expect(parseDmarc('v=dmarc1; p=reject')).toMatchObject({ policy: 'reject', errors: ['v=dmarc1 must be written "DMARC1" exactly (RFC 7489 §6.3): receivers may ignore the record'] });
    expect(parseDmarc('v=DMARC1; p=none; pct=150; rua=d@contoso.com').errors).toEqual(['rua: "d@contoso.com" is not a mailto: or https: URI', 'pct=150 is not 0..100']);
  });

  it('parses tag lists tolerantly and flags duplicates', () => {
    expect(parseTagList(' v=STSv1 ;id=1; ;').tags).toEqual([
      { name: 'v', value: 'STSv1' },
      { name: 'id', value: '1' },
    ]);
    expect(parseTagList('p=none; p=reject').errors).toEqual(['tag "p" appears twice']);
  });
});
