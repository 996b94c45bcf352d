// Verifies that the firewall in front of the smart hosts lets in every Exchange Online range that
// connects to them on TCP 25 (Microsoft 365 endpoint list, service area Exchange; shipped copy or the plan's firewall.ranges).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { SHIPPED_RANGES } from '../../src/exo/ranges.js';
import { formatRange, parseCidr, uncovered, type IpRange } from '../../src/dns/ip.js';

const STALE_DAYS = 365;

export default defineCheck({
  id: 'firewall.office365-ranges',
  title: 'The firewall admits every Exchange Online range on port 25',
  failureTitle: 'The firewall misses Exchange Online ranges on port 25',
  severity: 'high',
  scope: 'plan',
  description: 'Compares firewall.allowed with the Exchange Online ranges that connect to smart hosts on TCP 25 (a dated copy ships with relaycheck; firewall.ranges overrides it). Skipped without a firewall section.',
  remediation: 'Allow TCP 25 from every Exchange Online range to the smart hosts, then list the rules in firewall.allowed.',
  requires: [],
  evaluate({ plan, now }) {
    if (!plan.firewall) return { status: 'skipped', message: 'the plan has no firewall section: add firewall.allowed (the source ranges your firewall admits to the smart hosts on port 25) to have it checked' };
    const override = plan.firewall.ranges && plan.firewall.ranges.length > 0;
    const required = override ? plan.firewall.ranges! : [...SHIPPED_RANGES.ipv4, ...SHIPPED_RANGES.ipv6];
    const source = override ? 'firewall.ranges from the plan' : `the list shipped with relaycheck, as of ${SHIPPED_RANGES.asOf}`;
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
    const age = (now.getTime() - Date.parse(SHIPPED_RANGES.asOf)) / 86_400_000;
    if (!override && age > STALE_DAYS) out.push({ status: 'warn', message: `the shipped range list is from ${SHIPPED_RANGES.asOf}, over a year old`, remediation: 'Copy the current Exchange ranges for TCP 25 from https://endpoints.office.com into firewall.ranges.' });
    return combine(out, `firewall.allowed covers all ${required.length} Exchange Online ranges (${source})`, { source, required, allowed: plan.firewall.allowed });
  },
});
