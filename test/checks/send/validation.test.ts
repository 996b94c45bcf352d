import check from '../../../checks/send/validation.js';
import type { SendAttempt } from '../../../src/evidence/sending.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';
import { attempt, sent, submissionPlan } from '../auth/fixtures.js';

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
/** The send probe's data for one attempt (default endpoint: the submission account's). */
const sending = (a: Partial<SendAttempt> = {}) => ({ send: sent(attempt(a)) });

testCheck(check, {
  defaults: { plan: submissionPlan(), probes: sending() },
  valid: [
    {
      name: 'passes with the 250 reply and the queue id as evidence',
      message: 'accepted for it@contoso.com: “250 2.0.0 OK <abc@AM0PR.prod.outlook.com> [Hostname=AM0PR]” (queue id abc@AM0PR.prod.outlook.com)',
      evidence: { token: 'rc-run-1', response: '250 2.0.0 OK <abc@AM0PR.prod.outlook.com> [Hostname=AM0PR]', queueId: 'abc@AM0PR.prod.outlook.com' },
    },
  ],
  invalid: [
    { name: 'is skipped under --no-send and says so', status: 'skipped', probes: sending({ status: 'not-sent', notSent: { reason: 'no-send', message: 'not sent: --no-send' } }), message: 'not sent: --no-send' },
    {
      name: 'is skipped when the quota refused the send',
      status: 'skipped',
      probes: sending({ status: 'not-sent', notSent: { reason: 'quota', message: 'the daily limit would be passed: scanner@contoso.com sent 2 messages in the last 24 hours; messagesPerDay is 2' } }),
      message: 'not sent: the daily limit would be passed: scanner@contoso.com sent 2 messages in the last 24 hours; messagesPerDay is 2',
    },
    {
      name: 'is an error when the send log could not be used, and says how to free the store rather than to read a server reply',
      status: 'error',
      probes: sending({ status: 'not-sent', notSent: { reason: 'store', message: 'the send log cannot be used, so the quota cannot be enforced: local store x.sqlite: is locked by another relaycheck run' } }),
      remediation: /^Let the other run that holds the store finish, or move a damaged store aside/,
    },
    {
      name: 'explains Exchange Online throttling of the account (550 5.2.25x) as such, not as an unknown refusal',
      status: 'fail',
      probes: sending({ status: 'refused', error: { stage: 'mail', responseCode: 550, response: '550 5.2.251 Sender throttled due to continuous mailbox full errors', message: 'x' } }),
      message: ['“550 5.2.251 Sender throttled due to continuous mailbox full errors” — Exchange Online has throttled scanner@contoso.com after continuous errors'],
      remediation: /^Stop sending from this account/,
    },
    {
      name: 'fails on 550 5.7.64 with what Exchange Online means, and proposes no connector change that would change nothing',
      status: 'fail',
      plan: inbound,
      probes: sending({
        endpoint: 'contoso-com.mail.protection.outlook.com:25',
        status: 'refused',
        from: 'relay@contoso.com',
        error: { stage: 'rcpt', responseCode: 550, response: '550 5.7.64 TenantAttribution; Relay Access Denied [AM0PR]', message: 'Recipient command failed' },
      }),
      message: /^not accepted at RCPT TO: “550 5\.7\.64 TenantAttribution; Relay Access Denied \[AM0PR\]” — no inbound connector matched/,
      powershell: null, // the connector already says *.contoso.com: the certificate is what to change
      remediation: /whose name matches the connector's TlsSenderCertificateName \(\*\.contoso\.com\) — tls\.client-certificate shows the names it carries/,
      exchangeOnline: ['550 5.7.64'],
    },
    {
      name: 'fails on a smart host certificate mismatch with the message trace entry Exchange Online would show',
      status: 'fail',
      plan: outbound,
      probes: sending({ endpoint: 'mail.contoso.com:25', status: 'failed', from: 'check@contoso.com', error: { stage: 'tls', code: 'ESOCKET', message: "the certificate names (other.fabrikam.com) do not match the connector's TLS domain mail.contoso.com" } }),
      message: ['not accepted at STARTTLS'],
      exchangeOnline: ['4.4.317', 'SubjectMismatch'],
      remediation: 'Fix what the smtp.* and tls.* results for this endpoint name (the certificate or STARTTLS), then run again.',
    },
    { name: 'warns when some validation recipients were refused', status: 'warn', probes: sending({ rejected: ['gone@contoso.com'] }), includes: ['gone@contoso.com'] },
    {
      name: 'warns on a temporary refusal',
      status: 'warn',
      probes: sending({ status: 'refused', error: { stage: 'data', responseCode: 432, response: '432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded', message: 'x' } }),
      message: ['more than 3 concurrent connections'],
    },
  ],
});
