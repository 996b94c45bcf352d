// Verifies MTA-STS (RFC 8461): the _mta-sts TXT record, the policy fetched over HTTPS with a trusted
// certificate, and that the policy's mx: patterns cover every real MX host ("*." matches one label only).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, recordsOf, txtOf } from '../../src/dns/answer.js';
import { LOOKUP_REMEDIATION, lookupError, quote, txtLine } from '../../src/dns/findings.js';
import { coveringPattern, isMtaStsTxt, parseMtaStsPolicy, parseMtaStsTxt, suggestedPattern } from '../../src/dns/mta-sts.js';
import { DNS_PROBES, type MtaStsProbeData, type MxProbeData, type PolicyFetch } from '../../src/evidence/dns-probes.js';

function fetchProblem(p: PolicyFetch): string {
  switch (p.error!.kind) {
    case 'dns':
      return `the policy host cannot be resolved: ${p.error!.message}`;
    case 'http':
      return `${p.url} answered ${p.error!.message}`;
    default:
      return `${p.url} could not be fetched (${p.error!.kind}): ${p.error!.message}`;
  }
}

export default defineCheck({
  id: 'dns.mta-sts',
  title: 'MTA-STS is published and covers the MX hosts',
  failureTitle: 'MTA-STS is missing or does not cover the MX hosts',
  severity: 'medium',
  scope: 'domain',
  description: 'The _mta-sts TXT record and the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt exist, and the policy\'s mx: patterns cover the real MX hosts (a "*." pattern matches one label).',
  remediation: 'Serve the policy over HTTPS with a trusted certificate, list every MX host in mx: lines, and publish the _mta-sts TXT record with a new id.',
  requires: [DNS_PROBES.mx, DNS_PROBES.mtaSts],
  evaluate({ subject, probes }) {
    const data = probes[DNS_PROBES.mtaSts] as MtaStsProbeData;
    const mxData = probes[DNS_PROBES.mx] as MxProbeData;
    const domain = subject.scope === 'domain' ? subject.domain : data.domain;
    const txtName = `_mta-sts.${domain}`;
    const p = data.policy;
    const evidence = { txt: answerEvidence(data.txt), policy: { url: p.url, address: p.address, status: p.status, contentType: p.contentType, tls: p.tls, error: p.error, body: p.body?.slice(0, 2000) } };
    if (lookupFailed(data.txt)) return lookupError(data.txt);
    const txts = txtOf(data.txt).filter(isMtaStsTxt);
    const newId = 'a new id (e.g. the date and time: 20260101T000000)';
    const txtRecord = txtLine(txtName, 'v=STSv1; id=20260101T000000');
    const noPolicy = p.error && (p.error.kind === 'dns' || p.error.kind === 'connect' || (p.error.kind === 'http' && p.status === 404));

    if (txts.length === 0 && noPolicy) {
      return {
        status: 'warn',
        message: `MTA-STS is not deployed: ${txtName} ${data.txt.status === 'ok' ? 'has no v=STSv1 record' : describeAnswer(data.txt)}, and ${fetchProblem(p)}. Senders deliver to the MX with opportunistic TLS, which an attacker can strip.`,
        remediation: `Optional but recommended: serve a policy at https://mta-sts.${domain}/.well-known/mta-sts.txt ("version: STSv1", "mode: testing" first, "mx:" lines for each MX host, "max_age: 604800") and publish ${txtRecord}.`,
        evidence,
      };
    }
    const out: Observation[] = [];
    if (txts.length === 0) out.push({ status: 'fail', message: `a policy is served but ${txtName} ${data.txt.status === 'ok' ? 'has no v=STSv1 record' : describeAnswer(data.txt)}: senders never fetch the policy`, remediation: `Publish ${txtRecord}.` });
    else if (txts.length > 1) out.push({ status: 'fail', message: `${txtName} has ${txts.length} v=STSv1 records: senders treat this as no policy (RFC 8461 §3.1)`, remediation: `Keep one record: ${txtRecord}` });
    else {
      const t = parseMtaStsTxt(txts[0]!);
      if (t.errors.length) out.push({ status: 'fail', message: `${txtName} ${quote(txts[0]!)}: ${t.errors.join('; ')}`, remediation: `Publish ${txtRecord}.` });
    }

    if (p.error) {
      out.push({ status: 'fail', message: fetchProblem(p), remediation: `Serve the policy at https://mta-sts.${domain}/.well-known/mta-sts.txt with HTTP 200 and no redirect.` });
      return combine(out, '', evidence);
    }
    if (p.tls && !p.tls.authorized) {
      out.push({ status: 'fail', message: `the certificate of mta-sts.${domain} is not valid for senders: ${p.tls.authorizationError ?? 'untrusted'} (RFC 8461 §3.3 requires a trusted certificate for the host)`, remediation: `Install a certificate from a public CA whose names include mta-sts.${domain}.` });
    }
    if (p.contentType && !/^text\/plain\b/i.test(p.contentType)) out.push({ status: 'warn', message: `the policy is served as ${p.contentType}, not text/plain (RFC 8461 §3.2)`, remediation: 'Serve the policy file as text/plain.' });
    const policy = parseMtaStsPolicy(p.body ?? '');
    if (policy.errors.length) out.push({ status: 'fail', message: `the policy does not parse: ${policy.errors.join('; ')}`, remediation: 'Fix the policy file (version: STSv1, mode:, mx:, max_age:) and publish a new id in the TXT record.' });
    if (policy.mode === 'testing') out.push({ status: 'warn', message: 'mode: testing: senders report TLS failures but still deliver', remediation: `Switch to "mode: enforce" once TLS-RPT reports are clean, and publish ${newId} in ${txtName}.` });
    if (policy.mode === 'none') out.push({ status: 'warn', message: 'mode: none: the policy is withdrawn', remediation: 'Switch to mode: testing or enforce if MTA-STS should protect the domain.' });

    if (lookupFailed(mxData.mx)) out.push({ status: 'error', message: `could not compare the mx: patterns with the MX hosts: MX ${domain} ${describeAnswer(mxData.mx)}`, remediation: LOOKUP_REMEDIATION });
    else if (policy.mode !== 'none') {
      for (const r of recordsOf(mxData.mx, 'MX')) {
        if (coveringPattern(policy.mx, r.exchange)) continue;
        out.push({
          status: 'fail',
          message: `MX host ${r.exchange} is not covered by the policy's mx: patterns (${policy.mx.join(', ') || 'none'}; a "*." pattern covers exactly one label)`,
          remediation: `Add "mx: ${suggestedPattern(r.exchange)}" (or "mx: ${r.exchange}") to the policy, and publish ${newId} in ${txtName}.`,
          exchangeOnline: policy.mode === 'enforce' ? `Senders that enforce MTA-STS (Exchange Online among them) refuse to deliver to ${r.exchange}.` : undefined,
        });
      }
    }
    const id = txts.length === 1 ? parseMtaStsTxt(txts[0]!).id : undefined;
    const mx = recordsOf(mxData.mx, 'MX').map((r) => r.exchange);
    return combine(out, `policy id=${id}, mode ${policy.mode}, max_age ${policy.maxAge}; mx patterns ${policy.mx.join(', ')} cover ${mx.join(', ') || 'the MX hosts'}`, evidence);
  },
});
