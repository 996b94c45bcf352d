import check from '../../../checks/limits/quota.js';
import type { QuotaDecision, QuotaProbeData, SendProbeData } from '../../../src/evidence/sending.js';
import { testCheck } from '../../helpers/check-tester.js';
import { planFromYaml } from '../../helpers/plans.js';
import { attempt, sent, submissionPlan } from '../auth/fixtures.js';

const quotaData = (q: Partial<QuotaProbeData> = {}): QuotaProbeData => ({ account: 'scanner@contoso.com', planned: 1, window: 'rolling-24h', storeFile: '/home/a/.local/state/relaycheck/send-log.sqlite', before: { lastDay: 0, lastMinute: 0 }, ...q });
/** One validation message sent in this run (it counts towards the limits). */
const oneSent = sent(attempt({ startedAt: '2026-11-27T02:00:00.000Z' }));
const nothingSent = sent(attempt({ status: 'not-sent', notSent: { reason: 'no-send', message: 'not sent: --no-send' } }));
const probes = (q: Partial<QuotaProbeData> = {}, send: SendProbeData = oneSent) => ({ quota: quotaData(q), send });
/** The send probe asked the send log and was refused: the message was not sent. */
const refusedBy = (decision: Extract<QuotaDecision, { allowed: false }>) => sent(attempt({ status: 'not-sent', notSent: { reason: 'quota', message: 'a limit would be passed' }, quota: decision }));
/** A plan with these limits and no send log (the limits judged on their own). */
const limits = (yaml: string) =>
  planFromYaml(`version: 1\ndomain: contoso.com\nacceptedDomains: [contoso.com, fabrikam.com]\n${yaml}submission:\n  - {name: s, endpoint: smtp.office365.com, username: a@contoso.com, password: {env: PW}, from: a@contoso.com}\n`, { PW: 'x' });
const connectorPlan = () =>
  planFromYaml('version: 1\ndomain: contoso.com\nlimits: { recipientsPerDay: 50 }\ntenant: { licenses: 100 }\nconnectors:\n  - {name: Relay, direction: to-office365, endpoint: contoso-com.mail.protection.outlook.com, validation: {from: relay@contoso.com, to: [it@contoso.com]}}\n');

