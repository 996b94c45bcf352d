// Verifies that a submission endpoint protects credentials and mail with TLS: AUTH is offered only
// after STARTTLS (RFC 4954 §4, RFC 3207 §6) and no mail is accepted without TLS. Exchange Online
// offers AUTH only after STARTTLS and answers MAIL FROM without it with 530 5.7.57.
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { isExchangeOnlineHost, quote, replyText } from '../../src/exo/replies.js';
import type { SubmissionProbeData } from '../../src/evidence/sending.js';

const POSTFIX_FIX = 'On Postfix: smtpd_tls_auth_only = yes and, for the submission service, smtpd_tls_security_level = encrypt with smtpd_relay_restrictions = permit_sasl_authenticated, reject.';
/** Exchange Online never does this itself: the fix is in the path, not on Microsoft's server. */
const PATH_FIX = 'Exchange Online itself offers AUTH only after STARTTLS: something between this network and Microsoft (an SMTP proxy, a firewall\'s SMTP inspection) rewrites the session. Route submission around it or turn the inspection off.';

export default defineCheck({
  id: 'auth.tls-required',
  title: 'The submission endpoint requires TLS before AUTH and mail',
  failureTitle: 'The submission endpoint accepts AUTH or mail without TLS',
  severity: 'high',
  scope: 'endpoint',
  description: 'AUTH must not be advertised before STARTTLS, and MAIL FROM / RCPT TO must not be accepted without TLS on a submission endpoint.',
  remediation: `Offer AUTH only after STARTTLS and refuse mail from clients that have not started TLS and authenticated. ${POSTFIX_FIX}`,
  requires: ['auth.submission'],
  appliesTo: (s) => s.scope === 'endpoint' && s.entry.kind === 'submission',
  evaluate({ subject, probes }) {
    const data = probes['auth.submission'] as SubmissionProbeData;
    const fix = subject.scope === 'endpoint' && isExchangeOnlineHost(subject.endpoint.host) ? PATH_FIX : POSTFIX_FIX;
    if (!data.plaintext) {
      return { status: 'error', message: `could not decide: ${data.failure ? `the session stopped at ${data.failure.phase}: ${data.failure.message}` : 'no EHLO before STARTTLS'}` };
    }
    const obs: Observation[] = [];
    const p = data.plaintext;
    if (p.authOffered) {
      obs.push({
        status: 'fail',
        message: `AUTH ${p.authMechanisms.join(' ')} is advertised before STARTTLS: a client can send its password in clear text`,
        remediation: `Offer AUTH only after STARTTLS. ${fix}`,
        exchangeOnline: 'Exchange Online advertises AUTH only after STARTTLS; a device that authenticates without TLS fails there with 530 5.7.57.',
      });
    }
    if (!p.starttlsOffered) {
      obs.push({ status: 'fail', message: 'STARTTLS is not offered: credentials and mail would cross the network in clear text', remediation: `Enable STARTTLS on the submission endpoint. ${fix}` });
    }
    const w = data.withoutTls;
    let note = '';
    if (w?.envelope) {
      const env = w.envelope;
      if (w.accepted === 'mail-and-rcpt') {
        obs.push({
          status: 'fail',
          message: `mail is accepted without TLS and without AUTH: MAIL FROM:<${env.from}> → ${quote(replyText(env.mail))}, RCPT TO:<${env.recipient}> → ${quote(replyText(env.rcpt))}`,
          remediation: `Refuse mail from clients that have not started TLS and authenticated. ${fix}`,
          exchangeOnline: 'Exchange Online answers MAIL FROM without TLS and AUTH with 530 5.7.57 Client not authenticated to send mail.',
        });
      } else if (w.accepted === 'mail') {
        note = `; without TLS MAIL FROM was accepted but RCPT TO was refused (${quote(replyText(env.rcpt))})`;
      } else if (env.mail) {
        note = `; without TLS MAIL FROM was refused (${quote(replyText(env.mail))})`;
      }
    } else if (w?.failure) {
      note = `; the connection without TLS stopped at ${w.failure.phase} (${w.failure.message})`;
    } else if (w?.notAttempted) {
      note = `; MAIL FROM without TLS was not tried (${w.notAttempted})`;
    }
    return combine(obs, `AUTH is offered only after STARTTLS${note}`, { authBeforeTls: p.authOffered, starttlsOffered: p.starttlsOffered, acceptedWithoutTls: w?.accepted ?? null });
  },
});
