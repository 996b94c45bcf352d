// Start-up time of the CLI to its first probe, next to bare `node -e 0` (issue 2's target: under
// 150 ms above bare Node). Each figure is the median of several runs, spawned as a user would.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `relaycheck` executable (package.json bin). */
const CLI = fileURLToPath(new URL('../src/bin.cjs', import.meta.url));

function timeSpawn(args: string[], marker?: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let done = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (marker && !done && stderr.includes(marker)) {
        done = true;
        resolve(performance.now() - t0);
        child.kill();
      }
    });
    child.on('close', () => {
      if (done) return;
      if (marker) reject(new Error(`no ${marker} in: ${stderr}`));
      else resolve(performance.now() - t0);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function main(runs = 9): Promise<{ bareMs: number; firstProbeMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'relaycheck-bench-'));
  const plan = join(dir, 'relaycheck.yaml');
  // One smart host on a closed loopback port: the probe starts at once and fails fast. DNS goes
  // to a loopback address nobody answers on: a benchmark never queries the site's resolvers.
  writeFileSync(plan, 'version: 1\ndomain: bench.test\ndns: { servers: [127.0.0.9] }\nresolve: {"mail.bench.test:25": 127.0.0.9}\nconnectors:\n  - {name: Bench, direction: from-office365, smartHosts: [mail.bench.test], tls: {mode: any}}\n');
  const bare: number[] = [];
  const cli: number[] = [];
  // Node's compile cache (Node ≥ 22.1; src/bin.cts turns it on) in folders of the benchmark's own.
  // Node writes it when the process exits (these runs are stopped at the first probe), so one whole
  // run warms it first; the cold figure uses a folder that stays empty. Node 20 has no such cache.
  const base = { ...process.env, RELAYCHECK_TRACE_STARTUP: '1', NO_COLOR: '1' };
  const env = { ...base, RELAYCHECK_CACHE_DIR: join(dir, 'cache') };
  const args = [CLI, 'run', '-c', plan, '--no-send', '--format', 'json', '--out', join(dir, 'out')];
  const cold = await timeSpawn(args, 'relaycheck-first-probe-ms=', { ...base, RELAYCHECK_CACHE_DIR: join(dir, 'cold-cache') });
  await timeSpawn(args, undefined, env);
  for (let i = 0; i < runs; i++) {
    bare.push(await timeSpawn(['-e', '0']));
    cli.push(await timeSpawn(args, 'relaycheck-first-probe-ms=', env));
  }
  const bareMs = median(bare);
  const firstProbeMs = median(cli);
  console.log('Start-up to the first probe (median of %d runs)', runs);
  console.log(`  node -e 0                       ${bareMs.toFixed(0).padStart(6)} ms`);
  console.log(`  relaycheck run → first probe    ${firstProbeMs.toFixed(0).padStart(6)} ms   (+${(firstProbeMs - bareMs).toFixed(0)} ms over bare Node; target < 150)`);
  console.log(`  the same without the compile cache ${cold.toFixed(0).padStart(6)} ms   (the first run of a command; Node 20 has none)`);
  rmSync(dir, { recursive: true, force: true });
  return { bareMs, firstProbeMs };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
