// `relaycheck report RUN.json` re-renders a saved run in every format, and the monitoring exit
// codes hold at the command line (the built CLI, run as a user or a monitoring agent would).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { planStem } from '../../src/report/names.js';
import { spawnSync } from 'node:child_process';
import { CLI, runCli } from '../helpers/cli.js';
import { fixturePath } from './fixtures.js';

const FIVE = fixturePath('five-connectors');

describe('relaycheck report', () => {
  it('re-renders a saved run as HTML and JUnit on stdout', async () => {
    const html = await runCli(['report', FIVE, '--format', 'html']);
    expect(html.code).toBe(0);
    expect(html.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(html.stdout).toContain('Office 365 SMTP relay TLS 2');
    const junit = await runCli(['report', FIVE, '--format', 'junit']);
    expect(junit.code).toBe(0);
    expect(XMLValidator.validate(junit.stdout)).toBe(true);
  });

  it('writes into reports/ and says where when stdout is a terminal, instead of 80 KB of HTML on the screen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-report-tty-'));
    // script(1) gives the command a real terminal
    const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} report ${JSON.stringify(FIVE)} --format html`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    const files = readdirSync(join(dir, 'reports'));
    expect(files).toEqual([expect.stringMatching(/^relaycheck-relaycheck-[0-9a-f]{6}-20261127T020000\.000Z\.html$/)]);
    expect(r.stdout).toContain(`Wrote reports/${files[0]}`);
    expect(r.stdout).not.toContain('<!doctype html>');
  });

  it('re-renders as a plugin status line and exits with the plugin state', async () => {
    const r = await runCli(['report', FIVE, '--format', 'nagios']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^RELAYCHECK CRITICAL - 4 fail, 2 warn: .* \| pass=81 warn=2 fail=4 error=0 skipped=7 duration=8\.7s cert_days_min=-35\n/);
    const hostile = await runCli(['report', fixturePath('hostile'), '--format', 'console']);
    expect(hostile.code).toBe(0);
  });

  it('writes several formats to a folder, the Prometheus file under its stable name', async () => {
    const out = mkdtempSync(join(tmpdir(), 'relaycheck-rerender-'));
    const r = await runCli(['report', FIVE, '--format', 'html,junit,prometheus', '--out', out]);
    expect(r.code).toBe(0);
    const stem = `${planStem('/etc/relaycheck/relaycheck.yaml')}-20261127T020000.000Z`;
    // a re-render writes no -latest copy: that is the newest run's
    expect(readdirSync(out).sort()).toEqual([`${stem}.html`, `${stem}.xml`, 'relaycheck-contoso.com.prom'].sort());
    expect(readFileSync(join(out, 'relaycheck-contoso.com.prom'), 'utf8')).toContain('relaycheck_check_status{check="tls.certificate-expiry",connector="Office 365 SMTP relay TLS 2",endpoint="mail2.contoso.com:25",status="fail"} 1');
  });

  it('lists nagios and prometheus among the formats in its help', async () => {
    const r = await runCli(['report', '--help']);
    expect(r.stdout).toMatch(/console, json, html, junit, nagios, prometheus/);
  });
});

describe('monitoring exit codes at the command line', () => {
  it('is UNKNOWN (3) with a status line when the plan or the run file cannot be used under --format nagios', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-unknown-'));
    const plan = await runCli(['run', '-c', join(dir, 'missing.yaml'), '--format', 'nagios'], { cwd: dir });
    expect(plan.code).toBe(3);
    expect(plan.stdout).toMatch(/^RELAYCHECK UNKNOWN - usage or plan error: .*missing\.yaml: cannot read the plan: no such file/);
    expect(plan.stderr).toContain('cannot read the plan');
    const run = await runCli(['report', join(dir, 'missing.json'), '--format=nagios']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^RELAYCHECK UNKNOWN - /);
    const usage = await runCli(['run', '--format', 'json,nagios', '--bogus']);
    expect(usage.code).toBe(3);
  });

  it('keeps the 0/1/2 contract for every other format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-two-'));
    const plan = await runCli(['run', '-c', join(dir, 'missing.yaml'), '--format', 'json']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toBe('');
  });

  it('documents history with examples', async () => {
    const r = await runCli(['history', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('relaycheck history');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--limit');
  });
});
