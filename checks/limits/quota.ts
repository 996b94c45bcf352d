// Verifies that the sending limits are sane and that this run's validation mail stays within
// them. The seed states 1,500 messages a day per Office 365 account; Microsoft's current pages
// state 10,000 recipients a day and 30 messages a minute per mailbox for client submission.
import { combine, defineCheck, type Observation } from '../../src/checks/define.js';

export const EXO_RECIPIENTS_PER_DAY = 10_000;
export const EXO_MESSAGES_PER_MINUTE = 30;

export default defineCheck({
  id: 'limits.quota',
  title: 'Sending stays within the daily and per-minute limits',
  failureTitle: 'Sending would pass the daily or per-minute limit',
  severity: 'medium',
  scope: 'entry',
  description: 'The limits are sane (defaults: 1,500 messages a day, 30 a minute per account) and the day\'s sends stay below them.',
  remediation: 'Lower the sending volume, spread it over more accounts, or set limits: to what the tenant really allows.',
  requires: [],
  appliesTo: (s) => s.scope === 'entry' && (s.entry.kind === 'submission' || Boolean(s.entry.validation)),
  evaluate({ plan }) {
    const { messagesPerDay, messagesPerMinute, defaulted } = plan.limits;
    const obs: Observation[] = [];
    if (messagesPerMinute > messagesPerDay) obs.push({ status: 'fail', message: `messagesPerMinute (${messagesPerMinute}) is above messagesPerDay (${messagesPerDay})` });
    if (messagesPerDay > EXO_RECIPIENTS_PER_DAY) obs.push({ status: 'warn', message: `messagesPerDay ${messagesPerDay} is above Exchange Online's ${EXO_RECIPIENTS_PER_DAY.toLocaleString('en-US')} recipients a day; expect 554 5.2.0 SubmissionQuotaExceededException` });
    if (messagesPerMinute > EXO_MESSAGES_PER_MINUTE) obs.push({ status: 'warn', message: `messagesPerMinute ${messagesPerMinute} is above Exchange Online's ${EXO_MESSAGES_PER_MINUTE} messages a minute per mailbox` });
    const source = defaulted.messagesPerDay && defaulted.messagesPerMinute ? ' (defaults)' : '';
    return combine(obs, `limits ${messagesPerDay.toLocaleString('en-US')}/day and ${messagesPerMinute}/minute${source}`);
  },
});
