// DnsAnswer fixtures for check and parser tests: built from the same declarative zone objects the
// in-process DNS server serves, without any network.
import type { DnsAnswer, DnsQueryType, DnsRecord, DnsStatus } from '../../src/evidence/dns.js';
import type { Zone, ZoneValue } from './dns-server.js';

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

function toRecord(name: string, type: string, v: ZoneValue): DnsRecord {
  switch (type) {
    case 'MX': {
      const m = v as { preference: number; exchange: string };
      return { type: 'MX', name, ttl: 300, preference: m.preference, exchange: norm(m.exchange) };
    }
    case 'TXT':
      return { type: 'TXT', name, ttl: 300, data: Array.isArray(v) ? v.join('') : (v as string) };
    case 'TLSA': {
      const t = v as { usage: number; selector: number; matchingType: number; data: string };
      return { type: 'TLSA', name, ttl: 300, ...t };
    }
    default:
      return { type: type as 'A', name, ttl: 300, data: norm(v as string) };
  }
}

/** An answer with records (status ok) or without (nxdomain unless the name exists). */
export function answer(name: string, type: DnsQueryType, records: DnsRecord[] = [], status?: DnsStatus, extra: Partial<DnsAnswer> = {}): DnsAnswer {
  return { name: norm(name), type, status: status ?? (records.length ? 'ok' : 'nxdomain'), records, cnames: [], ad: false, signed: false, server: '192.0.2.53:53', transport: 'udp', tries: 1, ms: 1, ...extra };
}

/** Answers the way a recursive resolver would, from a zone object (CNAMEs followed). */
export function zoneAnswer(zone: Zone, name: string, type: DnsQueryType): DnsAnswer {
  const lower = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const exists = (n: string) => [...lower.keys()].some((k) => k === n || k.endsWith(`.${n}`));
  let current = norm(name);
  const cnames: string[] = [];
  for (let hop = 0; hop < 8; hop++) {
    const node = lower.get(current);
    const values = node?.[type];
    if (values?.length) return answer(name, type, values.map((v) => toRecord(current, type, v)), 'ok', { cnames });
    const alias = node?.CNAME?.[0];
    if (alias && type !== 'CNAME') {
      current = norm(alias as string);
      cnames.push(current);
      continue;
    }
    break;
  }
  return answer(name, type, [], exists(current) ? 'nodata' : 'nxdomain', { cnames });
}

/** A lookup function over a zone, counting the questions (for the SPF walk). */
export function zoneLookup(zone: Zone): ((type: string, name: string) => DnsAnswer) & { asked: string[] } {
  const asked: string[] = [];
  const fn = (type: string, name: string) => {
    asked.push(`${type} ${name}`);
    return zoneAnswer(zone, name, type as DnsQueryType);
  };
  return Object.assign(fn, { asked });
}
