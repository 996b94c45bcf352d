// Who can still authenticate with SMTP AUTH, and the way forward for each account. A mailbox's
// SmtpClientAuthenticationDisabled overrides the tenant's: false turns SMTP AUTH on whatever the
// tenant says, true turns it off, and null inherits Get-TransportConfig's value — so a filter on
// `-eq $false` misses every inheriting mailbox; the three states are counted apart here.
// Ways forward (reference: exchange-online.md, "Sending options" and "Other submission paths"):
// OAuth 2.0 client credentials on smtp.office365.com; High Volume Email for internal-only senders
// (Basic until September 2028); relay through an inbound connector for devices that cannot do
// OAuth; Azure Communication Services for bulk mail beyond mailbox limits.
import { HVE_BASIC_UNTIL, MAILBOX_RECIPIENTS_PER_DAY, SMTP_AUTH_BASIC_OFF_BY_DEFAULT } from '../exo/facts.js';
import { SMTP_APP_PERMISSION } from '../exo/oauth.js';
import { SUBMISSION_HOSTS } from '../exo/services.js';
import type { CasMailboxExport, MailboxSmtpAuth, SmtpAuthReportRow } from './smtp-auth-exports.js';

export type WayForward = 'oauth' | 'connector' | 'acs' | 'turn-off';

export interface ExposedAccount {
  address: string;
  name: string;
  /** the mailbox's own setting, or 'not-in-export' for a report sender Get-CASMailbox did not list */
  setting: MailboxSmtpAuth | 'not-in-export';
  /** why it can authenticate (or may) */
  why: string;
  /** false when it depends on a tenant setting that was not exported */
  certain: boolean;
  usage?: SmtpAuthReportRow;
  way: WayForward;
  /** the reasoning behind `way`, and the alternatives */
  advice: string;
}

export interface ExposureInput {
  cas: { file: string; mailboxes: CasMailboxExport[] };
  /** the tenant's SmtpClientAuthenticationDisabled; undefined when not exported */
  transport?: { file: string; smtpAuthDisabled: boolean };
  report?: { file: string; rows: SmtpAuthReportRow[] };
}

export interface Exposure {
  input: ExposureInput;
  counts: Record<MailboxSmtpAuth, number>;
  exposed: ExposedAccount[];
  /** report senders whose mailbox now has SMTP AUTH off (informational) */
  turnedOffButUsed: { address: string; messages?: number }[];
}

/** Messages in the report period above which a sender is bulk mail, not a device (mailbox limit: 10,000 recipients a day). */
export const BULK_MESSAGES = MAILBOX_RECIPIENTS_PER_DAY;

const ALTERNATIVES = `Alternatives: High Volume Email (${SUBMISSION_HOSTS.hve}) if it mails only internal recipients (Basic allowed until ${HVE_BASIC_UNTIL}); relay through an inbound connector if the device cannot do OAuth; Azure Communication Services for bulk mail.`;

function legacyTls(row: SmtpAuthReportRow | undefined): boolean {
  return Boolean(row && ((row.tls10 ?? 0) > 0 || (row.tls11 ?? 0) > 0));
}

function chooseWay(row: SmtpAuthReportRow | undefined, reportGiven: boolean): { way: WayForward; advice: string } {
  if (reportGiven && !row) {
    return { way: 'turn-off', advice: 'It sent nothing through SMTP AUTH in the report period: turn SMTP AUTH off for it (Set-CASMailbox -SmtpClientAuthenticationDisabled $true). If something does still send as it, move that to OAuth 2.0 like the entries below.' };
  }
  if (legacyTls(row)) {
    return {
      way: 'connector',
      advice:
        'It submits over TLS 1.0/1.1: a device that old cannot do OAuth 2.0 or TLS 1.2. Relay it through a mail server of yours that speaks TLS 1.2 and an inbound connector (certificate-based) instead of SMTP AUTH. If it mails only internal recipients and can do TLS 1.2 after an update: High Volume Email.',
    };
  }
  if ((row?.messages ?? 0) >= BULK_MESSAGES) {
    return { way: 'acs', advice: `It sent ${row!.messages!.toLocaleString('en-US')} messages in the report period, beyond what a mailbox is for (${MAILBOX_RECIPIENTS_PER_DAY.toLocaleString('en-US')} recipients a day): move it to Azure Communication Services Email (${SUBMISSION_HOSTS.acs}), or to High Volume Email if every recipient is internal.` };
  }
  return { way: 'oauth', advice: `Move it to OAuth 2.0 client credentials (XOAUTH2, application permission ${SMTP_APP_PERMISSION}); Basic authentication for SMTP AUTH is off by default from ${SMTP_AUTH_BASIC_OFF_BY_DEFAULT}. ${ALTERNATIVES}` };
}

