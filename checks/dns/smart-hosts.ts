// Verifies that every smart host FQDN of a from-office365 connector resolves to public addresses
// Exchange Online can reach, and that reverse DNS of each address forward-confirms (FCrDNS).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, recordsOf } from '../../src/dns/answer.js';
import { lookupError } from '../../src/dns/findings.js';
import { ipFamily, isNonPublicAddress, sameIp } from '../../src/dns/ip.js';
import { DNS_PROBES, type HostProbeData } from '../../src/evidence/dns-probes.js';
import { psQuote } from '../../src/powershell/quote.js';

const NOT_RESOLVED = 'Exchange Online cannot resolve the smart host: mail for the connector queues with 451 4.4.0 "DNS query failed" in the message trace, and Validate-OutboundConnector fails.';

export default defineCheck({
  id: 'dns.smart-hosts',
  title: 'Smart hosts resolve to reachable addresses with matching reverse DNS',
  failureTitle: 'A smart host does not resolve to a reachable address',
  severity: 'high',
  scope: 'endpoint',
  description: 'Each smart host FQDN of a from-office365 connector has A/AAAA records with public addresses, and each address has a PTR name that resolves back to it.',
  remediation: 'Publish A (and AAAA) records for the smart host with its public address, and a PTR record for that address that names the host.',
  requires: [DNS_PROBES.host],
  appliesTo: (s) => s.scope === 'endpoint' && s.endpoint.role === 'smart-host' && ipFamily(s.endpoint.host) === 0,
  evaluate({ subject, probes }) {
    const data = probes[DNS_PROBES.host] as HostProbeData;
    const evidence = { a: answerEvidence(data.a), aaaa: answerEvidence(data.aaaa), reverse: data.reverse.map((r) => ({ address: r.address, ptr: r.ptr.status, names: r.names, confirmed: r.confirmed })) };
    const host = data.host;
    const connector = subject.scope === 'endpoint' ? subject.entry.name : '';
    const addresses = [...recordsOf(data.a, 'A'), ...recordsOf(data.aaaa, 'AAAA')].map((r) => r.data);
    if (!addresses.length) {
      if (lookupFailed(data.a) && lookupFailed(data.aaaa)) return lookupError(data.a);
      const message = data.a.status === 'nxdomain' ? `${host} ${describeAnswer(data.a)}` : `${host} has no A or AAAA record (A: ${describeAnswer(data.a)}; AAAA: ${describeAnswer(data.aaaa)})`;
      return { status: 'fail', message, exchangeOnline: NOT_RESOLVED, remediation: `Publish an A record for ${host} with the smart host's public address, or correct the name in the connector's SmartHosts (Set-OutboundConnector -Identity ${psQuote(connector)} -SmartHosts <host>).`, evidence };
    }
    const out: Observation[] = [];
    for (const a of [data.a, data.aaaa]) if (lookupFailed(a)) out.push({ status: 'warn', message: `${a.type} ${host} ${describeAnswer(a)}` });
    for (const addr of addresses) {
      if (isNonPublicAddress(addr)) out.push({ status: 'fail', message: `${host} resolves to ${addr}, a private or loopback address Exchange Online cannot reach from the internet`, exchangeOnline: 'Exchange Online connects from the internet: 450 4.4.316 Connection refused / 4.4.318 Connection timed out in the message trace.', remediation: `Publish the smart host's public (NAT) address for ${host} in public DNS.` });
    }
    for (const r of data.reverse) {
      if (r.confirmed) continue;
      const names = r.names.map((n) => n.name);
      const message = r.ptr.status === 'ok' ? `${r.address} has PTR ${names.join(', ')}, which does not resolve back to ${r.address} (reverse DNS does not forward-confirm)` : `${r.address} has no reverse DNS: PTR ${r.ptr.name} ${describeAnswer(r.ptr)}`;
      out.push({ status: r.ptr.status === 'ok' || r.ptr.status === 'nxdomain' || r.ptr.status === 'nodata' ? 'warn' : 'error', message, remediation: `Ask the owner of ${r.address} (usually the ISP) for a PTR record naming ${host}, and make sure ${host} resolves to ${r.address}.` });
    }
    const override = subject.scope === 'endpoint' ? subject.endpoint.address : undefined;
    const note = override && !addresses.some((a) => sameIp(a, override)) ? `; relaycheck's own sessions go to ${override} from the plan's resolve, while Exchange Online uses DNS` : '';
    const rdns = data.reverse.filter((r) => r.confirmed).map((r) => `${r.address} ⇄ ${r.names.find((n) => n.addresses.some((x) => sameIp(x, r.address)))?.name}`);
    return combine(out, `${host} → ${addresses.join(', ')}${rdns.length ? ` (reverse DNS: ${rdns.join(', ')})` : ''}${note}`, evidence);
  },
});
