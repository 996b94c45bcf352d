import { describe, expect, it } from 'vitest';
import check from '../../../checks/send/delivery.js';
import { attempt, endpointSubject, evaluate, sent, submissionPlan } from '../auth/fixtures.js';
import type { DeliveryProbeData, DeliveryResult } from '../../../src/evidence/sending.js';

const plan = submissionPlan();
const result = (r: Partial<DeliveryResult>): DeliveryResult => ({ endpoint: 'smtp.office365.com:587', token: 'rc-run-1', polls: 3, mailbox: 'it@contoso.com INBOX', status: 'arrived', ...r });
const judge = (d: DeliveryProbeData) => evaluate(check, plan, endpointSubject(plan), { send: sent(attempt()), delivery: d });

describe('send.delivery', () => {
  it('passes with the delivery latency', () => {
    const f = judge({ entry: 'Scanner', configured: true, results: [result({ latencyMs: 2340, foundAt: '2026-11-27T02:00:02Z' })] });
    expect(f).toMatchObject({ status: 'pass', message: 'arrived in it@contoso.com INBOX 2.3 s after the server accepted it (queue id abc@AM0PR.prod.outlook.com)', evidence: { latencyMs: 2340 } });
  });

  it('fails when the message does not arrive in time', () => {
    const f = judge({ entry: 'Scanner', configured: true, results: [result({ status: 'timeout', message: "not in it@contoso.com's INBOX after 120 s (14 searches)" })] });
    expect(f.status).toBe('fail');
    expect(f.message).toContain('was accepted but did not arrive');
  });

  it('is skipped without validation.imap', () => {
    expect(judge({ entry: 'Scanner', configured: false, results: [] })).toMatchObject({ status: 'skipped', message: 'delivery not checked: the plan has no validation.imap mailbox for this entry' });
  });

  it('is skipped when nothing was sent', () => {
    expect(judge({ entry: 'Scanner', configured: true, results: [result({ status: 'not-sent', message: 'not sent: --no-send' })] })).toMatchObject({ status: 'skipped', message: 'delivery not checked: not sent: --no-send' });
  });

  it('cannot decide when the mailbox cannot be searched', () => {
    expect(judge({ entry: 'Scanner', configured: true, results: [result({ status: 'error', message: 'IMAP mail.contoso.com:993: the IMAP login was refused' })] }).status).toBe('error');
  });
});
