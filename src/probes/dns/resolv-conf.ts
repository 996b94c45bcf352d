// The system's resolvers: the `nameserver` lines of /etc/resolv.conf (resolv.conf(5)), port 53.
// Like glibc, at most three are used, and 127.0.0.1 when the file names none.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { HostPort } from '../../types.js';

export const RESOLV_CONF = '/etc/resolv.conf';
const MAXNS = 3;

export function parseResolvConf(text: string): HostPort[] {
  const out: HostPort[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1]!;
    if (!isIP(host.replace(/%.*$/, ''))) continue;
    if (!out.some((s) => s.host === host)) out.push({ host, port: 53 });
    if (out.length === MAXNS) break;
  }
  return out;
}

export function systemResolvers(file = RESOLV_CONF): HostPort[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    /* no file: the default below */
  }
  const servers = parseResolvConf(text);
  return servers.length ? servers : [{ host: '127.0.0.1', port: 53 }];
}
