// What the lab leaves behind and how it ends: the plan it writes loads as any plan does, its
// secrets sit in 0600 files and never reach a report, and every server stops — after the run,
// when something throws during the run, and on Ctrl-C while the lab starts.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab, type LabArgs } from '../../src/commands/lab.js';
import { UsageError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/load.js';
import { captureIo as io, refused } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-lab-life-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const args = (dir: string, extra: Partial<LabArgs> = {}): LabArgs => ({ out: join(tmp, dir), format: ['console', 'html', 'json'], failOn: 'fail', send: true, ...extra });

/** The ports the lab printed in its header ("host:PORT" on each server line). */
function headerPorts(text: string): number[] {
  const header = text.slice(0, text.indexOf('plan:'));
  return [...header.matchAll(/:(\d{2,5})\b/g)].map((m) => Number(m[1]));
}

describe('relaycheck lab leaves', () => {
  it('a plan that loads like any other, secrets in 0600 files that no report contains, and says where the reports are', async () => {
    const out = io();
    const r = await runLab(args('plan'), out);
    expect(r.code).toBe(0);
    const dir = join(tmp, 'plan');
    const plan = loadPlan(r.planFile!);
    expect(plan.domain).toBe('contoso.test');
    expect(plan.trust).toMatchObject({ system: false });
    expect(plan.connectors.map((c) => c.direction)).toEqual(['to-office365', 'from-office365']);
    // the scanner uses OAuth client credentials with the app's certificate, and has no password
    expect(plan.submission[0].password).toBeUndefined();
    expect(plan.submission[0].oauth2?.client?.certificate?.key.source).toBe('file ./secrets/scanner-app.key');
    expect(plan.submission[0].validation?.imap?.oauth2).toBe(plan.submission[0].oauth2);

    const planText = readFileSync(r.planFile!, 'utf8');
    expect(planText).toMatch(/^# relaycheck lab: the test plan of a made-up tenant/);
    const secretsDir = join(dir, 'secrets');
    expect(statSync(secretsDir).mode & 0o777).toBe(0o700);
    const secrets = readdirSync(secretsDir).map((f) => {
      expect(statSync(join(secretsDir, f)).mode & 0o777, f).toBe(0o600);
      return readFileSync(join(secretsDir, f), 'utf8').trim();
    });
    // relay key, scanner app key and secret, scanner, HVE and mailbox passwords, ACS client secret
    expect(secrets).toHaveLength(8);
    const reports = readdirSync(dir).filter((f) => !f.includes('-latest.') && /^relaycheck-.*\.(json|html)$/.test(f));
    expect(reports.map((f) => f.split('.').pop()).sort()).toEqual(['html', 'json']);
    const written = [planText, out.text(), ...reports.map((f) => readFileSync(join(dir, f), 'utf8'))];
    for (const secret of secrets.filter((s) => !s.startsWith('-----'))) for (const text of written) expect(text).not.toContain(secret);
    for (const key of secrets.filter((s) => s.startsWith('-----'))) for (const text of written) expect(text).not.toContain(key.split('\n')[1]);

    expect(out.text()).toMatch(/Lab plan: .*relaycheck-lab\.yaml\nReports: {2}.*\.html\n {10}.*\.json\nThe lab passed\./);
    for (const port of Object.values(r.ports!)) expect(await refused(port)).toBe(true);
  });
});

describe('relaycheck lab stops every server', () => {
  it('when something throws during the run', async () => {
    let header = '';
    const failing = io({
      stdout: (t) => {
        if (!header) header = t;
        else throw new Error('the terminal went away');
      },
    });
    await expect(runLab(args('throws'), failing)).rejects.toThrow('the terminal went away');
    const ports = headerPorts(header);
    // MX, submission, smart host, two IMAP, DNS, MTA-STS, Entra ID, HVE, ACS, Direct Send
    expect(ports).toHaveLength(11);
    for (const port of ports) expect(await refused(port)).toBe(true);
  });

  it('on Ctrl-C while the lab starts, exiting 130 before anything is checked', async () => {
    const out = io();
    const running = runLab(args('sigint'), out);
    process.emit('SIGINT');
    const r = await running;
    expect(r).toMatchObject({ code: 130, interrupted: true });
    expect(r.report).toBeUndefined();
    for (const port of Object.values(r.ports!)) expect(await refused(port)).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('and starts none when the command line is wrong', async () => {
    await expect(runLab(args('bad-fault', { break: ['tls-is-fine'] }), io())).rejects.toBeInstanceOf(UsageError);
    await expect(runLab(args('bad-only', { only: ['no.such-check'] }), io())).rejects.toThrow(/no check matches "no\.such-check"/);
    await expect(runLab(args('bad-format', { format: ['pdf'] }), io())).rejects.toThrow(/unknown format "pdf"/);
    for (const d of ['bad-fault', 'bad-only', 'bad-format']) expect(existsSync(join(tmp, d))).toBe(false);
  });
});
