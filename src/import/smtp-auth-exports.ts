// Readers for the exports that say who can still authenticate with SMTP AUTH: Get-CASMailbox
// (SmtpClientAuthenticationDisabled per mailbox: true = off, false = on, null = inherits the
// tenant), Get-TransportConfig (the tenant's SmtpClientAuthenticationDisabled), and the SMTP AUTH
// clients report of the Exchange admin center (Reports > Mail flow; CSV columns Sender address,
// Domain, TLS 1.0, TLS 1.1, TLS 1.2, Messages sent). Reference: exchange-online.md, "OAuth 2.0".
import { UsageError } from '../errors.js';
import { parseCsv } from './csv.js';
import { Fields } from './exports.js';
import type { ExportFile } from './read.js';

/** The per-mailbox setting: false → 'on', null → 'inherit', true → 'off', property missing → 'not-exported'. */
export type MailboxSmtpAuth = 'on' | 'inherit' | 'off' | 'not-exported';

export interface CasMailboxExport {
  index: number;
  /** the primary SMTP address, lower case (or the Name when the export has no address) */
  address: string;
  name: string;
  /** every SMTP address of the mailbox, lower case (primary first) */
  addresses: string[];
  smtpAuth: MailboxSmtpAuth;
}

export interface SmtpAuthReportRow {
  line: number;
  sender: string;
  /** share of messages over TLS 1.0 / 1.1 / 1.2 as the report gives it (percent or fraction) */
  tls10?: number;
  tls11?: number;
  tls12?: number;
  messages?: number;
}

export const SMTP_AUTH_HINTS = {
  cas: 'Get-CASMailbox -ResultSize Unlimited | Select-Object Name,PrimarySmtpAddress,EmailAddresses,SmtpClientAuthenticationDisabled | ConvertTo-Json -Depth 3 | Out-File cas.json -Encoding utf8',
  transport: 'Get-TransportConfig | Select-Object SmtpClientAuthenticationDisabled | ConvertTo-Json | Out-File transport.json -Encoding utf8',
  report: 'Exchange admin center > Reports > Mail flow > SMTP AUTH clients report > Export (CSV)',
} as const;

const SETTING = 'SmtpClientAuthenticationDisabled';

function mailboxSetting(f: Fields): MailboxSmtpAuth {
  if (!f.has(SETTING)) return 'not-exported';
  const v = f.bool(SETTING);
  return v === undefined ? 'inherit' : v ? 'off' : 'on';
}

export function parseCasMailboxExport(exp: ExportFile): CasMailboxExport[] {
  const out = exp.records.map((record, index) => {
    const f = new Fields(record, exp.file, index);
    if (!f.has('PrimarySmtpAddress') && !f.has(SETTING)) {
      const found = f.has('SmartHosts') || f.has('SenderDomains') ? 'it looks like connector output' : f.has('DomainName') ? 'it looks like Get-AcceptedDomain output' : 'it has neither PrimarySmtpAddress nor SmtpClientAuthenticationDisabled';
      throw new UsageError([{ file: exp.file, path: `[${index}]`, message: `not a Get-CASMailbox export: ${found}; export it with: ${SMTP_AUTH_HINTS.cas}` }]);
    }
    const primary = f.text('PrimarySmtpAddress')?.toLowerCase();
    const name = f.text('Name') ?? f.text('DisplayName') ?? f.text('Identity') ?? primary ?? `mailbox ${index + 1}`;
    const aliases = f
      .list('EmailAddresses')
      .filter((a) => /^smtp:/i.test(a))
      .map((a) => a.slice(5).toLowerCase());
    const addresses = [...new Set([...(primary ? [primary] : []), ...aliases])];
    return { index, address: primary ?? name, name, addresses, smtpAuth: mailboxSetting(f) };
  });
  if (out.length && out.every((m) => m.smtpAuth === 'not-exported')) {
    throw new UsageError([
      {
        file: exp.file,
        message: `no mailbox has SmtpClientAuthenticationDisabled (Get-EXOCASMailbox leaves it out unless asked: -Properties SmtpClientAuthenticationDisabled); export it with: ${SMTP_AUTH_HINTS.cas}`,
      },
    ]);
  }
  return out;
}

