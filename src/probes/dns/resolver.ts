// A stub resolver on dns-packet: UDP, TCP when the answer is truncated, random ids, retries
// across the configured servers, EDNS0 with the DO bit (so a validating resolver reports AD), and
// a cache of promises so each (name, type) is asked once per run, even by concurrent callers.
// CNAMEs are followed: when a server returns only the alias (an authoritative server for another
// zone does), the target is asked in turn.
import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type * as dnsPacket from 'dns-packet';
import { normalizeName } from '../../dns/answer.js';
import type { DnsAnswer, DnsQueryType, DnsRecord, DnsStatus } from '../../evidence/dns.js';
import { formatHostPort } from '../../plan/address.js';
import type { HostPort, ProbeContext } from '../../types.js';
import { systemResolvers } from './resolv-conf.js';
import { tcpExchange, udpExchange, type DecodedResponse, type ExchangeResult, type Question } from './transport.js';

export interface ResolverOptions {
  servers: HostPort[];
  /** per packet; default 3000 ms */
  timeoutMs?: number;
  /** rounds over the server list; default 2 */
  attempts?: number;
  signal?: AbortSignal;
}

export interface Resolver {
  readonly servers: HostPort[];
  readonly timeoutMs: number;
  readonly attempts: number;
  /** Never rejects: failures are answers with a status. */
  query(name: string, type: DnsQueryType): Promise<DnsAnswer>;
  /** questions that missed the cache, and packets sent (retries, TCP and CNAME hops included) */
  readonly stats: { questions: number; packets: number };
}

export const DEFAULT_DNS_TIMEOUT_MS = 3_000;
export const DEFAULT_DNS_ATTEMPTS = 2;
const MAX_RECORDS = 64;
const MAX_TXT_CHARS = 8_192;
const MAX_TLSA_HEX = 16_384;
const MAX_CNAME_HOPS = 8;

function convert(a: dnsPacket.Answer): DnsRecord | undefined {
  const name = normalizeName(a.name);
  const ttl = (a as { ttl?: number }).ttl ?? 0;
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return { type: a.type, name, ttl, data: String(a.data) };
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return { type: a.type, name, ttl, data: normalizeName(String(a.data)) };
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      const text = parts.map((p) => (Buffer.isBuffer(p) ? p.toString('utf8') : String(p))).join('');
      return { type: 'TXT', name, ttl, data: text.slice(0, MAX_TXT_CHARS) };
    }
    case 'MX':
      return { type: 'MX', name, ttl, preference: a.data.preference ?? 0, exchange: normalizeName(a.data.exchange) };
    case 'TLSA':
      return { type: 'TLSA', name, ttl, usage: a.data.usage, selector: a.data.selector, matchingType: a.data.matchingType, data: Buffer.from(a.data.certificate).toString('hex').slice(0, MAX_TLSA_HEX) };
    case 'SOA':
      return { type: 'SOA', name, ttl, mname: normalizeName(a.data.mname), rname: normalizeName(a.data.rname), serial: a.data.serial ?? 0 };
    default:
      return undefined;
  }
}

interface Failure {
  server: string;
  kind: 'timeout' | 'unreachable' | 'error' | 'SERVFAIL' | 'REFUSED' | 'FORMERR' | 'NOTIMP' | 'OTHER';
  message: string;
  /** packets that came but did not answer: undecodable (a compression pointer loop), another id or question */
  ignored?: number;
}

