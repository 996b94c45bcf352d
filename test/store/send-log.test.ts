import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/db.js';
import { DAY_MS, SendLog, openSendLog, sharedSendLog } from '../../src/store/send-log.js';
import { tempDir } from '../helpers/exo.js';
import type { Plan } from '../../src/types.js';

const limits = { messagesPerDay: 3, messagesPerMinute: 2 };
const record = (token: string) => ({ account: 'Scanner@Contoso.com', entry: 'Scanner', endpoint: 'smtp.office365.com:587', recipients: 1, token });
const at = (iso: string) => new Date(iso);

describe('the send log', () => {
  it('counts an account case-insensitively over the rolling 24 hours and the last minute', () => {
    const log = openSendLog(join(tempDir(), 'store.sqlite'));
    log.reserve(record('a'), at('2026-11-26T01:00:00Z'), limits); // 25 h before: outside the day
    log.reserve(record('b'), at('2026-11-26T03:00:00Z'), limits);
    log.reserve(record('c'), at('2026-11-27T01:59:30Z'), limits);
    const counts = log.counts('scanner@contoso.com', at('2026-11-27T02:00:00Z'));
    expect(counts.lastDay).toBe(2);
    expect(counts.lastMinute).toBe(1);
    expect(counts.dayWindowFreesAt).toBe('2026-11-27T03:00:00.000Z');
    log.close();
  });

  it('refuses the send that would pass messagesPerDay and logs nothing for it', () => {
    const log = openSendLog(join(tempDir(), 'store.sqlite'));
    const t = (m: number) => new Date(Date.parse('2026-11-27T00:00:00Z') + m * 10 * 60_000);
    expect(log.reserve(record('1'), t(0), limits).allowed).toBe(true);
    expect(log.reserve(record('2'), t(1), limits).allowed).toBe(true);
    expect(log.reserve(record('3'), t(2), limits).allowed).toBe(true);
    const refused = log.reserve(record('4'), t(3), limits);
    expect(refused).toMatchObject({ allowed: false, limit: 'day', counts: { lastDay: 3 } });
    expect(refused.id).toBeUndefined();
    if (!refused.allowed) expect(refused.message).toBe('scanner@contoso.com sent 3 messages in the last 24 hours; messagesPerDay is 3; the next message may go after 2026-11-28T00:00:00.000Z');
    expect(log.history('scanner@contoso.com').map((h) => h.token)).toEqual(['1', '2', '3']);
    // a day after the first send, one message is free again
    expect(log.canSend('scanner@contoso.com', new Date(t(0).getTime() + DAY_MS + 1), limits).allowed).toBe(true);
    log.close();
  });

  it('refuses the send that would pass messagesPerMinute', () => {
    const log = openSendLog(join(tempDir(), 'store.sqlite'));
    const now = at('2026-11-27T02:00:00Z');
    log.reserve(record('1'), now, { messagesPerDay: 100, messagesPerMinute: 2 });
    log.reserve(record('2'), now, { messagesPerDay: 100, messagesPerMinute: 2 });
    expect(log.reserve(record('3'), now, { messagesPerDay: 100, messagesPerMinute: 2 })).toMatchObject({ allowed: false, limit: 'minute' });
    expect(log.canSend('scanner@contoso.com', new Date(now.getTime() + 61_000), { messagesPerDay: 100, messagesPerMinute: 2 }).allowed).toBe(true);
    log.close();
  });

  it('keeps its history across separate runs that share the file', () => {
    const file = join(tempDir(), 'store.sqlite');
    const first = openSendLog(file);
    first.settle(first.reserve(record('run1'), at('2026-11-27T01:00:00Z'), limits).id!, true);
    first.close();
    const second = openSendLog(file);
    expect(second.history('scanner@contoso.com')).toEqual([{ entry: 'Scanner', endpoint: 'smtp.office365.com:587', token: 'run1', sentAt: '2026-11-27T01:00:00.000Z', accepted: true }]);
    second.close();
  });

  it('reports a store locked by another run as a StoreError instead of waiting or losing the send', () => {
    const file = join(tempDir(), 'store.sqlite');
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

  it('refuses a damaged store with a clear error and leaves the file as it was', () => {
    const file = join(tempDir(), 'store.sqlite');
    writeFileSync(file, 'this is not a database, but someone may still want it back\n'.repeat(200));
    const before = readFileSync(file);
    expect(() => openSendLog(file)).toThrow(StoreError);
    expect(() => openSendLog(file)).toThrow(/move it aside/);
    expect(readFileSync(file)).toEqual(before);
  });

  it('opens the run store once, from the plan first, else from the run\'s storePath', () => {
    const dir = tempDir();
    const shared = new Map<string, unknown>([['storePath', join(dir, 'out', 'relaycheck.sqlite')]]);
    const plan = { store: undefined } as unknown as Plan;
    const log = sharedSendLog(plan, shared);
    expect(log.file).toBe(join(dir, 'out', 'relaycheck.sqlite'));
    expect(sharedSendLog(plan, shared)).toBe(log);
    const other = sharedSendLog({ store: join(dir, 'plan.sqlite') } as unknown as Plan, new Map(shared));
    expect(other.file).toBe(log.file); // an open log is reused within a run
    const planFirst = sharedSendLog({ store: join(dir, 'plan.sqlite') } as unknown as Plan, new Map([['storePath', join(dir, 'x.sqlite')]]));
    expect(planFirst.file).toBe(join(dir, 'plan.sqlite'));
    log.close();
    planFirst.close();
  });

  it('reports the same StoreError to every probe of a run when the store cannot be opened', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.sqlite');
    writeFileSync(file, 'garbage'.repeat(1000));
    const shared = new Map<string, unknown>();
    const plan = { store: file } as unknown as Plan;
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
