// Verifies that each sending path stays within its limits, counted in the per-user send log
// (rolling 24 hours and the last minute, per account): Microsoft's per-mailbox figures for SMTP
// AUTH submission (10,000 recipients a day, 30 messages a minute, 500 recipients a message), the
// tenant's external recipient limit (TERRL) for connector relay, and the plan's own messagesPerDay.
import { combine, defineCheck, type Observation } from '../../src/check-kit/define.js';
import { limitsFor, MAILBOX_MESSAGES_PER_MINUTE, MAILBOX_RECIPIENTS_PER_DAY, MAILBOX_RECIPIENTS_PER_MESSAGE } from '../../src/exo/limits.js';
import { submissionQuotaView } from '../../src/exo/submission-replies.js';
import type { QuotaProbeData, SendProbeData } from '../../src/evidence/sending.js';

export const EXO_RECIPIENTS_PER_DAY = MAILBOX_RECIPIENTS_PER_DAY;
export const EXO_MESSAGES_PER_MINUTE = MAILBOX_MESSAGES_PER_MINUTE;
/** warn when a run would use this share of the daily limit or more */
export const QUOTA_WARN_SHARE = 0.9;

const n = (v: number) => v.toLocaleString('en-US');
const plural = (v: number, word: string) => `${n(v)} ${word}${v === 1 ? '' : 's'}`;

const PATH_TEXT: Record<string, string> = {
  mailbox: 'mailbox submission',
  'other-submission': 'SMTP submission',
  hve: 'High Volume Email',
  acs: 'Azure Communication Services',
  connector: 'connector relay (tenant limits only)',
  'smart-host': 'mail to your own smart host (no Exchange Online limit)',
  'direct-send': 'Direct Send (internal recipients only)',
};

