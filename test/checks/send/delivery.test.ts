import check from '../../../checks/send/delivery.js';
import type { DeliveryResult } from '../../../src/evidence/sending.js';
import { testCheck } from '../../helpers/check-tester.js';
import { attempt, sent, submissionPlan } from '../auth/fixtures.js';

const result = (r: Partial<DeliveryResult>): DeliveryResult => ({ endpoint: 'smtp.office365.com:587', token: 'rc-run-1', polls: 3, mailbox: 'it@contoso.com INBOX', status: 'arrived', ...r });
const delivery = (configured: boolean, ...results: DeliveryResult[]) => ({ send: sent(attempt()), delivery: { entry: 'Scanner', configured, results } });

testCheck(check, {
  defaults: { plan: submissionPlan() },
  valid: [
    {
      name: 'passes with the delivery latency',
      probes: delivery(true, result({ latencyMs: 2340, foundAt: '2026-11-27T02:00:02Z' })),
      message: 'arrived in it@contoso.com INBOX 2.3 s after the server accepted it (queue id abc@AM0PR.prod.outlook.com)',
      evidence: { latencyMs: 2340 },
    },
  ],
  invalid: [
    {
      name: 'fails when the message does not arrive in time',
      status: 'fail',
      probes: delivery(true, result({ status: 'timeout', message: "not in it@contoso.com's INBOX after 120 s (14 searches)" })),
      message: ['was accepted but did not arrive'],
    },
    { name: 'is skipped without validation.imap', status: 'skipped', probes: delivery(false), message: 'delivery not checked: the plan has no validation.imap mailbox for this entry' },
    { name: 'is skipped when nothing was sent', status: 'skipped', probes: delivery(true, result({ status: 'not-sent', message: 'not sent: --no-send' })), message: 'delivery not checked: not sent: --no-send' },
    {
      name: 'cannot decide when the mailbox cannot be searched',
      status: 'error',
      probes: delivery(true, result({ status: 'error', message: 'IMAP mail.contoso.com:993: the IMAP login was refused' })),
      includes: ['the IMAP login was refused'],
    },
  ],
});
