// The DNS probes: domain-level (MX, SPF with every nested record, DKIM selectors, DMARC, TLS-RPT)
// and per smart host (TLSA, addresses with forward-confirmed reverse DNS). All questions go through
// the run's resolver, so a name is asked once however many probes need it.
import { normalizeName, recordsOf } from '../../dns/answer.js';
import { relayRangesOf } from '../../exo/dns.js';
import { parseIp, reverseName, sameIp } from '../../dns/ip.js';
import {
  DNS_PROBES,
  type DkimProbeData,
  type DkimSelectorData,
  type DmarcProbeData,
  type HostProbeData,
  type MxProbeData,
  type ReverseCheck,
  type SpfProbeData,
  type TlsaProbeData,
  type TlsRptProbeData,
} from '../../evidence/dns-probes.js';
import { evaluateSpf } from '../../dns/spf.js';
import type { DnsAnswer } from '../../evidence/dns.js';
import type { ProbeContext, ProbeDefinition, Subject } from '../../types.js';
import { DnsLog } from './log.js';
import { runResolver } from './resolver.js';

const MAX_MX_HOSTS = 10;
const MAX_SPF_ANSWERS = 60;
const MAX_SPF_ROUNDS = 15;
const MAX_ADDRESSES = 8;
const MAX_PTR_NAMES = 4;

function domainOf(subject: Subject): string {
  if (subject.scope !== 'domain') throw new Error(`a domain probe got a ${subject.scope} subject`);
  return normalizeName(subject.domain);
}

function endpointOf(subject: Subject): { host: string; port: number } {
  if (subject.scope !== 'endpoint') throw new Error(`an endpoint probe got a ${subject.scope} subject`);
  return { host: normalizeName(subject.endpoint.host), port: subject.endpoint.port };
}

/**
 * A probe per domain (keyed on the normalized name, as `domainOf` hands it to `gather`) that asks
 * through the run's resolver and logs into its own transcript.
 */
export function domainProbe<T>(id: string, gather: (domain: string, log: DnsLog, ctx: ProbeContext) => Promise<T>): ProbeDefinition<T> {
  return {
    id,
    scope: 'domain',
    key: (s) => (s.scope === 'domain' ? normalizeName(s.domain) : s.scope),
    run: async (subject, ctx) => gather(domainOf(subject), new DnsLog(runResolver(ctx)), ctx),
  };
}

export const mxProbe = domainProbe<MxProbeData>(DNS_PROBES.mx, async (domain, log) => {
  const mx = await log.ask(domain, 'MX');
  const names = [...new Set(recordsOf(mx, 'MX').map((r) => r.exchange).filter((h) => h !== ''))].slice(0, MAX_MX_HOSTS);
  const hosts: MxProbeData['hosts'] = {};
  await Promise.all(
    names.map(async (h) => {
      const [a, aaaa] = await Promise.all([log.ask(h, 'A'), log.ask(h, 'AAAA')]);
      hosts[h] = { a, aaaa };
    }),
  );
  return { domain, mx, hosts, transcript: log.transcript };
});

/** Gathers every record the SPF evaluation needs, round by round (each include level is one round). */
export async function gatherSpf(domain: string, relayRanges: string[], log: DnsLog): Promise<{ answers: Record<string, DnsAnswer>; complete: boolean }> {
  const answers: Record<string, DnsAnswer> = {};
  const lookup = (type: string, name: string) => answers[`${type} ${name}`];
  for (let round = 0; round < MAX_SPF_ROUNDS; round++) {
    const { needs } = evaluateSpf(domain, lookup, relayRanges);
    if (!needs.length) return { answers, complete: true };
    const room = MAX_SPF_ANSWERS - Object.keys(answers).length;
    const batch = needs.filter((n) => !(`${n.type} ${n.name}` in answers)).slice(0, Math.max(0, room));
    if (!batch.length) break;
    await Promise.all(batch.map(async (n) => (answers[`${n.type} ${n.name}`] = await log.ask(n.name, n.type))));
  }
  return { answers, complete: evaluateSpf(domain, lookup, relayRanges).needs.length === 0 };
}

export const spfProbe = domainProbe<SpfProbeData>(DNS_PROBES.spf, async (domain, log, ctx) => {
  const relayRanges = relayRangesOf(ctx.plan);
  const { answers, complete } = await gatherSpf(domain, relayRanges, log);
  return { domain, answers, relayRanges, complete, transcript: log.transcript };
});

export const DKIM_SELECTORS = ['selector1', 'selector2'] as const;

