import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImport, importCommand } from '../../src/commands/import.js';
import { UsageError } from '../../src/errors.js';
import { loadPlan } from '../../src/plan/load.js';
import { runCli } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIX = join(ROOT, 'fixtures/exchange');
const tmp = mkdtempSync(join(tmpdir(), 'relaycheck-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const exports = { inbound: join(FIX, 'inbound-connectors.json'), outbound: join(FIX, 'outbound-connectors.json'), accepted: join(FIX, 'accepted-domains.json') };

describe('relaycheck import', () => {
  it('writes a plan that relaycheck run can load, and says what to fill in', () => {
    const out = join(tmp, 'relaycheck.yaml');
    const { stdout } = importCommand({ ...exports, out, force: false });
    expect(stdout).toMatch(/^Wrote .*relaycheck\.yaml: 4 inbound connectors \(to-office365\), 4 outbound connectors \(from-office365\), 3 accepted domains\./);
    expect(stdout).toMatch(/Not imported:\n {2}- outbound connector "Partner Fabrikam \(forced TLS via MX\)"/);
    expect(stdout).toMatch(/Fill in before the first run[\s\S]*endpoint: your tenant MX host/);
    const plan = loadPlan(out, { env: {} });
    expect(plan.connectors).toHaveLength(8);
  });

  it('does not overwrite an existing plan without --force', () => {
    const out = join(tmp, 'existing.yaml');
    writeFileSync(out, 'keep me\n');
    expect(() => importCommand({ ...exports, out, force: false })).toThrow(/existing\.yaml: already exists; use --force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    importCommand({ ...exports, out, force: true });
    expect(readFileSync(out, 'utf8')).toMatch(/^# relaycheck test plan, imported/);
  });

  it('writes the plan to stdout with -o - and the summary to stderr', () => {
    const r = importCommand({ inbound: exports.inbound, out: '-', force: false });
    expect(r.stdout).toMatch(/^# relaycheck test plan/);
    expect(r.stderr).toMatch(/^Plan written to stdout: 4 inbound connectors/);
  });

  it('says so when the plan cannot be written', () => {
    expect(() => importCommand({ ...exports, out: join(tmp, 'no-such-folder', 'relaycheck.yaml'), force: false })).toThrow(/no-such-folder\/relaycheck\.yaml: cannot write the plan: no such folder/);
  });

  it('needs at least one connector export', () => {
    expect(() => buildImport({ accepted: exports.accepted, out: 'x.yaml' })).toThrow(/give at least one export: --inbound in\.json/);
  });

  it('refuses exports that hold no connector it can test', () => {
    const file = join(tmp, 'mx-only.json');
    writeFileSync(file, JSON.stringify({ Name: 'By MX', UseMXRecord: true, SmartHosts: null, TlsSettings: 'DomainValidation', TlsDomain: '*.fabrikam.com' }));
    expect(() => buildImport({ outbound: file, out: 'x.yaml' })).toThrow(/mx-only\.json: no connector relaycheck can test: outbound connector "By MX": it delivers by MX record/);
  });

  it('reads an empty export (no connectors of that kind) next to a real one', () => {
    const empty = join(tmp, 'empty.json');
    writeFileSync(empty, '');
    expect(buildImport({ inbound: exports.inbound, outbound: empty, out: 'x.yaml' }).counts).toEqual({ inbound: 4, outbound: 0, acceptedDomains: 0 });
  });

  it('names the file when an export is not JSON or not an export', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, 'Name : Office 365 SMTP relay TLS\r\nEnabled : True\r\n');
    const err = (() => {
      try {
        buildImport({ inbound: bad, out: 'x.yaml' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).problems[0].file).toBe(bad);
    expect(() => buildImport({ inbound: exports.accepted, out: 'x.yaml' })).toThrow(/accepted-domains\.json: \[0\]: not a Get-InboundConnector export: it looks like Get-AcceptedDomain output/);
  });
});

// The command line as a user runs it (the compiled CLI: `npm test` builds first).
describe('relaycheck import on the command line', () => {
  it('prints help with examples', async () => {
    const r = await runCli(['import', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('relaycheck import');
    expect(r.stdout).toContain('Examples:');
  });

  it('exits 2 and names the file for input that is not an export', async () => {
    const bad = join(tmp, 'not-json.json');
    writeFileSync(bad, '<html>Sign in to your account</html>');
    const r = await runCli(['import', '--inbound', bad, '-o', join(tmp, 'cli.yaml')], { cwd: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`relaycheck: ${bad}: not JSON`);
    expect(existsSync(join(tmp, 'cli.yaml'))).toBe(false);
  });

  it('exits 0 and writes the plan for the Windows PowerShell exports', async () => {
    const w = join(FIX, 'windows-powershell');
    const r = await runCli(['import', '--inbound', join(w, 'inbound-connectors.json'), '--outbound', join(w, 'outbound-connectors.json'), '--accepted', join(w, 'accepted-domains.json'), '-o', join(tmp, 'cli-ok.yaml')], { cwd: tmp });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(loadPlan(join(tmp, 'cli-ok.yaml'), { env: {} }).domain).toBe('contoso.com');
  });

  it('writes the plan to stdout with -o -', async () => {
    const r = await runCli(['import', '--inbound', exports.inbound, '-o', '-'], { cwd: tmp });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# relaycheck test plan, imported/);
    expect(existsSync(join(tmp, '-'))).toBe(false);
  });
});

describe('relaycheck import of disabled connectors', () => {
  it('names the connectors it imported as disabled in its summary', () => {
    const { stdout } = importCommand({ ...exports, out: join(tmp, 'disabled.yaml'), force: false });
    expect(stdout).toContain('Disabled in Exchange Online, imported as enabled: false (run reports their checks as skipped): "Legacy relay 2019"');
  });
});
