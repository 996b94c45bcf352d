// Verifies that the sending limits are sane and that this run's validation mail stays within
// them, counted in the local send log (rolling 24 hours and the last minute, per account). The
// seed states 1,500 messages a day per Office 365 account; Microsoft's current pages state
// 10,000 recipients a day and 30 messages a minute per mailbox for client submission.
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import type { QuotaProbeData } from '../../src/evidence/sending.js';
import { MAILBOX_RECIPIENTS_PER_DAY } from '../../src/exo/facts.js';

export const EXO_RECIPIENTS_PER_DAY = MAILBOX_RECIPIENTS_PER_DAY;
export const EXO_MESSAGES_PER_MINUTE = 30;
/** warn when a run would use this share of the daily limit or more */
export const QUOTA_WARN_SHARE = 0.9;

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export default defineCheck({
  id: 'limits.quota',
  title: 'Sending stays within the daily and per-minute limits',
  failureTitle: 'Sending would pass the daily or per-minute limit',
  severity: 'medium',
  scope: 'entry',
  description: "The limits are sane (defaults: 1,500 messages a day, 30 a minute per account) and the account's sends in the rolling 24 hours, counted in the local send log, stay below them; a send past them is not attempted.",
  remediation: 'Lower the sending volume, spread it over more accounts, or set limits: to what the tenant really allows.',
  requires: ['quota'],
  appliesTo: (s) => s.scope === 'entry' && (s.entry.kind === 'submission' || Boolean(s.entry.validation)),
  evaluate({ plan, probes }) {
    const { messagesPerDay, messagesPerMinute, defaulted } = plan.limits;
    const q = probes.quota as QuotaProbeData | undefined;
    const obs: Observation[] = [];
    if (messagesPerMinute > messagesPerDay) obs.push({ status: 'fail', message: `messagesPerMinute (${messagesPerMinute}) is above messagesPerDay (${messagesPerDay})` });
    if (messagesPerDay > EXO_RECIPIENTS_PER_DAY) obs.push({ status: 'warn', message: `messagesPerDay ${messagesPerDay} is above Exchange Online's ${EXO_RECIPIENTS_PER_DAY.toLocaleString('en-US')} recipients a day; expect 554 5.2.0 SubmissionQuotaExceededException` });
    if (messagesPerMinute > EXO_MESSAGES_PER_MINUTE) obs.push({ status: 'warn', message: `messagesPerMinute ${messagesPerMinute} is above Exchange Online's ${EXO_MESSAGES_PER_MINUTE} messages a minute per mailbox` });
    const source = defaulted.messagesPerDay && defaulted.messagesPerMinute ? ' (defaults)' : '';
    const limits = `limits ${messagesPerDay.toLocaleString('en-US')}/day and ${messagesPerMinute}/minute${source}`;
    if (!q) return combine(obs, limits);
    if (q.storeError) {
      obs.push({ status: 'error', message: `the send log cannot be read, so the quota cannot be enforced and nothing is sent: ${q.storeError}`, remediation: 'Let the other run finish, or move the damaged store aside (relaycheck never overwrites it), or set store: to another file.' });
      return combine(obs, limits);
    }
    const before = q.before ?? { lastDay: 0, lastMinute: 0 };
    const evidence = { account: q.account, sentLast24h: before.lastDay, sentLastMinute: before.lastMinute, plannedThisRun: q.planned, window: q.window, store: q.storeFile ?? null };
    const day = before.lastDay + q.planned;
    if (q.planned > 0 && day > messagesPerDay) {
      const reached = before.lastDay >= messagesPerDay;
      const sendable = Math.max(0, messagesPerDay - before.lastDay);
      obs.push({
        status: 'fail',
        message: `${q.account} sent ${plural(before.lastDay, 'message')} in the last 24 hours (local send log); this run's ${plural(q.planned, 'validation message')} would pass messagesPerDay ${messagesPerDay.toLocaleString('en-US')}: ${reached ? 'none is sent' : `only ${sendable} ${sendable === 1 ? 'is' : 'are'} sent`}${before.dayWindowFreesAt ? `; the window frees a message at ${before.dayWindowFreesAt}` : ''}`,
        remediation: 'Wait until the 24-hour window frees messages, raise limits.messagesPerDay if the tenant allows more, or send validation mail less often.',
        exchangeOnline: 'Past its limit Exchange Online answers 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException and may throttle the account.',
      });
    } else if (q.planned > 0 && before.lastMinute + q.planned > messagesPerMinute) {
      obs.push({
        status: 'fail',
        message: `${q.account} sent ${plural(before.lastMinute, 'message')} in the last minute; this run's ${plural(q.planned, 'validation message')} would pass messagesPerMinute ${messagesPerMinute}: the messages past it are not sent`,
        remediation: 'Run again after a minute, or send validation mail through fewer endpoints per run.',
      });
    } else if (day >= Math.ceil(messagesPerDay * QUOTA_WARN_SHARE) && day > 0) {
      obs.push({ status: 'warn', message: `${q.account} is at ${plural(day, 'message')} of messagesPerDay ${messagesPerDay.toLocaleString('en-US')} in the rolling 24 hours, this run included`, remediation: 'Send less from this account, or spread the mail over more accounts, before the limit stops it.' });
    }
    const usage = `${q.account}: ${plural(before.lastDay, 'message')} in the last 24 hours before this run, ${q.planned} planned in this run; ${limits}`;
    return combine(obs, usage, evidence);
  },
});
