// Reads the send log for limits.quota: how many messages and recipients each sending account sent
// in the rolling 24 hours and the last minute before this run started (the tenant's external
// recipients too, for TERRL), the limits of the entry's path, and what this run plans to send.
// Counting only sends before the run's start, and none of this run's own, keeps the result the
// same whatever order the probes run in; the send probe enforces the limits message by message
// (src/state/send-log.ts), and limits.quota reads what it did from the send probe's data.
import { plannedSends, sendingAccount, sendEndpoints } from './accounts.js';
import { limitsFor, sendPathOf } from '../exo/limits.js';
import { stateLocation } from '../state/location.js';
import { runSendLogPath, sharedSendLog, SHARED_SEND_LOG_PATH } from '../state/send-log.js';
import type { QuotaProbeData } from '../evidence/sending.js';
import type { ProbeDefinition, Subject } from '../types.js';

export const QUOTA_PROBE_ID = 'quota';

export const quotaProbe: ProbeDefinition<QuotaProbeData> = {
  id: QUOTA_PROBE_ID,
  scope: 'entry',
  // One task per account and path: entries that send as the same account share the numbers.
  key: (subject: Subject) =>
    subject.scope === 'entry' || subject.scope === 'endpoint'
      ? `account:${sendPathOf(subject.entry)}:${subject.entry.kind === 'submission' ? subject.entry.username.toLowerCase() : subject.entry.name}`
      : subject.scope,
  async run(subject, ctx) {
    if (subject.scope !== 'entry' && subject.scope !== 'endpoint') return { account: '', planned: 0, window: 'rolling-24h' };
    const entry = subject.entry;
    const account = sendingAccount(entry, ctx.plan);
    const planned = ctx.send ? plannedSends(account, ctx.plan) : 0;
    const plannedRecipients = ctx.send ? sendEndpoints(entry, ctx.plan).length * (entry.validation?.to.length ?? 0) : 0;
    const { path, source, ...figures } = limitsFor(entry, ctx.plan);
    const limits = { ...figures, path, source: source as Record<string, string> };
    const storeFile = runSendLogPath(ctx.plan, ctx.shared);
    const stateSource = ctx.shared.get(SHARED_SEND_LOG_PATH) ? 'run' : stateLocation(ctx.plan).source;
    try {
      const log = sharedSendLog(ctx.plan, ctx.shared, ctx.startedAt);
      const before = log.counts(account, ctx.startedAt, { before: ctx.startedAt, tenant: ctx.plan.domain, excludeTokenPrefix: `rc-${ctx.runToken}-` });
      return { account, storeFile: log.file, stateSource, before, planned, plannedRecipients, limits, window: 'rolling-24h' };
    } catch (err) {
      return { account, storeFile, stateSource, storeError: (err as Error).message, planned, plannedRecipients, limits, window: 'rolling-24h' };
    }
  },
};
