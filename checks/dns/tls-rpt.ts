// Verifies the TLS-RPT record (RFC 8460 §3): _smtp._tls.<domain> holds one "v=TLSRPTv1; rua=…" record,
// so senders report TLS and MTA-STS/DANE failures to the domain.
import { defineCheck } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, txtOf } from '../../src/dns/answer.js';
import { lookupError, quote, txtLine } from '../../src/dns/findings.js';
import { DNS_PROBES, type TlsRptProbeData } from '../../src/evidence/dns-probes.js';
import { isTlsRptTxt, parseTlsRpt } from '../../src/dns/tls-rpt.js';

export default defineCheck({
  id: 'dns.tls-rpt',
  title: 'TLS-RPT reports are requested',
  failureTitle: 'TLS-RPT is missing or broken',
  severity: 'low',
  scope: 'domain',
  description: '_smtp._tls.<domain> holds one v=TLSRPTv1 record with a mailto: or https: rua.',
  remediation: 'Publish a TLS-RPT record at _smtp._tls.<domain>.',
  requires: [DNS_PROBES.tlsRpt],
  evaluate({ subject, probes }) {
    const data = probes[DNS_PROBES.tlsRpt] as TlsRptProbeData;
    const domain = subject.scope === 'domain' ? subject.domain : data.domain;
    const name = `_smtp._tls.${domain}`;
    const publish = txtLine(name, `v=TLSRPTv1; rua=mailto:tls-reports@${domain}`);
    const evidence = { tlsrpt: answerEvidence(data.answer) };
    if (lookupFailed(data.answer)) return lookupError(data.answer);
    const records = txtOf(data.answer).filter(isTlsRptTxt);
    if (records.length === 0) {
      return { status: 'warn', message: `${name} ${data.answer.status === 'ok' ? 'has no v=TLSRPTv1 record' : describeAnswer(data.answer)}: senders cannot report TLS failures to you (optional, recommended with MTA-STS)`, remediation: `Publish ${publish}.`, evidence };
    }
    if (records.length > 1) return { status: 'fail', message: `${name} has ${records.length} v=TLSRPTv1 records: senders ignore them all (RFC 8460 §3)`, remediation: `Keep one: ${publish}`, evidence };
    const rec = parseTlsRpt(records[0]!);
    if (rec.errors.length) return { status: 'fail', message: `${name} ${quote(records[0]!)}: ${rec.errors.join('; ')}`, remediation: `Publish ${publish}.`, evidence };
    return { status: 'pass', message: `TLS reports go to ${rec.rua.join(', ')}`, evidence };
  },
});
