import { describe, expect, it } from 'vitest';
import { formatIp, formatRange, isNonPublicAddress, parseCidr, parseIp, rangeContains, rangeToCidrs, reverseName, uncovered } from '../../src/dns/ip.js';

const cidr = (t: string) => parseCidr(t)!;

describe('IP ranges', () => {
  it('parses IPv4 and IPv6 addresses, including compressed and IPv4-embedded forms', () => {
    expect(parseIp('192.0.2.10')).toEqual({ family: 4, value: 0xc000020an });
    expect(parseIp('2001:db8::1')?.value).toBe(0x20010db8000000000000000000000001n);
    expect(parseIp('::ffff:192.0.2.1')?.value).toBe(0xffffc0000201n);
    expect(parseIp('::')?.value).toBe(0n);
    expect(parseIp('192.0.2.256')).toBeNull();
    expect(parseIp('01.2.3.4')).toBeNull();
    expect(parseIp('1::2::3')).toBeNull();
    expect(parseIp('mail.contoso.com')).toBeNull();
  });

  it('masks host bits off and treats a bare address as a single-address range', () => {
    expect(formatRange(cidr('192.0.2.77/24'))).toBe('192.0.2.0/24');
    expect(formatRange(cidr('203.0.113.25'))).toBe('203.0.113.25/32');
    expect(parseCidr('192.0.2.0/33')).toBeNull();
  });

  it('formats IPv6 the RFC 5952 way', () => {
    expect(formatIp(6, parseIp('2a01:111:f400:0:0:0:0:0')!.value)).toBe('2a01:111:f400::');
    expect(formatIp(6, parseIp('2001:db8:0:1:0:0:0:1')!.value)).toBe('2001:db8:0:1::1');
  });

  it('says whether one range contains another, only within a family', () => {
    expect(rangeContains(cidr('40.92.0.0/15'), cidr('40.93.1.0/24'))).toBe(true);
    expect(rangeContains(cidr('40.92.0.0/16'), cidr('40.92.0.0/15'))).toBe(false);
    expect(rangeContains(cidr('::/0'), cidr('0.0.0.0/0'))).toBe(false);
  });

  it('finds the parts of a range that a list leaves uncovered, counting the union of the list', () => {
    expect(uncovered(cidr('40.92.0.0/15'), [cidr('40.92.0.0/16'), cidr('40.93.0.0/16')])).toEqual([]);
    expect(uncovered(cidr('40.92.0.0/15'), [cidr('40.92.0.0/16')]).map(formatRange)).toEqual(['40.93.0.0/16']);
    expect(uncovered(cidr('52.100.0.0/14'), [cidr('52.101.0.0/16')]).map(formatRange)).toEqual(['52.100.0.0/16', '52.102.0.0/15']);
    expect(uncovered(cidr('2a01:111:f400::/48'), [cidr('0.0.0.0/0')]).map(formatRange)).toEqual(['2a01:111:f400::/48']);
  });

  it('writes an interval as the fewest CIDR blocks', () => {
    expect(rangeToCidrs({ family: 4, start: parseIp('10.0.0.1')!.value, end: parseIp('10.0.0.6')!.value })).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  });

  it('builds reverse names for PTR lookups', () => {
    expect(reverseName('192.0.2.10')).toBe('10.2.0.192.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });

  it('recognizes addresses Exchange Online cannot reach', () => {
    expect(isNonPublicAddress('10.1.2.3')).toBe(true);
    expect(isNonPublicAddress('172.20.0.1')).toBe(true);
    expect(isNonPublicAddress('127.0.50.1')).toBe(true);
    expect(isNonPublicAddress('fd00::1')).toBe(true);
    expect(isNonPublicAddress('192.0.2.10')).toBe(false);
    expect(isNonPublicAddress('40.92.1.1')).toBe(false);
  });
});
