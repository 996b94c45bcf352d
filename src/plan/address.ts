// Parsing of the address forms a plan accepts: host, host:port, ip, ip:port and [v6]:port.
import { isIP } from 'node:net';
import type { HostPort } from '../types.js';

const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([A-Za-z0-9_]([A-Za-z0-9-_]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export function isHostname(value: string): boolean {
  return HOSTNAME.test(value) && !value.startsWith('*');
}

/** A certificate name as Exchange Online takes it: a domain, optionally `*.domain`. */
export function isCertName(value: string): boolean {
  return HOSTNAME.test(value) && !/\*/.test(value.slice(1));
}

export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at < 1 || value.length > 254) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/.test(local) && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..') && isHostname(domain) && domain.includes('.');
}

/** "host", "host:25", "192.0.2.1:25", "[2001:db8::1]:25", "2001:db8::1" → {host, port}; null when malformed. */
export function parseHostPort(value: string, defaultPort: number | null): HostPort | null {
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracket) {
    host = bracket[1];
    portText = bracket[2];
    if (isIP(host) !== 6) return null;
  } else if (value.indexOf(':') !== value.lastIndexOf(':') && isIP(value) === 6) {
    // A bare IPv6 address carries no port. (The colon count first: a host:port never pays for
    // compiling Node's IPv6 pattern, about 5 ms of start-up.)
    host = value;
  } else {
    const colon = value.lastIndexOf(':');
    if (colon >= 0) {
      host = value.slice(0, colon);
      portText = value.slice(colon + 1);
    } else host = value;
    if (!isIP(host) && !isHostname(host)) return null;
  }
  if (portText === undefined) {
    if (defaultPort === null) return null;
    return { host: host.toLowerCase(), port: defaultPort };
  }
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { host: host.toLowerCase(), port };
}

/** An address for a resolver or a resolve override: an IP literal, optionally with a port. */
export function parseIpPort(value: string, defaultPort: number): HostPort | null {
  const parsed = parseHostPort(value, defaultPort);
  return parsed && isIP(parsed.host) ? parsed : null;
}

export function isCidr(value: string): boolean {
  const [addr, mask, extra] = value.split('/');
  if (extra !== undefined) return false;
  const family = isIP(addr);
  if (!family) return false;
  if (mask === undefined) return true;
  if (!/^\d{1,3}$/.test(mask)) return false;
  return Number(mask) <= (family === 4 ? 32 : 128);
}

export function formatHostPort(hp: HostPort): string {
  return isIP(hp.host) === 6 ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
