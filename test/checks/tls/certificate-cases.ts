// Shared input for the tls.certificate-* tests: the lab certificate fixtures with the lab roots
// standing in for the public root store, a case builder (connector kind × chain), and the table
// of certificate cases × connector kinds that every certificate check is held to.
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll } from 'vitest';
import { setSystemRoots } from '../../../src/tls/trust.js';
import type { Status } from '../../../src/types.js';
import type { CaseInput, InvalidCase, ValidCase } from '../../helpers/check-tester.js';
import { b64, fixtures, planFor, session, withMd5Signature, type Fixtures, type Kind, type PlanOptions } from '../../tls/fixtures.js';
import type { TlsInfo } from '../../../src/evidence/smtp.js';

let current: Fixtures | undefined;
/** The fixtures of this file's run (built in beforeAll). */
export function fx(): Fixtures {
  if (!current) throw new Error('certificate fixtures are built in beforeAll: call useCertificateFixtures() at the top of the test file');
  return current;
}

/** The lab roots play Node's public root store for this file (the default plan trusts the system store). */
export const labRoots = (f: Fixtures) => [f.root.certPem, f.sha1Root.certPem];

export function useCertificateFixtures(roots: (f: Fixtures) => string[] = labRoots): void {
  beforeAll(async () => {
    current = await fixtures();
    setSystemRoots(() => roots(current!));
  });
  afterAll(() => setSystemRoots(() => rootCertificates));
}

export interface TlsCaseOptions extends PlanOptions {
  /** extra TLS facts of the session (client certificate requested, …) */
  tls?: Partial<TlsInfo>;
  /** the clock; default: the fixtures' */
  now?: Date;
}

/**
 * The input of one case: the endpoint of a `kind` connector presenting `chain` (base64 DER, leaf
 * first), judged on the fixtures' clock. Everything is built inside the test.
 */
export function presenting(kind: Kind, chain: (f: Fixtures) => string[], options: (f: Fixtures) => TlsCaseOptions = () => ({})): CaseInput {
  return {
    plan: () => planFor(kind, options(fx())).plan,
    probes: () => ({ 'smtp-session': session(chain(fx()), options(fx()).tls) }),
    now: () => options(fx()).now ?? fx().now,
    send: false,
  };
}

// ─── Every certificate case × every connector kind ─────────────────────────────────────────

export const KINDS: Kind[] = ['sh-domain', 'sh-wildcard', 'sh-trusted', 'sh-any', 'sh-none', 'mx', 'submission'];

const AT: Record<Kind, string> = {
  'sh-domain': 'a DomainValidation smart host',
  'sh-wildcard': 'a DomainValidation smart host with a wildcard TlsDomain',
  'sh-trusted': 'a CertificateValidation smart host',
  'sh-any': 'an EncryptionOnly smart host',
  'sh-none': 'a smart host without a TLS mode',
  mx: 'the Exchange Online MX',
  submission: 'a submission endpoint',
};

export type CertificateCheckName = 'name' | 'trust' | 'chain' | 'expiry' | 'strength';
type Row = Partial<Record<CertificateCheckName, Status | Partial<Record<Kind, Status>>>>;

const UNTRUSTED: Partial<Record<Kind, Status>> = { 'sh-domain': 'fail', 'sh-wildcard': 'fail', 'sh-trusted': 'fail', mx: 'fail', submission: 'fail' };
const BROKEN_CHAIN: Partial<Record<Kind, Status>> = { ...UNTRUSTED, 'sh-any': 'warn' };

/**
 * Expected status per check; a plain status means "for every kind", an object overrides kinds
 * (default pass). A smart host without a TLS mode (opportunistic) is expected to behave like 'sh-any'.
 */
const MATRIX: [string, (f: Fixtures) => string[], Row][] = [
  ['a valid certificate', (f) => [b64(f.pki.leaves.valid), b64(f.intermediate)], {}],
  ['an expired certificate', (f) => [b64(f.pki.leaves.expired), b64(f.intermediate)], { expiry: 'fail' }],
  ['a certificate not yet valid', (f) => [b64(f.pki.leaves.notYetValid), b64(f.intermediate)], { expiry: 'fail' }],
  ['a certificate for another name', (f) => [b64(f.pki.leaves.wrongName), b64(f.intermediate)], { name: { 'sh-domain': 'fail', 'sh-wildcard': 'fail', mx: 'fail', submission: 'fail' } }],
  ['a wildcard certificate', (f) => [b64(f.pki.leaves.wildcard), b64(f.intermediate)], {}],
  ['a self-signed certificate', (f) => [b64(f.pki.leaves.selfSigned)], { trust: UNTRUSTED }],
  ['a leaf without its intermediate', (f) => [b64(f.pki.leaves.leafOnly)], { trust: UNTRUSTED, chain: BROKEN_CHAIN }],
  ['a 1024-bit RSA key', (f) => [b64(f.pki.leaves.rsa1024), b64(f.intermediate)], { strength: 'fail' }],
  ['a SHA-1 signature', (f) => [b64(f.pki.leaves.sha1), b64(f.intermediate)], { strength: 'fail' }],
  ['an MD5 signature', (f) => [withMd5Signature(f.pki.leaves.rsa1024), b64(f.intermediate)], { strength: 'fail', trust: UNTRUSTED, chain: BROKEN_CHAIN }],
  ['a certificate expiring in 10 days', (f) => [b64(f.expiring10), b64(f.intermediate)], { expiry: 'warn' }],
  ['a root sent along with a SHA-1 self-signature', (f) => [b64(f.sha1RootLeaf), b64(f.sha1RootIntermediate), b64(f.sha1Root)], {}],
  ['an expired intermediate', (f) => [b64(f.leafOfExpiredIntermediate), b64(f.expiredIntermediate)], { expiry: 'fail' }],
  ['an outdated intermediate (same name, other key)', (f) => [b64(f.pki.leaves.valid), b64(f.impostorIntermediate)], { trust: UNTRUSTED, chain: BROKEN_CHAIN }],
  ['certificates out of order', (f) => [b64(f.pki.leaves.valid), b64(f.root), b64(f.intermediate)], { chain: 'warn' }],
  ['an unrelated extra certificate', (f) => [b64(f.pki.leaves.valid), b64(f.intermediate), b64(f.pki.leaves.wrongName)], { chain: 'warn' }],
];

function expected(row: Row, check: CertificateCheckName, kind: Kind): Status {
  const e = row[check];
  if (e === undefined) return 'pass';
  if (typeof e === 'string') return e;
  return e[kind] ?? (kind === 'sh-none' ? e['sh-any'] : undefined) ?? 'pass';
}

const VERB: Record<Status, string> = { pass: 'passes', warn: 'warns on', fail: 'fails', error: 'cannot decide on', skipped: 'skips' };

/** The matrix's cases for one check: each certificate case at each connector kind, with its exact status. */
export function matrixCases(check: CertificateCheckName): { valid: ValidCase[]; invalid: InvalidCase[] } {
  const valid: ValidCase[] = [];
  const invalid: InvalidCase[] = [];
  for (const [what, chain, row] of MATRIX) {
    for (const kind of KINDS) {
      const status = expected(row, check, kind);
      const c = { name: `${VERB[status]} ${what} at ${AT[kind]}`, ...presenting(kind, chain) };
      if (status === 'pass') valid.push(c);
      else invalid.push({ ...c, status });
    }
  }
  return { valid, invalid };
}
