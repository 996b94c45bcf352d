// What SMTP replies mean, for checks: quoting a reply as the server wrote it, and the Exchange
// Online replies of client submission and connectors with their meaning and fix
// (shared/reference/exchange-online.md, "Replies and what they mean"). Pure: no I/O.
import { findReply, REPLY_TABLE, sendAsGrant, textOf, type ReplyContext, type ReplyRow, type Reversible } from './reply-table.js';
import type { SmtpReply } from '../evidence/smtp.js';

export { sendAsGrant };

const rows = (...ids: string[]): ReplyRow[] => ids.map((id) => REPLY_TABLE.find((r) => r.id === id)!);
const SENDER_ROWS = rows('5.7.60', '5.2.252', 'postfix-553-5.7.1');
const AUTH_ROWS = rows('5.7.139', '5.7.30', '5.7.57');
const THROTTLE_ROW = rows('5.2.251-255')[0]!;

/** "550 5.7.60 SMTP; Client does not have permissions …" — the reply as the server wrote it (one line, bounded). */
export function replyText(reply: SmtpReply | undefined, max = 300): string {
  if (!reply) return '(no reply)';
  const lines = reply.lines.map((l) => l.trim()).filter(Boolean);
  let text = lines.join(' ');
  if (reply.enhanced && !text.startsWith(reply.enhanced)) text = `${reply.enhanced} ${text}`;
  const out = `${reply.code}${text ? ` ${text}` : ''}`.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/** Quote a reply in a message: “550 5.7.60 …”. */
export function quote(text: string): string {
  return `“${text}”`;
}

/** Exchange Online's client submission hosts (smtp.office365.com, smtp-legacy.office365.com, *.outlook.com). */
export function isExchangeOnlineHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'smtp.office365.com' || h.endsWith('.office365.com') || h === 'outlook.com' || h.endsWith('.outlook.com');
}

/** Replies that mean "this account may not send as this sender" (Exchange Online and Postfix). */
export function isSenderRefusal(reply: string | undefined): boolean {
  if (!reply) return false;
  return SENDER_ROWS.some((r) => r.match.test(reply));
}

/** Replies that mean "these credentials are refused". */
export function isAuthRefusal(reply: string | undefined): boolean {
  if (!reply) return false;
  return /^535\b|\b5\.7\.3\b.*authentication/i.test(reply) || AUTH_ROWS.some((r) => r.match.test(reply));
}

/**
 * Exchange Online has throttled the sending account after continuous errors: "550 5.2.251" to
 * "5.2.255 Sender throttled due to continuous … errors". (554 5.2.252 SendAsDenied, the same
 * enhanced code without "throttled", is the Send As refusal itself.)
 */
export function isThrottledReply(reply: string | undefined): boolean {
  if (!reply) return false;
  return THROTTLE_ROW.match.test(reply);
}

export interface ReplyExplanation {
  /** what the reply means */
  meaning: string;
  /** what to do (imperative) */
  fix: string;
  exchangeOnline?: string;
  powershell?: string;
  /** 4xx: temporary */
  temporary?: boolean;
  /** the reply table's row, when the reply is one Exchange Online gives (src/exo/reply-table.ts) */
  id?: string;
  /** the SMTP step the reply comes at */
  step?: string;
  reversible?: Reversible;
}

/** A table row → the explanation a finding shows, worded for what the caller knows. */
export function explainRow(row: ReplyRow, reply: string, c: ReplyContext): ReplyExplanation {
  const powershell = row.powershell?.(c);
  const exchangeOnline = row.exchangeOnline ? row.exchangeOnline(reply) : `Exchange Online answers ${row.step.startsWith('Exchange Online') ? 'the smart host' : row.step} with ${reply.slice(0, 160)}.`;
  return {
    meaning: textOf(row.meaning, c),
    fix: textOf(row.fix, c),
    exchangeOnline,
    ...(powershell ? { powershell } : {}),
    ...(row.reversible === 'retry' ? { temporary: true } : row.reversible === 'wait' ? { temporary: false } : {}),
    id: row.id,
    step: row.step,
    reversible: row.reversible,
  };
}

/** Why AUTH (or the MAIL FROM after it) was refused, and the fix. */
export function explainAuthRefusal(reply: string, account: { username: string; oauth: boolean }): ReplyExplanation {
  const row = findReply(reply, ['submission']);
  if (row && /^(5\.7\.(3|30|57|139)|4\.7\.66)/.test(row.id)) return explainRow(row, reply, account);
  if (/^4\d\d\b/.test(reply)) {
    return { meaning: 'a temporary authentication failure on the server side', fix: 'Try again later; if it persists, check the server (for Postfix: its SASL back end, e.g. the Dovecot auth service).', temporary: true };
  }
  if (/^535\b/.test(reply)) {
    return {
      meaning: account.oauth ? 'the server refused the OAuth access token' : 'the server refused the user name or password',
      fix: account.oauth ? 'Get a new access token for the account and check its audience and scope.' : 'Check the user name and the password the plan reads (environment variable or file).',
    };
  }
  return { meaning: 'the server refused the authentication', fix: 'Check the credentials and the server log for the reason.' };
}

/** Why a validation message was refused (connectors and submission), and the fix. */
export function explainSendRefusal(reply: string, ctx: { connector?: string; username?: string; from: string; certificateName?: string }): ReplyExplanation | undefined {
  const row = findReply(reply);
  if (row && /^(5\.7\.(3|30|57|139)|4\.7\.66)/.test(row.id)) return explainAuthRefusal(reply, { username: ctx.username ?? '', oauth: false });
  if (row) return explainRow(row, reply, ctx);
  if (/^53[05]\b/.test(reply)) return explainAuthRefusal(reply, { username: ctx.username ?? '', oauth: false });
  return undefined;
}

/** Any reply, NDR line or message trace status → the reply table's explanation (undefined: not in the table). */
export function explainReply(text: string, ctx: ReplyContext = {}): (ReplyExplanation & { row: ReplyRow }) | undefined {
  const row = findReply(text);
  return row ? { ...explainRow(row, text, ctx), row } : undefined;
}
