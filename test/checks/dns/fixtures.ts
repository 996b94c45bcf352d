// Probe data for DNS check tests, built from zone objects (no network): the checks are pure, so
// each case is a zone and a plan.
import type { Plan, Subject } from '../../../src/types.js';
import { subjectsFor } from '../../../src/runner/subjects.js';
import type { DkimProbeData, DmarcProbeData, HostProbeData, MxProbeData, SpfProbeData, TlsaProbeData, TlsRptProbeData } from '../../../src/evidence/dns-probes.js';
import { evaluateSpf, type SpfLookup } from '../../../src/dns/spf.js';
import { parseIp, reverseName } from '../../../src/dns/ip.js';
import { normalizeName, recordsOf } from '../../../src/dns/answer.js';
import { relayRangesOf } from '../../../src/exo/dns.js';
import { zoneAnswer } from '../../helpers/dns-answers.js';
import type { Zone } from '../../helpers/dns-server.js';
import { planFromYaml } from '../../helpers/plans.js';

export const PLAN_YAML = `version: 1
domain: contoso.com
connectors:
  - name: Relay to Office 365
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com
    senderIPs: [203.0.113.25]
    tlsSenderCertificateName: "*.contoso.com"
  - name: Office 365 to smart hosts
    direction: from-office365
    smartHosts: [mail.contoso.com, 192.0.2.99]
    tls: { mode: trusted-ca }
`;

export const plan: Plan = planFromYaml(PLAN_YAML);
export const NOW = new Date('2026-11-27T12:00:00Z');

/** The endpoint subject for a smart host of the plan. */
export function smartHostSubject(host: string, p: Plan = plan): Subject {
  const s = subjectsFor('endpoint', p).find((x) => x.scope === 'endpoint' && x.endpoint.host === host);
  if (!s) throw new Error(`no endpoint ${host}`);
  return s;
}

export function mxData(zone: Zone, domain = 'contoso.com'): MxProbeData {
  const mx = zoneAnswer(zone, domain, 'MX');
  const hosts: MxProbeData['hosts'] = {};
  for (const r of recordsOf(mx, 'MX')) hosts[r.exchange] = { a: zoneAnswer(zone, r.exchange, 'A'), aaaa: zoneAnswer(zone, r.exchange, 'AAAA') };
  return { domain, mx, hosts, transcript: [] };
}

/** What the SPF probe gathers: every answer the walk asks for. */
export function spfData(zone: Zone, domain = 'contoso.com', p: Plan = plan): SpfProbeData {
  const answers: SpfProbeData['answers'] = {};
  const lookup: SpfLookup = (type, name) => answers[`${type} ${name}`];
  const relayRanges = relayRangesOf(p);
  for (let i = 0; i < 20; i++) {
    const { needs } = evaluateSpf(domain, lookup, relayRanges);
    if (!needs.length) break;
    for (const n of needs) answers[`${n.type} ${n.name}`] = zoneAnswer(zone, n.name, n.type);
  }
  return { domain, answers, relayRanges, complete: true, transcript: [] };
}

export function dkimData(zone: Zone, domain = 'contoso.com'): DkimProbeData {
  return {
    domain,
    transcript: [],
    selectors: ['selector1', 'selector2'].map((selector) => {
      const name = `${selector}._domainkey.${domain}`;
      const cname = zoneAnswer(zone, name, 'CNAME');
      const target = recordsOf(cname, 'CNAME')[0]?.data;
      if (target) return { selector, name, cname, target: zoneAnswer(zone, target, 'TXT') };
      if (cname.status === 'nodata') return { selector, name, cname, txt: zoneAnswer(zone, name, 'TXT') };
      return { selector, name, cname };
    }),
  };
}

export function dmarcData(zone: Zone, domain = 'contoso.com'): DmarcProbeData {
  return { domain, answer: zoneAnswer(zone, `_dmarc.${domain}`, 'TXT'), parents: [], transcript: [] };
}

export function tlsRptData(zone: Zone, domain = 'contoso.com'): TlsRptProbeData {
  return { domain, answer: zoneAnswer(zone, `_smtp._tls.${domain}`, 'TXT'), transcript: [] };
}

export function tlsaData(zone: Zone, host: string, port = 25, extra: { ad?: boolean; signed?: boolean } = {}): TlsaProbeData {
  const name = `_${port}._tcp.${host}`;
  return { host, port, name, answer: { ...zoneAnswer(zone, name, 'TLSA'), ...extra }, transcript: [] };
}

export function hostData(zone: Zone, host: string): HostProbeData {
  const a = zoneAnswer(zone, host, 'A');
  const aaaa = zoneAnswer(zone, host, 'AAAA');
  const addresses = [...recordsOf(a, 'A'), ...recordsOf(aaaa, 'AAAA')].map((r) => r.data);
  const reverse = addresses.map((address) => {
    const ptr = zoneAnswer(zone, reverseName(address)!, 'PTR');
    const family = parseIp(address)!.family;
    const names = recordsOf(ptr, 'PTR').map((r) => {
      const fwd = zoneAnswer(zone, r.data, family === 4 ? 'A' : 'AAAA');
      return { name: r.data, addresses: fwd.records.map((x) => (x.type === 'A' || x.type === 'AAAA' ? x.data : '')), status: fwd.status };
    });
    return { address, ptr, names, confirmed: names.some((n) => n.addresses.some((x) => normalizeName(x) === normalizeName(address))) };
  });
  return { host, a, aaaa, reverse, transcript: [] };
}
