// The SMTP AUTH exposure as plan text: the three states counted apart, every account that can
// still authenticate with its way forward, and one commented-out plan entry per account that tests
// that way (FILL IN for tenant id, client id and credentials; secrets only as { env } / { file }).
import { SUBMISSION_HOSTS } from '../exo/services.js';
import { psQuote } from '../powershell/quote.js';
import { WAY_LABEL, countsLine, type ExposedAccount, type Exposure } from './smtp-auth-exposure.js';

function oneLine(text: string, max = 300): string {
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').slice(0, max);
}

/** A YAML double-quoted scalar (JSON strings are valid YAML), on one line. */
function q(text: string): string {
  return JSON.stringify(oneLine(text));
}

function envName(address: string, what: string): string {
  return `FILL_IN_${address.split('@')[0].toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 30) || 'ACCOUNT'}_${what}`;
}

/** The commented-out list item that tests the way forward of one account. */
function entryLines(a: ExposedAccount, mxHost: string, domain: string): string[] {
  const addr = q(a.address);
  switch (a.way) {
    case 'oauth':
      return [
        `  - name: ${q(`SMTP AUTH ${a.address} (OAuth)`)}`,
        `    endpoint: ${SUBMISSION_HOSTS.exchangeOnline}:587`,
        `    username: ${addr}`,
        '    oauth2:',
        `      tenantId: "FILL IN: tenant id (GUID) or ${oneLine(domain.replace(/"/g, ''))}"`,
        '      clientId: "FILL IN: application (client) id of the app registration"',
        '      certificate: { cert: ./FILL-IN-app-cert.pem, key: { file: ./FILL-IN-app-key.pem } }   # or clientSecret: { env: ' + envName(a.address, 'CLIENT_SECRET') + ' }',
        `    from: ${addr}`,
        '    # validation: { to: [FILL-IN@' + oneLine(domain) + '] }   # a mailbox you can read',
      ];
    case 'acs':
      return [
        `  - name: ${q(`SMTP AUTH ${a.address} (Azure Communication Services)`)}`,
        `    endpoint: ${SUBMISSION_HOSTS.acs}:587`,
        '    username: "FILL IN: <ACS resource>.<app id>.<tenant id>, or the SMTP username of the resource"',
        `    password: { env: ${envName(a.address, 'ACS_SECRET')} }   # the Entra app's client secret`,
        `    from: ${addr}   # must be in a domain verified on the ACS Email resource`,
      ];
    case 'turn-off':
      return [];
    case 'connector':
      return [
        `  - name: ${q(`Relay for ${a.address}`)}`,
        '    direction: to-office365',
        `    endpoint: ${mxHost}   # FILL IN: your tenant MX host`,
        '    requireTls: true',
        `    tlsSenderCertificateName: "FILL IN: the certificate name your relay presents (e.g. *.${oneLine(domain)})"`,
        `    validation: { from: ${addr}, to: [FILL-IN@${oneLine(domain)}] }`,
      ];
  }
}

export interface ExposureText {
  /** lines for the plan's header */
  header: string[];
  /** the commented block at the end of the plan */
  end: string;
  /** lines for the command's summary */
  summary: string[];
}

const SUMMARY_LIMIT = 25;
/** Mailboxes that inherit SMTP AUTH and whose use is unknown (no report) get entries up to this many. */
export const UNKNOWN_USE_ENTRIES = 50;

/** Addresses, several to a comment line. */
function addressLines(accounts: ExposedAccount[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < accounts.length; i += 8) out.push(`  ${accounts.slice(i, i + 8).map((a) => oneLine(a.address)).join(', ')}`);
  return out;
}

