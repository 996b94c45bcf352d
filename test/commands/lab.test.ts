// `relaycheck lab` as a newcomer runs it (the built CLI in dist/): a passing lab with the reports'
// places printed, faults that fail the run with exit 1, a wrong fault name refused with exit 2,
// --help that teaches the faults, and Ctrl-C that ends the run instead of hanging.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_FAULTS } from '../../src/lab/faults.js';
import { CLI, runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-lab-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('relaycheck lab', () => {
  it('passes, writes console, HTML and JSON reports into reports/lab/ and says where they are', async () => {
    const r = await runCli(['lab'], { cwd: tmp });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^relaycheck lab: a correct set-up/);
    expect(r.stdout).toMatch(/PASS: \d+ pass, 0 warn, 0 fail, 0 error, 0 skipped/);
    const reports = /Reports: {2}(\S+\.html)\n {10}(\S+\.json)\n/.exec(r.stdout);
    expect(reports, r.stdout).not.toBeNull();
    for (const file of [reports![1], reports![2]]) {
      expect(file.startsWith('reports/lab/relaycheck-')).toBe(true);
      expect(existsSync(join(tmp, file))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(tmp, reports![2]), 'utf8')).verdict).toBe('pass');
    expect(r.stdout).toContain('Lab plan: reports/lab/relaycheck-lab.yaml');
    // the plan names its store, so the history of the lab's runs is one -c away
    const history = await runCli(['history', '-c', 'reports/lab/relaycheck-lab.yaml'], { cwd: tmp });
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^Runs of \S+relaycheck-lab\.yaml recorded in \S+reports\/lab\/relaycheck\.sqlite, newest first:/);
    expect(history.stdout).toMatch(/│ 1 +│ .*│ PASS +│/);
  });

  it('exits 1 with the injected faults failing, each with what to do about it', async () => {
    const r = await runCli(['lab', '--break', 'expired-cert,sender-mismatch', '--out', join(tmp, 'broken'), '--format', 'console'], { cwd: tmp });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/faults injected:\n {2}- expired-cert: the smart host presents a certificate that expired 35 days ago\n {2}- sender-mismatch: /);
    expect(r.stdout).toMatch(/FAIL +│ tls\.certificate-expiry/);
    expect(r.stdout).toMatch(/FAIL +│ auth\.sender-match/);
    expect(r.stdout).toMatch(/Renew the certificate/);
    expect(r.stdout).toMatch(/As expected, the injected faults failed the run/);
  });

  it('refuses an unknown fault with exit 2, naming the known ones, before starting anything', async () => {
    const out = join(tmp, 'never');
    const r = await runCli(['lab', '--break', 'tls-is-fine', '--out', out], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('relaycheck: --break: unknown fault "tls-is-fine"; the lab knows: expired-cert, wrong-name');
    expect(existsSync(out)).toBe(false);
  });

  it('explains every fault and shows examples in --help', async () => {
    const r = await runCli(['lab', '--help']);
    expect(r.code).toBe(0);
    for (const f of LAB_FAULTS) expect(r.stdout).toContain(`${f}: `);
    expect(r.stdout).toMatch(/Examples:[\s\S]*relaycheck lab --break expired-cert/);
  });

  it('ends on Ctrl-C during the run and still says where the reports are', async () => {
    const child = spawn(process.execPath, [CLI, 'lab', '--out', join(tmp, 'interrupted')], { cwd: tmp, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let signalled = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!signalled && stdout.includes('plan:')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(signalled).toBe(true);
    // Depending on when the signal lands: the whole run (0), a partial report (1) or before the run (130).
    expect([0, 1, 130]).toContain(code);
    if (code !== 130) expect(stdout).toMatch(/Reports: {2}\S+\.html/);
  });
});
