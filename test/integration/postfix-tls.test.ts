// The STARTTLS checks against a REAL Postfix (Debian's package), one listener per certificate
// case on its own loopback address, on the real ports 25 (smart host of an outbound connector)
// and 587 (submission). posttls-finger, Postfix's own TLS client, gives an independent opinion on
// the same listeners. The listeners live in a loopback block claimed free at start (peers/loopback.ts).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, createIntermediateCa, issueLeaf, selfSigned, type Issued } from '../../src/pki/generate.js';
import { runPlan, DEFAULT_TIMEOUTS } from '../../src/runner/run.js';
import { builtinChecks, builtinProbes } from '../../src/registry.js';
import { requirePeer } from '../peers/available.js';
import { claimLoopbackBlock, type LoopbackBlock } from '../peers/loopback.js';
import { startPostfix, type PostfixInstance, type PostfixListener } from '../peers/postfix.js';
import { tempDir, writeAndLoadPlan } from '../helpers/exo.js';
import type { RunReport, Status } from '../../src/types.js';

const run = promisify(execFile);
const CASES = ['valid', 'expired', 'wrong-name', 'self-signed', 'leaf-only', 'no-starttls', 'tls11-only'] as const;
type Case = (typeof CASES)[number];
let loopback: LoopbackBlock;
const address = (c: Case) => loopback.at(CASES.indexOf(c) + 1);
const host = (c: Case) => `${c}.contoso.test`;

const CHECKS = ['smtp.connect', 'smtp.starttls', 'tls.version', 'tls.certificate-name', 'tls.certificate-trust', 'tls.certificate-chain', 'tls.certificate-expiry', 'tls.certificate-strength'] as const;
type Row = Record<(typeof CHECKS)[number], Status>;
const row = (statuses: string): Row => Object.fromEntries(CHECKS.map((c, i) => [c, statuses.trim().split(/\s+/)[i] as Status])) as Row;

// The expected status of every check for every case, on port 25 (an outbound connector's smart
// host under DomainValidation for mail.contoso.test) and on 587 (submission, the endpoint name).
// Trust "warn": the chain ends at the plan's private root, which Exchange Online does not trust.
//                     connect starttls version name  trust   chain   expiry  strength
const SMART_HOST: Record<Case, Row> = {
  valid: row('        pass    pass     pass    pass  warn    pass    pass    pass'),
  expired: row('      pass    pass     pass    pass  warn    pass    fail    pass'),
  'wrong-name': row(' pass    pass     pass    fail  warn    pass    pass    pass'),
  'self-signed': row('pass    pass     pass    pass  fail    pass    pass    pass'),
  'leaf-only': row('  pass    pass     pass    pass  fail    fail    pass    pass'),
  'no-starttls': row('pass    fail     skipped skipped skipped skipped skipped skipped'),
  'tls11-only': row(' pass    pass     fail    pass  warn    pass    pass    pass'),
};
const SUBMISSION: Record<Case, Row> = {
  ...SMART_HOST,
  valid: row('        pass    pass     pass    pass  pass    pass    pass    pass'),
  expired: row('      pass    pass     pass    pass  pass    pass    fail    pass'),
  'wrong-name': row(' pass    pass     pass    fail  pass    pass    pass    pass'),
  'tls11-only': row(' pass    pass     fail    pass  pass    pass    pass    pass'),
};

