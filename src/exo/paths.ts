// The rules of each way into Exchange Online that do not depend on a server's answer (reference:
// "Sending options" and "Other submission paths in 2026"): High Volume Email and Direct Send
// carry mail to the tenant's own mailboxes only; ACS logs in as <resource>.<app id>.<tenant id>.
// Pure: the send probe refuses what breaks them, and config.sending-path reports it.
import { serviceOf } from './services.js';
import type { PlanEntry } from '../types.js';

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase().replace(/\.$/, '');
}

/** The address is in one of the accepted domains (or a subdomain of one). */
export function inAcceptedDomains(address: string, accepted: readonly string[]): boolean {
  const d = domainOf(address);
  return accepted.some((a) => {
    const x = a.toLowerCase().replace(/^\*\./, '');
    return d === x || d.endsWith(`.${x}`);
  });
}

export interface PathRule {
  message: string;
  fix: string;
}

/** Why `to` cannot go through `entry`'s path, or null when it can. */
export function pathRecipientRule(entry: PlanEntry, to: readonly string[], accepted: readonly string[]): PathRule | null {
  const outside = to.filter((r) => !inAcceptedDomains(r, accepted));
  if (outside.length === 0) return null;
  const list = outside.join(', ');
  if (entry.kind === 'submission' && serviceOf(entry) === 'hve') {
    return {
      message: `High Volume Email delivers to internal recipients only (since June 2025), and ${list} ${outside.length === 1 ? 'is' : 'are'} outside the accepted domains (${accepted.join(', ')}): relaycheck does not send a validation message HVE would refuse`,
      fix: 'List only recipients in the accepted domains under validation.to; send external mail through Azure Communication Services (smtp.azurecomm.net) or a mailbox instead.',
    };
  }
  if (entry.kind === 'direct-send') {
    return {
      message: `Direct Send delivers to the tenant's own mailboxes only, and ${list} ${outside.length === 1 ? 'is' : 'are'} outside the accepted domains (${accepted.join(', ')}): without AUTH or a connector, Exchange Online relays nothing`,
      fix: 'List only tenant mailboxes under validation.to; for external recipients use SMTP AUTH submission or an OnPremises inbound connector.',
    };
  }
  return null;
}
