// The console as an admin reads it, on the lab: short, never wider than the terminal, passing
// checks folded, each failure with its fix, and a closing list of what to fix.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

async function lab(columns: number, extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'relaycheck-console-'));
  const r = await runCli(['lab', '--out', 'out', ...extra], { cwd: dir, env: { COLUMNS: String(columns) }, timeoutMs: 90_000 });
  const lines = r.stdout.replace(/\n$/, '').split('\n');
  return { ...r, lines, widest: Math.max(...lines.map((l) => [...l].length)) };
}

describe('the console on the lab', () => {
  it('prints a passing run in at most 40 lines at 100 columns, none wider, with the passing checks folded', async () => {
    const r = await lab(100);
    expect(r.code).toBe(0);
    expect(r.lines.length).toBeLessThanOrEqual(40);
    expect(r.widest).toBeLessThanOrEqual(100);
    expect(r.stdout).toMatch(/^ {2}PASS \d+: /m);
    expect(r.stdout).toMatch(/^PASS: \d+ pass, 0 warn, 0 fail, 0 error, 0 skipped in (\d+ ms|\d+\.\d s)$/m);
    expect(r.stdout).not.toMatch(/to fix:/);
  }, 120_000);

  it('prints --break expired-cert,sender-mismatch in at most 70 lines with both fixes, and no table wider than 80 at 80', async () => {
    const r = await lab(100, ['--break', 'expired-cert,sender-mismatch']);
    expect(r.code).toBe(1);
    expect(r.lines.length).toBeLessThanOrEqual(70);
    expect(r.widest).toBeLessThanOrEqual(100);
    const fixes = r.stdout.slice(r.stdout.indexOf('2 to fix:'));
    expect(fixes).toMatch(/^ 1\. Renew the certificate on mail\.contoso\.test:\d+/m);
    expect(fixes).toMatch(/^ 2\. Grant scanner@contoso\.test Send As on scans@contoso\.test/m);
    expect(fixes).toMatch(/PS> Add-RecipientPermission -Identity 'scans@contoso\.test'/);
    // each failure row points at its fix; knock-ons fold into one line naming the root cause
    expect(r.stdout).toMatch(/→ fix 1: Renew the certificate/);
    expect(r.stdout).toMatch(/SKIP 2 not tested: tls\.certificate-expiry failed at mail\.contoso\.test:\d+: send\.validation,/);
    // the sections where everything passes fold into one list below the ones with findings
    expect(r.stdout).toMatch(/^PASS every check in Domain and plan: contoso\.test \(\d+\), Lab relay to Exchange Online \(\d+\)/m);
    expect(r.stdout).not.toMatch(/^Lab relay to Exchange Online — /m);

    const narrow = await lab(80, ['--break', 'expired-cert,sender-mismatch']);
    const tables = narrow.lines.filter((l) => /^[┌│├└]/.test(l));
    expect(tables.length).toBeGreaterThan(0);
    expect(Math.max(...tables.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(narrow.widest).toBeLessThanOrEqual(80);
  }, 180_000);
});
