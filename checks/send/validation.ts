// Verifies that a validation message goes through each connector and submission account: the
// server answers 250 after DATA (RFC 5321 §4.2.5: 250 means the server took responsibility for
// the message). Only the plan's validation recipients receive it; --no-send skips it.
import { defineCheck } from '../../src/check-kit/define.js';
import { explainSendRefusal, quote } from '../../src/exo/replies.js';
import { explainSubmissionReply } from '../../src/exo/submission-replies.js';
import { serviceOf } from '../../src/exo/services.js';
import type { SendAttempt, SendProbeData } from '../../src/evidence/sending.js';
import type { Finding, PlanEntry } from '../../src/types.js';

/** What Exchange Online reports when it cannot deliver to a smart host (message trace). */
function exoSmartHostView(a: SendAttempt): string | undefined {
  const text = `${a.error?.message ?? ''} ${a.error?.code ?? ''}`;
  if (/ECONNREFUSED/i.test(text)) return 'Exchange Online queues the mail and reports 450 4.4.316 Connection refused.';
  if (/ALTNAME|do not match the connector's TLS domain|Hostname\/IP does not match/i.test(text)) return 'Exchange Online queues the mail and reports 450 4.4.317 Cannot connect to remote server [Message=SubjectMismatch …].';
  if (/CERT_HAS_EXPIRED|expired/i.test(text)) return 'Exchange Online queues the mail and reports 450 4.4.317 Cannot connect to remote server [Message=CertificateExpired].';
  if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to get (local )?issuer|self[- ]signed|UNABLE_TO_GET_ISSUER/i.test(text)) return 'Exchange Online queues the mail and reports 450 4.4.317 Cannot connect to remote server [Message=UntrustedRoot].';
  if (/STARTTLS|ETLS/i.test(text)) return 'Exchange Online queues the mail and reports 450 4.7.320 certificate validation failed (the smart host offers no usable TLS).';
  if (/ETIMEDOUT|ECONNRESET|closed/i.test(text)) return 'Exchange Online queues the mail and reports 450 4.4.318 Connection was closed abruptly.';
  return undefined;
}

function where(a: SendAttempt): string {
  switch (a.error?.stage) {
    case 'connect':
      return 'before the SMTP dialogue';
    case 'tls':
      return 'at STARTTLS';
    case 'auth':
      return 'at AUTH';
    case 'mail':
      return 'at MAIL FROM';
    case 'rcpt':
      return 'at RCPT TO';
    case 'data':
      return 'at DATA';
    case 'end-of-data':
      return 'at the end of DATA (after the final dot)';
    default:
      return '';
  }
}

export function sendFinding(entry: PlanEntry, a: SendAttempt): Finding {
  const evidence: Record<string, unknown> = { token: a.token, from: a.from, to: a.to };
  if (a.status === 'not-sent') {
    const reason = a.notSent?.reason;
    if (reason === 'policy') return { status: 'fail', message: `not sent: ${a.notSent!.message}`, ...(a.notSent!.fix ? { remediation: a.notSent!.fix } : {}), evidence };
    const status = reason === 'store' || reason === 'aborted' ? 'error' : 'skipped';
    const message = a.notSent?.message.startsWith('not sent') ? a.notSent.message : `not sent: ${a.notSent?.message ?? 'unknown reason'}`;
    // Without its own remediation an error would get the check's, which is about server replies.
    const remediation =
      reason === 'store'
        ? 'Let the other run that holds the store finish, or move a damaged store aside (relaycheck never overwrites it), or set store: to another file; then run again.'
        : reason === 'aborted'
          ? 'Run again, with a longer --timeout if the run reached its deadline.'
          : undefined;
    return { status, message, ...(remediation ? { remediation } : {}), evidence };
  }
  if (a.status === 'accepted') {
    const rejected = a.rejected?.length ? `; refused recipients: ${a.rejected.join(', ')}` : '';
    return {
      status: a.rejected?.length ? 'warn' : 'pass',
      message: `accepted for ${a.accepted?.join(', ') || a.to.join(', ')}: ${quote(a.response ?? '')}${a.queueId ? ` (queue id ${a.queueId})` : ''}${rejected}`,
      evidence: { ...evidence, response: a.response, queueId: a.queueId ?? null, messageId: a.messageId ?? null, durationMs: a.durationMs },
      ...(a.rejected?.length ? { remediation: 'Check the refused validation recipients: they must exist and accept mail from this sender.' } : {}),
    };
  }
  const reply = a.error?.response;
  const connector = entry.kind === 'connector' ? entry.name : undefined;
  const certificateName = entry.kind === 'connector' && entry.direction === 'to-office365' ? entry.tlsSenderCertificateName : undefined;
  const username = entry.kind === 'submission' ? entry.username : undefined;
  const service = entry.kind === 'submission' ? serviceOf(entry) : entry.kind === 'direct-send' ? 'direct-send' : 'connector';
  const why = reply
    ? (explainSubmissionReply(reply, { service, username, from: a.from, step: a.error?.stage }) ?? explainSendRefusal(reply, { connector, username, from: a.from, certificateName }))
    : undefined;
  const said = reply ? quote(reply) : (a.error?.message ?? 'no reply');
  const finding: Finding = {
    status: why?.temporary ? 'warn' : 'fail',
    message: `not accepted ${where(a)}: ${said}${why ? ` — ${why.meaning}` : ''}`.replace(/  +/g, ' '),
    evidence: { ...evidence, stage: a.error?.stage ?? null, reply: reply ?? null, code: a.error?.code ?? null },
  };
  if (why?.fix) finding.remediation = why.fix;
  else if (!reply && (a.error?.stage === 'tls' || a.error?.stage === 'connect')) {
    // Refused on our side (the certificate under the connector's TLS mode) or never connected:
    // there is no server reply to read; the session and certificate checks name the cause.
    finding.remediation = `Fix what the smtp.* and tls.* results for this endpoint name (${a.error.stage === 'tls' ? 'the certificate or STARTTLS' : 'reachability'}), then run again.`;
  } else if (!reply && a.error) {
    // The server took the command and then went silent or closed: reachable, but stuck.
    finding.remediation = `The server stopped answering ${where(a)} (${a.error.message}): check what runs at that step on ${a.endpoint} — a content filter, milter or antivirus scanner that hangs, a full queue or disk — and its logs for this session.`;
  }
  const exo = why?.exchangeOnline ?? (entry.kind === 'connector' && entry.direction === 'from-office365' ? exoSmartHostView(a) : undefined);
  if (exo) finding.exchangeOnline = exo;
  if (why?.powershell) finding.powershell = why.powershell;
  return finding;
}

export default defineCheck({
  id: 'send.validation',
  title: 'The validation message is accepted',
  failureTitle: 'The validation message is not accepted',
  severity: 'high',
  scope: 'endpoint',
  description: 'One message per connector endpoint and submission account, to the validation recipients only, answered with 250 after DATA; the reply and queue id are the evidence.',
  remediation: 'Read the server reply quoted in the message, fix what it names, and run again.',
  requires: ['send'],
  appliesTo: (s) => s.scope === 'endpoint' && Boolean(s.entry.validation),
  evaluate({ subject, probes }) {
    if (subject.scope !== 'endpoint') throw new Error('endpoints only');
    const data = probes.send as SendProbeData;
    const a = data.attempts.find((x) => x.endpoint === subject.endpoint.key);
    if (!a) return { status: 'skipped', message: 'no validation message for this endpoint (validation.to is empty)' };
    return sendFinding(subject.entry, a);
  },
});