export const dkimProbe = domainProbe<DkimProbeData>(DNS_PROBES.dkim, async (domain, log) => {
  const selectors = await Promise.all(
    DKIM_SELECTORS.map(async (selector): Promise<DkimSelectorData> => {
      const name = `${selector}._domainkey.${domain}`;
      const cname = await log.ask(name, 'CNAME');
      const target = recordsOf(cname, 'CNAME')[0]?.data;
      if (target) return { selector, name, cname, target: await log.ask(target, 'TXT') };
      if (cname.status === 'nodata') return { selector, name, cname, txt: await log.ask(name, 'TXT') };
      return { selector, name, cname };
    }),
  );
  return { domain, selectors, transcript: log.transcript };
});

/** Parent domains down to two labels: a.b.contoso.com → b.contoso.com, contoso.com. */
function parentsOf(domain: string): string[] {
  const labels = domain.split('.');
  const out: string[] = [];
  for (let i = 1; labels.length - i >= 2; i++) out.push(labels.slice(i).join('.'));
  return out;
}

export const dmarcProbe = domainProbe<DmarcProbeData>(DNS_PROBES.dmarc, async (domain, log) => {
  const answer = await log.ask(`_dmarc.${domain}`, 'TXT');
  const parents: DnsAnswer[] = [];
  if (answer.status === 'nxdomain' || answer.status === 'nodata' || (answer.status === 'ok' && !answer.records.some((r) => r.type === 'TXT' && /^v\s*=\s*DMARC1/i.test(r.data)))) {
    // RFC 7489 §6.6.3: receivers fall back to the organizational domain's record
    for (const p of parentsOf(domain)) {
      const a = await log.ask(`_dmarc.${p}`, 'TXT');
      parents.push(a);
      if (a.status === 'ok') break;
    }
  }
  return { domain, answer, parents, transcript: log.transcript };
});

export const tlsRptProbe = domainProbe<TlsRptProbeData>(DNS_PROBES.tlsRpt, async (domain, log) => {
  const answer = await log.ask(`_smtp._tls.${domain}`, 'TXT');
  return { domain, answer, transcript: log.transcript };
});

export const tlsaProbe: ProbeDefinition<TlsaProbeData> = {
  id: DNS_PROBES.tlsa,
  scope: 'endpoint',
  key: (s) => (s.scope === 'endpoint' ? `${normalizeName(s.endpoint.host)}:${s.endpoint.port}` : s.scope),
  async run(subject, ctx) {
    const { host, port } = endpointOf(subject);
    const log = new DnsLog(runResolver(ctx));
    const name = `_${port}._tcp.${host}`;
    const answer = await log.ask(name, 'TLSA');
    return { host, port, name, answer, transcript: log.transcript };
  },
};

async function reverseCheck(address: string, log: DnsLog): Promise<ReverseCheck> {
  const rev = reverseName(address)!;
  const ptr = await log.ask(rev, 'PTR');
  const type = parseIp(address)!.family === 4 ? 'A' : 'AAAA';
  const names = await Promise.all(
    recordsOf(ptr, 'PTR')
      .slice(0, MAX_PTR_NAMES)
      .map(async (r) => {
        const fwd = await log.ask(r.data, type);
        return { name: r.data, addresses: recordsOf(fwd, type).map((x) => x.data), status: fwd.status };
      }),
  );
  return { address, ptr, names, confirmed: names.some((n) => n.addresses.some((x) => sameIp(x, address))) };
}

export const hostProbe: ProbeDefinition<HostProbeData> = {
  id: DNS_PROBES.host,
  scope: 'endpoint',
  key: (s) => (s.scope === 'endpoint' ? normalizeName(s.endpoint.host) : s.scope),
  async run(subject, ctx: ProbeContext) {
    const { host } = endpointOf(subject);
    const log = new DnsLog(runResolver(ctx));
    const [a, aaaa] = await Promise.all([log.ask(host, 'A'), log.ask(host, 'AAAA')]);
    const addresses = [...recordsOf(a, 'A'), ...recordsOf(aaaa, 'AAAA')].map((r) => r.data).slice(0, MAX_ADDRESSES);
    const reverse = await Promise.all(addresses.map((addr) => reverseCheck(addr, log)));
    return { host, a, aaaa, reverse, transcript: log.transcript };
  },
};

export const dnsProbes: ProbeDefinition[] = [mxProbe, spfProbe, dkimProbe, dmarcProbe, tlsRptProbe, tlsaProbe, hostProbe] as ProbeDefinition[];