testCheck(check, {
  defaults: { plan: submissionPlan({}, 'limits: { messagesPerDay: 10, messagesPerMinute: 5 }\n'), probes: probes() },
  valid: [
    {
      name: "passes Microsoft's per-mailbox figures when the plan sets none, without a messages-per-day limit",
      plan: limits(''),
      probes: {},
      message: 'mailbox submission: 10,000 recipients/day, 30 messages/minute, 500 recipients/message',
      excludes: ['messages/day'],
    },
    {
      name: "passes with the day's count from the send log and what this run sent",
      probes: probes({ before: { lastDay: 3, lastMinute: 0, recipientsLastDay: 3 } }),
      message: 'scanner@contoso.com: 3 messages to 3 recipients in the last 24 hours before this run, 1 sent in this run; mailbox submission: 10 messages/day, 10,000 recipients/day, 5 messages/minute, 500 recipients/message',
      evidence: { sentLast24h: 3, sentThisRun: 1, path: 'mailbox' },
    },
    {
      name: "judges mailbox submission by Microsoft's figures when the plan sets no limits, with no messagesPerDay",
      plan: submissionPlan(),
      probes: probes({ before: { lastDay: 0, lastMinute: 0, recipientsLastDay: 0 } }),
      message: /mailbox submission: 10,000 recipients\/day, 30 messages\/minute, 500 recipients\/message$/,
    },
    {
      name: 'judges a connector by the tenant limit only, from tenant.licenses',
      plan: connectorPlan,
      probes: probes({ account: 'relay@contoso.com' }, sent(attempt({ account: 'relay@contoso.com', startedAt: '2026-11-27T02:00:00.000Z' }))),
      message: /connector relay \(tenant limits only\): TERRL 22,059 external recipients\/day for the tenant$/,
      excludes: ['recipients/day,', '50'],
    },
    {
      name: "does not hold Microsoft's 30 messages a minute against a plan's smaller messagesPerDay",
      plan: limits('limits: {messagesPerDay: 10}\n'),
      probes: {},
      message: 'mailbox submission: 10 messages/day, 10,000 recipients/day, 30 messages/minute, 500 recipients/message',
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
    {
      name: "warns when the plan's recipientsPerDay is above Exchange Online's 10,000",
      status: 'warn',
      plan: submissionPlan({}, 'limits: { recipientsPerDay: 20000 }\n'),
      message: ["recipientsPerDay 20,000 is above Exchange Online's 10,000 recipients a day per mailbox"],
    },
    { name: 'fails a per-minute limit above the daily one', status: 'fail', plan: limits('limits: {messagesPerDay: 10, messagesPerMinute: 30}\n'), probes: {}, message: 'messagesPerMinute (30) is above messagesPerDay (10)' },
    {
      name: 'fails when the send probe refused a message at the daily limit, quoting the decision',
      status: 'fail',
      probes: probes(
        { before: { lastDay: 10, lastMinute: 0 } },
        refusedBy({ allowed: false, limit: 'day', counts: { lastDay: 10, lastMinute: 0 }, limits: { messagesPerDay: 10 }, message: 'scanner@contoso.com sent 10 messages in the last 24 hours; messagesPerDay is 10; the next message may go after 2026-11-27T09:00:00.000Z' }),
      ),
      message: 'smtp.office365.com:587: the validation message was not sent: scanner@contoso.com sent 10 messages in the last 24 hours; messagesPerDay is 10; the next message may go after 2026-11-27T09:00:00.000Z',
      exchangeOnline: ['SubmissionQuotaExceededException'],
      remediation: ['Wait until the 24-hour window frees messages'],
    },
    {
      name: 'fails when the send probe refused a message at the per-minute limit, telling the admin to wait a minute',
      status: 'fail',
      probes: probes(
        { before: { lastDay: 5, lastMinute: 5 } },
        refusedBy({ allowed: false, limit: 'minute', counts: { lastDay: 5, lastMinute: 5 }, limits: { messagesPerMinute: 5 }, message: 'scanner@contoso.com sent 5 messages in the last minute; messagesPerMinute is 5' }),
      ),
      message: ['the validation message was not sent', 'messagesPerMinute is 5'],
      remediation: ['Run again after a minute'],
      exchangeOnline: ['30 messages a minute'],
    },
    {
      name: 'names 5.1.90 when the daily recipient limit stopped a message',
      status: 'fail',
      plan: submissionPlan(),
      probes: probes({}, refusedBy({ allowed: false, limit: 'recipients-day', counts: { lastDay: 9, lastMinute: 0, recipientsLastDay: 10_000 }, limits: { recipientsPerDay: 10_000 }, message: 'scanner@contoso.com sent to 10,000 recipients in the last 24 hours; …' })),
      exchangeOnline: ['550 5.1.90'],
    },
    {
      name: 'warns near the daily limit, counting this run when it sent something',
      status: 'warn',
      probes: probes({ before: { lastDay: 8, lastMinute: 0 } }),
      message: 'scanner@contoso.com is at 9 messages of messagesPerDay 10 in the rolling 24 hours, this run included',
    },
    {
      name: 'only warns near the daily limit when this run sent nothing (--no-send), and says so',
      status: 'warn',
      send: false,
      probes: probes({ before: { lastDay: 9, lastMinute: 0 }, planned: 0 }, nothingSent),
      message: 'scanner@contoso.com is at 9 messages of messagesPerDay 10 in the rolling 24 hours (this run sent nothing)',
    },
    {
      name: 'never claims a message for a run that sent nothing',
      status: 'warn',
      send: false,
      plan: submissionPlan({}, 'limits: { messagesPerDay: 1, messagesPerMinute: 1 }\n'),
      probes: probes({ before: { lastDay: 1, lastMinute: 0 } }, nothingSent),
      includes: ['(this run sent nothing)'],
      excludes: ['this run included'],
    },
    {
      name: 'fails a validation message with more recipients than recipientsPerMessage',
      status: 'fail',
      plan: submissionPlan({ validation: { to: ['a@contoso.com', 'b@contoso.com', 'c@contoso.com'] } }, 'limits: { recipientsPerMessage: 2 }\n'),
      probes: probes({}, nothingSent),
      message: 'the validation message has 3 recipients, more than recipientsPerMessage 2: it is not sent',
    },
    {
      name: 'is an error when the send log cannot be read',
      status: 'error',
      probes: probes({ storeError: 'local store /x.sqlite: is locked by another relaycheck run; try again when it has finished', before: undefined }),
      message: ['is locked by another relaycheck run'],
    },
  ],
});
