// Verifies the domain's SPF record (RFC 7208): exactly one v=spf1 record, include:spf.protection.outlook.com,
// the org's relay IPs authorized, at most 10 DNS-querying terms through nested includes (§4.6.4), ending in -all or ~all.
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed } from '../../src/dns/answer.js';
import { EXO_SPF_INCLUDE } from '../../src/exo/dns.js';
import { LOOKUP_REMEDIATION, lookupError, quote, txtLine } from '../../src/dns/findings.js';
import { DNS_PROBES, type SpfProbeData } from '../../src/evidence/dns-probes.js';
import { evaluateSpf, MAX_LOOKUPS, mergeSpfRecords, suggestSpfRecord, type SpfAnalysis } from '../../src/dns/spf.js';
import { STATUS_RANK } from '../../src/types.js';

const FAILS_AT_RECEIVERS = 'Mail Exchange Online sends for this domain fails SPF at receivers (Authentication-Results: spf=permerror, fail or softfail) and may be rejected or junked under DMARC.';

function analyse(a: SpfAnalysis, relaySource: string): Observation[] {
  const out: Observation[] = [];
  if (!a.exoIncludePath) {
    out.push({ status: 'fail', message: `has no include:${EXO_SPF_INCLUDE}: Exchange Online's servers are not authorized to send for the domain`, exchangeOnline: FAILS_AT_RECEIVERS });
  }
  if (a.lookups > MAX_LOOKUPS) {
    out.push({ status: 'fail', message: `needs ${a.lookups} DNS lookups through nested includes (limit ${MAX_LOOKUPS}, RFC 7208 §4.6.4): receivers return permerror [${a.lookupBreakdown.join(', ')}]`, remediation: 'Cut the record below 10 lookups: drop includes of services you no longer use, replace a/mx terms with ip4: ranges, or ask the vendor for a flatter include.', exchangeOnline: FAILS_AT_RECEIVERS });
  }
  for (const p of a.problems) out.push({ status: p.severity === 'permerror' ? 'fail' : 'warn', message: `${p.message}${p.severity === 'permerror' ? ' (receivers return permerror)' : ''}` });
  for (const t of a.temperrors) out.push({ status: 'error', message: `could not follow ${t}`, remediation: LOOKUP_REMEDIATION });
  switch (a.effectiveAll) {
    case '-':
    case '~':
      break;
    case '+':
      out.push({ status: 'fail', message: `ends in +all: it authorizes every server on the internet to send as the domain` });
      break;
    case '?':
      out.push({ status: 'warn', message: `ends in ?all (neutral): receivers do not act on mail from unlisted servers` });
      break;
    default:
      out.push({ status: 'warn', message: `has no "all" term: unlisted servers get neutral, as with ?all` });
  }
  for (const v of a.relay) {
    if (v.result === 'pass') continue;
    const status = v.result === 'unknown' || v.result === 'pending' ? 'warn' : v.result === 'temperror' ? 'error' : 'fail';
    const why = v.result === 'unknown' || v.result === 'pending' ? `relaycheck cannot tell whether relay address ${v.range} (${relaySource}) is authorized: ${v.reason ?? 'the walk was incomplete'}` : `relay address ${v.range} (${relaySource}) gets SPF ${v.result}${v.via ? ` from ${v.via}` : v.reason ? ` (${v.reason})` : ''}`;
    out.push({ status, message: `${why}` });
  }
  return out;
}

