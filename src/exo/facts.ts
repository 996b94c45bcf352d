// Dated Exchange Online facts the checks judge by (shared/reference/exchange-online.md). One place,
// so that a date Microsoft moves is changed once.

/** Basic authentication for SMTP AUTH is off by default for existing tenants from this instant
 *  (Exchange Team blog, 27 Jan 2026, "Updated Exchange Online SMTP AUTH Basic Authentication
 *  Deprecation Timeline"; MC786329). */
export const BASIC_AUTH_OFF = new Date('2027-01-01T00:00:00Z');

/** High Volume Email keeps Basic authentication until September 2028 (reference, "Other submission paths"). */
export const HVE_BASIC_AUTH_END = new Date('2028-10-01T00:00:00Z');

/** "December 2026": the month (UTC) of the last instant before `end`. */
function monthBefore(end: Date): string {
  const last = new Date(end.getTime() - 1);
  return `${last.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })} ${last.getUTCFullYear()}`;
}

/** BASIC_AUTH_OFF in words: "the end of December 2026". */
export const SMTP_AUTH_BASIC_OFF_BY_DEFAULT = `the end of ${monthBefore(BASIC_AUTH_OFF)}`;

/** HVE_BASIC_AUTH_END in words: High Volume Email accepts Basic authentication until "September 2028". */
export const HVE_BASIC_UNTIL = monthBefore(HVE_BASIC_AUTH_END);

// The sending limits by path live in limits.ts.
export { MAILBOX_RECIPIENTS_PER_DAY } from './limits.js';
