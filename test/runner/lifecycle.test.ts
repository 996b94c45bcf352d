// A relaycheck process always ends with a verdict: plugins that never settle, leave timers or
// reject stray promises, and SIGTERM / SIGHUP from systemd or `timeout`, all end in a report or
// one clear line with a non-zero exit — never a silent exit 0, never a process that stays.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, COMPILE_CACHE, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/exo.js';

const PLAN = (port: number) => `version: 1
domain: contoso.test
store: ./store.sqlite
connectors:
  - { name: Smart host, direction: from-office365, smartHosts: ["127.0.0.1:${port}"], tls: { mode: any } }
`;

/** A plugin with one plan-scope probe whose body is `probeBody`, and module code `top`. */
function plugin(dir: string, name: string, probeBody: string, top = ''): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `${top}
export default {
  probes: [{ id: 'hostile', scope: 'plan', key: () => 'plan', async run() { ${probeBody} } }],
  checks: [{ id: 'hostile.check', title: 'Hostile plugin', severity: 'low', scope: 'plan', remediation: 'none', requires: ['hostile'],
    evaluate: ({ probes }) => ({ status: 'pass', message: 'probe said ' + JSON.stringify(probes.hostile) }) }],
};
`,
  );
  return file;
}

let silent: net.Server;
let silentPort: number;
beforeAll(async () => {
  // Accepts connections and never says a word: a probe waits for its greeting.
  silent = net.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  silentPort = (silent.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => silent.close(() => r())));

function setup(): { dir: string; plan: string; out: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'relaycheck.yaml'), PLAN(silentPort));
  return { dir, plan: join(dir, 'relaycheck.yaml'), out: join(dir, 'reports') };
}

describe('plugins cannot end a run without a verdict', () => {
  it('reports a plugin whose top-level await never settles as an internal error (exit 2; nagios 3 UNKNOWN), not exit 0', async () => {
    const { dir, plan, out } = setup();
    const p = plugin(dir, 'never.mjs', 'return {};', 'await new Promise(() => {});');
    const r = await runCli(['run', '-c', plan, '--plugin', p, '--only', 'hostile', '--out', out, '--no-send'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/internal error: the process ran out of work before it had a verdict \(loading plugins\)/);
    const nagios = await runCli(['run', '-c', plan, '--plugin', p, '--only', 'hostile', '--format', 'nagios', '--no-send'], { timeoutMs: 20_000 });
    expect(nagios.code).toBe(3);
    expect(nagios.stdout).toMatch(/^RELAYCHECK UNKNOWN - internal error/);
  });

  it('writes the report with an error result when a plugin probe never settles', async () => {
    const { dir, plan, out } = setup();
    const p = plugin(dir, 'stuck-probe.mjs', 'await new Promise(() => {});');
    const r = await runCli(['run', '-c', plan, '--plugin', p, '--only', 'hostile', '--format', 'json', '--out', out, '--deadline', '500', '--no-send'], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(report.results[0]).toMatchObject({ check: 'hostile.check', status: 'error' });
    expect(report.results[0].message).toMatch(/deadline \(500 ms\) passed/);
  });

  it('exits right after the report although a plugin left an interval running', async () => {
    const { dir, plan, out } = setup();
    const p = plugin(dir, 'timer.mjs', 'setInterval(() => {}, 1000); return { ok: true };');
    const r = await runCli(['run', '-c', plan, '--plugin', p, '--only', 'hostile', '--format', 'json', '--out', out, '--no-send'], { timeoutMs: 15_000 });
    expect(r.code).toBe(0);
    expect(readdirSync(out).some((f) => f.endsWith('.json'))).toBe(true);
  });

  it('keeps running and reports when a plugin leaves a promise rejection unhandled', async () => {
    const { dir, plan, out } = setup();
    const p = plugin(dir, 'stray.mjs', "Promise.reject(new Error('stray plugin failure')); await new Promise((r) => setTimeout(r, 50)); return { ok: true };");
    const r = await runCli(['run', '-c', plan, '--plugin', p, '--only', 'hostile', '--format', 'json', '--out', out, '--no-send'], { timeoutMs: 15_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ignored an unhandled promise rejection .*stray plugin failure/);
    const report = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(report.results[0].message).toMatch(/probe said \{"ok":true\}/);
  });
});

describe('signals', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} ends the run like Ctrl-C: a partial report, exit 1, a line on stderr, no -wal/-shm left`, async () => {
      const { plan, out, dir } = setup();
      const child = spawn(process.execPath, [CLI, 'run', '-c', plan, '--format', 'json', '--out', out, '--timeout', '30000', '--no-send'], {
        env: { ...process.env, NO_COLOR: '1', RELAYCHECK_CACHE_DIR: COMPILE_CACHE },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Wait until the probe is waiting for the silent server's greeting.
      await new Promise((r) => setTimeout(r, 1500));
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`${signal} received: finishing with a partial report`));
      const report = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8'));
      expect(report.options.interrupted).toBe(true);
      expect(readdirSync(dir).filter((f) => /-(wal|shm)$/.test(f))).toEqual([]);
      expect(readdirSync(out).filter((f) => /-(wal|shm)$|\.tmp$/.test(f))).toEqual([]);
    }, 30_000);
  }
});
