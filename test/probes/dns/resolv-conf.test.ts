import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResolvConf, systemResolvers } from '../../../src/probes/dns/resolv-conf.js';

describe('the system resolvers from /etc/resolv.conf', () => {
  it('reads nameserver lines on port 53, skipping comments, options and names that are not IPs', () => {
    const text = '# generated\nsearch corp.example\nnameserver 192.0.2.53\nnameserver 2001:db8::53 # v6\noptions ndots:2\nnameserver dns.example\n; nameserver 198.51.100.1\n';
    expect(parseResolvConf(text)).toEqual([
      { host: '192.0.2.53', port: 53 },
      { host: '2001:db8::53', port: 53 },
    ]);
  });

  it('uses at most three servers, as glibc does', () => {
    expect(parseResolvConf('nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n')).toHaveLength(3);
  });

  it('falls back to 127.0.0.1 when the file names no server or is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resolv-'));
    writeFileSync(join(dir, 'resolv.conf'), 'search example\n');
    expect(systemResolvers(join(dir, 'resolv.conf'))).toEqual([{ host: '127.0.0.1', port: 53 }]);
    expect(systemResolvers(join(dir, 'missing.conf'))).toEqual([{ host: '127.0.0.1', port: 53 }]);
  });
});
