import { describe, expect, it } from 'vitest';
import check from '../../../checks/limits/quota.js';
import { attempt, entrySubject, evaluate, sent, submissionPlan } from '../auth/fixtures.js';
import { planFromYaml } from '../../helpers/plans.js';
import type { QuotaProbeData, SendProbeData } from '../../../src/evidence/sending.js';
import type { Plan } from '../../../src/types.js';

const plan = submissionPlan({}, 'limits: { messagesPerDay: 10, messagesPerMinute: 5 }\n');
const quota = (q: Partial<QuotaProbeData> = {}): QuotaProbeData => ({ account: 'scanner@contoso.com', planned: 1, window: 'rolling-24h', storeFile: '/home/a/.local/state/relaycheck/send-log.sqlite', before: { lastDay: 0, lastMinute: 0 }, ...q });
const judge = (q: Partial<QuotaProbeData>, s: SendProbeData = sent(attempt({ startedAt: '2026-11-27T02:00:00.000Z' })), p: Plan = plan) => evaluate(check, p, entrySubject(p), { quota: quota(q), send: s });
const nothingSent = sent(attempt({ status: 'not-sent', notSent: { reason: 'no-send', message: 'not sent: --no-send' } }));

describe('limits.quota with the send log', () => {
  it("passes with the day's count and what this run sent", () => {
    const f = judge({ before: { lastDay: 3, lastMinute: 0, recipientsLastDay: 3 } });
    expect(f).toMatchObject({
      status: 'pass',
      message: 'scanner@contoso.com: 3 messages to 3 recipients in the last 24 hours before this run, 1 sent in this run; mailbox submission: 10 messages/day, 10,000 recipients/day, 5 messages/minute, 500 recipients/message',
      evidence: { sentLast24h: 3, sentThisRun: 1, path: 'mailbox' },
    });
  });

  it("judges mailbox submission by Microsoft's figures when the plan sets no limits, with no messagesPerDay", () => {
    const p = submissionPlan();
    const f = judge({ before: { lastDay: 0, lastMinute: 0, recipientsLastDay: 0 } }, undefined, p);
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/mailbox submission: 10,000 recipients\/day, 30 messages\/minute, 500 recipients\/message$/);
  });

  it('fails when the send probe refused a message at the daily limit, quoting the decision', () => {
    const refused = attempt({
      status: 'not-sent',
      notSent: { reason: 'quota', message: 'the daily message limit would be passed: …' },
      quota: { allowed: false, limit: 'day', counts: { lastDay: 10, lastMinute: 0 }, limits: { messagesPerDay: 10 }, message: 'scanner@contoso.com sent 10 messages in the last 24 hours; messagesPerDay is 10; the next message may go after 2026-11-27T09:00:00.000Z' },
    });
    const f = judge({ before: { lastDay: 10, lastMinute: 0 } }, sent(refused));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('smtp.office365.com:587: the validation message was not sent: scanner@contoso.com sent 10 messages in the last 24 hours; messagesPerDay is 10; the next message may go after 2026-11-27T09:00:00.000Z');
    expect(f.exchangeOnline).toContain('SubmissionQuotaExceededException');
  });

  it('names 5.1.90 when the daily recipient limit stopped a message', () => {
    const refused = attempt({ status: 'not-sent', notSent: { reason: 'quota', message: 'x' }, quota: { allowed: false, limit: 'recipients-day', counts: { lastDay: 9, lastMinute: 0, recipientsLastDay: 10_000 }, limits: { recipientsPerDay: 10_000 }, message: 'scanner@contoso.com sent to 10,000 recipients in the last 24 hours; …' } });
    const f = judge({}, sent(refused), submissionPlan());
    expect(f.status).toBe('fail');
    expect(f.exchangeOnline).toContain('550 5.1.90');
  });

  it('warns near the daily limit, saying this run is included only when it sent something', () => {
    const near = judge({ before: { lastDay: 8, lastMinute: 0 } });
    expect(near).toMatchObject({ status: 'warn', message: 'scanner@contoso.com is at 9 messages of messagesPerDay 10 in the rolling 24 hours, this run included' });
    const idle = judge({ before: { lastDay: 9, lastMinute: 0 }, planned: 0 }, nothingSent);
    expect(idle).toMatchObject({ status: 'warn', message: 'scanner@contoso.com is at 9 messages of messagesPerDay 10 in the rolling 24 hours (this run sent nothing)' });
  });

  it('never claims a message for a run that sent nothing', () => {
    const f = judge({ before: { lastDay: 1, lastMinute: 0 } }, nothingSent, submissionPlan({}, 'limits: { messagesPerDay: 1 }\n'));
    expect(f.message).not.toContain('this run included');
    expect(f.message).toContain('(this run sent nothing)');
  });

  it('fails a validation message with more recipients than recipientsPerMessage', () => {
    const p = submissionPlan({ validation: { to: ['a@contoso.com', 'b@contoso.com', 'c@contoso.com'] } }, 'limits: { recipientsPerMessage: 2 }\n');
    expect(judge({}, nothingSent, p)).toMatchObject({ status: 'fail', message: 'the validation message has 3 recipients, more than recipientsPerMessage 2: it is not sent' });
  });

  it("warns when the plan's recipientsPerDay is above Exchange Online's 10,000", () => {
    expect(judge({}, undefined, submissionPlan({}, 'limits: { recipientsPerDay: 20000 }\n')).message).toContain("recipientsPerDay 20,000 is above Exchange Online's 10,000 recipients a day per mailbox");
  });

  it('judges a connector by the tenant limit only, from tenant.licenses', () => {
    const p = planFromYaml('version: 1\ndomain: contoso.com\nlimits: { recipientsPerDay: 50 }\ntenant: { licenses: 100 }\nconnectors:\n  - {name: Relay, direction: to-office365, endpoint: contoso-com.mail.protection.outlook.com, validation: {from: relay@contoso.com, to: [it@contoso.com]}}\n');
    const f = evaluate(check, p, entrySubject(p), { quota: quota({ account: 'relay@contoso.com' }), send: sent(attempt({ account: 'relay@contoso.com', startedAt: '2026-11-27T02:00:00.000Z' })) });
    expect(f.status).toBe('pass');
    expect(f.message).toMatch(/connector relay \(tenant limits only\): TERRL 22,059 external recipients\/day for the tenant$/);
  });

  it('is an error when the send log cannot be read', () => {
    const f = judge({ storeError: 'local store /x.sqlite: is locked by another relaycheck run; try again when it has finished', before: undefined });
    expect(f.status).toBe('error');
    expect(f.message).toContain('is locked by another relaycheck run');
  });
});