export default defineCheck({
  id: 'dns.spf',
  title: 'SPF authorizes Exchange Online and the relays within the lookup limit',
  failureTitle: 'SPF does not authorize Exchange Online properly',
  severity: 'high',
  scope: 'domain',
  description: `Exactly one v=spf1 record, with include:${EXO_SPF_INCLUDE}, the relay addresses of the plan, at most 10 DNS lookups counted through nested includes, ending in -all or ~all.`,
  remediation: `Publish one SPF record with include:${EXO_SPF_INCLUDE} and -all (or ~all).`,
  requires: [DNS_PROBES.spf],
  evaluate({ subject, probes }) {
    const data = probes[DNS_PROBES.spf] as SpfProbeData;
    const domain = subject.scope === 'domain' ? subject.domain : data.domain;
    const ev = evaluateSpf(domain, (type, name) => data.answers[`${type} ${name}`], data.relayRanges);
    if (!ev.answer) return { status: 'error', message: 'could not decide: the SPF walk did not look up the domain' };
    if (lookupFailed(ev.answer)) return lookupError(ev.answer);
    const evidence = { txt: answerEvidence(ev.answer), records: ev.records, lookups: ev.analyses.map((a) => a.lookups) };
    const relaySource = 'senderIPs of the to-office365 connectors';
    const multi = ev.records.length > 1;
    const base = multi ? mergeSpfRecords(ev.records) : ev.records[0];
    const settled = (range: string) => ev.analyses.some((a) => a.relay.some((v) => v.range === range && ['pass', 'unknown', 'pending'].includes(v.result)));
    const publish = `Publish: ${txtLine(domain, suggestSpfRecord(base, { needsInclude: !ev.analyses.some((a) => a.exoIncludePath), addRanges: data.relayRanges.filter((r) => !settled(r)) }))}`;

    if (ev.records.length === 0) {
      const why = ev.answer.status === 'ok' ? 'has TXT records but none starts with v=spf1' : describeAnswer(ev.answer);
      return { status: 'fail', message: `${domain} has no SPF record (TXT ${domain} ${why})`, remediation: publish, exchangeOnline: FAILS_AT_RECEIVERS, evidence };
    }
    const out: Observation[] = [];
    if (multi) {
      out.push({ status: 'fail', message: `${domain} publishes ${ev.records.length} SPF records: receivers return permerror for all mail (RFC 7208 §4.5)`, remediation: `Merge them into one record and delete the others. ${publish}`, exchangeOnline: FAILS_AT_RECEIVERS });
      // one observation per record, so each record is named once
      ev.analyses.forEach((a, i) => {
        const obs = analyse(a, relaySource);
        if (!obs.length) return;
        const worst = obs.reduce((w, o) => (STATUS_RANK[o.status] > STATUS_RANK[w] ? o.status : w), obs[0]!.status);
        const remediation = [...new Set(obs.map((o) => o.remediation).filter(Boolean))].join(' ');
        out.push({ status: worst, message: `record ${i + 1} ${quote(a.record, 60)}: ${obs.map((o) => o.message).join('; ')}`, ...(remediation ? { remediation } : {}) });
      });
    } else out.push(...analyse(ev.analyses[0]!, relaySource));
    if (!data.complete) out.push({ status: 'warn', message: 'the SPF walk stopped at its bound (60 lookups): the count may be higher' });
    // A lookup that failed deep in the tree hides nothing that already fails: report both, fail first.
    if (out.some((o) => o.status === 'fail')) for (const o of out) if (o.status === 'error') o.status = 'warn';
    const withPublish = out.filter((o) => o.status !== 'pass');
    if (withPublish.length && !multi) withPublish[0]!.remediation = [publish, withPublish[0]!.remediation].filter(Boolean).join(' ');
    const a = ev.analyses[0]!;
    const relay = a.relay.length ? `; relay ${a.relay.map((v) => v.range).join(', ')} pass${a.relay.length === 1 ? 'es' : ''}` : '';
    const via = a.exoIncludePath && a.exoIncludePath.length > 1 ? ` (via ${a.exoIncludePath.slice(1).join(' → ')})` : '';
    return combine(out, `one SPF record: includes ${EXO_SPF_INCLUDE}${via}, ${a.lookups} of ${MAX_LOOKUPS} DNS lookups, ends in ${a.effectiveAll}all${relay}`, evidence);
  },
});
