// Reads the send log for limits.quota: how many messages each sending account sent in the rolling
// 24 hours and the last minute before this run started, and how many this run plans to send.
// Counting only sends before the run's start keeps the result the same whatever order the probes
// run in; the send probe enforces the limit message by message (src/store/send-log.ts).
import { plannedSends, sendingAccount } from './accounts.js';
import { runStorePath, sharedSendLog } from '../store/send-log.js';
import type { QuotaProbeData } from '../evidence/sending.js';
import type { ProbeDefinition, Subject } from '../types.js';

export const QUOTA_PROBE_ID = 'quota';

export const quotaProbe: ProbeDefinition<QuotaProbeData> = {
  id: QUOTA_PROBE_ID,
  scope: 'entry',
  // One task per account: entries that send as the same account share the numbers.
  key: (subject: Subject) => (subject.scope === 'entry' || subject.scope === 'endpoint' ? `account:${subject.entry.kind === 'submission' ? subject.entry.username.toLowerCase() : `${subject.entry.name}`}` : subject.scope),
  async run(subject, ctx) {
    if (subject.scope !== 'entry' && subject.scope !== 'endpoint') return { account: '', planned: 0, window: 'rolling-24h' };
    const account = sendingAccount(subject.entry, ctx.plan);
    const planned = ctx.send ? plannedSends(account, ctx.plan) : 0;
    const storeFile = runStorePath(ctx.plan, ctx.shared);
    try {
      const log = sharedSendLog(ctx.plan, ctx.shared);
      return { account, storeFile: log.file, before: log.counts(account, ctx.startedAt, ctx.startedAt), planned, window: 'rolling-24h' };
    } catch (err) {
      return { account, storeFile, storeError: (err as Error).message, planned, window: 'rolling-24h' };
    }
  },
};