export function assessExposure(input: ExposureInput): Exposure {
  const counts: Record<MailboxSmtpAuth, number> = { on: 0, inherit: 0, off: 0, 'not-exported': 0 };
  const tenantOff = input.transport?.smtpAuthDisabled;
  const report = new Map((input.report?.rows ?? []).map((r) => [r.sender, r]));
  const reportGiven = input.report !== undefined;
  const exposed: ExposedAccount[] = [];
  const turnedOffButUsed: Exposure['turnedOffButUsed'] = [];
  const seen = new Set<string>();

  for (const m of input.cas.mailboxes) {
    counts[m.smtpAuth]++;
    const row = m.addresses.map((a) => report.get(a)).find(Boolean);
    for (const a of m.addresses) seen.add(a);
    let why: string;
    let certain = true;
    if (m.smtpAuth === 'off') {
      if (row) turnedOffButUsed.push({ address: m.address, messages: row.messages });
      continue;
    } else if (m.smtpAuth === 'on') why = 'SmtpClientAuthenticationDisabled: false (SMTP AUTH on for this mailbox, whatever the tenant says)';
    else if (m.smtpAuth === 'inherit') {
      if (tenantOff === true) continue;
      why = tenantOff === false ? 'SmtpClientAuthenticationDisabled: null, inherits the tenant, which allows SMTP AUTH (Get-TransportConfig: false)' : 'SmtpClientAuthenticationDisabled: null, inherits the tenant setting, which was not exported (give --transport-config)';
      certain = tenantOff === false;
    } else {
      why = 'SmtpClientAuthenticationDisabled is not in the export for this mailbox';
      certain = false;
    }
    exposed.push({ address: m.address, name: m.name, setting: m.smtpAuth, why, certain: certain || Boolean(row), usage: row, ...chooseWay(row, reportGiven) });
  }
  for (const row of input.report?.rows ?? []) {
    if (seen.has(row.sender)) continue;
    exposed.push({ address: row.sender, name: row.sender, setting: 'not-in-export', why: 'sent through SMTP AUTH in the report period, but is not in the Get-CASMailbox export', certain: true, usage: row, ...chooseWay(row, true) });
  }
  // Accounts in use first (most messages first), then the rest by address.
  exposed.sort((a, b) => (b.usage?.messages ?? -1) - (a.usage?.messages ?? -1) || a.address.localeCompare(b.address));
  return { input, counts, exposed, turnedOffButUsed };
}

export const WAY_LABEL: Record<WayForward, string> = {
  oauth: 'OAuth 2.0',
  connector: 'connector relay',
  acs: 'Azure Communication Services',
  'turn-off': 'turn SMTP AUTH off',
};

/** "240 mailboxes: 3 on (false), 230 inherit (null), 7 off (true)" */
export function countsLine(e: Exposure): string {
  const c = e.counts;
  const total = c.on + c.inherit + c.off + c['not-exported'];
  const tenant = e.input.transport ? (e.input.transport.smtpAuthDisabled ? 'the tenant has SMTP AUTH off' : 'the tenant allows SMTP AUTH') : 'tenant setting not exported';
  return [
    `${total} mailbox${total === 1 ? '' : 'es'}:`,
    `${c.on} with SMTP AUTH on (SmtpClientAuthenticationDisabled: false),`,
    `${c.inherit} inheriting the tenant setting (null; ${tenant}),`,
    `${c.off} with SMTP AUTH off (true)${c['not-exported'] ? `, ${c['not-exported']} without the property in the export` : ''}.`,
  ].join(' ');
}
