// One way to test a check, in the style of ESLint's RuleTester: lists of `valid` cases (the check
// passes) and `invalid` cases (each names the status it expects), every case asserting the status
// and the words an admin must see. test/checks/registry-coverage.test.ts fails when a registered
// check has no testCheck(...) call with at least one valid case and one invalid case that warns
// or fails. That test reads the files as text: import the check as a default import from
// checks/<area>/<id>.js, pass it by name, and write at least those two cases as object literals
// in the lists (generated cases may be spread in beside them).
//
//   import check from '../../../checks/auth/sender-match.js';
//   import { testCheck } from '../../helpers/check-tester.js';
//
//   testCheck(check, {
//     defaults: { plan: submissionPlan(), probes: { 'auth.submission': okAuth(), send: sent(attempt()) } },
//     valid: [
//       { name: 'passes when the account sends as itself', message: /may send as scanner@contoso\.com/ },
//     ],
//     invalid: [
//       {
//         name: 'fails quoting 550 5.7.60 when Exchange Online refuses the sender',
//         status: 'fail',
//         plan: asCeo,
//         probes: { 'auth.submission': refusedAt('550 5.7.60 …'), send: sent() },
//         includes: ['5.7.60', 'Add-RecipientPermission'],
//         powershell: "Add-RecipientPermission -Identity 'ceo@contoso.com' …",
//       },
//     ],
//   });
//
// Each case becomes one vitest `it()` named by the case's sentence, inside
// describe(check.id) › describe('valid' | 'invalid').
//
// Input (each field in the case, else in `defaults`; any of them may be a function called inside
// the test, so fixtures built in beforeAll can be used):
//   plan      the resolved Plan (required somewhere)
//   subject   a Subject, or (plan) => Subject; default: the first subject of the check's scope
//             that the check applies to (as the runner expands the plan)
//   probes    probe data by probe id; every key must be one of check.requires
//   now       Date or ISO string; default 2026-11-27T02:00:00Z
//   send      options.send; default true
//
// Expectations (all optional except `status` on invalid cases):
//   status          valid: 'pass' (the default, may be stated); invalid: 'warn' | 'fail' | 'error' | 'skipped'
//   includes        strings / RegExps that must each occur in what the report shows: the message,
//                   the remediation (the finding's own, else the check's for warn/fail),
//                   exchangeOnline or powershell
//   excludes        strings / RegExps that must occur in none of those
//   message, remediation, exchangeOnline, powershell
//                   one field of the finding: a string is the exact text, a RegExp must match,
//                   an array lists parts the text must contain (string: substring, RegExp: match),
//                   null means the finding sets no such field (remediation: the report shows the
//                   check's own)
//   evidence        an object the finding's evidence must contain (toMatchObject)
// Expectations may also sit in `defaults` (e.g. `powershell: null` for a whole table).
//
// Every case also checks what the runner relies on: the check applies to the subject (appliesTo),
// it reads only probes it requires, it returns one finding with a non-empty message, and a warn or
// fail names a remediation. Assertions the helper cannot express (exact evidence, several
// evaluations compared, appliesTo itself) stay ordinary `it()` tests beside, using evaluateCase().
import { describe, expect, it } from 'vitest';
import { subjectsFor } from '../../src/runner/subjects.js';
import type { CheckDefinition, Finding, Plan, Status, Subject } from '../../src/types.js';

export const DEFAULT_NOW = '2026-11-27T02:00:00Z';

type Lazy<T> = T | (() => T);
export type TextMatch = string | RegExp | (string | RegExp)[];

export interface CaseInput {
  plan?: Lazy<Plan>;
  subject?: Subject | ((plan: Plan) => Subject);
  probes?: Lazy<Record<string, unknown>>;
  now?: Lazy<Date | string>;
  send?: boolean;
}

export interface CaseExpectations {
  includes?: Lazy<(string | RegExp)[]>;
  excludes?: Lazy<(string | RegExp)[]>;
  message?: Lazy<TextMatch>;
  remediation?: Lazy<TextMatch | null>;
  exchangeOnline?: Lazy<TextMatch | null>;
  powershell?: Lazy<TextMatch | null>;
  evidence?: Lazy<Record<string, unknown>>;
}

export interface ValidCase extends CaseInput, CaseExpectations {
  name: string;
  status?: 'pass';
}

export interface InvalidCase extends CaseInput, CaseExpectations {
  name: string;
  status: Exclude<Status, 'pass'>;
}

export interface CheckTests {
  defaults?: CaseInput & CaseExpectations;
  valid: ValidCase[];
  invalid: InvalidCase[];
}

const resolve = <T>(v: Lazy<T>): T => (typeof v === 'function' ? (v as () => T)() : v);

