import check from '../../../checks/limits/quota.js';
import type { QuotaProbeData } from '../../../src/evidence/sending.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';
import { submissionPlan } from '../auth/fixtures.js';

const quota = (q: Partial<QuotaProbeData>) => ({ quota: { account: 'scanner@contoso.com', planned: 1, window: 'rolling-24h' as const, storeFile: '/var/lib/relaycheck/relaycheck.sqlite', before: { lastDay: 0, lastMinute: 0 }, ...q } });
/** A plan with these limits and no send log (the limits judged on their own). */
const limits = (yaml: string) =>
  planFromYaml(`version: 1\ndomain: contoso.com\nacceptedDomains: [contoso.com, fabrikam.com]\n${yaml}submission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: PW}, from: a@contoso.com}\n`, { PW: 'x' });

testCheck(check, {
  defaults: { plan: submissionPlan({}, 'limits: { messagesPerDay: 10, messagesPerMinute: 5 }\n') },
  valid: [
    { name: 'passes the seed defaults when the plan sets none', plan: limits(''), probes: {}, message: 'limits 1,500/day and 30/minute (defaults)' },
    {
      name: "passes with the day's count from the send log",
      probes: quota({ before: { lastDay: 3, lastMinute: 0 } }),
      message: 'scanner@contoso.com: 3 messages in the last 24 hours before this run, 1 planned in this run; limits 10/day and 5/minute',
      evidence: { sentLast24h: 3, plannedThisRun: 1 },
    },
  ],
  invalid: [
    {
      name: 'warns on limits above what Exchange Online allows',
      status: 'warn',
      plan: limits('limits: {messagesPerDay: 20000, messagesPerMinute: 60}\n'),
      probes: {},
      message: /above Exchange Online's 10,000 recipients a day.*above Exchange Online's 30 messages a minute/,
    },
    { name: 'fails a per-minute limit above the daily one', status: 'fail', plan: limits('limits: {messagesPerDay: 10, messagesPerMinute: 30}\n'), probes: {}, message: 'messagesPerMinute (30) is above messagesPerDay (10)' },
    {
      name: 'fails when the daily limit is reached, saying nothing is sent',
      status: 'fail',
      probes: quota({ before: { lastDay: 10, lastMinute: 0, dayWindowFreesAt: '2026-11-27T09:00:00.000Z' } }),
      message: "scanner@contoso.com sent 10 messages in the last 24 hours (local send log); this run's 1 validation message would pass messagesPerDay 10: none is sent; the window frees a message at 2026-11-27T09:00:00.000Z",
      exchangeOnline: ['SubmissionQuotaExceededException'],
    },
    { name: 'fails when the run would pass the per-minute limit', status: 'fail', probes: quota({ before: { lastDay: 5, lastMinute: 5 } }), message: ['would pass messagesPerMinute 5'] },
    { name: 'warns near the daily limit', status: 'warn', probes: quota({ before: { lastDay: 8, lastMinute: 0 } }), message: ['9 messages of messagesPerDay 10'] },
    { name: 'only warns at the limit when this run sends nothing (--no-send)', status: 'warn', probes: quota({ before: { lastDay: 10, lastMinute: 0 }, planned: 0 }), message: ['10 messages of messagesPerDay 10'] },
    {
      name: 'is an error when the store cannot be read',
      status: 'error',
      probes: quota({ storeError: 'local store /x.sqlite: is locked by another relaycheck run; try again when it has finished', before: undefined }),
      message: ['is locked by another relaycheck run'],
    },
  ],
});