describe.skipIf(!requirePeer('postfix'))('STARTTLS certificate checks against a real Postfix', () => {
  let postfix: PostfixInstance | undefined;
  let dir: string;
  let report: RunReport;
  let rootFile: string;

  beforeAll(async () => {
    dir = tempDir('relaycheck-postfix-tls-');
    const root = await createRootCa({ cn: 'Contoso Test Root CA' });
    const intermediate = await createIntermediateCa(root, { cn: 'Contoso Test Issuing CA' });
    const names = ['mail.contoso.test', '*.contoso.test'];
    const day = 86_400_000;
    const now = Date.now();
    const valid = await issueLeaf(intermediate, { cn: 'mail.contoso.test', dnsNames: names });
    const expired = await issueLeaf(intermediate, { cn: 'mail.contoso.test', dnsNames: names, notBefore: new Date(now - 400 * day), notAfter: new Date(now - 35 * day) });
    const wrong = await issueLeaf(intermediate, { cn: 'mx.fabrikam.test', dnsNames: ['mx.fabrikam.test'] });
    const self = await selfSigned({ cn: 'mail.contoso.test', dnsNames: names });
    const leafOnly = await issueLeaf(intermediate, { cn: 'mail.contoso.test', dnsNames: names });
    // The key and the chain each listener serves (leaf-only: no intermediate; no-starttls: none).
    const certs: Record<Case, { leaf: Issued; chain: string } | null> = {
      valid: { leaf: valid, chain: valid.chainPem },
      expired: { leaf: expired, chain: expired.chainPem },
      'wrong-name': { leaf: wrong, chain: wrong.chainPem },
      'self-signed': { leaf: self, chain: self.certPem },
      'leaf-only': { leaf: leafOnly, chain: leafOnly.certPem },
      'no-starttls': null,
      'tls11-only': { leaf: valid, chain: valid.chainPem },
    };

    loopback = await claimLoopbackBlock(CASES.map((_c, i) => ({ host: i + 1, tcp: [25, 587] })));
    rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, root.certPem);
    const listeners: PostfixListener[] = [];
    for (const c of CASES) {
      const cert = certs[c];
      let keyFile: string | undefined;
      let chainFile: string | undefined;
      if (cert) {
        keyFile = join(dir, `${c}.key`);
        chainFile = join(dir, `${c}.chain.pem`);
        writeFileSync(keyFile, cert.leaf.keyPem, { mode: 0o600 });
        writeFileSync(chainFile, cert.chain);
      }
      const tls = c === 'no-starttls' ? 'none' : c === 'tls11-only' ? 'legacy' : 'may';
      for (const port of [25, 587]) listeners.push({ address: address(c), port, tls, keyFile, chainFile });
    }
    postfix = await startPostfix({ dir: join(dir, 'postfix'), listeners, hostname: 'mail.contoso.test' });

    const smartHosts = CASES.map((c) => `  - { name: "Smart host ${c}", direction: from-office365, smartHosts: [${host(c)}], tls: { mode: domain, domain: mail.contoso.test } }`).join('\n');
    const accounts = CASES.map((c) => `  - { name: "Submission ${c}", endpoint: "${host(c)}:587", username: relay@contoso.test, password: { env: RC_PW }, from: relay@contoso.test }`).join('\n');
    const resolve = CASES.flatMap((c) => [`  "${host(c)}:25": ${address(c)}`, `  "${host(c)}:587": ${address(c)}`]).join('\n');
    const yaml = `version: 1\ndomain: contoso.test\ntrust: { system: false, ca: [./root.pem] }\nresolve:\n${resolve}\nconnectors:\n${smartHosts}\nsubmission:\n${accounts}\n`;
    const plan = writeAndLoadPlan(dir, yaml, {}, { RC_PW: 'unused-here' });
    report = await runPlan(plan, { checks: builtinChecks, probes: builtinProbes }, {
      send: false,
      only: ['smtp', 'tls'],
      timeouts: { ...DEFAULT_TIMEOUTS, connectMs: 5000, greetingMs: 10_000, commandMs: 10_000, tlsMs: 10_000, deadlineMs: 60_000 },
      concurrency: 20,
    });
  }, 120_000);

  afterAll(async () => {
    await postfix?.stop();
  });

  const statusOf = (check: string, endpoint: string) => report.results.filter((r) => r.check === check && r.endpoint === endpoint).map((r) => r.status);

  for (const c of CASES) {
    it(`judges the ${c} listener on port 25 as a smart host exactly as expected`, () => {
      const observed = Object.fromEntries(CHECKS.map((check) => [check, statusOf(check, `${host(c)}:25`)[0]]));
      expect(observed).toEqual(SMART_HOST[c]);
    });
    it(`judges the ${c} listener on port 587 as a submission endpoint exactly as expected`, () => {
      const observed = Object.fromEntries(CHECKS.map((check) => [check, statusOf(check, `${host(c)}:587`)[0]]));
      expect(observed).toEqual(SUBMISSION[c]);
    });
  }

  it('explains the failures in Exchange Online terms', () => {
    const find = (check: string, c: Case) => report.results.find((r) => r.check === check && r.endpoint === `${host(c)}:25`)!;
    expect(find('tls.certificate-expiry', 'expired').exchangeOnline).toMatch(/CertificateExpired/);
    expect(find('tls.certificate-name', 'wrong-name').exchangeOnline).toMatch(/SubjectMismatch/);
    expect(find('tls.certificate-chain', 'leaf-only').exchangeOnline).toMatch(/UntrustedRoot/);
    expect(find('tls.certificate-chain', 'leaf-only').message).toMatch(/Contoso Test Issuing CA/);
    expect(find('tls.version', 'tls11-only').message).toMatch(/offers only TLS 1\.0\/1\.1|TLS 1\.1/);
    expect(find('smtp.starttls', 'no-starttls').message).toMatch(/STARTTLS/);
  });

  it('agrees with posttls-finger on which listeners verify', async () => {
    // posttls-finger -l secure verifies the chain against the root and the name against the
    // match list; relaycheck's trust+name verdicts on port 25 must agree.
    const verdicts: Record<string, boolean> = {};
    const outputs: string[] = [];
    for (const c of ['valid', 'expired', 'wrong-name', 'self-signed', 'leaf-only'] as Case[]) {
      const out = await run('posttls-finger', ['-c', '-l', 'secure', '-F', rootFile, `[${address(c)}]:25`, 'mail.contoso.test'], { timeout: 20_000 }).then(
        (r) => r.stdout + r.stderr,
        (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
      );
      outputs.push(`${c}: ${out}`);
      verdicts[c] = /Verified TLS connection established/.test(out);
    }
    expect(verdicts, outputs.join('\n')).toEqual({ valid: true, expired: false, 'wrong-name': false, 'self-signed': false, 'leaf-only': false });
    const ours = (c: Case) => ['tls.certificate-name', 'tls.certificate-trust', 'tls.certificate-chain', 'tls.certificate-expiry'].every((check) => statusOf(check, `${host(c)}:25`)[0] !== 'fail');
    for (const c of Object.keys(verdicts) as Case[]) expect(ours(c), c).toBe(verdicts[c]);
  });
});