/** Registers one vitest test per case (see the header comment). */
export function testCheck(check: CheckDefinition, tests: CheckTests): void {
  const names = new Set<string>();
  for (const c of [...tests.valid, ...tests.invalid]) {
    if (!c.name?.trim()) throw new Error(`${check.id}: every case needs a sentence name`);
    if (names.has(c.name)) throw new Error(`${check.id}: two cases are named "${c.name}"`);
    names.add(c.name);
  }
  for (const c of tests.valid) if (c.status !== undefined && c.status !== 'pass') throw new Error(`${check.id}: valid case "${c.name}" expects ${c.status}; put it under invalid`);
  for (const c of tests.invalid) if (!c.status || (c.status as Status) === 'pass') throw new Error(`${check.id}: invalid case "${c.name}" must name its status (warn, fail, error or skipped)`);

  describe(check.id, () => {
    describe('valid', () => {
      for (const c of tests.valid) it(c.name, () => assertCase(check, { ...tests.defaults, ...c, status: 'pass' }));
    });
    describe('invalid', () => {
      for (const c of tests.invalid) it(c.name, () => assertCase(check, { ...tests.defaults, ...c }));
    });
  });
}

/** Evaluates the check on a case's input (defaults applied) as the runner would; returns the one finding. */
export function evaluateCase(check: CheckDefinition, input: CaseInput, defaults: CaseInput = {}): Finding {
  const merged = { ...defaults, ...input };
  if (merged.plan === undefined) throw new Error(`${check.id}: the case gives no plan (in the case or in defaults)`);
  const plan = resolve(merged.plan);
  const subject = merged.subject === undefined ? defaultSubject(check, plan) : typeof merged.subject === 'function' ? merged.subject(plan) : merged.subject;
  if (check.appliesTo && !check.appliesTo(subject, plan)) throw new Error(`${check.id} does not apply to this subject (appliesTo is false): the runner would never evaluate it`);
  const probes = resolve(merged.probes ?? {});
  const unknown = Object.keys(probes).filter((id) => !check.requires.includes(id));
  if (unknown.length) throw new Error(`${check.id} does not require probe(s) ${unknown.join(', ')}: the runner passes only ${check.requires.join(', ') || 'none'}`);
  const now = resolve(merged.now ?? DEFAULT_NOW);
  const out = check.evaluate({ subject, plan, probes, now: typeof now === 'string' ? new Date(now) : now, options: { send: merged.send ?? true } });
  const findings = Array.isArray(out) ? out : [out];
  if (findings.length !== 1) throw new Error(`${check.id} returned ${findings.length} findings; a case judges exactly one`);
  return findings[0]!;
}

function defaultSubject(check: CheckDefinition, plan: Plan): Subject {
  const found = subjectsFor(check.scope, plan).find((s) => !check.appliesTo || check.appliesTo(s, plan));
  if (!found) throw new Error(`${check.id}: the plan has no ${check.scope} subject the check applies to`);
  return found;
}

function assertCase(check: CheckDefinition, c: CaseInput & CaseExpectations & { status: Status }): void {
  const f = evaluateCase(check, c);
  const shown = JSON.stringify(f, null, 2);
  expect(f.status, `status of ${shown}`).toBe(c.status);
  expect(typeof f.message === 'string' && f.message.length > 0, `a finding needs a message: ${shown}`).toBe(true);
  const remediation = f.remediation ?? (f.status === 'warn' || f.status === 'fail' ? check.remediation : undefined);
  if (f.status === 'warn' || f.status === 'fail') expect(remediation, `a ${f.status} needs a remediation`).toBeTruthy();

  const texts = [f.message, remediation, f.exchangeOnline, f.powershell].filter((t): t is string => typeof t === 'string');
  for (const word of resolve(c.includes ?? [])) expect(texts.some((t) => occurs(t, word)), `${String(word)} in message, remediation, exchangeOnline or powershell of ${shown}`).toBe(true);
  for (const word of resolve(c.excludes ?? [])) expect(texts.some((t) => occurs(t, word)), `${String(word)} must not appear in ${shown}`).toBe(false);

  matchField('message', f.message, c.message);
  matchField('remediation', f.remediation, c.remediation);
  matchField('exchangeOnline', f.exchangeOnline, c.exchangeOnline);
  matchField('powershell', f.powershell, c.powershell);
  if (c.evidence !== undefined) expect(f.evidence, 'evidence').toMatchObject(resolve(c.evidence));
}

function occurs(text: string, word: string | RegExp): boolean {
  return typeof word === 'string' ? text.includes(word) : word.test(text);
}

function matchField(field: string, actual: string | undefined, want: Lazy<TextMatch | null> | undefined): void {
  if (want === undefined) return;
  const w = resolve(want);
  if (w === null) expect(actual, `${field} should be absent`).toBeUndefined();
  else if (typeof w === 'string') expect(actual, field).toBe(w);
  else if (w instanceof RegExp) expect(actual, field).toMatch(w);
  else for (const part of w) expect(actual === undefined ? false : occurs(actual, part), `${field} ${JSON.stringify(actual)} should contain ${String(part)}`).toBe(true);
}
