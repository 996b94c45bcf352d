// The safe file writer: no write through a planted link, nothing partial left behind, and an error
// that names the file the user asked for.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createExclusive, writeFileAtomic } from '../../src/fs/write.js';
import { fileStamp, writeReports } from '../../src/report/write.js';
import { fixtureReport } from '../report/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'relaycheck-write-'));

describe('writing report files', () => {
  it('never writes through a link planted under the temporary file name in --out', () => {
    const out = join(root, 'shared-out');
    mkdirSync(out);
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious');
    const report = fixtureReport('five-connectors');
    // The name the old writer used: .<report>.<pid>.tmp, predictable by anyone who can list --out.
    const name = `relaycheck-${fileStamp(report.startedAt)}.json`;
    symlinkSync(victim, join(out, `.${name}.${process.pid}.tmp`));
    const written = writeReports(report, ['json'], out, { color: false });
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(JSON.parse(readFileSync(written.files[0], 'utf8')).schemaVersion).toBe(1);
  });

  it('replaces a link at the report name itself instead of writing to where it points', () => {
    const dir = join(root, 'link-target');
    mkdirSync(dir);
    const victim = join(root, 'victim2.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'relaycheck-x.prom'));
    writeFileAtomic(join(dir, 'relaycheck-x.prom'), 'metrics\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'relaycheck-x.prom')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'relaycheck-x.prom'), 'utf8')).toBe('metrics\n');
  });

  it('createExclusive refuses an existing name, a dangling link included, with EEXIST', () => {
    const dir = join(root, 'exclusive');
    mkdirSync(dir);
    createExclusive(join(dir, 'a.json'), '{}');
    expect(() => createExclusive(join(dir, 'a.json'), '[]')).toThrow(expect.objectContaining({ code: 'EEXIST', file: join(dir, 'a.json') }));
    symlinkSync(join(root, 'does-not-exist-yet'), join(dir, 'b.json'));
    expect(() => createExclusive(join(dir, 'b.json'), 'x')).toThrow(/b\.json: it already exists \(EEXIST\)/);
    expect(existsSync(join(root, 'does-not-exist-yet'))).toBe(false);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{}');
  });

  it('names the file and leaves no partial or temporary file when the folder is not writable', () => {
    const dir = join(root, 'readonly');
    mkdirSync(dir, { mode: 0o555 });
    // root ignores mode bits: make the folder immutable instead where chattr works, else skip the root case
    let locked = process.getuid?.() !== 0;
    if (!locked) {
      try {
        execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
        locked = true;
      } catch {
        locked = false;
      }
    }
    try {
      if (!locked) return;
      expect(() => writeFileAtomic(join(dir, 'r.html'), '<html>')).toThrow(new RegExp(`cannot write ${join(dir, 'r.html').replace(/[.]/g, '\\.')}: (permission denied|read-only|EPERM)`));
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    }
  });
});

afterAll(() => {
  execFileSync('rm', ['-rf', root]);
});
