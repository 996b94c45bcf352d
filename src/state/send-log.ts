// The send log behind the quota: every validation message relaycheck starts to send is a row,
// keyed by the sending account, in ONE SQLite file per user (src/state/location.ts) — not beside
// each report folder, so a different --out cannot reset a quota. A send that would pass a limit
// of its path (src/exo/limits.ts) is refused before it starts, and the decision and the row are
// one IMMEDIATE transaction, so concurrent runs cannot both take the last message of the day.
//
// Windows. The day is a ROLLING 24 hours, not the UTC calendar day: Exchange Online counts its
// per-mailbox sending limits over a sliding 24-hour window. The minute is the last 60 seconds. A
// message counts from the moment relaycheck starts sending it, whether or not the server answered
// 250: a send that broke half-way may still have reached the server's counters, and counting it
// can only make relaycheck stop earlier, never later.
//
// Old stores. Before this file existed each run kept its sends in the history store it wrote
// (<out>/relaycheck.sqlite or the plan's store:). The first time the log meets such a store, it
// copies that store's sends of the last 24 hours in (once per store; a unique key makes a repeat
// harmless), so upgrading loses no part of a running quota.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { nativeBinding, StoreError, storeError, type Db } from '../store/db.js';
import { sendLogPath } from './location.js';
import type { QuotaDecision, QuotaLimits, SendCounts } from '../evidence/sending.js';
import type { Plan } from '../types.js';

export type { QuotaDecision, QuotaLimits, SendCounts };

export const DAY_MS = 24 * 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;

/** Keys in ProbeContext.shared. */
export const SHARED_STORE_PATH = 'storePath'; // string: the run's history store (<out>/relaycheck.sqlite): an old store to copy sends from
export const SHARED_SEND_LOG_PATH = 'sendLogPath'; // string: overrides the send log's file (tests)
export const SHARED_STORE = 'sendLog'; // the open SendLog (one handle per run)
const SHARED_STORE_ERROR = 'sendLogError'; // the StoreError of a failed open (reported by every user)

/** Schema changes of the send log file, in order (PRAGMA user_version counts them). Append only. */
const MIGRATIONS: string[] = [
  `CREATE TABLE sends (
     id INTEGER PRIMARY KEY,
     account TEXT NOT NULL,                      -- the sending account, lower case
     tenant TEXT NOT NULL DEFAULT '',            -- the plan's domain: TERRL is counted per tenant
     path TEXT NOT NULL DEFAULT 'mailbox',       -- src/exo/limits.ts SendPath, or 'imported'
     entry TEXT NOT NULL,                        -- plan entry name
     endpoint TEXT NOT NULL,
     recipients INTEGER NOT NULL,
     external_recipients INTEGER NOT NULL DEFAULT 0,
     counts_terrl INTEGER NOT NULL DEFAULT 0,    -- 1: counts against the tenant's external recipient limit
     token TEXT NOT NULL,
     sent_at TEXT NOT NULL,                      -- ISO 8601 UTC
     accepted INTEGER NOT NULL,                  -- 1 when the server answered 250
     source TEXT                                 -- NULL: logged here; else the old store it was copied from
   );
   CREATE UNIQUE INDEX sends_once ON sends (account, token, sent_at);
   CREATE INDEX sends_account_time ON sends (account, sent_at);
   CREATE INDEX sends_tenant_time ON sends (tenant, sent_at);
   CREATE TABLE imported_stores (
     file TEXT PRIMARY KEY,
     imported_at TEXT NOT NULL,
     rows INTEGER NOT NULL
   );`,
];

export interface SendRecord {
  account: string;
  entry: string;
  endpoint: string;
  recipients: number;
  token: string;
  /** the plan's domain (TERRL is per tenant); default '' */
  tenant?: string;
  /** src/exo/limits.ts SendPath; default 'mailbox' */
  path?: string;
  /** recipients outside the tenant's accepted domains */
  externalRecipients?: number;
  /** the send counts against TERRL */
  countsTerrl?: boolean;
}

/** Accounts are compared case-insensitively (mailbox addresses). */
export function accountKey(address: string): string {
  return address.trim().toLowerCase();
}

