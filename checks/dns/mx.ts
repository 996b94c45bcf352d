// Verifies that the domain's MX points at the tenant's Exchange Online MX host (either form, or
// the host the plan relays to) and that it is the only or the most preferred MX (RFC 5321 §5.1).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, recordsOf } from '../../src/dns/answer.js';
import { isTenantMxHost, planTenantHosts } from '../../src/exo/dns.js';
import { lookupError } from '../../src/dns/findings.js';
import { DNS_PROBES, type MxProbeData } from '../../src/evidence/dns-probes.js';

const WHERE = 'Microsoft 365 admin center › Settings › Domains › the domain › DNS records';

export default defineCheck({
  id: 'dns.mx',
  title: 'MX points at Exchange Online and is the most preferred',
  failureTitle: 'MX does not lead mail to Exchange Online first',
  severity: 'high',
  scope: 'domain',
  description: 'The MX record names the tenant MX host (*.mail.protection.outlook.com or *.mx.microsoft) as the only, or the most preferred, mail exchanger.',
  remediation: `Publish the MX record shown in ${WHERE} (priority 0) and remove or lower the others.`,
  requires: [DNS_PROBES.mx],
  evaluate({ subject, plan, probes }) {
    const data = probes[DNS_PROBES.mx] as MxProbeData;
    const domain = subject.scope === 'domain' ? subject.domain : data.domain;
    const evidence = { mx: answerEvidence(data.mx) };
    if (lookupFailed(data.mx)) return lookupError(data.mx);
    const planned = planTenantHosts(plan);
    const publish = `Publish "${domain}. 3600 IN MX 0 ${planned[0] ? `${planned[0]}.` : '<tenant MX host>'}" as shown in ${WHERE}.`;
    const noMx = (message: string) => ({ status: 'fail' as const, message, remediation: publish, exchangeOnline: 'The domain shows "DNS records: not set up correctly" in the admin center, and mail for it does not reach Exchange Online.', evidence });
    if (data.mx.status === 'nxdomain') return noMx(`${domain} ${describeAnswer(data.mx)}`);
    if (data.mx.status === 'nodata') return noMx(`${domain} has no MX record (NODATA): senders fall back to its A record or give up`);

    const mx = recordsOf(data.mx, 'MX').sort((a, b) => a.preference - b.preference);
    if (mx.some((r) => r.exchange === '' || r.exchange === '.')) return noMx(`${domain} publishes a null MX (RFC 7505): it says it accepts no mail`);
    const list = mx.map((r) => `${r.exchange} (${r.preference})`).join(', ');
    const exo = mx.filter((r) => isTenantMxHost(r.exchange, plan));
    if (!exo.length) return noMx(`MX points at ${list}: none of them is Exchange Online's MX host`);

    const best = Math.min(...exo.map((r) => r.preference));
    const exoHosts = [...new Set(exo.map((r) => r.exchange))];
    const out: Observation[] = [];
    for (const r of mx) {
      if (isTenantMxHost(r.exchange, plan)) continue;
      if (r.preference < best) {
        out.push({ status: 'fail', message: `${r.exchange} (preference ${r.preference}) is preferred over Exchange Online's ${exoHosts[0]} (${best}): senders deliver there first, bypassing Exchange Online`, remediation: `Remove the MX record for ${r.exchange}, or give it a higher number than ${best}.` });
      } else if (r.preference === best) {
        out.push({ status: 'fail', message: `${r.exchange} has the same preference (${r.preference}) as Exchange Online's ${exoHosts[0]}: senders pick one at random, so part of the mail bypasses Exchange Online`, remediation: `Remove the MX record for ${r.exchange}, or give it a higher number than ${best}.` });
      } else {
        out.push({ status: 'warn', message: `additional MX ${r.exchange} (${r.preference}) takes mail whenever Exchange Online's host is unreachable, bypassing its filtering`, remediation: `Remove the MX record for ${r.exchange} unless it relays to Exchange Online on purpose; Microsoft recommends Exchange Online as the only MX.` });
      }
    }
    if (planned.length && !exoHosts.some((h) => planned.includes(h))) {
      out.push({ status: 'warn', message: `MX points at ${exoHosts.join(', ')}, but the plan relays to ${planned.join(', ')}`, remediation: `Check the tenant MX host in ${WHERE} and use the same host in the MX record and the plan.` });
    }
    for (const h of exoHosts) {
      const addr = data.hosts[h];
      if (addr && addr.a.status === 'nxdomain') out.push({ status: 'fail', message: `Exchange Online MX host ${h} ${describeAnswer(addr.a)}: it is not your tenant's host`, remediation: `Copy the MX host exactly from ${WHERE}. ${publish}` });
    }
    const only = mx.length === exo.length;
    const pass = `MX ${exo.map((r) => `${r.preference} ${r.exchange}`).join(', ')} ${only ? (exo.length === 1 ? 'is the only MX' : 'are the only MX hosts') : `is the most preferred of ${mx.length}`}`;
    return combine(out, pass, evidence);
  },
});
