import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planStem, stampWithMs, writeReportFile, writeReportSet } from '../../src/report/names.js';
import { writeReports } from '../../src/report/write.js';
import { runReport } from './fixtures.js';

const temp = () => mkdtempSync(join(tmpdir(), 'relaycheck-names-'));

describe('report file names', () => {
  it('name the plan file and a hash of its absolute path, so two relaycheck.yaml in different folders stay apart', () => {
    const a = planStem('/etc/tenant-a/relaycheck.yaml');
    const b = planStem('/etc/tenant-b/relaycheck.yaml');
    expect(a).toMatch(/^relaycheck-relaycheck-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    expect(planStem('relaycheck.yaml', '/etc/tenant-a')).toBe(a);
    expect(planStem('/srv/plans/Fabrikam Tenant.yml')).toMatch(/^relaycheck-Fabrikam_Tenant-[0-9a-f]{6}$/);
  });

  it('carry the UTC start with milliseconds', () => {
    expect(stampWithMs('2026-11-27T02:00:00.123Z')).toBe('20261127T020000.123Z');
  });

  it('never overwrite: a second set in the same millisecond takes the next free name, and -latest holds the newest', () => {
    const dir = temp();
    const first = writeReportSet(dir, '/p/relaycheck.yaml', '2026-11-27T02:00:00.123Z', [{ extension: 'json', text: 'one' }, { extension: 'html', text: '<one>' }]);
    const second = writeReportSet(dir, '/p/relaycheck.yaml', '2026-11-27T02:00:00.123Z', [{ extension: 'json', text: 'two' }, { extension: 'html', text: '<two>' }]);
    expect(first.map((f) => f.slice(dir.length + 1))).toEqual([`${planStem('/p/relaycheck.yaml')}-20261127T020000.123Z.json`, `${planStem('/p/relaycheck.yaml')}-20261127T020000.123Z.html`]);
    expect(second[0]).toMatch(/-20261127T020000\.123Z-2\.json$/);
    expect(readFileSync(first[0], 'utf8')).toBe('one');
    expect(readFileSync(second[0], 'utf8')).toBe('two');
    expect(readFileSync(join(dir, `${planStem('/p/relaycheck.yaml')}-latest.json`), 'utf8')).toBe('two');
    expect(readdirSync(dir).sort()).toHaveLength(6);
  });

  it('do not write through a link planted at the next name', () => {
    const dir = temp();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep');
    const stem = `${planStem('/p/relaycheck.yaml')}-20261127T020000.123Z`;
    symlinkSync(victim, join(dir, `${stem}.json`));
    const [file] = writeReportSet(dir, '/p/relaycheck.yaml', '2026-11-27T02:00:00.123Z', [{ extension: 'json', text: 'report' }]);
    expect(file).toMatch(/-2\.json$/);
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(() => writeReportFile(join(dir, `${stem}.json`), 'x', 'exclusive')).toThrow(/EEXIST/);
  });

  it('keep the per-domain name of the Prometheus textfile and name the other formats after the plan', () => {
    const dir = temp();
    const report = { ...runReport(), plan: { organization: 'Contoso', domain: 'contoso.com', file: '/etc/relaycheck/tenant.yaml' } };
    const { files } = writeReports(report, ['json', 'prometheus', 'junit'], dir, { color: false }, { latest: true });
    const names = files.map((f) => f.slice(dir.length + 1));
    expect(names).toContain('relaycheck-contoso.com.prom');
    expect(names.filter((n) => /^relaycheck-tenant-[0-9a-f]{6}-\d{8}T\d{6}\.\d{3}Z\.(json|xml)$/.test(n))).toHaveLength(2);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining([expect.stringMatching(/^relaycheck-tenant-[0-9a-f]{6}-latest\.json$/), expect.stringMatching(/-latest\.xml$/)]));
  });
});
