// Verifies that a device's Direct Send (no AUTH, tenant MX on port 25, internal recipients) is
// accepted at RCPT TO. Microsoft: with Set-OrganizationConfig -RejectDirectSend $true (GA
// September 2025) Exchange Online refuses it with 550 5.7.68 unless a Partner inbound connector
// matches the source (certificate or IP); Direct Send reaches the tenant's own mailboxes only.
import { defineCheck } from '../../src/check-kit/define.js';
import { explainSendRefusal, quote, replyText } from '../../src/exo/replies.js';
import { pathRecipientRule } from '../../src/exo/paths.js';
import { explainSubmissionReply, partnerConnectorFix } from '../../src/exo/submission-replies.js';
import type { DirectSendProbeData } from '../../src/evidence/sending.js';

export default defineCheck({
  id: 'send.direct-send',
  title: 'Direct Send to the tenant MX is accepted',
  failureTitle: 'Direct Send to the tenant MX is refused',
  severity: 'high',
  scope: 'entry',
  description: "A directSend: entry's session without AUTH to the tenant MX on port 25 gets 250 at MAIL FROM and RCPT TO for an internal recipient; 550 5.7.68 means RejectDirectSend is on and no Partner connector matches the source. Never sends DATA.",
  remediation: 'Create a Partner inbound connector for the device (certificate or IP), or switch RejectDirectSend off while devices depend on Direct Send.',
  requires: ['direct-send'],
  appliesTo: (s) => s.scope === 'entry' && s.entry.kind === 'direct-send',
  evaluate({ subject, plan, probes }) {
    if (subject.scope !== 'entry' || subject.entry.kind !== 'direct-send') throw new Error('directSend entries only');
    const entry = subject.entry;
    const data = probes['direct-send'] as DirectSendProbeData;
    const rule = pathRecipientRule(entry, entry.validation.to, plan.acceptedDomains);
    if (rule) return { status: 'fail', message: rule.message, remediation: rule.fix };
    const setting = entry.rejectDirectSend === undefined ? '' : ` (the plan says RejectDirectSend is ${entry.rejectDirectSend ? 'on' : 'off'})`;
    if (data.failure || !data.envelope) {
      return { status: 'error', message: `could not decide: the session to ${data.endpoint ?? 'the tenant MX'} stopped at ${data.failure?.phase ?? 'connect'}: ${data.failure?.message ?? 'no envelope was tried'}`, remediation: 'Fix what smtp.connect names for this endpoint (port 25 must be open outbound), then run again.' };
    }
    const env = data.envelope;
    const tls = data.tls ? ` over ${data.tls.protocol ?? 'TLS'}` : ' without TLS';
    if (env.accepted) {
      const note = entry.rejectDirectSend ? '; a Partner connector must be matching this source, since RejectDirectSend is on' : '';
      return {
        status: 'pass',
        message: `Direct Send from ${env.from} to ${env.recipient} is accepted${tls}: MAIL FROM → ${quote(replyText(env.mail))}, RCPT TO → ${quote(replyText(env.rcpt))}${setting}${note}`,
        evidence: { from: env.from, recipient: env.recipient, tls: data.tls?.protocol ?? null },
      };
    }
    const step = env.refusedAt ?? 'mail';
    const said = replyText(step === 'rcpt' ? env.rcpt : env.mail);
    const why = explainSubmissionReply(said, { service: 'direct-send', from: env.from, step }) ?? explainSendRefusal(said, { from: env.from });
    const domain = env.from.split('@')[1] ?? plan.domain;
    return {
      status: 'fail',
      message: `Direct Send from ${env.from} to ${env.recipient} is refused at ${step === 'rcpt' ? 'RCPT TO' : 'MAIL FROM'}: ${quote(said)}${why ? ` — ${why.meaning}` : ''}${setting}`,
      ...(why?.fix ? { remediation: why.fix } : {}),
      ...(why?.exchangeOnline ? { exchangeOnline: why.exchangeOnline } : {}),
      powershell: why?.powershell ?? partnerConnectorFix(entry.name, [domain]),
      evidence: { from: env.from, recipient: env.recipient, step, reply: said },
    };
  },
});