/** The tenant's SmtpClientAuthenticationDisabled: true (SMTP AUTH off unless a mailbox turns it on) or false. */
export function parseTransportConfigExport(exp: ExportFile): boolean {
  if (exp.records.length !== 1) {
    throw new UsageError([{ file: exp.file, message: `expected the one object Get-TransportConfig returns (found ${exp.records.length}); export it with: ${SMTP_AUTH_HINTS.transport}` }]);
  }
  const f = new Fields(exp.records[0], exp.file, 0);
  const v = f.has(SETTING) ? f.bool(SETTING) : undefined;
  if (v === undefined) {
    throw new UsageError([{ file: exp.file, path: `[0].${SETTING}`, message: `missing: this is not a Get-TransportConfig export; export it with: ${SMTP_AUTH_HINTS.transport}` }]);
  }
  return v;
}

/** "Sender address" → "senderaddress", "TLS 1.0 (%)" → "tls10" */
function headerKey(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const COLUMNS: Record<keyof Omit<SmtpAuthReportRow, 'line'>, RegExp> = {
  sender: /^(senderaddress|sender|senderemailaddress|user|userprincipalname|upn)$/,
  tls10: /^tls10/,
  tls11: /^tls11/,
  tls12: /^tls12/,
  messages: /^(messagessent|messagecount|messages|sentmessages|count)$/,
};

/** "100%", "99,5 %", "0.25", "1,234" (thousands), "" → number | undefined */
function numberOf(cell: string | undefined, kind: 'share' | 'count'): number | undefined {
  const t = (cell ?? '').trim().replace(/%$/, '').trim();
  if (!t) return undefined;
  const n = kind === 'count' ? Number(t.replace(/[\s,.'\u00a0]/g, '')) : Number(t.replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

export function parseSmtpAuthReport(text: string, file: string): SmtpAuthReportRow[] {
  const table = parseCsv(text);
  const keys = table.header.map(headerKey);
  const col = (name: keyof typeof COLUMNS) => keys.findIndex((k) => COLUMNS[name].test(k));
  const sender = col('sender');
  if (sender < 0) {
    const found = table.header.length ? table.header.map((h) => JSON.stringify(h.slice(0, 40))).join(', ') : 'no header line';
    throw new UsageError([{ file, line: 1, message: `not an SMTP AUTH clients report: no "Sender address" column (found ${found}); export it from the ${SMTP_AUTH_HINTS.report}` }]);
  }
  const idx = { tls10: col('tls10'), tls11: col('tls11'), tls12: col('tls12'), messages: col('messages') };
  const rows: SmtpAuthReportRow[] = [];
  for (const r of table.rows) {
    const address = (r.cells[sender] ?? '').trim().toLowerCase();
    if (!address) continue;
    if (!/^[^@\s]+@[^@\s]+$/.test(address)) throw new UsageError([{ file, line: r.line, message: `the sender ${JSON.stringify(address.slice(0, 60))} is not an e-mail address` }]);
    rows.push({
      line: r.line,
      sender: address,
      tls10: idx.tls10 >= 0 ? numberOf(r.cells[idx.tls10], 'share') : undefined,
      tls11: idx.tls11 >= 0 ? numberOf(r.cells[idx.tls11], 'share') : undefined,
      tls12: idx.tls12 >= 0 ? numberOf(r.cells[idx.tls12], 'share') : undefined,
      messages: idx.messages >= 0 ? numberOf(r.cells[idx.messages], 'count') : undefined,
    });
  }
  // One sender may appear once per day or per domain: add its messages up, keep any legacy TLS.
  const bySender = new Map<string, SmtpAuthReportRow>();
  for (const row of rows) {
    const prior = bySender.get(row.sender);
    if (!prior) bySender.set(row.sender, { ...row });
    else {
      prior.messages = row.messages === undefined ? prior.messages : (prior.messages ?? 0) + row.messages;
      prior.tls10 = Math.max(prior.tls10 ?? 0, row.tls10 ?? 0) || prior.tls10;
      prior.tls11 = Math.max(prior.tls11 ?? 0, row.tls11 ?? 0) || prior.tls11;
      prior.tls12 = Math.max(prior.tls12 ?? 0, row.tls12 ?? 0) || prior.tls12;
    }
  }
  return [...bySender.values()];
}
