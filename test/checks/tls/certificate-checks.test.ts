// What every STARTTLS certificate check shares: no throw on any bytes, and "skipped" with the
// same words when there is no certificate. Each check's own cases (including the table of
// certificate cases × connector kinds) are in its file beside this one.
import { describe, expect, it } from 'vitest';
import chainCheck from '../../../checks/tls/certificate-chain.js';
import expiryCheck from '../../../checks/tls/certificate-expiry.js';
import nameCheck from '../../../checks/tls/certificate-name.js';
import strengthCheck from '../../../checks/tls/certificate-strength.js';
import trustCheck from '../../../checks/tls/certificate-trust.js';
import type { CheckDefinition, Status } from '../../../src/types.js';
import { evaluateCase } from '../../helpers/check-tester.js';
import { session, type Kind } from '../../tls/fixtures.js';
import { fx, KINDS, presenting, useCertificateFixtures } from './certificate-cases.js';

useCertificateFixtures();
const CHECKS: Record<string, CheckDefinition> = { name: nameCheck, trust: trustCheck, chain: chainCheck, expiry: expiryCheck, strength: strengthCheck };

describe('corrupted certificates', () => {
  it('every check returns a finding, never throws, whatever bytes of the chain are changed', () => {
    const f = fx();
    const bases = [Buffer.from(f.pki.leaves.valid.certDer), Buffer.from(f.intermediate.certDer)];
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const seen = new Set<Status>();
    for (let i = 0; i < 300; i++) {
      const chain = bases.map((b) => Buffer.from(b));
      const target = chain[rand(2)]!;
      for (let k = 0; k < 1 + rand(3); k++) target[rand(target.length)] = rand(256);
      const presented = chain.map((c, j) => (j === 0 && rand(4) === 0 ? c.subarray(0, rand(c.length)) : c).toString('base64'));
      for (const check of Object.values(CHECKS)) {
        const r = evaluateCase(check, presenting(KINDS[rand(KINDS.length)] as Kind, () => presented));
        expect(['pass', 'warn', 'fail', 'skipped']).toContain(r.status);
        seen.add(r.status);
      }
    }
    expect(seen.has('fail')).toBe(true);
  });
});

describe('sessions without a certificate', () => {
  it.each(Object.entries(CHECKS))('%s is skipped, saying why and nothing else, when STARTTLS is not offered', (_n, check) => {
    const input = { ...presenting('sh-domain', () => []), probes: () => ({ 'smtp-session': { ...session([]), starttls: { offered: false }, tls: undefined } }) };
    expect(evaluateCase(check, input)).toEqual({ status: 'skipped', message: 'no certificate: the server does not offer STARTTLS (see smtp.starttls)' });
  });
});
