// Exchange Online's sending limits, by path (reference: "Limits"): a mailbox that submits with SMTP
// AUTH has per-mailbox limits (10,000 recipients in a sliding 24 hours, 30 messages a minute, 500
// recipients a message); relay through an inbound connector is not a mailbox and meets only the
// tenant's external recipient limit (TERRL); HVE and ACS mail does not count against TERRL. The
// seed's 1,500 messages a day applies only when a plan sets messagesPerDay.
import { serviceOf } from './services.js';
import type { Plan, PlanEntry } from '../types.js';

export const MAILBOX_RECIPIENTS_PER_DAY = 10_000;
export const MAILBOX_MESSAGES_PER_MINUTE = 30;
export const MAILBOX_RECIPIENTS_PER_MESSAGE = 500;
/** HVE: "far above mailbox limits (100,000 recipients/day quoted)". */
export const HVE_RECIPIENTS_PER_DAY = 100_000;
/** TERRL of a trial tenant. */
export const TRIAL_TERRL = 5_000;

/** Tenant External Recipient Rate Limit: 500 × licences^0.7 + 9,500 external recipients a day (5,000 for trials). */
export function terrl(licenses: number, trial = false): number {
  if (trial) return TRIAL_TERRL;
  return Math.floor(500 * Math.pow(Math.max(1, licenses), 0.7) + 9_500);
}

/** What a send through a plan entry counts as. */
export type SendPath = 'mailbox' | 'hve' | 'acs' | 'other-submission' | 'connector' | 'smart-host' | 'direct-send';

export function sendPathOf(entry: PlanEntry): SendPath {
  if (entry.kind === 'submission') {
    const service = serviceOf(entry);
    return service === 'exchange-online' ? 'mailbox' : service === 'hve' ? 'hve' : service === 'acs' ? 'acs' : 'other-submission';
  }
  if (entry.kind === 'direct-send') return 'direct-send';
  return entry.direction === 'to-office365' ? 'connector' : 'smart-host';
}

/** Paths whose external recipients count against the tenant's TERRL (HVE and ACS do not; a smart host is not Exchange Online). */
export function countsTowardTerrl(path: SendPath): boolean {
  return path === 'mailbox' || path === 'connector';
}

/** The limits one send is held to; absent fields do not apply on that path. */
export interface SendLimits {
  path: SendPath;
  messagesPerDay?: number;
  messagesPerMinute?: number;
  recipientsPerDay?: number;
  recipientsPerMessage?: number;
  /** the tenant's external recipients a day (TERRL), counted over every TERRL path of the tenant */
  tenantExternalPerDay?: number;
  /** where each figure came from, for messages: 'plan' or 'Microsoft' */
  source: Partial<Record<'messagesPerDay' | 'messagesPerMinute' | 'recipientsPerDay' | 'recipientsPerMessage' | 'tenantExternalPerDay', 'plan' | 'Microsoft'>>;
}

/**
 * The limits for sends through `entry`. Mailbox submission (and other SMTP submission, held to
 * the same budget) gets the per-mailbox figures; HVE its own recipient figure; a connector only
 * the tenant's TERRL. The plan's explicit messagesPerDay / messagesPerMinute (its own budget in
 * messages, as the seed states it) apply to every sending account on every path.
 */
export function limitsFor(entry: PlanEntry, plan: Plan): SendLimits {
  const path = sendPathOf(entry);
  const l = plan.limits;
  const out: SendLimits = { path, source: {} };
  const set = (key: keyof SendLimits['source'], planValue: number | undefined, fallback: number | undefined) => {
    const v = planValue ?? fallback;
    if (v === undefined) return;
    out[key] = v;
    out.source[key] = planValue !== undefined ? 'plan' : 'Microsoft';
  };
  const explicit = (k: 'messagesPerDay' | 'messagesPerMinute' | 'recipientsPerDay' | 'recipientsPerMessage') => (l.defaulted[k] ? undefined : l[k]);
  if (path === 'mailbox' || path === 'other-submission') {
    set('messagesPerDay', explicit('messagesPerDay'), undefined);
    set('messagesPerMinute', explicit('messagesPerMinute'), MAILBOX_MESSAGES_PER_MINUTE);
    set('recipientsPerDay', explicit('recipientsPerDay'), MAILBOX_RECIPIENTS_PER_DAY);
    set('recipientsPerMessage', explicit('recipientsPerMessage'), MAILBOX_RECIPIENTS_PER_MESSAGE);
  } else if (path === 'hve') {
    set('messagesPerDay', explicit('messagesPerDay'), undefined);
    set('messagesPerMinute', explicit('messagesPerMinute'), undefined);
    set('recipientsPerDay', explicit('recipientsPerDay'), HVE_RECIPIENTS_PER_DAY);
    set('recipientsPerMessage', explicit('recipientsPerMessage'), undefined);
  } else {
    // ACS, connectors, smart hosts, Direct Send: no mailbox limits; the plan's own budget in
    // messages (messagesPerDay / messagesPerMinute, when it sets them) still holds relaycheck back.
    set('messagesPerDay', explicit('messagesPerDay'), undefined);
    set('messagesPerMinute', explicit('messagesPerMinute'), undefined);
  }
  if (countsTowardTerrl(path)) {
    const t = plan.tenant;
    set('tenantExternalPerDay', undefined, t?.licenses !== undefined || t?.trial ? terrl(t.licenses ?? 1, t.trial) : undefined);
  }
  return out;
}
