// Verifies that the firewall in front of the smart hosts lets in every Exchange Online range that
// connects to them on TCP 25 (Microsoft 365 endpoint list, service area Exchange: the plan's firewall.ranges, else the newer of
// the shipped copy and the one refreshed with relaycheck ranges --from FILE); a list older than 60 days warns (Microsoft republishes monthly).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { SHIPPED_RANGES } from '../../src/exo/ranges.js';
import { newestRanges } from '../../src/exo/ranges-refresh.js';
import { EXO_RANGES_PROBE, type ExoRangesProbeData } from '../../src/evidence/ranges.js';
import { formatRange, parseCidr, uncovered, type IpRange } from '../../src/dns/ip.js';

const STALE_DAYS = 60;
const REFRESH = 'Download the current list (https://endpoints.office.com/endpoints/worldwide?ServiceAreas=Exchange&clientrequestid=<a new GUID>) and run relaycheck ranges --from that file, or put the ranges in firewall.ranges.';

export default defineCheck({
  id: 'firewall.office365-ranges',
  title: 'The firewall admits every Exchange Online range on port 25',
  failureTitle: 'The firewall misses Exchange Online ranges on port 25',
  severity: 'high',
  scope: 'plan',
  description:
    'Compares firewall.allowed with the Exchange Online ranges that connect to smart hosts on TCP 25 (a dated copy ships with relaycheck, relaycheck ranges --from FILE refreshes it, firewall.ranges overrides both; a list older than 60 days warns). Skipped without a firewall section.',
  remediation: 'Allow TCP 25 from every Exchange Online range to the smart hosts, then list the rules in firewall.allowed.',
  requires: [EXO_RANGES_PROBE],
  evaluate({ plan, now, probes }) {
    if (!plan.firewall) return { status: 'skipped', message: 'the plan has no firewall section: add firewall.allowed (the source ranges your firewall admits to the smart hosts on port 25) to have it checked' };
    const override = plan.firewall.ranges && plan.firewall.ranges.length > 0;
    const state = probes[EXO_RANGES_PROBE] as ExoRangesProbeData | undefined;
    const list = newestRanges(SHIPPED_RANGES, state?.refreshed);
    const refreshed = list !== SHIPPED_RANGES;
    const required = override ? plan.firewall.ranges! : [...list.ipv4, ...list.ipv6];
    const source = override ? 'firewall.ranges from the plan' : refreshed ? `the list refreshed from the endpoints web service, as of ${list.asOf}` : `the list shipped with relaycheck, as of ${list.asOf}`;
    const allowed = plan.firewall.allowed.map((c) => parseCidr(c)).filter((r): r is IpRange => r !== null);
    // range: as the list writes it (for the rule to add); text: with the uncovered parts when only some are
    const missing: { family: 4 | 6; range: string; text: string }[] = [];
    for (const text of required) {
      const range = parseCidr(text);
      if (!range) continue; // the schema rejects these; nothing to compare
      const gaps = uncovered(range, allowed);
      if (!gaps.length) continue;
      const whole = gaps.length === 1 && gaps[0]!.start === range.start && gaps[0]!.end === range.end;
      missing.push({ family: range.family, range: text, text: whole ? text : `${text} (partly: ${gaps.map(formatRange).join(', ')} missing)` });
    }
    const out: Observation[] = [];
    const eo = 'Connections from the missing ranges never reach the smart host: the message trace shows 450 4.4.316 Connection refused or 4.4.318 Connection timed out, and Validate-OutboundConnector fails intermittently (Exchange Online picks source addresses at random).';
    const v4 = missing.filter((m) => m.family === 4);
    const v6 = missing.filter((m) => m.family === 6);
    if (v4.length) out.push({ status: 'fail', message: `firewall.allowed misses ${v4.length} IPv4 range${v4.length === 1 ? '' : 's'}: ${v4.map((m) => m.text).join(', ')}`, exchangeOnline: eo, remediation: `Allow TCP 25 to the smart hosts from ${v4.map((m) => m.range).join(', ')} (${source}).` });
    if (v6.length) {
      const noV6 = !allowed.some((r) => r.family === 6);
      out.push({
        status: noV6 ? 'warn' : 'fail',
        message: `firewall.allowed misses ${v6.length} IPv6 range${v6.length === 1 ? '' : 's'}: ${v6.map((m) => m.text).join(', ')}${noV6 ? ' (no IPv6 is allowed at all: fine while the smart hosts have no AAAA record)' : ''}`,
        exchangeOnline: eo,
        remediation: `Allow TCP 25 to the smart hosts from ${v6.map((m) => m.range).join(', ')}, or keep the smart hosts IPv4-only (no AAAA records).`,
      });
    }
    const age = Math.floor((now.getTime() - Date.parse(list.asOf)) / 86_400_000);
    if (!override && age > STALE_DAYS) out.push({ status: 'warn', message: `the ${refreshed ? 'refreshed' : 'shipped'} range list is from ${list.asOf}, ${age} days old (Microsoft republishes it monthly; older than ${STALE_DAYS} days may miss new ranges)`, remediation: REFRESH });
    if (!override && state?.problem) out.push({ status: 'warn', message: `the refreshed range list cannot be used: ${state.problem}`, remediation: REFRESH });
    return combine(out, `firewall.allowed covers all ${required.length} Exchange Online ranges (${source})`, { source, required, allowed: plan.firewall.allowed });
  },
});
