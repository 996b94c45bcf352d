// Expands a plan into the subjects checks run against: the plan, its domain, each connector or
// submission account, and each endpoint (connector × host × port).
import { formatHostPort } from '../plan/address.js';
import { disabledReason } from '../exo/connector-settings.js';
import type { Endpoint, HostPort, Plan, PlanEntry, Scope, Subject } from '../types.js';

export function entriesOf(plan: Plan): PlanEntry[] {
  return [...plan.connectors, ...plan.submission, ...(plan.directSend ?? [])];
}

function endpoint(plan: Plan, hp: HostPort, role: Endpoint['role']): Endpoint {
  const key = formatHostPort(hp);
  return { key, host: hp.host, port: hp.port, address: plan.resolve[key], role };
}

export function endpointsOf(entry: PlanEntry, plan: Plan): Endpoint[] {
  if (entry.kind === 'submission') return [endpoint(plan, entry.endpoint, 'submission')];
  // Direct Send talks to the tenant MX: the same endpoint, certificate and rules as relay to it.
  if (entry.kind === 'direct-send') return [endpoint(plan, entry.endpoint, 'to-office365')];
  if (entry.direction === 'to-office365') return [endpoint(plan, entry.endpoint, 'to-office365')];
  return entry.smartHosts.map((hp) => endpoint(plan, hp, 'smart-host'));
}

export function subjectsFor(scope: Scope, plan: Plan): Subject[] {
  switch (scope) {
    case 'plan':
      return [{ scope: 'plan' }];
    case 'domain':
      return [{ scope: 'domain', domain: plan.domain }];
    case 'entry':
      return entriesOf(plan).map((entry) => ({ scope: 'entry', entry }));
    case 'endpoint':
      return entriesOf(plan).flatMap((entry) => endpointsOf(entry, plan).map((ep) => ({ scope: 'endpoint' as const, entry, endpoint: ep })));
  }
}

/** Why a subject is not tested at all (a connector disabled in Exchange Online), else undefined. */
export function notTestedReason(subject: Subject): string | undefined {
  if (subject.scope !== 'entry' && subject.scope !== 'endpoint') return undefined;
  return subject.entry.kind === 'connector' ? disabledReason(subject.entry) : undefined;
}

/** Report fields of a subject: the plan entry's name (or null) and host:port (or null). */
export function subjectLabels(subject: Subject): { connector: string | null; endpoint: string | null } {
  switch (subject.scope) {
    case 'plan':
    case 'domain':
      return { connector: null, endpoint: null };
    case 'entry':
      return { connector: subject.entry.name, endpoint: null };
    case 'endpoint':
      return { connector: subject.entry.name, endpoint: subject.endpoint.key };
  }
}

/** Stable sort key: entries in plan order, domain- and plan-level results first. */
export function subjectOrder(subject: Subject, plan: Plan): number {
  if (subject.scope === 'plan') return -2;
  if (subject.scope === 'domain') return -1;
  return entriesOf(plan).indexOf(subject.entry);
}
