// The per-plan run lock and report names, with real processes: a second run of a plan exits at
// once naming the first one's pid; two plans run side by side into one folder keep every report
// and every history row.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { hostile, startRawServer, type RawServer } from '../helpers/raw-smtp-server.js';
import { lockFileFor } from '../../src/runner/lock.js';

const servers: RawServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

function plan(dir: string, name: string, port: number): string {
  writeFileSync(
    join(dir, name),
    `version: 1
domain: contoso.test
connectors:
  - name: Smart host
    direction: from-office365
    smartHosts: ["mail.contoso.test:${port}"]
    tls: { mode: domain, domain: mail.contoso.test }
`,
  );
  return name;
}

async function until(test: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('one run of a plan at a time', () => {
  it('makes a second run of the same plan exit at once with 2 (3 under nagios), naming the pid of the run that holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-lock-'));
    const server = await startRawServer(hostile.silent);
    servers.push(server);
    const file = plan(dir, 'relaycheck.yaml', server.port);
    const args = ['run', '-c', file, '--no-send', '--only', 'smtp.connect', '--resolve', `mail.contoso.test:${server.port}:127.0.0.1`, '--format', 'json', '--out', 'out'];
    const first = runCli([...args, '--timeout', '10000'], { cwd: dir, timeoutMs: 120_000 });
    const lock = lockFileFor(join(dir, file), join(dir, 'out', 'relaycheck.sqlite'));
    await until(() => existsSync(lock) && server.connections > 0, 15_000);

    const second = await runCli(args, { cwd: dir });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^relaycheck: relaycheck\.yaml: another run of this plan is in progress \(pid \d+, since \d{4}-/);
    expect(second.ms).toBeLessThan(10_000);
    const nagios = await runCli(args.map((a) => (a === 'json' ? 'nagios' : a)), { cwd: dir });
    expect(nagios.code).toBe(3);
    expect(nagios.stdout).toMatch(/^RELAYCHECK UNKNOWN - usage or plan error: .*another run of this plan is in progress \(pid \d+/);

    const done = await first;
    expect(done.code).toBe(1); // the silent server is a finding
    expect(existsSync(lock)).toBe(false);
    const third = await runCli([...args, '--timeout', '300'], { cwd: dir });
    expect(third.code).toBe(1);
    const reports = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.json') && !f.includes('-latest'));
    expect(reports).toHaveLength(2);
  }, 60_000);

  it('keeps 40 distinct report sets and 40 history rows when two plans run side by side 20 times into one folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-parallel-'));
    plan(dir, 'tenant-a.yaml', 25);
    plan(dir, 'tenant-b.yaml', 25);
    const args = (p: string) => ['run', '-c', p, '--no-send', '--only', 'config', '--format', 'json,html', '--out', 'out'];
    for (let i = 0; i < 20; i++) {
      const [a, b] = await Promise.all([runCli(args('tenant-a.yaml'), { cwd: dir }), runCli(args('tenant-b.yaml'), { cwd: dir })]);
      expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
    }
    const files = readdirSync(join(dir, 'out'));
    const sets = (ext: string) => files.filter((f) => f.endsWith(`.${ext}`) && !f.includes('-latest')).map((f) => f.slice(0, -ext.length - 1));
    expect(new Set(sets('json')).size).toBe(40);
    expect(new Set(sets('html'))).toEqual(new Set(sets('json')));
    expect(sets('json').filter((f) => f.startsWith('relaycheck-tenant-a-'))).toHaveLength(20);
    expect(files.filter((f) => f.includes('-latest'))).toHaveLength(4);
    const history = await runCli(['history', '--out', 'out', '--format', 'json', '--limit', '100'], { cwd: dir });
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toHaveLength(40);
  }, 240_000);
});
