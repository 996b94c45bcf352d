// Root causes first: a check whose prerequisite failed is not tested. One unreachable host is
// one failing smtp.connect, not a failure plus seven "could not decide" rows that repeat the
// same fix: its dependants become `skipped` with "not tested: smtp.connect failed" and carry the
// root cause in `evidence.rootCause`, so every format can count knock-ons apart.
//
// The chain is connect → STARTTLS → TLS → AUTH → send. A dependant that passed anyway keeps its
// result; one that failed, could not decide or was skipped becomes the knock-on. A check that reads a plan file on its own
// (tls.client-certificate: key, chain, names of the file) has no prerequisite: its findings are
// root causes of their own.
import type { CheckDefinition, Finding, Status, Subject } from '../types.js';

/** Check id → the check ids that must not have failed for it to be tested. */
export const BUILTIN_PREREQUISITES: Readonly<Record<string, readonly string[]>> = {
  'smtp.starttls': ['smtp.connect'],
  'tls.version': ['smtp.starttls'],
  'tls.certificate-name': ['smtp.starttls'],
  'tls.certificate-trust': ['smtp.starttls'],
  'tls.certificate-chain': ['smtp.starttls'],
  'tls.certificate-expiry': ['smtp.starttls'],
  'tls.certificate-strength': ['smtp.starttls'],
  'dns.dane': ['smtp.starttls'],
  'auth.tls-required': ['smtp.connect'],
  'auth.login': ['smtp.starttls'],
  'auth.sender-match': ['auth.login'],
  'send.validation': ['smtp.starttls', 'tls.certificate-trust', 'tls.certificate-name', 'tls.certificate-expiry', 'auth.login', 'auth.sender-match'],
  'send.delivery': ['send.validation'],
};

export function prerequisitesOf(check: Pick<CheckDefinition, 'id' | 'after'>): readonly string[] {
  return check.after ?? BUILTIN_PREREQUISITES[check.id] ?? [];
}

/** The outcome of one evaluated (check, subject) pair, as prerequisites are judged. */
export interface Outcome {
  checkId: string;
  subject: Subject;
  findings: Finding[];
  /** evaluated only because a selected check needs it (--only): not in the report */
  hidden: boolean;
  /** set when the findings were replaced because a prerequisite failed */
  cause?: RootCause;
}

/** A prerequisite's subject covers the dependant's: the same endpoint, or the same plan entry. */
function covers(pre: Subject, dep: Subject): boolean {
  if (pre.scope === 'plan' || pre.scope === 'domain') return true;
  if (dep.scope !== 'entry' && dep.scope !== 'endpoint') return false;
  if (pre.entry.name !== dep.entry.name) return false;
  if (pre.scope === 'endpoint' && dep.scope === 'endpoint') return pre.endpoint.key === dep.endpoint.key;
  return true;
}

const BROKEN: Status[] = ['fail', 'error'];

export interface RootCause {
  check: string;
  status: Status;
  endpoint: string | null;
  message: string;
  hidden: boolean;
}

/** The root cause behind an outcome: its own failure, or the one it was skipped for. */
export function rootCauseOf(o: Outcome): RootCause | undefined {
  if (o.cause) return o.cause;
  const bad = o.findings.find((f) => BROKEN.includes(f.status) && f.blocking !== false);
  if (!bad) return undefined;
  return { check: o.checkId, status: bad.status, endpoint: o.subject.scope === 'endpoint' ? o.subject.endpoint.key : null, message: bad.message, hidden: o.hidden };
}

/**
 * Replaces the findings of checks whose prerequisite failed, in dependency order, so a knock-on
 * of a knock-on names the first failure. A prerequisite that was not selected (--only tls on a
 * server that is down) leaves its dependants `error`: the run must not pass a server it could
 * not test, and the report does not show the hidden check.
 */
export function applyPrerequisites(outcomes: Outcome[], checksById: Map<string, Pick<CheckDefinition, 'id' | 'after'>>): void {
  const byCheck = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    if (!byCheck.has(o.checkId)) byCheck.set(o.checkId, []);
    byCheck.get(o.checkId)!.push(o);
  }
  const done = new Set<string>();
  const visit = (id: string, path: string[]) => {
    if (done.has(id) || path.includes(id)) return;
    const check = checksById.get(id);
    const pres = check ? prerequisitesOf(check) : [];
    for (const p of pres) visit(p, [...path, id]);
    done.add(id);
    for (const o of byCheck.get(id) ?? []) {
      // A check that still passed (a message sent under EncryptionOnly to a smart host with an
      // expired certificate) keeps its result: only what failed for the same reason is folded.
      if (o.findings.every((f) => f.status === 'pass' || f.status === 'warn')) continue;
      for (const p of pres) {
        const cause = (byCheck.get(p) ?? []).filter((po) => covers(po.subject, o.subject)).map(rootCauseOf).find(Boolean);
        if (!cause) continue;
        // Behind a prerequisite that is not in the report, a check that skipped for its own
        // reason (no TLSA record: DANE not in use) keeps saying so.
        if (cause.hidden && o.findings.every((f) => f.status === 'skipped')) break;
        o.findings = [knockOn(cause)];
        o.cause = cause;
        break;
      }
    }
  };
  for (const id of byCheck.keys()) visit(id, []);
}

function knockOn(cause: RootCause): Finding {
  const where = cause.endpoint ? ` at ${cause.endpoint}` : '';
  const verb = cause.status === 'fail' ? 'failed' : 'could not decide';
  if (cause.hidden) {
    return {
      status: 'error',
      message: `could not decide: ${cause.check} ${verb}${where} (not among the selected checks): ${cause.message}`,
      evidence: { rootCause: cause.check },
    };
  }
  return { status: 'skipped', message: `not tested: ${cause.check} ${verb}${where}`, evidence: { rootCause: cause.check } };
}
