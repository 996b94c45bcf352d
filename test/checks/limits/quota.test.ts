import { describe, expect, it } from 'vitest';
import check from '../../../checks/limits/quota.js';
import { entrySubject, evaluate, submissionPlan } from '../auth/fixtures.js';
import type { QuotaProbeData } from '../../../src/evidence/sending.js';

const plan = submissionPlan({}, 'limits: { messagesPerDay: 10, messagesPerMinute: 5 }\n');
const judge = (q: Partial<QuotaProbeData>) => evaluate(check, plan, entrySubject(plan), { quota: { account: 'scanner@contoso.com', planned: 1, window: 'rolling-24h', storeFile: '/var/lib/relaycheck/relaycheck.sqlite', before: { lastDay: 0, lastMinute: 0 }, ...q } });

describe('limits.quota with the send log', () => {
  it('passes with the day\'s count', () => {
    const f = judge({ before: { lastDay: 3, lastMinute: 0 } });
    expect(f).toMatchObject({ status: 'pass', message: 'scanner@contoso.com: 3 messages in the last 24 hours before this run, 1 planned in this run; limits 10/day and 5/minute', evidence: { sentLast24h: 3, plannedThisRun: 1 } });
  });

  it('fails when the daily limit is reached, saying nothing is sent', () => {
    const f = judge({ before: { lastDay: 10, lastMinute: 0, dayWindowFreesAt: '2026-11-27T09:00:00.000Z' } });
    expect(f.status).toBe('fail');
    expect(f.message).toBe("scanner@contoso.com sent 10 messages in the last 24 hours (local send log); this run's 1 validation message would pass messagesPerDay 10: none is sent; the window frees a message at 2026-11-27T09:00:00.000Z");
    expect(f.exchangeOnline).toContain('SubmissionQuotaExceededException');
  });

  it('fails when the run would pass the per-minute limit', () => {
    expect(judge({ before: { lastDay: 5, lastMinute: 5 } }).message).toContain('would pass messagesPerMinute 5');
  });

  it('warns near the daily limit', () => {
    expect(judge({ before: { lastDay: 8, lastMinute: 0 } }).status).toBe('warn');
  });

  it('only warns at the limit when this run sends nothing (--no-send)', () => {
    expect(judge({ before: { lastDay: 10, lastMinute: 0 }, planned: 0 }).status).toBe('warn');
  });

  it('is an error when the store cannot be read', () => {
    const f = judge({ storeError: 'local store /x.sqlite: is locked by another relaycheck run; try again when it has finished', before: undefined });
    expect(f.status).toBe('error');
    expect(f.message).toContain('is locked by another relaycheck run');
  });
});
