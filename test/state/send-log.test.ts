import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../src/store/db.js';
import { DAY_MS, SendLog, openSendLog, sharedSendLog } from '../../src/state/send-log.js';
import { tempDir } from '../helpers/exo.js';
import type { Plan } from '../../src/types.js';

const limits = { messagesPerDay: 3, messagesPerMinute: 2 };
const record = (token: string, extra: Record<string, unknown> = {}) => ({ account: 'Scanner@Contoso.com', entry: 'Scanner', endpoint: 'smtp.office365.com:587', recipients: 1, token, ...extra });
const at = (iso: string) => new Date(iso);
const logIn = () => openSendLog(join(tempDir(), 'send-log.sqlite'));

describe('the send log', () => {
  it('counts an account case-insensitively over the rolling 24 hours and the last minute, in messages and recipients', () => {
    const log = logIn();
    log.reserve(record('a', { recipients: 7 }), at('2026-11-26T01:00:00Z'), limits); // 25 h before: outside the day
    log.reserve(record('b', { recipients: 2 }), at('2026-11-26T03:00:00Z'), limits);
    log.reserve(record('c', { recipients: 3 }), at('2026-11-27T01:59:30Z'), limits);
    const counts = log.counts('scanner@contoso.com', at('2026-11-27T02:00:00Z'));
    expect(counts).toMatchObject({ lastDay: 2, lastMinute: 1, recipientsLastDay: 5, dayWindowFreesAt: '2026-11-27T03:00:00.000Z' });
    log.close();
  });

  it('refuses the send that would pass messagesPerDay and logs nothing for it', () => {
    const log = logIn();
    const t = (m: number) => new Date(Date.parse('2026-11-27T00:00:00Z') + m * 10 * 60_000);
    expect(log.reserve(record('1'), t(0), limits).allowed).toBe(true);
    expect(log.reserve(record('2'), t(1), limits).allowed).toBe(true);
    expect(log.reserve(record('3'), t(2), limits).allowed).toBe(true);
    const refused = log.reserve(record('4'), t(3), limits);
    expect(refused).toMatchObject({ allowed: false, limit: 'day', counts: { lastDay: 3 } });
    expect(refused.id).toBeUndefined();
    if (!refused.allowed) expect(refused.message).toBe('scanner@contoso.com sent 3 messages in the last 24 hours; messagesPerDay is 3; the next message may go after 2026-11-28T00:00:00.000Z');
    expect(log.history('scanner@contoso.com').map((h) => h.token)).toEqual(['1', '2', '3']);
    expect(log.canSend('scanner@contoso.com', new Date(t(0).getTime() + DAY_MS + 1), limits).allowed).toBe(true);
    log.close();
  });

  it('without messagesPerDay, counts recipients against recipientsPerDay (Exchange Online counts recipients, not messages)', () => {
    const log = logIn();
    const mailbox = { recipientsPerDay: 10, messagesPerMinute: 30, recipientsPerMessage: 500 };
    const t = (m: number) => new Date(Date.parse('2026-11-27T00:00:00Z') + m * 120_000);
    for (let i = 0; i < 4; i++) expect(log.reserve(record(`m${i}`, { recipients: 2 }), t(i), mailbox).allowed).toBe(true);
    const refused = log.reserve(record('m4', { recipients: 3 }), t(4), mailbox);
    expect(refused).toMatchObject({ allowed: false, limit: 'recipients-day' });
    if (!refused.allowed) expect(refused.message).toBe("scanner@contoso.com sent to 8 recipients in the last 24 hours; this message's 3 would pass recipientsPerDay 10; the next message may go after 2026-11-28T00:00:00.000Z");
    expect(log.reserve(record('m5', { recipients: 2 }), t(5), mailbox).allowed).toBe(true);
    log.close();
  });

  it('refuses a message with more recipients than recipientsPerMessage before counting anything', () => {
    const log = logIn();
    const refused = log.reserve(record('big', { recipients: 501 }), at('2026-11-27T02:00:00Z'), { recipientsPerMessage: 500 });
    expect(refused).toMatchObject({ allowed: false, limit: 'recipients-per-message', message: 'the message has 501 recipients; recipientsPerMessage is 500' });
    log.close();
  });

  it('refuses the send that would pass messagesPerMinute', () => {
    const log = logIn();
    const now = at('2026-11-27T02:00:00Z');
    const perMinute = { messagesPerDay: 100, messagesPerMinute: 2 };
    log.reserve(record('1'), now, perMinute);
    log.reserve(record('2'), now, perMinute);
    expect(log.reserve(record('3'), now, perMinute)).toMatchObject({ allowed: false, limit: 'minute' });
    expect(log.canSend('scanner@contoso.com', new Date(now.getTime() + 61_000), perMinute).allowed).toBe(true);
    log.close();
  });

  it("holds the tenant's external recipients to TERRL across accounts, leaving out paths that do not count (HVE, ACS)", () => {
    const log = logIn();
    const now = at('2026-11-27T02:00:00Z');
    const terrl = { tenantExternalPerDay: 5 };
    const tenant = { tenant: 'contoso.com', countsTerrl: true };
    expect(log.reserve({ ...record('r1', { recipients: 3, externalRecipients: 3, ...tenant }), account: 'relay@contoso.com' }, now, terrl).allowed).toBe(true);
    expect(log.reserve({ ...record('h1', { recipients: 50, externalRecipients: 50, tenant: 'contoso.com', countsTerrl: false, path: 'acs' }), account: 'acs-app' }, now, {}).allowed).toBe(true);
    const refused = log.reserve(record('m1', { recipients: 3, externalRecipients: 3, ...tenant }), now, terrl);
    expect(refused).toMatchObject({ allowed: false, limit: 'tenant-external', counts: { tenantExternalLastDay: 3 } });
    // an internal message is not held by TERRL
    expect(log.reserve(record('m2', { recipients: 1, externalRecipients: 0, ...tenant }), now, terrl).allowed).toBe(true);
    log.close();
  });

  it('keeps its history across separate runs that share the file', () => {
    const file = join(tempDir(), 'send-log.sqlite');
    const first = openSendLog(file);
    first.settle(first.reserve(record('run1'), at('2026-11-27T01:00:00Z'), limits).id!, true);
    first.close();
    const second = openSendLog(file);
    expect(second.history('scanner@contoso.com')).toEqual([{ entry: 'Scanner', endpoint: 'smtp.office365.com:587', token: 'run1', sentAt: '2026-11-27T01:00:00.000Z', accepted: true, recipients: 1, source: null }]);
    second.close();
  });

  it('reports a log locked by another run as a StoreError instead of waiting or losing the send', () => {
    const file = join(tempDir(), 'send-log.sqlite');
    openSendLog(file).close();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const log = new SendLog(new Database(file, { timeout: 0 }), file);
    expect(() => log.reserve(record('x'), new Date(), limits)).toThrow(StoreError);
    expect(() => log.reserve(record('x'), new Date(), limits)).toThrow(/is locked by another relaycheck run/);
    other.exec('ROLLBACK');
    other.close();
    expect(log.history('scanner@contoso.com')).toEqual([]);
    log.close();
  });

  it('refuses a damaged log with a clear error and leaves the file as it was', () => {
    const file = join(tempDir(), 'send-log.sqlite');
    writeFileSync(file, 'this is not a database, but someone may still want it back\n'.repeat(200));
    const before = readFileSync(file);
    expect(() => openSendLog(file)).toThrow(StoreError);
    expect(() => openSendLog(file)).toThrow(/move it aside/);
    expect(readFileSync(file)).toEqual(before);
  });
});

