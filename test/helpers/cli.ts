// Runs the built CLI (dist/) as a user would, capturing stdout, stderr and the exit code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `relaycheck` executable (package.json bin): it runs the bundled CLI. */
export const CLI = fileURLToPath(new URL('../../dist/src/bin.cjs', import.meta.url));
/** The compile cache of test runs (src/bin.cts), out of the user's own cache directory. */
export const COMPILE_CACHE = fileURLToPath(new URL('../../test-artifacts/compile-cache', import.meta.url));
/** The same loopback-only guard as the test process, for every CLI a test spawns. */
const GUARD = new URL('../setup/loopback-only.mjs', import.meta.url).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number; /** another copy of the executable */ cli?: string } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', RELAYCHECK_CACHE_DIR: COMPILE_CACHE, ...options.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${GUARD}`.trim() };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [options.cli ?? CLI, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relaycheck ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
