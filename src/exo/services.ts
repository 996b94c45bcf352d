// Which Microsoft submission service a plan entry talks to, read from its endpoint host
// (reference: "Sending options" and "Other submission paths in 2026"); the plan's `service:`
// overrides it. Each service is judged by its own rules (auth methods, recipients, limits, dates).
import type { SubmissionAccount } from '../types.js';

export type SubmissionService = 'exchange-online' | 'hve' | 'acs' | 'other';

export const SUBMISSION_SERVICES: readonly SubmissionService[] = ['exchange-online', 'hve', 'acs', 'other'];

/** What the service is called in findings. */
export const SERVICE_NAMES: Record<SubmissionService, string> = {
  'exchange-online': 'Exchange Online client submission (SMTP AUTH)',
  hve: 'High Volume Email (HVE)',
  acs: 'Azure Communication Services Email (SMTP)',
  other: 'SMTP submission',
};

/** The host each Microsoft service takes submissions on, as relaycheck import and powershell write it. */
export const SUBMISSION_HOSTS = {
  exchangeOnline: 'smtp.office365.com',
  hve: 'smtp-hve.office365.com',
  acs: 'smtp.azurecomm.net',
} as const;

const HOSTS: Record<string, SubmissionService> = {
  [SUBMISSION_HOSTS.exchangeOnline]: 'exchange-online',
  'smtp-legacy.office365.com': 'exchange-online',
  [SUBMISSION_HOSTS.hve]: 'hve',
  [SUBMISSION_HOSTS.acs]: 'acs',
};

/** smtp.office365.com → exchange-online, smtp-hve.office365.com → hve, smtp.azurecomm.net → acs, anything else → other. */
export function detectService(host: string): SubmissionService {
  return HOSTS[host.toLowerCase().replace(/\.$/, '')] ?? 'other';
}

/** The plan's `service:` when set, else what the endpoint host says. */
export function serviceOf(entry: Pick<SubmissionAccount, 'endpoint' | 'service'>): SubmissionService {
  return entry.service ?? detectService(entry.endpoint.host);
}
