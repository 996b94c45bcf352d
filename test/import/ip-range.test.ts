import { describe, expect, it } from 'vitest';
import { rangeToCidrs } from '../../src/import/ip-range.js';

describe('rangeToCidrs', () => {
  it.each([
    ['192.0.2.0-192.0.2.255', ['192.0.2.0/24']],
    ['192.0.2.10-192.0.2.10', ['192.0.2.10/32']],
    ['192.0.2.1-192.0.2.6', ['192.0.2.1/32', '192.0.2.2/31', '192.0.2.4/31', '192.0.2.6/32']],
    ['198.51.100.200 - 198.51.100.213', ['198.51.100.200/29', '198.51.100.208/30', '198.51.100.212/31']],
    ['10.0.0.255-10.0.1.0', ['10.0.0.255/32', '10.0.1.0/32']],
    ['0.0.0.0-255.255.255.255', ['0.0.0.0/0']],
  ])('covers exactly %s with %j', (range, cidrs) => {
    expect(rangeToCidrs(range)).toEqual(cidrs);
  });

  it.each(['192.0.2.9-192.0.2.1', '192.0.2.1', '2001:db8::1-2001:db8::9', 'mail.contoso.com', '192.0.2.1-'])('is null for %j', (text) => {
    expect(rangeToCidrs(text)).toBeNull();
  });
});
