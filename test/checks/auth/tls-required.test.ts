import check from '../../../checks/auth/tls-required.js';
import type { SubmissionProbeData } from '../../../src/evidence/sending.js';
import { testCheck } from '../../helpers/check-tester.js';
import { okAuth, reply, submissionPlan } from './fixtures.js';

const auth = (extra: Partial<SubmissionProbeData> = {}) => ({ 'auth.submission': okAuth(extra) });

testCheck(check, {
  defaults: { plan: submissionPlan(), probes: auth() },
  valid: [
    {
      name: 'passes when AUTH comes only after STARTTLS and MAIL FROM without TLS is refused',
      message: 'AUTH is offered only after STARTTLS; without TLS MAIL FROM was refused (“530 5.7.57 Client not authenticated to send mail”)',
    },
    {
      name: 'passes, saying so, when only MAIL FROM is accepted and RCPT TO is refused',
      probes: auth({ withoutTls: { attempted: true, accepted: 'mail', envelope: { from: 'a@contoso.com', recipient: 'b@contoso.com', accepted: false, refusedAt: 'rcpt', mail: reply('250 2.1.0 Ok'), rcpt: reply('554 5.7.1 <b@contoso.com>: Relay access denied') } } }),
      message: ['RCPT TO was refused (“554 5.7.1 <b@contoso.com>: Relay access denied”)'],
    },
  ],
  invalid: [
    {
      name: 'fails when AUTH is advertised before STARTTLS, with the fix for an own server',
      status: 'fail',
      plan: submissionPlan({ endpoint: 'mail.contoso.com:587' }),
      probes: auth({ plaintext: { authOffered: true, authMechanisms: ['PLAIN', 'LOGIN'], starttlsOffered: true } }),
      message: ['AUTH PLAIN LOGIN is advertised before STARTTLS'],
      remediation: ['smtpd_tls_auth_only = yes'],
    },
    {
      name: "points at the network path, not at Microsoft's server, when smtp.office365.com seems to offer AUTH before STARTTLS",
      status: 'fail',
      probes: auth({ plaintext: { authOffered: true, authMechanisms: ['LOGIN'], starttlsOffered: true } }),
      remediation: /something between this network and Microsoft .* rewrites the session/,
      excludes: ['Postfix'],
    },
    {
      name: 'fails when mail is accepted without TLS, quoting both replies',
      status: 'fail',
      probes: auth({ withoutTls: { attempted: true, accepted: 'mail-and-rcpt', envelope: { from: 'scanner@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Ok'), rcpt: reply('250 2.1.5 Ok') } } }),
      message: /^mail is accepted without TLS and without AUTH: MAIL FROM:<scanner@contoso.com> → “250 2.1.0 Ok”, RCPT TO:<it@contoso.com> → “250 2.1.5 Ok”/,
      exchangeOnline: ['530 5.7.57'],
    },
    { name: 'fails when STARTTLS is not offered at all', status: 'fail', probes: auth({ plaintext: { authOffered: false, authMechanisms: [], starttlsOffered: false } }), message: ['STARTTLS is not offered'] },
    {
      name: 'cannot decide when the session never reached EHLO',
      status: 'error',
      probes: auth({ plaintext: undefined, failure: { kind: 'refused', phase: 'connect', message: 'Connection refused' } }),
      message: 'could not decide: the session stopped at connect: Connection refused',
    },
  ],
});
