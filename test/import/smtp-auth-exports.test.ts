import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { readExportFile, readExportText } from '../../src/import/read.js';
import { parseCasMailboxExport, parseSmtpAuthReport, parseTransportConfigExport, SMTP_AUTH_HINTS } from '../../src/import/smtp-auth-exports.js';

const FIX = (p: string) => fileURLToPath(new URL(`../../fixtures/exports/${p}`, import.meta.url));
const cas = (records: Record<string, unknown>[]) => parseCasMailboxExport({ file: 'cas.json', records });

describe('Get-CASMailbox export', () => {
  it('tells the three states of SmtpClientAuthenticationDisabled apart: false is on, null inherits, true is off', () => {
    const m = cas([
      { PrimarySmtpAddress: 'On@Contoso.com', SmtpClientAuthenticationDisabled: false },
      { PrimarySmtpAddress: 'inherit@contoso.com', SmtpClientAuthenticationDisabled: null },
      { PrimarySmtpAddress: 'off@contoso.com', SmtpClientAuthenticationDisabled: true },
      { PrimarySmtpAddress: 'text@contoso.com', SmtpClientAuthenticationDisabled: 'False' },
      { PrimarySmtpAddress: 'missing@contoso.com' },
    ]);
    expect(m.map((x) => [x.address, x.smtpAuth])).toEqual([
      ['on@contoso.com', 'on'],
      ['inherit@contoso.com', 'inherit'],
      ['off@contoso.com', 'off'],
      ['text@contoso.com', 'on'],
      ['missing@contoso.com', 'not-exported'],
    ]);
  });

  it('reads the PowerShell 7 and the UTF-16 Windows PowerShell 5.1 exports to the same mailboxes, aliases included', () => {
    const ps7 = parseCasMailboxExport(readExportFile(FIX('cas-mailboxes/ps7.json'), SMTP_AUTH_HINTS.cas));
    const ps51 = parseCasMailboxExport(readExportFile(FIX('cas-mailboxes/ps51.json'), SMTP_AUTH_HINTS.cas));
    expect(ps51).toEqual(ps7);
    expect(ps7.find((m) => m.name === 'erp')?.addresses).toEqual(['erp@fabrikam.com', 'erp-notify@fabrikam.com']);
    expect(ps7.map((m) => m.smtpAuth).sort()).toEqual(['inherit', 'inherit', 'inherit', 'off', 'off', 'on', 'on', 'on']);
  });

  it('refuses an export in which no mailbox has the setting (Get-EXOCASMailbox without -Properties), saying how to export it', () => {
    expect(() => cas([{ PrimarySmtpAddress: 'a@contoso.com', PopEnabled: false }])).toThrow(/cas\.json: no mailbox has SmtpClientAuthenticationDisabled \(Get-EXOCASMailbox leaves it out unless asked/);
  });

  it('refuses a connector export given as --cas-mailboxes, naming the record', () => {
    expect(() => cas([{ Name: 'X', SmartHosts: ['a'] }])).toThrow(/cas\.json: \[0\]: not a Get-CASMailbox export: it looks like connector output/);
  });
});

describe('Get-TransportConfig export', () => {
  it('reads the tenant setting from PowerShell 7 and UTF-16 Windows PowerShell 5.1 exports', () => {
    expect(parseTransportConfigExport(readExportFile(FIX('transport-config/smtp-auth-allowed.json'), SMTP_AUTH_HINTS.transport))).toBe(false);
    expect(parseTransportConfigExport(readExportFile(FIX('transport-config/smtp-auth-disabled.json'), SMTP_AUTH_HINTS.transport))).toBe(true);
  });

  it('refuses an export without SmtpClientAuthenticationDisabled or with several objects', () => {
    expect(() => parseTransportConfigExport({ file: 't.json', records: [{ Name: 'x' }] })).toThrow(/t\.json: \[0\]\.SmtpClientAuthenticationDisabled: missing: this is not a Get-TransportConfig export/);
    expect(() => parseTransportConfigExport({ file: 't.json', records: [{}, {}] })).toThrow(/expected the one object Get-TransportConfig returns \(found 2\)/);
  });
});

describe('SMTP AUTH clients report (CSV)', () => {
  it('reads the Exchange admin center export: sender, TLS shares and messages sent, thousands separators included', () => {
    const rows = parseSmtpAuthReport(readExportText(FIX('smtp-auth-report/smtp-auth-clients.csv')), 'r.csv');
    expect(rows.find((r) => r.sender === 'newsletter@fabrikam.com')).toMatchObject({ messages: 48210, tls10: 0, tls12: 100 });
    expect(rows.find((r) => r.sender === 'printer-line3@fabrikam.com')).toMatchObject({ messages: 310, tls10: 100 });
    expect(rows).toHaveLength(6);
  });

  it('reads a sheet re-saved with semicolons and decimal commas, and adds up a sender listed twice', () => {
    const rows = parseSmtpAuthReport('Sender Address;Domain;TLS1.0 (%);TLS1.1 (%);TLS1.2 (%);Message count\nA@contoso.com;contoso.com;0;12,5 %;87,5 %;1.200\na@contoso.com;contoso.com;0;0;100;30\n', 'r.csv');
    expect(rows).toEqual([{ line: 2, sender: 'a@contoso.com', tls10: 0, tls11: 12.5, tls12: 100, messages: 1230 }]);
  });

  it('reads the sheet saved by Excel as Unicode text: UTF-16 LE with a BOM, tab-separated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-csv-'));
    try {
      const file = join(dir, 'report.txt');
      writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Sender address\tTLS 1.0\tTLS 1.1\tTLS 1.2\tMessages sent\r\nprinter@contoso.com\t100%\t0%\t0%\t42\r\n', 'utf16le')]));
      expect(parseSmtpAuthReport(readExportText(file), file)).toEqual([{ line: 2, sender: 'printer@contoso.com', tls10: 100, tls11: 0, tls12: 0, messages: 42 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a CSV without a sender column, listing the columns it found, and a sender that is no address, with its line', () => {
    expect(() => parseSmtpAuthReport('Date,Count\n2026-12-01,3\n', 'r.csv')).toThrow(/r\.csv:1: not an SMTP AUTH clients report: no "Sender address" column \(found "Date", "Count"\)/);
    expect(() => parseSmtpAuthReport('Sender address,Messages sent\na@contoso.com,1\nnot an address,2\n', 'r.csv')).toThrow(/r\.csv:3: the sender "not an address" is not an e-mail address/);
    expect(() => parseSmtpAuthReport('', 'r.csv')).toThrow(UsageError);
  });
});

it('the report fixture is UTF-8 with a BOM, as the admin center writes it', () => {
  expect([...readFileSync(FIX('smtp-auth-report/smtp-auth-clients.csv')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
});
