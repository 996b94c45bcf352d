// The send log behind the quota: every validation message relaycheck starts to send is a row in
// the store's `sends` table, per sending account, and a send that would pass messagesPerDay or
// messagesPerMinute is refused before it starts (DESIGN §6).
//
// Windows. The day is a ROLLING 24 hours, not the UTC calendar day: Exchange Online counts its
// per-mailbox sending limits over a sliding 24-hour window, so a calendar day would let a nightly
// job send twice the limit across midnight UTC and still be throttled by the tenant. The minute
// is the last 60 seconds. A message counts from the moment relaycheck starts sending it, whether
// or not the server answered 250: a send that broke half-way may still have reached the server's
// counters, and counting it can only make relaycheck stop earlier, never later.
import { defaultStorePath, openStore, StoreError, storeError, type Db } from './db.js';
import type { Limits, Plan } from '../types.js';
import type { QuotaDecision, QuotaLimits, SendCounts } from '../evidence/sending.js';

export type { QuotaDecision, QuotaLimits, SendCounts };

export const DAY_MS = 24 * 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;

/** Keys in ProbeContext.shared. */
export const SHARED_STORE_PATH = 'storePath'; // string: <outDir>/relaycheck.sqlite, set by `relaycheck run`
export const SHARED_STORE = 'sendLog'; // the open SendLog (one handle per run)
const SHARED_STORE_ERROR = 'sendLogError'; // the StoreError of a failed open (reported by every user)




export interface SendRecord {
  account: string;
  entry: string;
  endpoint: string;
  recipients: number;
  token: string;
}

/** Accounts are compared case-insensitively (mailbox addresses). */
export function accountKey(address: string): string {
  return address.trim().toLowerCase();
}

export class SendLog {
  constructor(
    readonly db: Db,
    readonly file: string,
  ) {}

  /** Messages logged for `account` in the windows ending at `now` (optionally only those before `before`). */
  counts(account: string, now: Date, before?: Date): SendCounts {
    const key = accountKey(account);
    const end = before ?? null;
    const dayStart = new Date(now.getTime() - DAY_MS).toISOString();
    const minuteStart = new Date(now.getTime() - MINUTE_MS).toISOString();
    const row = this.wrap(() =>
      this.db
        .prepare(
          `SELECT
             SUM(CASE WHEN sent_at > @dayStart THEN 1 ELSE 0 END) AS day,
             SUM(CASE WHEN sent_at > @minuteStart THEN 1 ELSE 0 END) AS minute,
             MIN(CASE WHEN sent_at > @dayStart THEN sent_at END) AS oldestDay,
             MIN(CASE WHEN sent_at > @minuteStart THEN sent_at END) AS oldestMinute
           FROM sends WHERE account = @key AND (@end IS NULL OR sent_at < @end)`,
        )
        .get({ key, dayStart, minuteStart, end: end ? end.toISOString() : null }),
    ) as { day: number | null; minute: number | null; oldestDay: string | null; oldestMinute: string | null };
    const counts: SendCounts = { lastDay: row.day ?? 0, lastMinute: row.minute ?? 0 };
    if (row.oldestDay) counts.dayWindowFreesAt = new Date(Date.parse(row.oldestDay) + DAY_MS).toISOString();
    if (row.oldestMinute) counts.minuteWindowFreesAt = new Date(Date.parse(row.oldestMinute) + MINUTE_MS).toISOString();
    return counts;
  }

  /** May `account` send `count` more message(s) at `now`? Refusals say which limit and the counts. */
  canSend(account: string, now: Date, limits: QuotaLimits, count = 1): QuotaDecision {
    return decide(account, this.counts(account, now), limits, count);
  }

  /**
   * Atomically decides and, when allowed, logs the send (accepted = 0 until `settle`). Two runs
   * sharing the store cannot both take the last message of the day: the check and the insert run
   * in one IMMEDIATE transaction.
   */
  reserve(record: SendRecord, now: Date, limits: QuotaLimits): QuotaDecision & { id?: number } {
    const tx = this.db.transaction((): QuotaDecision & { id?: number } => {
      const decision = this.canSend(record.account, now, limits);
      if (!decision.allowed) return decision;
      const info = this.db
        .prepare('INSERT INTO sends (account, entry, endpoint, recipients, token, sent_at, accepted) VALUES (?, ?, ?, ?, ?, ?, 0)')
        .run(accountKey(record.account), record.entry, record.endpoint, record.recipients, record.token, now.toISOString());
      return { ...decision, id: Number(info.lastInsertRowid) };
    });
    return this.wrap(() => tx.immediate());
  }

