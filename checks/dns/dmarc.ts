// Verifies that _dmarc.<domain> holds one DMARC record that parses (RFC 7489 §6.3) and reports its
// policy: quarantine or reject pass; p=none meets Microsoft's minimum but protects nothing (warn).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, txtOf } from '../../src/dns/answer.js';
import { isDmarcRecord, parseDmarc } from '../../src/dns/dmarc.js';
import { lookupError, quote, txtLine } from '../../src/dns/findings.js';
import { DNS_PROBES, type DmarcProbeData } from '../../src/evidence/dns-probes.js';

export default defineCheck({
  id: 'dns.dmarc',
  title: 'A DMARC policy is published',
  failureTitle: 'No valid DMARC policy is published',
  severity: 'medium',
  scope: 'domain',
  description: '_dmarc.<domain> holds exactly one v=DMARC1 record that parses; its policy is reported (p=none is a warning).',
  remediation: 'Publish a DMARC record at _dmarc.<domain>.',
  requires: [DNS_PROBES.dmarc],
  evaluate({ subject, probes }) {
    const data = probes[DNS_PROBES.dmarc] as DmarcProbeData;
    const domain = subject.scope === 'domain' ? subject.domain : data.domain;
    const name = `_dmarc.${domain}`;
    const starter = txtLine(name, `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}`);
    if (lookupFailed(data.answer)) return lookupError(data.answer);
    let records = txtOf(data.answer).filter(isDmarcRecord);
    let from = name;
    if (records.length === 0) {
      const parent = data.parents.find((p) => txtOf(p).some(isDmarcRecord));
      if (!parent) {
        return {
          status: 'fail',
          message: `${name} ${data.answer.status === 'ok' ? 'has TXT records but none starts with v=DMARC1' : describeAnswer(data.answer)}: receivers apply no DMARC policy to mail from ${domain}`,
          remediation: `Publish ${starter}, watch the aggregate reports, then raise p= to quarantine or reject.`,
          evidence: { dmarc: answerEvidence(data.answer) },
        };
      }
      records = txtOf(parent).filter(isDmarcRecord);
      from = parent.name;
    }
    const evidence = { dmarc: answerEvidence(data.answer), record: records[0] };
    if (records.length > 1) {
      return { status: 'fail', message: `${from} has ${records.length} DMARC records: receivers ignore them all (RFC 7489 §6.6.3)`, remediation: `Keep one record at ${from} and delete the others.`, evidence };
    }
    const rec = parseDmarc(records[0]!);
    const inherited = from === name ? '' : ` (no record at ${name}; the organizational domain's ${from} applies)`;
    const out: Observation[] = [];
    if (!rec.policy) return { status: 'fail', message: `${from} ${quote(records[0]!)} does not parse: ${rec.errors.join('; ')}`, remediation: `Replace it with a valid record, e.g. ${starter}`, evidence };
    for (const e of rec.errors) out.push({ status: 'warn', message: `${from}: ${e}` });
    // RFC 7489 §6.3: for a subdomain that has no record of its own, the organizational domain's sp= applies (else its p=).
    const tag = inherited && rec.subdomainPolicy ? 'sp' : 'p';
    const policy = tag === 'sp' ? rec.subdomainPolicy! : rec.policy;
    if (policy === 'none') out.push({ status: 'warn', message: `${tag}=none${inherited}: monitoring only, receivers deliver mail that fails DMARC`, remediation: `Once the aggregate reports show your mail passes (SPF or DKIM aligned), raise ${tag}= to quarantine, then reject.` });
    if (rec.pct < 100 && policy !== 'none') out.push({ status: 'warn', message: `pct=${rec.pct}: ${tag}=${policy} applies to only ${rec.pct}% of failing mail`, remediation: 'Raise pct to 100 (or remove it) once the reports are clean.' });
    const notes = [tag === 'p' && rec.subdomainPolicy && rec.subdomainPolicy !== rec.policy ? `sp=${rec.subdomainPolicy}` : '', rec.rua.length ? `reports to ${rec.rua.join(', ')}` : 'no rua= (no aggregate reports)'].filter(Boolean).join(', ');
    const applied = tag === 'sp' ? `sp=${policy} (p=${rec.policy})` : `p=${rec.policy}`;
    return combine(out, `${applied}${rec.pct < 100 ? ` pct=${rec.pct}` : ''}${inherited}; ${notes}`, evidence);
  },
});