describe('sends from old stores (the history store that used to hold the send log)', () => {
  function oldStore(rows: [token: string, sentAt: string][]): string {
    const file = join(tempDir(), 'relaycheck.sqlite');
    const db = openStore(file); // the old layout: its first migration is the sends table
    const insert = db.prepare('INSERT INTO sends (account, entry, endpoint, recipients, token, sent_at, accepted) VALUES (?, ?, ?, ?, ?, ?, 1)');
    for (const [token, sentAt] of rows) insert.run('scanner@contoso.com', 'Scanner', 'smtp.office365.com:587', 2, token, sentAt);
    db.close();
    return file;
  }

  it('copies the last 24 hours in once, without loss and without counting a send twice', () => {
    const now = at('2026-11-27T12:00:00Z');
    const old = oldStore([
      ['too-old', '2026-11-26T11:00:00.000Z'],
      ['morning', '2026-11-27T08:00:00.000Z'],
      ['noon', '2026-11-27T11:59:00.000Z'],
    ]);
    const log = logIn();
    expect(log.importOldStore(old, now)).toBe(2);
    expect(log.importOldStore(old, now)).toBe(0);
    expect(log.history('scanner@contoso.com').map((h) => [h.token, h.recipients, h.source])).toEqual([
      ['morning', 2, old],
      ['noon', 2, old],
    ]);
    expect(log.counts('scanner@contoso.com', now)).toMatchObject({ lastDay: 2, recipientsLastDay: 4 });
    expect(log.reserve(record('new'), now, { messagesPerDay: 2 })).toMatchObject({ allowed: false, limit: 'day' });
    log.close();
  });

  it('has nothing to copy from a store that does not exist or holds no sends table', () => {
    const log = logIn();
    expect(log.importOldStore(join(tempDir(), 'missing.sqlite'), new Date())).toBe(0);
    const empty = join(tempDir(), 'empty.sqlite');
    new Database(empty).close();
    expect(log.importOldStore(empty, new Date())).toBe(0);
    log.close();
  });

  it("is one log per user for every report folder: a run's --out store is only read, never the place sends go", () => {
    const state = tempDir();
    const plan = { stateDir: state } as unknown as Plan;
    const now = new Date();
    const a = sharedSendLog(plan, new Map<string, unknown>([['storePath', join(tempDir(), 'out-a', 'relaycheck.sqlite')]]), now);
    a.reserve(record('from-a'), now, { messagesPerDay: 1 });
    a.close();
    const b = sharedSendLog(plan, new Map<string, unknown>([['storePath', join(tempDir(), 'out-b', 'relaycheck.sqlite')]]), now);
    expect(b.file).toBe(join(state, 'send-log.sqlite'));
    expect(b.reserve(record('from-b'), now, { messagesPerDay: 1 })).toMatchObject({ allowed: false, limit: 'day' });
    b.close();
  });

  it('reports the same StoreError to every probe of a run when the log cannot be opened', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'send-log.sqlite'), 'garbage'.repeat(1000));
    const shared = new Map<string, unknown>();
    const plan = { stateDir: dir } as unknown as Plan;
    let first: unknown;
    try {
      sharedSendLog(plan, shared);
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(StoreError);
    expect(() => sharedSendLog(plan, shared)).toThrow(first as Error);
  });
});
