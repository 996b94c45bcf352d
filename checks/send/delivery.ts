// Verifies that the accepted validation message arrives in the validation mailbox (IMAP search
// for its X-Relaycheck-Token) within validation.imap.timeoutSeconds, and reports the latency.
// Optional: skipped when the plan has no validation.imap for the entry.
import { defineCheck } from '../../src/check-kit/define.js';
import type { DeliveryProbeData, SendProbeData } from '../../src/evidence/sending.js';

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export default defineCheck({
  id: 'send.delivery',
  title: 'The validation message arrives in the mailbox',
  failureTitle: 'The validation message does not arrive in the mailbox',
  severity: 'medium',
  scope: 'endpoint',
  description: 'Polls the validation IMAP mailbox for the message token until it arrives or the timeout passes; reports the delivery latency.',
  remediation: 'Follow the message through the queue (Postfix: mailq and the mail log; Exchange Online: message trace by the subject token) to see where it stopped.',
  requires: ['send', 'delivery'],
  appliesTo: (s) => s.scope === 'endpoint' && Boolean(s.entry.validation),
  evaluate({ subject, probes }) {
    if (subject.scope !== 'endpoint') throw new Error('endpoints only');
    const data = probes.delivery as DeliveryProbeData;
    const sent = probes.send as SendProbeData;
    if (!data.configured) return { status: 'skipped', message: 'delivery not checked: the plan has no validation.imap mailbox for this entry' };
    const r = data.results.find((x) => x.endpoint === subject.endpoint.key);
    const attempt = sent.attempts.find((x) => x.endpoint === subject.endpoint.key);
    if (!r) return { status: 'skipped', message: 'delivery not checked: no validation message for this endpoint' };
    const evidence = { token: r.token, mailbox: r.mailbox ?? null, polls: r.polls, queueId: attempt?.queueId ?? null };
    switch (r.status) {
      case 'arrived':
        return { status: 'pass', message: `arrived in ${r.mailbox} ${seconds(r.latencyMs ?? 0)} after the server accepted it${attempt?.queueId ? ` (queue id ${attempt.queueId})` : ''}`, evidence: { ...evidence, latencyMs: r.latencyMs, foundAt: r.foundAt } };
      case 'timeout':
        return { status: 'fail', message: `the message ${r.token} was accepted but did not arrive: ${r.message ?? 'timeout'}`, evidence };
      case 'error':
        return { status: 'error', message: `could not decide: ${r.message ?? 'the mailbox could not be searched'}`, remediation: 'Check validation.imap (host, port, secure, username and password) and that the mailbox exists.', evidence };
      case 'not-sent':
        return { status: 'skipped', message: `delivery not checked: ${r.message ?? 'the message was not sent'}`, evidence };
    }
  },
});
