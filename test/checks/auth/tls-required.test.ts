import { describe, expect, it } from 'vitest';
import check from '../../../checks/auth/tls-required.js';
import { endpointSubject, evaluate, okAuth, reply, submissionPlan } from './fixtures.js';

const plan = submissionPlan();
const judge = (data: ReturnType<typeof okAuth>) => evaluate(check, plan, endpointSubject(plan), { 'auth.submission': data });

describe('auth.tls-required', () => {
  it('passes when AUTH comes only after STARTTLS and MAIL FROM without TLS is refused', () => {
    const f = judge(okAuth());
    expect(f.status).toBe('pass');
    expect(f.message).toBe('AUTH is offered only after STARTTLS; without TLS MAIL FROM was refused (“530 5.7.57 Client not authenticated to send mail”)');
  });

  it('fails when AUTH is advertised before STARTTLS, with the fix for an own server', () => {
    const own = submissionPlan({ endpoint: 'mail.contoso.com:587' });
    const f = evaluate(check, own, endpointSubject(own), { 'auth.submission': okAuth({ plaintext: { authOffered: true, authMechanisms: ['PLAIN', 'LOGIN'], starttlsOffered: true } }) });
    expect(f.status).toBe('fail');
    expect(f.message).toContain('AUTH PLAIN LOGIN is advertised before STARTTLS');
    expect(f.remediation).toContain('smtpd_tls_auth_only = yes');
  });

  it('points at the network path, not at Microsoft\'s server, when smtp.office365.com seems to offer AUTH before STARTTLS', () => {
    const f = judge(okAuth({ plaintext: { authOffered: true, authMechanisms: ['LOGIN'], starttlsOffered: true } }));
    expect(f.status).toBe('fail');
    expect(f.remediation).toMatch(/something between this network and Microsoft .* rewrites the session/);
    expect(f.remediation).not.toContain('Postfix');
  });

  it('fails when mail is accepted without TLS, quoting both replies', () => {
    const f = judge(okAuth({ withoutTls: { attempted: true, accepted: 'mail-and-rcpt', envelope: { from: 'scanner@contoso.com', recipient: 'it@contoso.com', accepted: true, mail: reply('250 2.1.0 Ok'), rcpt: reply('250 2.1.5 Ok') } } }));
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/^mail is accepted without TLS and without AUTH: MAIL FROM:<scanner@contoso.com> → “250 2.1.0 Ok”, RCPT TO:<it@contoso.com> → “250 2.1.5 Ok”/);
    expect(f.exchangeOnline).toContain('530 5.7.57');
  });

  it('passes, saying so, when only MAIL FROM is accepted and RCPT TO is refused', () => {
    const f = judge(okAuth({ withoutTls: { attempted: true, accepted: 'mail', envelope: { from: 'a@contoso.com', recipient: 'b@contoso.com', accepted: false, refusedAt: 'rcpt', mail: reply('250 2.1.0 Ok'), rcpt: reply('554 5.7.1 <b@contoso.com>: Relay access denied') } } }));
    expect(f.status).toBe('pass');
    expect(f.message).toContain('RCPT TO was refused (“554 5.7.1 <b@contoso.com>: Relay access denied”)');
  });

  it('fails when STARTTLS is not offered at all', () => {
    expect(judge(okAuth({ plaintext: { authOffered: false, authMechanisms: [], starttlsOffered: false } })).message).toContain('STARTTLS is not offered');
  });

  it('cannot decide when the session never reached EHLO', () => {
    const f = judge(okAuth({ plaintext: undefined, failure: { kind: 'refused', phase: 'connect', message: 'Connection refused' } }));
    expect(f).toMatchObject({ status: 'error', message: 'could not decide: the session stopped at connect: Connection refused' });
  });
});
