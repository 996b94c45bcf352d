// Refreshing the Exchange Online ranges from the endpoints web service JSON an admin downloaded.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newestRanges, rangesFromEndpoints, rangesStatePath, readRefreshedRanges, saveRefreshedRanges } from '../../src/exo/ranges-refresh.js';
import { SHIPPED_RANGES } from '../../src/exo/ranges.js';
import { tempDir } from '../helpers/exo.js';

const FIXTURE = new URL('../../fixtures/exo/endpoints-worldwide.json', import.meta.url);

describe('the refreshed Exchange Online ranges', () => {
  it('takes only service area Exchange on TCP 25 from the endpoints web service list', () => {
    const r = rangesFromEndpoints(readFileSync(FIXTURE, 'utf8'), '2026-12-01', 'test');
    expect(r.ipv4).toEqual(['40.92.0.0/15', '40.107.0.0/16', '52.100.0.0/15', '52.102.0.0/16', '52.103.0.0/17', '104.47.0.0/17']);
    expect(r.ipv6).toEqual(['2a01:111:f400::/48', '2a01:111:f403::/48']);
  });

  it('refuses files that are not the list, saying why', () => {
    expect(() => rangesFromEndpoints('{"latest": "2026110100"}', '2026-12-01', 't')).toThrow(/expected a JSON list of endpoint sets/);
    expect(() => rangesFromEndpoints('[{"serviceArea": "SharePoint", "tcpPorts": "443", "ips": ["13.107.136.0/22"]}]', '2026-12-01', 't')).toThrow(/no IPv4 range for service area Exchange on TCP port 25/);
    expect(() => rangesFromEndpoints('[{"serviceArea": "Exchange", "tcpPorts": "25", "ips": ["40.92.0.0/99"]}]', '2026-12-01', 't')).toThrow(/entry 1: "40\.92\.0\.0\/99" is not an IP range/);
    expect(() => rangesFromEndpoints('<html>', '2026-12-01', 't')).toThrow(/not JSON/);
  });

  it('lives in $STATE_DIRECTORY, else $XDG_STATE_HOME/relaycheck, else ~/.local/state/relaycheck', () => {
    expect(rangesStatePath({ STATE_DIRECTORY: '/var/lib/relaycheck:/other', XDG_STATE_HOME: '/x' })).toBe('/var/lib/relaycheck/exchange-online-ranges.json');
    expect(rangesStatePath({ XDG_STATE_HOME: '/home/a/.state' })).toBe('/home/a/.state/relaycheck/exchange-online-ranges.json');
    expect(rangesStatePath({})).toMatch(/\/\.local\/state\/relaycheck\/exchange-online-ranges\.json$/);
  });

  it('is written dated by the download, read back, and preferred only when newer than the shipped copy', () => {
    const dir = tempDir();
    const path = join(dir, 'state', 'exchange-online-ranges.json');
    const saved = saveRefreshedRanges(FIXTURE.pathname, path);
    expect(saved.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const back = readRefreshedRanges(path);
    expect(back).toMatchObject({ asOf: saved.asOf, ipv4: saved.ipv4 });
    expect(newestRanges(SHIPPED_RANGES, { ...saved, asOf: '2099-01-01' }).asOf).toBe('2099-01-01');
    expect(newestRanges(SHIPPED_RANGES, { ...saved, asOf: '2020-01-01' })).toBe(SHIPPED_RANGES);
    writeFileSync(path, '{"asOf": "yesterday"}');
    expect(String(readRefreshedRanges(path))).toMatch(/is damaged .*run relaycheck ranges --from FILE again/);
    expect(readRefreshedRanges(join(dir, 'none.json'))).toBeUndefined();
  });
});