export function createResolver(options: ResolverOptions): Resolver {
  const servers = options.servers.length ? options.servers : [{ host: '127.0.0.1', port: 53 }];
  const timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS);
  const attempts = Math.max(1, options.attempts ?? DEFAULT_DNS_ATTEMPTS);
  // One listener on the run's signal, however many questions are in flight: each exchange listens
  // on this inner signal instead (more than 10 listeners on one signal make Node print a warning).
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  if (options.signal?.aborted) inner.abort();
  else options.signal?.addEventListener('abort', () => inner.abort(), { once: true });
  const signal = options.signal ? inner.signal : undefined;
  const cache = new Map<string, Promise<DnsAnswer>>();
  const stats = { questions: 0, packets: 0 };

  const query = (name: string, type: DnsQueryType): Promise<DnsAnswer> => {
    const n = normalizeName(name);
    const key = `${type} ${n}`;
    let p = cache.get(key);
    if (!p) {
      stats.questions++;
      p = ask(n, type, 0).catch((err: unknown): DnsAnswer => ({ name: n, type, status: 'error', records: [], cnames: [], ad: false, signed: false, tries: 0, ms: 0, error: `resolver bug: ${err instanceof Error ? err.message : String(err)}` }));
      cache.set(key, p);
    }
    return p;
  };

  async function exchange(server: HostPort, name: string, type: DnsQueryType): Promise<ExchangeResult> {
    const q: Question = { id: randomInt(0x10000), name, type };
    stats.packets++;
    let r = await udpExchange(server, q, timeoutMs, signal);
    if (r.ok && r.response.flag_tc) {
      stats.packets++;
      r = await tcpExchange(server, { ...q, id: randomInt(0x10000) }, timeoutMs, signal);
      // TCP has no size limit to truncate for: a TC answer there is broken, not "no records".
      if (r.ok && r.response.flag_tc) return { ok: false, kind: 'error', message: 'the answer is truncated over TCP too (TC set), so it cannot be read', ignored: r.ignored };
    }
    if (r.ok && r.response.rcode === 'FORMERR') {
      // an old server that does not speak EDNS0 (RFC 6891 §7): ask again without OPT
      stats.packets++;
      const plain = await udpExchange(server, { ...q, id: randomInt(0x10000) }, timeoutMs, signal, false);
      if (plain.ok) r = plain;
    }
    return r;
  }

  async function ask(name: string, type: DnsQueryType, hops: number): Promise<DnsAnswer> {
    const t0 = performance.now();
    const failures: Failure[] = [];
    let tries = 0;
    for (let round = 0; round < attempts; round++) {
      for (const server of servers) {
        const label = formatHostPort(server);
        if (signal?.aborted) return failed(name, type, 'error', 'the run was aborted before an answer came', label, tries, t0);
        tries++;
        const r = await exchange(server, name, type);
        if (!r.ok) {
          if (r.kind === 'aborted') return failed(name, type, 'error', 'the run was aborted before an answer came', label, tries, t0);
          failures.push({ server: label, kind: r.kind, message: r.message, ignored: r.ignored });
          continue;
        }
        const rcode = r.response.rcode ?? 'NOERROR';
        if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
          const kind = (['SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP'].includes(rcode) ? rcode : 'OTHER') as Failure['kind'];
          failures.push({ server: label, kind, message: rcode });
          continue;
        }
        return build(name, type, r.response, r.transport, label, tries, t0, hops);
      }
    }
    return fromFailures(name, type, failures, tries, t0);
  }

  function fromFailures(name: string, type: DnsQueryType, failures: Failure[], tries: number, t0: number): DnsAnswer {
    const of = (...kinds: Failure['kind'][]) => failures.filter((f) => kinds.includes(f.kind));
    const serversOf = (list: Failure[]) => [...new Set(list.map((f) => f.server))].join(', ');
    const lastServer = (list: Failure[]) => list[list.length - 1]?.server;
    const ignored = failures.reduce((n, f) => n + (f.ignored ?? 0), 0);
    const triesText = `${tries} ${tries === 1 ? 'try' : 'tries'} of ${timeoutMs} ms${ignored ? `; ${ignored} malformed or foreign packets ignored` : ''}`;
    if (of('SERVFAIL').length) return failed(name, type, 'servfail', `SERVFAIL from ${serversOf(of('SERVFAIL'))}`, lastServer(of('SERVFAIL')), tries, t0, 'SERVFAIL');
    if (of('REFUSED').length) return failed(name, type, 'refused', `REFUSED by ${serversOf(of('REFUSED'))}`, lastServer(of('REFUSED')), tries, t0, 'REFUSED');
    if (failures.length && of('unreachable').length === failures.length) {
      return failed(name, type, 'unreachable', `no resolver reachable at ${serversOf(failures)} (${failures[0]!.message})`, lastServer(failures), tries, t0);
    }
    if (failures.length && of('timeout', 'unreachable').length === failures.length) {
      return failed(name, type, 'timeout', `no answer from ${serversOf(failures)} (${triesText})`, lastServer(failures), tries, t0);
    }
    const other = failures.filter((f) => f.kind !== 'timeout' && f.kind !== 'unreachable');
    const rcode = other.find((f) => f.kind === 'FORMERR' || f.kind === 'NOTIMP')?.kind;
    return failed(name, type, 'error', other.map((f) => `${f.server}: ${f.message}`).join('; ') || 'no server answered', lastServer(other), tries, t0, rcode);
  }

  function failed(name: string, type: DnsQueryType, status: DnsStatus, error: string, server: string | undefined, tries: number, t0: number, rcode?: string): DnsAnswer {
    return {
      name,
      type,
      status,
      ...(rcode && /^[A-Z]+$/.test(rcode) ? { rcode } : {}),
      records: [],
      cnames: [],
      ad: false,
      signed: false,
      ...(server ? { server } : {}),
      tries,
      ms: Math.round(performance.now() - t0),
      error,
    };
  }

  async function build(name: string, type: DnsQueryType, response: DecodedResponse, transport: 'udp' | 'tcp', server: string, tries: number, t0: number, hops: number): Promise<DnsAnswer> {
    const answers = (response.answers ?? []) as dnsPacket.Answer[];
    let current = name;
    const cnames: string[] = [];
    let matching: dnsPacket.Answer[] = [];
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const here = answers.filter((a) => normalizeName(a.name) === current);
      matching = here.filter((a) => a.type === type);
      if (matching.length || type === 'CNAME') break;
      const alias = here.find((a): a is dnsPacket.StringAnswer => a.type === 'CNAME');
      if (!alias) break;
      const target = normalizeName(alias.data);
      if (target === current || cnames.includes(target) || target === name) break; // loop
      cnames.push(target);
      current = target;
    }
    const records = matching.map(convert).filter((r): r is DnsRecord => r !== undefined);
    const rcode = response.rcode ?? 'NOERROR';
    const signed = answers.some((a) => a.type === 'RRSIG' && [type, 'CNAME'].includes(a.data.typeCovered));
    const answer: DnsAnswer = {
      name,
      type,
      status: rcode === 'NXDOMAIN' ? 'nxdomain' : records.length ? 'ok' : 'nodata',
      rcode,
      records: records.slice(0, MAX_RECORDS),
      cnames,
      ad: Boolean(response.flag_ad),
      signed,
      server,
      transport,
      tries,
      ms: Math.round(performance.now() - t0),
      ...(records.length > MAX_RECORDS ? { truncated: true } : {}),
    };
    if (cnames.length && !records.length && rcode === 'NOERROR' && hops < MAX_CNAME_HOPS) {
      // The server gave the alias only: ask for the target (cached like any other question).
      // Not through the cache: an alias loop across names would wait on itself.
      const next = await ask(current, type, hops + 1);
      return {
        ...next,
        name,
        cnames: [...cnames, ...next.cnames.filter((c) => !cnames.includes(c))],
        ad: answer.ad && next.ad,
        signed: answer.signed && next.signed,
        tries: tries + next.tries,
        ms: Math.round(performance.now() - t0),
      };
    }
    return answer;
  }

  return { servers, timeoutMs, attempts, query, stats };
}

export const SHARED_RESOLVER_KEY = 'dns.resolver';

/**
 * The run's resolver (one cache per run, kept in ctx.shared): the plan's dns.servers, else the
 * nameservers of /etc/resolv.conf. Per packet it waits min(3 s, the command timeout).
 */
export function runResolver(ctx: Pick<ProbeContext, 'plan' | 'timeouts' | 'signal' | 'shared'>): Resolver {
  let r = ctx.shared.get(SHARED_RESOLVER_KEY) as Resolver | undefined;
  if (!r) {
    const servers = ctx.plan.dns.servers.length ? ctx.plan.dns.servers : systemResolvers();
    r = createResolver({ servers, timeoutMs: Math.min(DEFAULT_DNS_TIMEOUT_MS, ctx.timeouts.commandMs), attempts: DEFAULT_DNS_ATTEMPTS, signal: ctx.signal });
    ctx.shared.set(SHARED_RESOLVER_KEY, r);
  }
  return r;
}
