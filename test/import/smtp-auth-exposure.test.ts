// Who can still authenticate with SMTP AUTH: the mailbox setting wins over the tenant's, null
// inherits it (a filter on -eq $false misses those), and each exposed account gets a way forward.
import { describe, expect, it } from 'vitest';
import type { CasMailboxExport, MailboxSmtpAuth, SmtpAuthReportRow } from '../../src/import/smtp-auth-exports.js';
import { assessExposure, countsLine } from '../../src/import/smtp-auth-exposure.js';

const mailbox = (address: string, smtpAuth: MailboxSmtpAuth, aliases: string[] = []): CasMailboxExport => ({ index: 0, address, name: address.split('@')[0], addresses: [address, ...aliases], smtpAuth });
const mailboxes = [mailbox('on@contoso.com', 'on'), mailbox('inherit@contoso.com', 'inherit', ['alias@contoso.com']), mailbox('off@contoso.com', 'off')];
const cas = { file: 'cas.json', mailboxes };
const report = (rows: Partial<SmtpAuthReportRow>[]) => ({ file: 'r.csv', rows: rows.map((r, i) => ({ line: i + 2, sender: 'x@contoso.com', ...r })) });

describe('assessExposure', () => {
  it('counts the three states apart and lists inheriting mailboxes as exposed when the tenant allows SMTP AUTH', () => {
    const e = assessExposure({ cas, transport: { file: 't.json', smtpAuthDisabled: false } });
    expect(e.counts).toEqual({ on: 1, inherit: 1, off: 1, 'not-exported': 0 });
    expect(e.exposed.map((a) => [a.address, a.certain])).toEqual([
      ['inherit@contoso.com', true],
      ['on@contoso.com', true],
    ]);
    expect(countsLine(e)).toBe('3 mailboxes: 1 with SMTP AUTH on (SmtpClientAuthenticationDisabled: false), 1 inheriting the tenant setting (null; the tenant allows SMTP AUTH), 1 with SMTP AUTH off (true).');
  });

  it('lists only mailboxes that turn SMTP AUTH on themselves when the tenant has it off', () => {
    const e = assessExposure({ cas, transport: { file: 't.json', smtpAuthDisabled: true } });
    expect(e.exposed.map((a) => a.address)).toEqual(['on@contoso.com']);
  });

  it('marks inheriting mailboxes as "may" when the tenant setting was not exported', () => {
    const e = assessExposure({ cas });
    expect(e.exposed.find((a) => a.address === 'inherit@contoso.com')).toMatchObject({ certain: false, why: expect.stringContaining('give --transport-config') });
  });

  it('proposes a way forward from the report: OAuth for a modern client, connector relay for TLS 1.0/1.1, ACS for bulk, off for an unused account', () => {
    const base = [mailbox('app@contoso.com', 'on'), mailbox('printer@contoso.com', 'on'), mailbox('bulk@contoso.com', 'on'), mailbox('idle@contoso.com', 'on')];
    const e = assessExposure({
      cas: { file: 'cas.json', mailboxes: base },
      report: report([
        { sender: 'app@contoso.com', tls12: 100, messages: 40 },
        { sender: 'printer@contoso.com', tls10: 100, messages: 300 },
        { sender: 'bulk@contoso.com', tls12: 100, messages: 25_000 },
      ]),
    });
    expect(Object.fromEntries(e.exposed.map((a) => [a.address, a.way]))).toEqual({ 'app@contoso.com': 'oauth', 'printer@contoso.com': 'connector', 'bulk@contoso.com': 'acs', 'idle@contoso.com': 'turn-off' });
    expect(e.exposed.map((a) => a.address)).toEqual(['bulk@contoso.com', 'printer@contoso.com', 'app@contoso.com', 'idle@contoso.com']);
  });

  it('matches report senders by alias, lists report senders missing from the export, and notes mailboxes turned off while still in use', () => {
    const e = assessExposure({ cas, transport: { file: 't.json', smtpAuthDisabled: false }, report: report([{ sender: 'alias@contoso.com', messages: 5 }, { sender: 'ghost@contoso.com', messages: 2 }, { sender: 'off@contoso.com', messages: 9 }]) });
    expect(e.exposed.find((a) => a.address === 'inherit@contoso.com')?.usage?.messages).toBe(5);
    expect(e.exposed.find((a) => a.address === 'ghost@contoso.com')).toMatchObject({ setting: 'not-in-export', certain: true });
    expect(e.turnedOffButUsed).toEqual([{ address: 'off@contoso.com', messages: 9 }]);
  });
});
