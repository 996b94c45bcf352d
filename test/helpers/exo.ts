// Test scaffolding for the AUTH / send / quota tests: a lab PKI, plans written to a temp folder
// and loaded by the real loader, and run options with short timeouts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabPki, issueLeaf, type LabPki } from '../../src/pki/generate.js';
import { loadPlan } from '../../src/plan/load.js';
import { DEFAULT_TIMEOUTS, type RunOptions } from '../../src/runner/run.js';
import type { Plan, Timeouts } from '../../src/types.js';

export const TEST_TIMEOUTS: Timeouts = { ...DEFAULT_TIMEOUTS, connectMs: 5000, greetingMs: 5000, commandMs: 5000, tlsMs: 5000, deadlineMs: 60_000 };

let pkiPromise: Promise<LabPki> | undefined;
/** One lab PKI per test file: root → issuing CA → leaves for contoso.test (valid leaf: smtp.contoso.test). */
export function labPki(): Promise<LabPki> {
  pkiPromise ??= createLabPki({ domain: 'contoso.test', host: 'smtp.contoso.test' });
  return pkiPromise;
}

/** A server certificate for `host` from the lab's issuing CA (key + chain PEM). */
export async function serverCert(pki: LabPki, host: string): Promise<{ key: string; cert: string }> {
  const leaf = await issueLeaf(pki.intermediate, { cn: host, dnsNames: [host] });
  return { key: leaf.keyPem, cert: leaf.chainPem };
}

export function tempDir(prefix = 'relaycheck-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (name → text) and the plan into `dir`, then loads the plan as `relaycheck run` would. */
export function writeAndLoadPlan(dir: string, yaml: string, files: Record<string, string> = {}, env: Record<string, string> = {}): Plan {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
  const file = join(dir, 'relaycheck.yaml');
  writeFileSync(file, yaml);
  return loadPlan(file, { env: { ...process.env, ...env } });
}

export function runOptions(extra: Partial<RunOptions> = {}): RunOptions {
  return { send: true, timeouts: TEST_TIMEOUTS, concurrency: 8, ...extra };
}

/** A ProbeContext for calling a probe directly. */
export function probeContext(plan: Plan, extra: Partial<import('../../src/types.js').ProbeContext> = {}): import('../../src/types.js').ProbeContext {
  return { plan, timeouts: TEST_TIMEOUTS, signal: new AbortController().signal, send: true, runToken: 'testrun00001', startedAt: new Date(), deps: {}, shared: new Map(), ...extra };
}

/** Every form a secret can leak in: verbatim, base64 (alone and inside AUTH PLAIN / XOAUTH2 payloads). */
export function secretForms(secret: string, username?: string): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const forms = [secret, b64(secret), b64(secret).replace(/=+$/, '')];
  if (username) forms.push(b64(`\u0000${username}\u0000${secret}`), b64(`user=${username}\u0001auth=Bearer ${secret}\u0001\u0001`));
  return forms;
}
