// After an OAuth run through the lab — the scanner's app with its certificate, then with a client
// secret — no report format, nothing on stdout or stderr, and nothing in the store holds the
// token, the client secret, the client assertion, the private key or the XOAUTH2 SASL string.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { runAndReport } from '../../src/commands/run.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { LAB, LAB_FILES } from '../../src/lab/plan.js';
import { SHARED_MTA_STS_PORT } from '../../src/probes/mta-sts.js';
import { FORMATS } from '../../src/report/formats.js';
import { setSystemRoots } from '../../src/tls/trust.js';
import { captureIo } from '../lab/helpers.js';
import { tempDir } from '../helpers/exo.js';

const labs: Lab[] = [];
afterAll(async () => {
  setSystemRoots(() => rootCertificates);
  await Promise.all(labs.map((l) => l.close()));
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function forms(secret: string): string[] {
  const out = [secret, b64(secret), b64(secret).replace(/=+$/, '')];
  // a cut-off token or assertion still leaks: the start of each of its parts counts
  if (secret.split('.').length === 3) for (const part of secret.split('.')) if (part.length >= 48) out.push(part.slice(0, 48));
  for (const user of [LAB.submissionUser, LAB.exoMailbox]) out.push(b64(`user=${user}\u0001auth=Bearer ${secret}\u0001\u0001`));
  return out;
}

async function run(secretFlow: boolean) {
  const lab = await startLab({ dir: tempDir('relaycheck-noleak-') });
  labs.push(lab);
  if (secretFlow) {
    // the same app, with its client secret in place of the certificate
    const text = readFileSync(lab.planFile, 'utf8').replace(/certificate:\s*\n\s*cert: \.\/pki\/scanner-app\.pem\s*\n\s*key:\s*\n?\s*file: \.\/secrets\/scanner-app\.key/, `clientSecret:\n          file: ./${LAB_FILES.appSecret}`);
    expect(text).toContain('clientSecret');
    writeFileSync(lab.planFile, text);
  }
  setSystemRoots(() => [...rootCertificates, lab.rootPem]);
  const io = captureIo();
  const out = join(lab.dir, 'reports');
  const outcome = await runAndReport(
    { config: lab.planFile, format: FORMATS.map((f) => f.name), out, failOn: 'fail', send: true, timeout: 5000, deadline: 60_000, concurrency: 8, probeState: { [SHARED_MTA_STS_PORT]: lab.ports.mtaSts } },
    io,
  );
  setSystemRoots(() => rootCertificates);
  const files = readdirSync(out).map((f) => join(out, f));
  const store = readdirSync(lab.dir).filter((f) => f.startsWith('relaycheck.sqlite')).map((f) => join(lab.dir, f));
  return { lab, outcome, io, written: [...files, ...store] };
}

describe('an OAuth run leaks nothing', () => {
  it.each([
    ['with the app certificate', false],
    ['with the client secret', true],
  ])('%s: no token, secret, assertion, key or SASL string in any report, the console, stderr or the store', async (_what, secretFlow) => {
    const { lab, outcome, io, written } = await run(secretFlow);
    expect(outcome.report.results.find((r) => r.check === 'auth.oauth-token')?.status).toBe('pass');
    expect(outcome.report.results.find((r) => r.check === 'auth.login')?.status).toBe('pass');
    expect(outcome.report.results.filter((r) => r.check === 'send.delivery' && r.connector === LAB.submissionName).map((r) => r.status)).toEqual(['pass']);
    const seen = lab.servers.entra.seen;
    expect(seen.tokens.length).toBeGreaterThan(0);
    expect(secretFlow ? seen.secrets.length : seen.assertions.length).toBeGreaterThan(0);
    const key = readFileSync(join(lab.dir, LAB_FILES.appKey), 'utf8');
    const secrets = [...seen.tokens, ...seen.assertions, ...seen.secrets, readFileSync(join(lab.dir, LAB_FILES.appSecret), 'utf8').trim()];
    const outputs: [string, string][] = [
      ['stdout', io.out.join('')],
      ['stderr', io.err.join('')],
      ...written.map((f): [string, string] => [f, readFileSync(f).toString('latin1')]),
    ];
    expect(written.some((f) => f.endsWith('.sqlite'))).toBe(true);
    // console and nagios go to stdout, the others to files (plus the plan's -latest copies, also checked below)
    expect(written.filter((f) => !f.includes('sqlite') && !f.includes('-latest.')).length).toBe(FORMATS.filter((f) => !f.stdout).length);
    expect(io.out.join('')).toMatch(/auth\.oauth-token/);
    for (const [where, text] of outputs) {
      for (const s of secrets) for (const form of forms(s)) expect(text.includes(form), `${where} holds a secret (${form.slice(0, 12)}…)`).toBe(false);
      expect(text.includes(key.split('\n')[1]), `${where} holds the app key`).toBe(false);
    }
  }, 90_000);
});