export default defineCheck({
  id: 'limits.quota',
  title: 'Sending stays within the limits of its path',
  failureTitle: 'Sending would pass a limit of its path',
  severity: 'medium',
  scope: 'entry',
  description:
    "The limits are sane and each account's sends in the rolling 24 hours, counted in the per-user send log, stay below them: mailbox submission 10,000 recipients a day, 30 messages a minute, 500 recipients a message; connector relay only the tenant's external recipient limit (TERRL, from tenant.licenses); messagesPerDay when the plan sets it. A send past a limit is not attempted.",
  remediation: 'Lower the sending volume, spread it over more accounts, or set limits: to what the tenant really allows.',
  requires: ['quota', 'send'],
  appliesTo: (s) => s.scope === 'entry' && (s.entry.kind === 'submission' || Boolean(s.entry.validation)),
  evaluate({ plan, subject, probes }) {
    if (subject.scope !== 'entry') throw new Error('entries only');
    const q = probes.quota as QuotaProbeData | undefined;
    const sent = probes.send as SendProbeData | undefined;
    const own = limitsFor(subject.entry, plan);
    const limits = q?.limits ?? { ...own };
    const path = own.path;
    const obs: Observation[] = [];
    const { messagesPerDay, messagesPerMinute, recipientsPerDay, recipientsPerMessage, tenantExternalPerDay } = limits;

    // Sanity of the plan's figures against Microsoft's. Only the plan's own per-minute figure can
    // contradict its daily one: Microsoft's 30 a minute under a small messagesPerDay is no mistake.
    const minuteFromPlan = (limits.source as Record<string, string> | undefined)?.messagesPerMinute === 'plan';
    if (messagesPerDay !== undefined && messagesPerMinute !== undefined && minuteFromPlan && messagesPerMinute > messagesPerDay) obs.push({ status: 'fail', message: `messagesPerMinute (${messagesPerMinute}) is above messagesPerDay (${messagesPerDay})` });
    if (path === 'mailbox') {
      if (recipientsPerDay !== undefined && recipientsPerDay > MAILBOX_RECIPIENTS_PER_DAY) obs.push({ status: 'warn', message: `recipientsPerDay ${n(recipientsPerDay)} is above Exchange Online's ${n(MAILBOX_RECIPIENTS_PER_DAY)} recipients a day per mailbox; expect 550 5.1.90 or 554 5.2.0 SubmissionQuotaExceededException` });
      if (messagesPerDay !== undefined && messagesPerDay > MAILBOX_RECIPIENTS_PER_DAY) obs.push({ status: 'warn', message: `messagesPerDay ${n(messagesPerDay)} is above Exchange Online's ${n(MAILBOX_RECIPIENTS_PER_DAY)} recipients a day; expect 554 5.2.0 SubmissionQuotaExceededException` });
      if (messagesPerMinute !== undefined && messagesPerMinute > MAILBOX_MESSAGES_PER_MINUTE) obs.push({ status: 'warn', message: `messagesPerMinute ${messagesPerMinute} is above Exchange Online's ${MAILBOX_MESSAGES_PER_MINUTE} messages a minute per mailbox` });
      if (recipientsPerMessage !== undefined && recipientsPerMessage > MAILBOX_RECIPIENTS_PER_MESSAGE) obs.push({ status: 'warn', message: `recipientsPerMessage ${n(recipientsPerMessage)} is above Exchange Online's default ${MAILBOX_RECIPIENTS_PER_MESSAGE} recipients a message` });
    }
    const to = subject.entry.validation?.to.length ?? 0;
    if (recipientsPerMessage !== undefined && to > recipientsPerMessage) obs.push({ status: 'fail', message: `the validation message has ${plural(to, 'recipient')}, more than recipientsPerMessage ${n(recipientsPerMessage)}: it is not sent`, remediation: 'List fewer validation recipients.' });

    const figures = [
      messagesPerDay !== undefined ? `${n(messagesPerDay)} messages/day` : '',
      recipientsPerDay !== undefined ? `${n(recipientsPerDay)} recipients/day` : '',
      messagesPerMinute !== undefined ? `${messagesPerMinute} messages/minute` : '',
      recipientsPerMessage !== undefined ? `${n(recipientsPerMessage)} recipients/message` : '',
      tenantExternalPerDay !== undefined ? `TERRL ${n(tenantExternalPerDay)} external recipients/day for the tenant` : '',
    ].filter(Boolean);
    const limitsText = `${PATH_TEXT[path] ?? path}: ${figures.length ? figures.join(', ') : 'no sending limit applies'}`;
    if (!q) return combine(obs, limitsText);
    if (q.storeError) {
      obs.push({ status: 'error', message: `the send log cannot be read, so the quota cannot be enforced and nothing is sent: ${q.storeError}`, remediation: 'Let the other run finish, or move the damaged send log aside (relaycheck never overwrites it), or set stateDir: to another folder.' });
      return combine(obs, limitsText);
    }

    // What this run did for the entry: messages started (they count), and sends the log refused.
    const attempts = sent?.attempts ?? [];
    const started = attempts.filter((a) => a.startedAt);
    const sentNow = started.length;
    const recipientsNow = started.reduce((sum, a) => sum + a.to.length, 0);
    const refused = attempts.filter((a) => a.notSent?.reason === 'quota');
    const before = q.before ?? { lastDay: 0, lastMinute: 0 };
    const beforeRecipients = before.recipientsLastDay ?? before.lastDay;
    const evidence = {
      account: q.account,
      path,
      sentLast24h: before.lastDay,
      recipientsLast24h: beforeRecipients,
      sentLastMinute: before.lastMinute,
      tenantExternalLast24h: before.tenantExternalLastDay ?? null,
      plannedThisRun: q.planned,
      sentThisRun: sentNow,
      window: q.window,
      store: q.storeFile ?? null,
      stateSource: q.stateSource ?? null,
    };
    for (const a of refused) {
      const decision = a.quota && !a.quota.allowed ? a.quota : undefined;
      obs.push({
        status: 'fail',
        message: `${a.endpoint}: the validation message was not sent: ${decision?.message ?? a.notSent?.message ?? 'a limit would be passed'}`,
        remediation: decision?.limit === 'minute' ? 'Run again after a minute, or send validation mail through fewer endpoints per run.' : 'Wait until the 24-hour window frees messages, raise the limit if the tenant allows more, or send validation mail less often.',
        ...(decision ? { exchangeOnline: submissionQuotaView(decision.limit) } : {}),
      });
    }
    if (refused.length === 0) {
      // Near a daily limit: say whether this run's own sends are part of the count.
      const included = sentNow > 0 ? ', this run included' : ' (this run sent nothing)';
      const nearMessages = messagesPerDay !== undefined && before.lastDay + sentNow >= Math.ceil(messagesPerDay * QUOTA_WARN_SHARE) && before.lastDay + sentNow > 0;
      const nearRecipients = recipientsPerDay !== undefined && beforeRecipients + recipientsNow >= Math.ceil(recipientsPerDay * QUOTA_WARN_SHARE) && beforeRecipients + recipientsNow > 0;
      if (nearMessages) obs.push({ status: 'warn', message: `${q.account} is at ${plural(before.lastDay + sentNow, 'message')} of messagesPerDay ${n(messagesPerDay!)} in the rolling 24 hours${included}`, remediation: 'Send less from this account, or spread the mail over more accounts, before the limit stops it.' });
      else if (nearRecipients) obs.push({ status: 'warn', message: `${q.account} is at ${plural(beforeRecipients + recipientsNow, 'recipient')} of recipientsPerDay ${n(recipientsPerDay!)} in the rolling 24 hours${included}`, remediation: 'Send to fewer recipients from this account, or spread the mail over more accounts, before Exchange Online answers 550 5.1.90.' });
    }
    const usage = `${q.account}: ${plural(before.lastDay, 'message')} to ${plural(beforeRecipients, 'recipient')} in the last 24 hours before this run, ${sentNow} sent in this run; ${limitsText}`;
    return combine(obs, usage, evidence);
  },
});
