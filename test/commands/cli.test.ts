// The command line as a new user meets it: help on every command, the catalogue, init, and a
// first run of the init plan that ends with a report (connection failures are findings).
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCommand } from '../../src/commands/init.js';
import { runCli } from '../helpers/cli.js';
import { reportSchemaErrors } from '../helpers/report-schema.js';

/** A fresh folder holding the plan `relaycheck init` writes (written in-process: init itself is tested below). */
async function initDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  await initCommand(join(dir, 'relaycheck.yaml'), false);
  return dir;
}

describe('relaycheck CLI', () => {
  for (const command of ['run', 'checks', 'init', 'report']) {
    it(`prints help with examples for ${command}`, async () => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`relaycheck ${command}`);
      expect(r.stdout).toContain('Examples:');
    });
  }

  it('lists the commands in its top-level help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['run', 'checks', 'init', 'report']) expect(r.stdout).toContain(`relaycheck ${c}`);
  });

  it('exits 2 on an unknown command or option with a hint, never a stack trace', async () => {
    const bad = await runCli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Unknown command: frobnicate');
    const opt = await runCli(['run', '--bogus-flag']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toBe('relaycheck: Unknown argument: bogus-flag\nrelaycheck: See relaycheck --help.\n');
  });

  it('lists every check in the catalogue, also as JSON', async () => {
    const r = await runCli(['checks', '--format', 'json']);
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((c) => c.id);
    expect(ids).toContain('config.connector-tls');
    expect(ids).toContain('limits.quota');
  });

  it('writes a plan with init that refuses to overwrite, and whose run ends in a report with findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-init-'));
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(readFileSync(join(dir, 'relaycheck.yaml'), 'utf8')).toContain('direction: from-office365');
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('relaycheck: relaycheck.yaml: already exists; use --force to overwrite it\n');
    // the OAuth entry's app certificate, made for the admin to upload; its key readable by the owner only
    expect(init.stdout).toContain('upload pki/relaycheck-app.pem');
    expect(statSync(join(dir, 'secrets', 'relaycheck-app.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'relaycheck.yaml'), 'utf8')).toMatch(/oauth2:\n\s+tenantId: .*\n\s+clientId: .*\n\s+certificate:/);
    const nowhere = await runCli(['init', '-c', 'no/such/folder/plan.yaml'], { cwd: dir });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toBe('relaycheck: no/such/folder/plan.yaml: cannot write the plan: its folder does not exist\n');

    // The example hosts must never be contacted from a test: map every endpoint to a closed
    // loopback port's address; the DNS checks' queries are refused by the loopback-only guard.
    const resolve = ['contoso-com.mail.protection.outlook.com:25:127.0.0.9', 'mail.contoso.com:25:127.0.0.9', 'smtp.office365.com:587:127.0.0.9'];
    const run = await runCli(['run', '--no-send', '--timeout', '1000', ...resolve.flatMap((x) => ['--resolve', x])], { cwd: dir, env: { SCANNER_PASSWORD: 'example-password' } });
    expect(run.stdout).toContain('Office 365 SMTP relay TLS 2');
    expect(run.stdout).toMatch(/(PASS|FAIL|ERROR): \d+ pass/);
    expect(run.code).toBe(1); // unreachable endpoints are findings: exit 1, not a crash, not 0
    const files = readdirSync(join(dir, 'reports'));
    expect(files.some((f) => /^relaycheck-relaycheck-[0-9a-f]{6}-\d{8}T\d{6}\.\d{3}Z\.json$/.test(f))).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'reports', files.find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(JSON.stringify(report)).not.toContain('example-password');
  });

  it('takes the last value of a repeated option instead of failing on it', async () => {
    const dir = await initDir('relaycheck-repeat-');
    const r = await runCli(['run', '-c', 'nowhere.yaml', '-c', 'relaycheck.yaml', '--no-send', '--only', 'config', '--format', 'json', '--out', 'elsewhere', '--out', '-', '--fail-on', 'fail', '--fail-on', 'warn'], {
      cwd: dir,
      env: { SCANNER_PASSWORD: 'x' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).plan.file).toBe('relaycheck.yaml');
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
  });

  it('refuses an --out folder it cannot write before probing anything', async () => {
    const dir = await initDir('relaycheck-outfile-');
    const r = await runCli(['run', '--no-send', '--format', 'json', '--out', 'relaycheck.yaml/reports', '--resolve', 'mail.contoso.com:25:127.0.0.9'], { cwd: dir, env: { SCANNER_PASSWORD: 'x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('relaycheck: --out: cannot write reports to relaycheck.yaml/reports: it (or a part of its path) is a file, not a folder\n');
    expect(r.stdout).toBe('');
  });

  it('writes one format to stdout with --out - and refuses two', async () => {
    const dir = await initDir('relaycheck-out-');
    const env = { SCANNER_PASSWORD: 'x' };
    const one = await runCli(['run', '--no-send', '--only', 'config', '--format', 'json', '--out', '-'], { cwd: dir, env });
    expect(one.code).toBe(0);
    expect(reportSchemaErrors(JSON.parse(one.stdout))).toEqual([]);
    // Only the local store (send log and history) may appear in reports/, no report files.
    const written = existsSync(join(dir, 'reports')) ? readdirSync(join(dir, 'reports')) : [];
    expect(written.filter((f) => f.startsWith('relaycheck-'))).toEqual([]);
    const two = await runCli(['run', '--no-send', '--format', 'json,console', '--out', '-'], { cwd: dir, env });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--out: "-" writes a single format to stdout; 2 were asked for (json, console)');
  });

  it('stays quiet in cron when nothing fails and says one line when something does', async () => {
    const dir = await initDir('relaycheck-cron-');
    const ok = await runCli(['run', '--no-send', '--only', 'config', '--format', 'json', '--out', 'out'], { cwd: dir, env: { SCANNER_PASSWORD: 'x' } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    expect(ok.stderr).toBe('');

    writeFileSync(join(dir, 'open.yaml'), 'version: 1\ndomain: contoso.com\nconnectors:\n  - {name: Relay, direction: to-office365, endpoint: contoso-com.mail.protection.outlook.com, requireTls: false, tlsSenderCertificateName: "*.contoso.com"}\n');
    const bad = await runCli(['run', '-c', 'open.yaml', '--no-send', '--only', 'config', '--format', 'json', '--out', 'out'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^relaycheck: open\.yaml: fail \(1 fail, 0 error, 0 warn\) — see out[\\/]relaycheck-open-[0-9a-f]{6}-\d{8}T\d{6}\.\d{3}Z\.json\n$/);
  });

  it('re-renders a saved run as a console table', async () => {
    const dir = await initDir('relaycheck-report-');
    await runCli(['run', '--no-send', '--only', 'config', '--format', 'json', '--out', 'out'], { cwd: dir, env: { SCANNER_PASSWORD: 'x' } });
    const json = join(dir, 'out', readdirSync(join(dir, 'out')).find((f) => f.endsWith('.json'))!);
    const r = await runCli(['report', json, '--format', 'console']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('config.connector-tls');
    const bad = await runCli(['report', join(dir, 'relaycheck.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not JSON');
  });
});