function openLogDb(file: string): Db {
  let db: Db;
  try {
    // Owner-only: the log names accounts and recipients' counts.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // The addon's own path: the bundled CLI cannot let the `bindings` package search for it.
    const addon = nativeBinding();
    db = new Database(file, { timeout: 5000, ...(addon ? { nativeBinding: addon } : {}) });
  } catch (err) {
    throw new StoreError(file, `cannot open: ${(err as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new StoreError(file, `was written by a newer relaycheck (send log schema ${version}); upgrade relaycheck`);
    if (version < MIGRATIONS.length) {
      db.transaction(() => {
        // Re-read inside the lock: another run may have migrated meanwhile.
        const v = db.pragma('user_version', { simple: true }) as number;
        for (let i = v; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]);
        db.pragma(`user_version = ${MIGRATIONS.length}`);
      }).immediate();
    }
    return db;
  } catch (err) {
    db.close();
    throw storeError(file, err);
  }
}

export class SendLog {
  constructor(
    readonly db: Db,
    readonly file: string,
  ) {}

  /**
   * Messages and recipients logged for `account` (and the tenant's TERRL recipients) in the
   * windows ending at `now`; `before` leaves out sends from then on, `excludeTokenPrefix` the
   * sends of one run.
   */
  counts(account: string, now: Date, opts: { before?: Date; tenant?: string; excludeTokenPrefix?: string } = {}): SendCounts {
    const key = accountKey(account);
    const params = {
      key,
      tenant: opts.tenant ?? null,
      dayStart: new Date(now.getTime() - DAY_MS).toISOString(),
      minuteStart: new Date(now.getTime() - MINUTE_MS).toISOString(),
      end: opts.before ? opts.before.toISOString() : null,
      exclude: opts.excludeTokenPrefix ? `${opts.excludeTokenPrefix}%` : null,
    };
    const row = this.wrap(() =>
      this.db
        .prepare(
          `SELECT
             SUM(CASE WHEN sent_at > @dayStart THEN 1 ELSE 0 END) AS day,
             SUM(CASE WHEN sent_at > @minuteStart THEN 1 ELSE 0 END) AS minute,
             SUM(CASE WHEN sent_at > @dayStart THEN recipients ELSE 0 END) AS dayRecipients,
             MIN(CASE WHEN sent_at > @dayStart THEN sent_at END) AS oldestDay,
             MIN(CASE WHEN sent_at > @minuteStart THEN sent_at END) AS oldestMinute
           FROM sends WHERE account = @key AND (@end IS NULL OR sent_at < @end) AND (@exclude IS NULL OR token NOT LIKE @exclude)`,
        )
        .get(params),
    ) as { day: number | null; minute: number | null; dayRecipients: number | null; oldestDay: string | null; oldestMinute: string | null };
    const counts: SendCounts = { lastDay: row.day ?? 0, lastMinute: row.minute ?? 0, recipientsLastDay: row.dayRecipients ?? 0 };
    if (row.oldestDay) counts.dayWindowFreesAt = new Date(Date.parse(row.oldestDay) + DAY_MS).toISOString();
    if (row.oldestMinute) counts.minuteWindowFreesAt = new Date(Date.parse(row.oldestMinute) + MINUTE_MS).toISOString();
    if (opts.tenant !== undefined) {
      const t = this.wrap(() =>
        this.db
          .prepare(`SELECT SUM(external_recipients) AS n FROM sends WHERE tenant = @tenant AND counts_terrl = 1 AND sent_at > @dayStart AND (@end IS NULL OR sent_at < @end) AND (@exclude IS NULL OR token NOT LIKE @exclude)`)
          .get(params),
      ) as { n: number | null };
      counts.tenantExternalLastDay = t.n ?? 0;
    }
    return counts;
  }

  /** May `account` send one more message to `recipients` recipients at `now`? Refusals say which limit and the counts. */
  canSend(account: string, now: Date, limits: QuotaLimits, message: { recipients: number; externalRecipients?: number; tenant?: string } = { recipients: 1 }): QuotaDecision {
    return decide(account, this.counts(account, now, { tenant: message.tenant ?? '' }), limits, message);
  }

  /**
   * Atomically decides and, when allowed, logs the send (accepted = 0 until `settle`). Two runs
   * sharing the log cannot both take the last message of the day: the check and the insert run
   * in one IMMEDIATE transaction.
   */
  reserve(record: SendRecord, now: Date, limits: QuotaLimits): QuotaDecision & { id?: number } {
    const tx = this.db.transaction((): QuotaDecision & { id?: number } => {
      const decision = this.canSend(record.account, now, limits, { recipients: record.recipients, externalRecipients: record.externalRecipients ?? 0, tenant: record.tenant ?? '' });
      if (!decision.allowed) return decision;
      const info = this.db
        .prepare(
          `INSERT INTO sends (account, tenant, path, entry, endpoint, recipients, external_recipients, counts_terrl, token, sent_at, accepted)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
        )
        .run(accountKey(record.account), record.tenant ?? '', record.path ?? 'mailbox', record.entry, record.endpoint, record.recipients, record.externalRecipients ?? 0, record.countsTerrl ? 1 : 0, record.token, now.toISOString());
      return { ...decision, id: Number(info.lastInsertRowid) };
    });
    return this.wrap(() => tx.immediate());
  }

  /** Records the server's verdict on a reserved send (1 = answered 250 after DATA). */
  settle(id: number, accepted: boolean): void {
    this.wrap(() => this.db.prepare('UPDATE sends SET accepted = ? WHERE id = ?').run(accepted ? 1 : 0, id));
  }

  /**
   * Copies the sends of the 24 hours before `now` from an old store (a history store that also
   * held the send log), once per store. A missing file is nothing to copy; a store that cannot
   * be read is a StoreError (the quota cannot be known without it).
   */
  importOldStore(oldFile: string, now: Date): number {
    const file = resolve(oldFile);
    if (file === resolve(this.file) || !existsSync(file)) return 0;
    const done = this.wrap(() => this.db.prepare('SELECT 1 FROM imported_stores WHERE file = ?').get(file));
    if (done) return 0;
    let old: Db;
    try {
      const addon = nativeBinding();
      old = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000, ...(addon ? { nativeBinding: addon } : {}) });
    } catch (err) {
      throw storeError(file, err);
    }
    let rows: { account: string; entry: string; endpoint: string; recipients: number; token: string; sent_at: string; accepted: number }[];
    try {
      const has = old.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sends'").get();
      rows = has
        ? (old.prepare('SELECT account, entry, endpoint, recipients, token, sent_at, accepted FROM sends WHERE sent_at > ?').all(new Date(now.getTime() - DAY_MS).toISOString()) as typeof rows)
        : [];
    } catch (err) {
      throw storeError(file, err);
    } finally {
      old.close();
    }
    const copy = this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM imported_stores WHERE file = ?').get(file)) return 0;
      const insert = this.db.prepare(
        `INSERT OR IGNORE INTO sends (account, tenant, path, entry, endpoint, recipients, external_recipients, counts_terrl, token, sent_at, accepted, source)
         VALUES (?, '', 'imported', ?, ?, ?, 0, 0, ?, ?, ?, ?)`,
      );
      let n = 0;
      for (const r of rows) n += insert.run(accountKey(r.account), r.entry, r.endpoint, r.recipients, r.token, r.sent_at, r.accepted, file).changes;
      this.db.prepare('INSERT INTO imported_stores (file, imported_at, rows) VALUES (?, ?, ?)').run(file, now.toISOString(), n);
      return n;
    });
    return this.wrap(() => copy.immediate());
  }

  /** Every logged send of an account, oldest first (for tests and diagnostics). */
  history(account: string): { entry: string; endpoint: string; token: string; sentAt: string; accepted: boolean; recipients: number; source: string | null }[] {
    const rows = this.wrap(() =>
      this.db.prepare('SELECT entry, endpoint, token, sent_at AS sentAt, accepted, recipients, source FROM sends WHERE account = ? ORDER BY sent_at, id').all(accountKey(account)),
    ) as { entry: string; endpoint: string; token: string; sentAt: string; accepted: number; recipients: number; source: string | null }[];
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

const n = (v: number) => v.toLocaleString('en-US');
const plural = (v: number, word: string) => `${n(v)} ${word}${v === 1 ? '' : 's'}`;

/** The first limit one more message would pass, in the order an admin can act on. */
export function decide(account: string, counts: SendCounts, limits: QuotaLimits, message: { recipients: number; externalRecipients?: number } = { recipients: 1 }): QuotaDecision {
  const who = accountKey(account);
  const refuse = (limit: Extract<QuotaDecision, { allowed: false }>['limit'], text: string): QuotaDecision => ({ allowed: false, limit, counts, limits, message: text });
  const frees = counts.dayWindowFreesAt ? `; the next message may go after ${counts.dayWindowFreesAt}` : '';
  if (limits.recipientsPerMessage !== undefined && message.recipients > limits.recipientsPerMessage) {
    return refuse('recipients-per-message', `the message has ${plural(message.recipients, 'recipient')}; recipientsPerMessage is ${n(limits.recipientsPerMessage)}`);
  }
  if (limits.messagesPerDay !== undefined && counts.lastDay + 1 > limits.messagesPerDay) {
    return refuse('day', `${who} sent ${plural(counts.lastDay, 'message')} in the last 24 hours; messagesPerDay is ${n(limits.messagesPerDay)}${frees}`);
  }
  const recipientsDay = counts.recipientsLastDay ?? 0;
  if (limits.recipientsPerDay !== undefined && recipientsDay + message.recipients > limits.recipientsPerDay) {
    return refuse('recipients-day', `${who} sent to ${plural(recipientsDay, 'recipient')} in the last 24 hours; this message's ${n(message.recipients)} would pass recipientsPerDay ${n(limits.recipientsPerDay)}${frees}`);
  }
  if (limits.messagesPerMinute !== undefined && counts.lastMinute + 1 > limits.messagesPerMinute) {
    return refuse('minute', `${who} sent ${plural(counts.lastMinute, 'message')} in the last minute; messagesPerMinute is ${n(limits.messagesPerMinute)}`);
  }
  const external = counts.tenantExternalLastDay ?? 0;
  if (limits.tenantExternalPerDay !== undefined && (message.externalRecipients ?? 0) > 0 && external + (message.externalRecipients ?? 0) > limits.tenantExternalPerDay) {
    return refuse('tenant-external', `the tenant sent to ${plural(external, 'external recipient')} in the last 24 hours (relaycheck's own sends); the tenant external recipient limit (TERRL) is ${n(limits.tenantExternalPerDay)}`);
  }
  return { allowed: true, counts, limits };
}

export function openSendLog(file: string): SendLog {
  return new SendLog(openLogDb(file), file);
}

/** The old store a run used to keep its sends in: the plan's store:, else the run's (shared 'storePath'). */
export function runStorePath(plan: Plan, shared: Map<string, unknown>): string | undefined {
  const fromRun = shared.get(SHARED_STORE_PATH);
  return plan.store ?? (typeof fromRun === 'string' && fromRun ? fromRun : undefined);
}

/** The send log's file for a run: the shared override (tests), else the per-user state location. */
export function runSendLogPath(plan: Plan, shared: Map<string, unknown>): string {
  const override = shared.get(SHARED_SEND_LOG_PATH);
  return typeof override === 'string' && override ? override : sendLogPath(plan);
}

/**
 * The run's send log, opened once and shared by every probe (ctx.shared 'sendLog'), with the
 * run's old store copied in first. A log that cannot be opened throws the same StoreError to
 * every caller; nothing is ever overwritten.
 */
export function sharedSendLog(plan: Plan, shared: Map<string, unknown>, now: Date = new Date()): SendLog {
  const existing = shared.get(SHARED_STORE);
  if (existing instanceof SendLog && existing.db.open) return existing;
  const failed = shared.get(SHARED_STORE_ERROR);
  if (failed instanceof StoreError) throw failed;
  const file = runSendLogPath(plan, shared);
  let log: SendLog | undefined;
  try {
    log = openSendLog(file);
    const old = runStorePath(plan, shared);
    if (old) log.importOldStore(old, now);
    shared.set(SHARED_STORE, log);
    return log;
  } catch (err) {
    log?.close();
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
