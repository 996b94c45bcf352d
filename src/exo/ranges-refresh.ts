// A refreshed copy of the Exchange Online ranges that connect to smart hosts on TCP 25, taken from
// the endpoints web service JSON an admin downloaded (https://endpoints.office.com/endpoints/worldwide,
// service area Exchange, entries with TCP port 25). It lives in the per-user state folder and is
// preferred over the copy shipped in data/ when it is newer.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCidr } from '../dns/ip.js';
import type { ExoRanges } from './ranges.js';

export const RANGES_FILE = 'exchange-online-ranges.json';

/** Where the refreshed copy lives: $STATE_DIRECTORY (systemd), else $XDG_STATE_HOME/relaycheck, else ~/.local/state/relaycheck. */
export function rangesStatePath(env: NodeJS.ProcessEnv = process.env): string {
  const systemd = env.STATE_DIRECTORY?.split(':')[0];
  const dir = systemd || (env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, 'relaycheck') : join(homedir(), '.local', 'state', 'relaycheck'));
  return join(dir, RANGES_FILE);
}

interface EndpointEntry {
  serviceArea?: unknown;
  tcpPorts?: unknown;
  ips?: unknown;
}

/**
 * The endpoints web service's JSON → the TCP 25 ranges of service area Exchange. Throws an Error
 * whose message says what is wrong with the file (never its content beyond a short excerpt).
 */
export function rangesFromEndpoints(text: string, asOf: string, source: string): ExoRanges {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error('not the endpoints web service format: expected a JSON list of endpoint sets (https://endpoints.office.com/endpoints/worldwide)');
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  for (const [i, raw] of data.entries()) {
    if (!raw || typeof raw !== 'object') throw new Error(`entry ${i + 1} is not an object`);
    const e = raw as EndpointEntry;
    if (e.serviceArea !== 'Exchange') continue;
    const ports = typeof e.tcpPorts === 'string' ? e.tcpPorts.split(',').map((p) => p.trim()) : [];
    if (!ports.includes('25')) continue;
    if (!Array.isArray(e.ips)) continue;
    for (const ip of e.ips) {
      const range = typeof ip === 'string' ? parseCidr(ip) : null;
      if (!range) throw new Error(`entry ${i + 1}: ${JSON.stringify(String(ip)).slice(0, 60)} is not an IP range`);
      (range.family === 4 ? ipv4 : ipv6).add(ip as string);
    }
  }
  if (!ipv4.size) throw new Error('no IPv4 range for service area Exchange on TCP port 25: is this the endpoints web service list (…/endpoints/worldwide)?');
  return { asOf, source, ipv4: [...ipv4], ipv6: [...ipv6] };
}

/** Validates and writes the refreshed copy (atomically: a temporary file, then a rename). */
export function saveRefreshedRanges(file: string, path = rangesStatePath()): ExoRanges {
  const text = readFileSync(file, 'utf8');
  const asOf = statSync(file).mtime.toISOString().slice(0, 10);
  const ranges = rangesFromEndpoints(text, asOf, `endpoints web service JSON ${file}, downloaded ${asOf}`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...ranges, refreshedAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
  return ranges;
}

/** The refreshed copy, if there is a valid one (undefined: none; an Error: there, but unusable). */
export function readRefreshedRanges(path = rangesStatePath()): ExoRanges | undefined | Error {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const r = JSON.parse(text) as Partial<ExoRanges>;
    const ok = (l: unknown) => Array.isArray(l) && l.every((x) => typeof x === 'string' && parseCidr(x) !== null);
    if (typeof r.asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(r.asOf) || !ok(r.ipv4) || !ok(r.ipv6) || !r.ipv4!.length) throw new Error('not a relaycheck ranges file');
    return { asOf: r.asOf, source: typeof r.source === 'string' ? r.source : path, ipv4: r.ipv4!, ipv6: r.ipv6! };
  } catch (err) {
    return new Error(`${path} is damaged (${(err as Error).message}): run relaycheck ranges --from FILE again`);
  }
}

/** The newer of the shipped and the refreshed copy. */
export function newestRanges(shipped: ExoRanges, refreshed: ExoRanges | undefined): ExoRanges {
  return refreshed && refreshed.asOf > shipped.asOf ? refreshed : shipped;
}
