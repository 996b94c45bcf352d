// Who sends, and whether it may still try: the sending account of each plan entry (for the quota),
// the per-run token validation mail carries, and the per-run list of accounts Exchange Online has
// already refused. After the first Send As or authentication refusal nothing more is attempted on
// that account in the run: Exchange Online throttles accounts that keep failing (550 5.2.25x),
// and support cannot lift that.
import { createHash } from 'node:crypto';
import { endpointsOf } from '../runner/subjects.js';
import { accountKey } from '../store/send-log.js';
import type { AccountRefusal } from '../evidence/sending.js';
import { learnSecret } from '../report/redact.js';
import type { Endpoint, Plan, PlanEntry, ProbeContext, Subject } from '../types.js';

export type { AccountRefusal };

export const SHARED_REFUSED_ACCOUNTS = 'refusedAccounts';


function refusals(shared: Map<string, unknown>): Map<string, AccountRefusal> {
  let map = shared.get(SHARED_REFUSED_ACCOUNTS) as Map<string, AccountRefusal> | undefined;
  if (!(map instanceof Map)) {
    map = new Map();
    shared.set(SHARED_REFUSED_ACCOUNTS, map);
  }
  return map;
}

/** Remember the first refusal of an account (later ones do not replace it). */
export function markAccountRefused(ctx: Pick<ProbeContext, 'shared'>, account: string, refusal: AccountRefusal): void {
  const map = refusals(ctx.shared);
  if (!map.has(accountKey(account))) map.set(accountKey(account), refusal);
}

export function accountRefusal(ctx: Pick<ProbeContext, 'shared'>, account: string): AccountRefusal | undefined {
  return refusals(ctx.shared).get(accountKey(account));
}

/** The task key of the probes that run once per plan entry (auth.submission, send, delivery). */
export function entryKey(subject: Subject): string {
  return subject.scope === 'entry' || subject.scope === 'endpoint' ? `entry:${subject.entry.name}` : subject.scope;
}

/** The envelope sender of an entry's validation mail. */
export function validationSender(entry: PlanEntry, plan: Plan): string {
  if (entry.kind === 'submission') return entry.from;
  return entry.validation?.from ?? `relaycheck@${plan.domain}`;
}

/** The account a send counts against: the submission login, or the connector's envelope sender. */
export function sendingAccount(entry: PlanEntry, plan: Plan): string {
  return accountKey(entry.kind === 'submission' ? entry.username : validationSender(entry, plan));
}

/** The endpoints an entry sends validation mail through (none without `validation:`). */
export function sendEndpoints(entry: PlanEntry, plan: Plan): Endpoint[] {
  if (!entry.validation || entry.validation.to.length === 0) return [];
  return endpointsOf(entry, plan);
}

/** Messages this run will try to send for `account`, over every entry of the plan. */
export function plannedSends(account: string, plan: Plan): number {
  let n = 0;
  for (const entry of [...plan.connectors, ...plan.submission, ...(plan.directSend ?? [])]) {
    if (sendingAccount(entry, plan) === accountKey(account)) n += sendEndpoints(entry, plan).length;
  }
  return n;
}

/**
 * The token one message carries: the run token plus a short digest of entry and endpoint, so
 * every message of every run is unique and the IMAP search finds exactly one.
 */
export function messageToken(runToken: string, entryName: string, endpointKey: string): string {
  const digest = createHash('sha256').update(`${entryName}\u0000${endpointKey}`).digest('hex').slice(0, 8);
  return `rc-${runToken}-${digest}`;
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The AUTH PLAIN payload (RFC 4616): "\0user\0password", base64. The password is learned for redaction first. */
export function saslPlain(username: string, password: string): string {
  learnSecret(password);
  return base64(`\u0000${username}\u0000${password}`);
}

/** The AUTH XOAUTH2 payload: "user=…^Aauth=Bearer …^A^A", base64. The token is learned for redaction first. */
export function saslXoauth2(username: string, token: string): string {
  learnSecret(token);
  return base64(`user=${username}\u0001auth=Bearer ${token}\u0001\u0001`);
}

/**
 * Everything that must never appear in probe data for an entry: the plan's secrets plus the exact
 * SASL payloads the AUTH probe sends (saslPlain, saslXoauth2). Redaction also matches a secret's
 * base64 at every alignment, so an echoed payload is caught either way.
 */
export function secretsFor(entry: PlanEntry, plan: Plan): string[] {
  const out = [...plan.secrets];
  if (entry.kind === 'submission') {
    if (entry.password?.value) out.push(saslPlain(entry.username, entry.password.value));
    if (entry.oauth2?.accessToken?.value) out.push(saslXoauth2(entry.username, entry.oauth2.accessToken.value));
  }
  return out;
}
