// Dated Exchange Online facts the checks judge by (shared/reference/exchange-online.md). One place,
// so that a date Microsoft moves is changed once.

/** Basic authentication for SMTP AUTH is off by default for existing tenants from this instant
 *  (Exchange Team blog, 27 Jan 2026, "Updated Exchange Online SMTP AUTH Basic Authentication
 *  Deprecation Timeline"; MC786329). */
export const BASIC_AUTH_OFF = new Date('2027-01-01T00:00:00Z');

/** High Volume Email keeps Basic authentication until September 2028 (reference, "Other submission paths"). */
export const HVE_BASIC_AUTH_END = new Date('2028-10-01T00:00:00Z');