export function exposureText(e: Exposure, mxHost: string, domain: string): ExposureText {
  const sources = [
    `Get-CASMailbox ${oneLine(e.input.cas.file)}`,
    e.input.transport ? `Get-TransportConfig ${oneLine(e.input.transport.file)}` : 'no Get-TransportConfig export (--transport-config): inheriting mailboxes are listed as "may"',
    e.input.report ? `SMTP AUTH clients report ${oneLine(e.input.report.file)} (${e.input.report.rows.length} sender${e.input.report.rows.length === 1 ? '' : 's'})` : 'no SMTP AUTH clients report (--smtp-auth-report): usage unknown',
  ];
  const certain = e.exposed.filter((a) => a.certain).length;
  const may = e.exposed.length - certain;
  const headline = `${e.exposed.length} account${e.exposed.length === 1 ? '' : 's'} can still authenticate with SMTP AUTH${may ? ` (${certain} certainly, ${may} depending on the tenant setting)` : ''}.`;
  const byWay = (['oauth', 'connector', 'acs', 'turn-off'] as const).map((w) => [w, e.exposed.filter((a) => a.way === w).length] as const).filter(([, n]) => n > 0);
  const ways = byWay.length ? `Ways forward: ${byWay.map(([w, n]) => `${WAY_LABEL[w]} ${n}`).join(', ')}.` : '';
  const tenantHint =
    e.input.transport?.smtpAuthDisabled === false && e.counts.inherit > 0
      ? `The tenant allows SMTP AUTH for every inheriting mailbox: once the accounts below have moved, turn it off for the tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $true) and on (Set-CASMailbox -SmtpClientAuthenticationDisabled $false) only where still needed.`
      : '';
  const lines = (a: ExposedAccount) => `${oneLine(a.address)}${a.certain ? '' : ' (may)'}: ${oneLine(a.why)}; ${a.usage || e.input.report ? usageLine(a, e) : 'usage unknown'}. Way forward: ${WAY_LABEL[a.way]}.`;
  const block: string[] = [
    '── SMTP AUTH: who can still authenticate ──',
    `From ${sources.join('; ')}.`,
    countsLine(e),
    headline,
    ...(ways ? [ways] : []),
    ...(tenantHint ? [tenantHint] : []),
    ...e.turnedOffButUsed.map((t) => `${oneLine(t.address)} sent ${t.messages ?? 'some'} messages through SMTP AUTH in the report period but has it off now: whatever sends as it is failing.`),
  ];
  const described = (a: ExposedAccount) => [`  # ${lines(a)}`, `  # ${oneLine(a.advice, 1000)}`, ...entryLines(a, mxHost, domain)];
  // Entries for every account that sends (or may: no report), except that a big tenant's inheriting
  // mailboxes of unknown use get entries only up to a limit; the rest are listed by address.
  const sending = e.exposed.filter((a) => a.way !== 'turn-off');
  const unknownUse = (a: ExposedAccount) => !a.usage && (a.setting === 'inherit' || a.setting === 'not-exported');
  const withEntry = [...sending.filter((a) => !unknownUse(a)), ...sending.filter(unknownUse).slice(0, UNKNOWN_USE_ENTRIES)];
  const listedOnly = sending.filter(unknownUse).slice(UNKNOWN_USE_ENTRIES);
  const submissions = withEntry.filter((a) => a.way !== 'connector');
  const relays = withEntry.filter((a) => a.way === 'connector');
  if (withEntry.length) block.push('', 'One entry per account tests its way forward: uncomment the entries you use and fill in every FILL IN.');
  if (submissions.length) block.push('submission:', ...submissions.flatMap(described));
  if (relays.length) block.push('', 'connectors:   # add these under the plan\'s connectors: (devices that relay through your mail server instead of SMTP AUTH)', ...relays.flatMap(described));
  if (listedOnly.length) {
    block.push('', `${listedOnly.length} more mailbox${listedOnly.length === 1 ? '' : 'es'} inherit SMTP AUTH and may use it (give --smtp-auth-report to see which send; entries like the ones above test each):`, ...addressLines(listedOnly));
  }
  const turnOff = e.exposed.filter((a) => a.way === 'turn-off');
  if (turnOff.length) {
    const own = turnOff.filter((a) => a.setting === 'on');
    const inheriting = turnOff.filter((a) => a.setting !== 'on');
    block.push('', `Sent nothing through SMTP AUTH in the report period (${turnOff.length}): turn SMTP AUTH off for them.`);
    block.push(...own.map((a) => `Set-CASMailbox -Identity ${psQuote(a.address)} -SmtpClientAuthenticationDisabled $true`));
    if (inheriting.length) block.push(`${inheriting.length} of them inherit the tenant setting${tenantHint ? ' (see the tenant advice above)' : ''}:`, ...addressLines(inheriting));
  }
  const summary = [
    `SMTP AUTH: ${countsLine(e)}`,
    `  ${headline}${ways ? ` ${ways}` : ''}`,
    ...e.exposed.slice(0, SUMMARY_LIMIT).map((a) => `  - ${lines(a)}`),
    ...(e.exposed.length > SUMMARY_LIMIT ? [`  … and ${e.exposed.length - SUMMARY_LIMIT} more in the plan (search for "SMTP AUTH:")`] : []),
  ];
  return { header: [headline, ...(ways ? [ways] : [])], end: block.join('\n'), summary };
}

/** 100 or 1 → "100%", 0.4 → "40%" (the report's columns are percentages; a re-saved sheet may hold fractions) */
function percent(v: number): string {
  return `${Math.round((v <= 1 ? v * 100 : v) * 10) / 10}%`;
}

function usageLine(a: ExposedAccount, e: Exposure): string {
  const row = a.usage;
  if (!row) return e.input.report ? 'no SMTP AUTH submissions in the report' : 'usage unknown';
  const tls = [row.tls10 ? `TLS 1.0 ${percent(row.tls10)}` : '', row.tls11 ? `TLS 1.1 ${percent(row.tls11)}` : '', row.tls12 ? `TLS 1.2 ${percent(row.tls12)}` : ''].filter(Boolean).join(', ');
  return `${row.messages !== undefined ? `${row.messages.toLocaleString('en-US')} messages` : 'messages'} in the report${tls ? ` (${tls})` : ''}`;
}
