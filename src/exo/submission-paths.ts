// Exchange Online facts about the ways a device or app submits mail, as `relaycheck import` and
// `relaycheck powershell` name them (reference: exchange-online.md, "Sending options", "OAuth 2.0
// for SMTP AUTH and IMAP", "Other submission paths in 2026", "Limits"). Dates are as Microsoft
// announced them (Exchange Team blog, 27 Jan 2026; MC786329).

export const SUBMISSION_HOSTS = {
  exchangeOnline: 'smtp.office365.com',
  hve: 'smtp-hve.office365.com',
  acs: 'smtp.azurecomm.net',
} as const;

/** When Basic authentication for SMTP AUTH goes off by default for existing tenants. */
export const SMTP_AUTH_BASIC_OFF_BY_DEFAULT = 'the end of December 2026';

/** Until when High Volume Email accepts Basic authentication. */
export const HVE_BASIC_UNTIL = 'September 2028';

/** Recipients a mailbox may send to in a sliding 24 hours. */
export const MAILBOX_RECIPIENTS_PER_DAY = 10_000;

/** The application permission an app needs for SMTP AUTH with client credentials. */
export const SMTP_APP_PERMISSION = 'SMTP.SendAsApp';
