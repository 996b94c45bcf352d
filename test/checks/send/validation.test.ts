import { describe, expect, it } from 'vitest';
import check from '../../../checks/send/validation.js';
import { attempt, endpointSubject, evaluate, sent, submissionPlan } from '../auth/fixtures.js';
import { planFromYaml } from '../../helpers/plans.js';

const sub = submissionPlan();
const inbound = planFromYaml(`version: 1
domain: contoso.com
connectors:
  - name: Relay TLS
    direction: to-office365
    endpoint: contoso-com.mail.protection.outlook.com
    tlsSenderCertificateName: "*.contoso.com"
    validation: { from: relay@contoso.com, to: [postmaster@contoso.com] }
`);
const outbound = planFromYaml(`version: 1
domain: contoso.com
connectors:
  - name: Relay TLS 2
    direction: from-office365
    smartHosts: [mail.contoso.com]
    tls: { mode: domain, domain: mail.contoso.com }
    validation: { from: check@contoso.com, to: [admin@contoso.com] }
`);
const judge = (plan = sub, a = attempt()) => {
  const subject = endpointSubject(plan);
  return evaluate(check, plan, subject, { send: sent({ ...a, endpoint: subject.endpoint.key }) });
};

describe('send.validation', () => {
  it('passes with the 250 reply and the queue id as evidence', () => {
    const f = judge();
    expect(f.status).toBe('pass');
    expect(f.message).toBe('accepted for it@contoso.com: “250 2.0.0 OK <abc@AM0PR.prod.outlook.com> [Hostname=AM0PR]” (queue id abc@AM0PR.prod.outlook.com)');
    expect(f.evidence).toMatchObject({ token: 'rc-run-1', response: '250 2.0.0 OK <abc@AM0PR.prod.outlook.com> [Hostname=AM0PR]', queueId: 'abc@AM0PR.prod.outlook.com' });
  });

  it('is skipped under --no-send and says so', () => {
    expect(judge(sub, attempt({ status: 'not-sent', notSent: { reason: 'no-send', message: 'not sent: --no-send' } }))).toMatchObject({ status: 'skipped', message: 'not sent: --no-send' });
  });

  it('is skipped when the quota refused the send', () => {
    const f = judge(sub, attempt({ status: 'not-sent', notSent: { reason: 'quota', message: 'the daily limit would be passed: scanner@contoso.com sent 2 messages in the last 24 hours; messagesPerDay is 2' } }));
    expect(f).toMatchObject({ status: 'skipped', message: 'not sent: the daily limit would be passed: scanner@contoso.com sent 2 messages in the last 24 hours; messagesPerDay is 2' });
  });

  it('is an error when the send log could not be used, and says how to free the store rather than to read a server reply', () => {
    const f = judge(sub, attempt({ status: 'not-sent', notSent: { reason: 'store', message: 'the send log cannot be used, so the quota cannot be enforced: local store x.sqlite: is locked by another relaycheck run' } }));
    expect(f.status).toBe('error');
    expect(f.remediation).toMatch(/^Let the other run that holds the store finish, or move a damaged store aside/);
  });

  it('explains Exchange Online throttling of the account (550 5.2.25x) as such, not as an unknown refusal', () => {
    const response = '550 5.2.251 Sender throttled due to continuous mailbox full errors';
    const f = judge(sub, attempt({ status: 'refused', error: { stage: 'mail', responseCode: 550, response, message: 'x' } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain(`“${response}” — Exchange Online has throttled scanner@contoso.com after continuous errors`);
    expect(f.remediation).toMatch(/^Stop sending from this account/);
  });

  it('fails on 550 5.7.64 with what Exchange Online means, and proposes no connector change that would change nothing', () => {
    const f = judge(inbound, attempt({ status: 'refused', from: 'relay@contoso.com', error: { stage: 'rcpt', responseCode: 550, response: '550 5.7.64 TenantAttribution; Relay Access Denied [AM0PR]', message: 'Recipient command failed' } }));
    expect(f.status).toBe('fail');
    expect(f.message).toMatch(/^not accepted at RCPT TO: “550 5\.7\.64 TenantAttribution; Relay Access Denied \[AM0PR\]” — no inbound connector matched/);
    expect(f.powershell).toBeUndefined(); // the connector already says *.contoso.com: the certificate is what to change
    expect(f.remediation).toMatch(/whose name matches the connector's TlsSenderCertificateName \(\*\.contoso\.com\) — tls\.client-certificate shows the names it carries/);
    expect(f.exchangeOnline).toContain('550 5.7.64');
  });

  it('fails on a smart host certificate mismatch with the message trace entry Exchange Online would show', () => {
    const f = judge(outbound, attempt({ status: 'failed', from: 'check@contoso.com', error: { stage: 'tls', code: 'ESOCKET', message: "the certificate names (other.fabrikam.com) do not match the connector's TLS domain mail.contoso.com" } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('not accepted at STARTTLS');
    expect(f.exchangeOnline).toContain('4.4.317');
    expect(f.exchangeOnline).toContain('SubjectMismatch');
    expect(f.remediation).toBe('Fix what the smtp.* and tls.* results for this endpoint name (the certificate or STARTTLS), then run again.');
  });

  it('warns when some validation recipients were refused', () => {
    expect(judge(sub, attempt({ rejected: ['gone@contoso.com'] })).status).toBe('warn');
  });

  it('warns on a temporary refusal', () => {
    const f = judge(sub, attempt({ status: 'refused', error: { stage: 'data', responseCode: 432, response: '432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded', message: 'x' } }));
    expect(f.status).toBe('warn');
    expect(f.message).toContain('more than 3 concurrent connections');
  });
});