  /** Records the server's verdict on a reserved send (1 = answered 250 after DATA). */
  settle(id: number, accepted: boolean): void {
    this.wrap(() => this.db.prepare('UPDATE sends SET accepted = ? WHERE id = ?').run(accepted ? 1 : 0, id));
  }

  /** Every logged send of an account, oldest first (for tests and `relaycheck` diagnostics). */
  history(account: string): { entry: string; endpoint: string; token: string; sentAt: string; accepted: boolean }[] {
    const rows = this.wrap(() =>
      this.db.prepare('SELECT entry, endpoint, token, sent_at AS sentAt, accepted FROM sends WHERE account = ? ORDER BY sent_at, id').all(accountKey(account)),
    ) as { entry: string; endpoint: string; token: string; sentAt: string; accepted: number }[];
    return rows.map((r) => ({ ...r, accepted: r.accepted === 1 }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** SQLite errors after opening (locked by another writer, disk full, damaged pages) as StoreError. */
  private wrap<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storeError(this.file, err);
    }
  }
}

export function decide(account: string, counts: SendCounts, limits: QuotaLimits, count = 1): QuotaDecision {
  if (counts.lastDay + count > limits.messagesPerDay) {
    const when = counts.dayWindowFreesAt ? `; the next message may go after ${counts.dayWindowFreesAt}` : '';
    return {
      allowed: false,
      limit: 'day',
      counts,
      limits,
      message: `${accountKey(account)} sent ${counts.lastDay} message${counts.lastDay === 1 ? '' : 's'} in the last 24 hours; messagesPerDay is ${limits.messagesPerDay}${when}`,
    };
  }
  if (counts.lastMinute + count > limits.messagesPerMinute) {
    return {
      allowed: false,
      limit: 'minute',
      counts,
      limits,
      message: `${accountKey(account)} sent ${counts.lastMinute} message${counts.lastMinute === 1 ? '' : 's'} in the last minute; messagesPerMinute is ${limits.messagesPerMinute}`,
    };
  }
  return { allowed: true, counts, limits };
}

export function openSendLog(file: string): SendLog {
  return new SendLog(openStore(file), file);
}

/** The store file a run uses, as probes see it: the plan's `store:`, else the run's (shared 'storePath'), else reports/. */
export function runStorePath(plan: Plan, shared: Map<string, unknown>): string {
  const fromRun = shared.get(SHARED_STORE_PATH);
  return plan.store ?? (typeof fromRun === 'string' && fromRun ? fromRun : defaultStorePath('reports'));
}

/**
 * The run's send log, opened once and shared by every probe (ctx.shared 'sendLog'). A store that
 * cannot be opened throws the same StoreError to every caller; nothing is ever overwritten.
 */
export function sharedSendLog(plan: Plan, shared: Map<string, unknown>): SendLog {
  const existing = shared.get(SHARED_STORE);
  if (existing instanceof SendLog && existing.db.open) return existing;
  const failed = shared.get(SHARED_STORE_ERROR);
  if (failed instanceof StoreError) throw failed;
  const file = runStorePath(plan, shared);
  try {
    const log = openSendLog(file);
    shared.set(SHARED_STORE, log);
    return log;
  } catch (err) {
    const e = err instanceof StoreError ? err : new StoreError(file, (err as Error).message);
    shared.set(SHARED_STORE_ERROR, e);
    throw e;
  }
}

/** Closes the run's send log if a probe opened it (called by `relaycheck run` after the run). */
export function closeSharedSendLog(shared: Map<string, unknown>): void {
  const existing = shared.get(SHARED_STORE);
  if (existing instanceof SendLog) existing.close();
  shared.delete(SHARED_STORE);
}
