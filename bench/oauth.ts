// What OAuth costs a run: loading MSAL (only plans with client credentials load it, on the first
// token fetch), and one token fetch through MSAL and relaycheck's HTTP client against the lab's
// Entra ID stand-in on loopback (OpenID discovery + token request; a real tenant adds the
// round trips to login.microsoftonline.com). Medians; printed, never asserted.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEntra } from '../src/lab/entra.js';
import { createLabPki, issueLeaf, selfSigned } from '../src/pki/generate.js';
import { loadPlan } from '../src/plan/load.js';
import { oauthTokenProbe } from '../src/probes/oauth-token.js';
import { DEFAULT_TIMEOUTS } from '../src/runner/run.js';
import type { OAuthTokenProbeData } from '../src/evidence/oauth.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function importCost(): Promise<number> {
  return new Promise((resolve, reject) => {
    const code = "const t = performance.now(); await import('@azure/msal-node'); process.stdout.write(String(performance.now() - t));";
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('close', (c) => (c === 0 ? resolve(Number(out)) : reject(new Error(`import failed (${c})`))));
  });
}

export async function main(runs = 9): Promise<void> {
  const host = 'login.microsoftonline.lab.test';
  const pki = await createLabPki({ domain: 'contoso.test', host: 'smtp.contoso.test' });
  const [leaf, app] = await Promise.all([issueLeaf(pki.intermediate, { cn: host, dnsNames: [host] }), selfSigned({ cn: 'bench app', key: { kind: 'rsa', bits: 2048 } })]);
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const entra = await startEntra({ key: leaf.keyPem, cert: leaf.chainPem, tenantId, tenantDomain: 'bench.onmicrosoft.com', apps: [{ clientId, displayName: 'bench', objectId: randomUUID(), secrets: [{ value: 'bench-secret' }], certificates: [app.certPem], roles: ['SMTP.SendAsApp'] }] });
  const dir = mkdtempSync(join(tmpdir(), 'relaycheck-bench-oauth-'));
  try {
    writeFileSync(join(dir, 'root.pem'), pki.root.certPem);
    writeFileSync(join(dir, 'app.pem'), app.certPem);
    writeFileSync(join(dir, 'app.key'), app.keyPem, { mode: 0o600 });
    const plan = (credential: string) => {
      writeFileSync(join(dir, 'relaycheck.yaml'), `version: 1\ndomain: contoso.test\ntrust: { system: false, ca: [./root.pem] }\nresolve: { "${host}:${entra.port}": 127.0.0.1 }\nsubmission:\n  - { name: S, endpoint: smtp.office365.com, username: s@contoso.test, from: s@contoso.test, oauth2: { tenantId: ${tenantId}, clientId: ${clientId}, authority: "https://${host}:${entra.port}", ${credential} } }\n`);
      return loadPlan(join(dir, 'relaycheck.yaml'), { env: { ...process.env, BENCH_SECRET: 'bench-secret' } });
    };
    const fetchMs = async (credential: string) => {
      const times: number[] = [];
      for (let i = 0; i <= runs; i++) {
        const p = plan(credential);
        const t0 = performance.now();
        const data = (await oauthTokenProbe.run({ scope: 'entry', entry: p.submission[0] }, { plan: p, timeouts: DEFAULT_TIMEOUTS, signal: new AbortController().signal, send: false, runToken: 'bench', startedAt: new Date(), deps: {}, shared: new Map() })) as OAuthTokenProbeData;
        if (!data.fetches[0].ok) throw new Error(`no token: ${data.fetches[0].failure?.message}`);
        if (i > 0) times.push(performance.now() - t0); // the first includes loading MSAL in this process
      }
      return median(times);
    };
    const load = median(await Promise.all([importCost(), importCost(), importCost()]));
    const cert = await fetchMs('certificate: { cert: ./app.pem, key: { file: ./app.key } }');
    const secret = await fetchMs('clientSecret: { env: BENCH_SECRET }');
    console.log(`OAuth token fetch (median of ${runs}, loopback Entra ID stand-in, discovery + token request)`);
    console.log(`  loading @azure/msal-node (once per run, only for plans with OAuth)  ${load.toFixed(0).padStart(5)} ms`);
    console.log(`  token with the app certificate (PS256 client assertion)              ${cert.toFixed(0).padStart(5)} ms`);
    console.log(`  token with a client secret                                          ${secret.toFixed(0).padStart(5)} ms`);
  } finally {
    await entra.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
