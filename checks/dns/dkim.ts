// Verifies that selector1._domainkey and selector2._domainkey are CNAMEs to the tenant's DKIM keys
// at Microsoft (…onmicrosoft.com or …dkim.mail.microsoft), so Exchange Online can sign and rotate (RFC 6376 §3.6.2).
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { answerEvidence, describeAnswer, lookupFailed, recordsOf, txtOf } from '../../src/dns/answer.js';
import { isMicrosoftDkimTarget } from '../../src/exo/dns.js';
import { LOOKUP_REMEDIATION } from '../../src/dns/findings.js';
import { DNS_PROBES, type DkimProbeData } from '../../src/evidence/dns-probes.js';
import { psQuote } from '../../src/powershell/quote.js';

const SHOW = (domain: string) => `Get-DkimSigningConfig -Identity ${psQuote(domain)} | Format-List Selector1CNAME, Selector2CNAME`;

export default defineCheck({
  id: 'dns.dkim',
  title: 'Both DKIM selectors point at Microsoft',
  failureTitle: 'The DKIM selectors do not point at Microsoft',
  severity: 'medium',
  scope: 'domain',
  description: 'selector1._domainkey and selector2._domainkey are CNAMEs to the targets Microsoft gives the tenant (…onmicrosoft.com or …dkim.mail.microsoft).',
  remediation: 'Publish both CNAME records shown in Microsoft Defender › Email authentication settings › DKIM for the domain, then enable signing.',
  requires: [DNS_PROBES.dkim],
  evaluate({ subject, probes }) {
    const data = probes[DNS_PROBES.dkim] as DkimProbeData;
    const domain = subject.scope === 'domain' ? subject.domain : data.domain;
    const publish = `Publish the CNAMEs Microsoft gives the tenant (read them with: ${SHOW(domain)}).`;
    const out: Observation[] = [];
    const targets: string[] = [];
    for (const s of data.selectors) {
      if (lookupFailed(s.cname)) {
        out.push({ status: 'error', message: `could not decide for ${s.selector}: CNAME ${s.name} ${describeAnswer(s.cname)}`, remediation: LOOKUP_REMEDIATION });
        continue;
      }
      const target = recordsOf(s.cname, 'CNAME')[0]?.data;
      if (!target) {
        const ownKey = s.txt && txtOf(s.txt).some((t) => /(^|;)\s*p=/.test(t));
        const message =
          s.cname.status === 'nxdomain'
            ? `${s.name} does not exist (NXDOMAIN)`
            : ownKey
              ? `${s.name} publishes its own DKIM key (TXT) instead of a CNAME to Microsoft: Exchange Online signs with the tenant's keys, which this key does not match`
              : `${s.name} exists but is not a CNAME (NODATA)`;
        out.push({ status: 'fail', message, remediation: `${publish} Remove any TXT record at ${s.name} first.`, exchangeOnline: 'Enabling DKIM for the domain in Microsoft Defender fails with "CNAME record does not exist", and outgoing mail is signed only with the onmicrosoft.com domain (DMARC alignment fails).' });
        continue;
      }
      targets.push(`${s.selector} → ${target}`);
      if (!isMicrosoftDkimTarget(target)) {
        out.push({ status: 'fail', message: `${s.name} is a CNAME to ${target}, which is not a Microsoft DKIM target (…onmicrosoft.com or …dkim.mail.microsoft)`, remediation: publish });
        continue;
      }
      if (s.target && (s.target.status === 'nxdomain' || s.target.status === 'nodata')) {
        out.push({
          status: 'warn',
          message: `${s.selector} points at ${target}, which publishes no key yet (${s.target.status.toUpperCase()}): DKIM signing is not enabled for the domain`,
          remediation: 'Enable DKIM signing for the domain in Microsoft Defender › Email authentication settings › DKIM.',
          powershell: `Set-DkimSigningConfig -Identity ${psQuote(domain)} -Enabled $true`,
        });
      }
    }
    return combine(out, `${targets.join(', ')}${data.selectors.every((s) => s.target?.status === 'ok') ? '; keys published' : ''}`, {
      selectors: Object.fromEntries(data.selectors.map((s) => [s.selector, answerEvidence(s.cname)])),
    });
  },
});
