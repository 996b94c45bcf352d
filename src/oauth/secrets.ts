// The one door through which secrets made at run time (an access token, a client assertion, a key
// in another encoding) join the redaction list, at once, before anything can print them. Every
// report, transcript and store row is redacted against plan.secrets (src/report/redact.ts).
import { saslXoauth2 } from '../probes/accounts.js';
import { learnSecret as learnForRedaction } from '../report/redact.js';
import type { Plan } from '../types.js';

export function learnSecret(plan: Pick<Plan, 'secrets'>, value: string | undefined): void {
  if (!value) return;
  learnForRedaction(value);
  if (!plan.secrets.includes(value)) plan.secrets.push(value);
}

/** A token obtained at run time, and the XOAUTH2 payloads that carry it for these logins. */
export function learnToken(plan: Pick<Plan, 'secrets'>, token: string, usernames: string[]): void {
  learnSecret(plan, token);
  for (const user of usernames) learnSecret(plan, saslXoauth2(user, token));
}
