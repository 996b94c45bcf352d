// Disk full at the end of a run, on a real (small) tmpfs: the store must not eat the space the
// report needs. The report is written first; the store then fails with a line naming its file,
// and no -wal, -shm or temporary file is left behind.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordAndWrite } from '../../src/runner/hooks.js';
import { fixtureReport } from '../report/fixtures.js';
import { planFromYaml } from '../helpers/plans.js';
import { tempDir } from '../helpers/exo.js';

const FORMATS = ['json', 'html', 'junit'];
const mountPoint = tempDir('relaycheck-tmpfs-');
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  mounted = false;
}
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
});

const planIn = (dir: string) => ({ ...planFromYaml('version: 1\ndomain: contoso.com\nconnectors:\n  - {name: out, direction: from-office365, smartHosts: [mail.contoso.com], tls: {mode: any}}\n'), store: join(dir, 'relaycheck.sqlite') });
const used = (dir: string) => readdirSync(dir, { recursive: true }).reduce((n, f) => n + (statSync(join(dir, String(f))).isFile() ? statSync(join(dir, String(f))).size : 0), 0);

describe.skipIf(!mounted)('a full disk at the end of a run (needs root for a tmpfs mount)', () => {
  it('keeps the report and names the store when the store would fill the disk, leaving no WAL files', () => {
    // Measure this run's store and reports where space is plenty.
    const probe = join(mountPoint, 'measure');
    mkdirSync(probe);
    recordAndWrite(fixtureReport('five-connectors'), planIn(probe), FORMATS, join(probe, 'reports'), { color: false }, () => undefined);
    const storeBytes = statSync(join(probe, 'relaycheck.sqlite')).size;
    const reportBytes = used(join(probe, 'reports'));
    rmSync(probe, { recursive: true });

    // Leave room for the reports plus less than the store: the store alone (with its WAL during
    // the commit) fits, but store and reports together do not.
    const room = storeBytes + reportBytes - 24 * 1024;
    const fs = statfsSync(mountPoint);
    writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(fs.bavail * fs.bsize - room));
    const dir = join(mountPoint, 'run');
    mkdirSync(dir);
    const warnings: string[] = [];
    const { written } = recordAndWrite(fixtureReport('five-connectors'), planIn(dir), FORMATS, join(dir, 'reports'), { color: false }, (t) => warnings.push(t));

    expect(written.errors).toEqual([]);
    expect(written.files).toHaveLength(3);
    expect(JSON.parse(readFileSync(written.files.find((f) => f.endsWith('.json'))!, 'utf8')).schemaVersion).toBe(1);
    expect(warnings.join('')).toMatch(new RegExp(`local store ${join(dir, 'relaycheck.sqlite').replace(/[.]/g, '\\.')}: .*(full|disk)`, 'i'));
    expect(readdirSync(dir).filter((f) => /-(wal|shm|journal)$|\.tmp$/.test(f))).toEqual([]);
    expect(readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    rmSync(join(mountPoint, 'filler'));
  });

  it('leaves an existing store as it was, without -wal or -shm, when the disk fills before its commit', () => {
    const dir = join(mountPoint, 'existing');
    mkdirSync(dir);
    recordAndWrite(fixtureReport('five-connectors'), planIn(dir), ['json'], join(dir, 'first'), { color: false }, () => undefined);
    const before = readFileSync(join(dir, 'relaycheck.sqlite'));
    const fs = statfsSync(mountPoint);
    const reportBytes = used(join(dir, 'first'));
    writeFileSync(join(mountPoint, 'filler3'), Buffer.alloc(fs.bavail * fs.bsize - reportBytes - 48 * 1024)); // the reports, the -shm (32 KiB) and a little
    const warnings: string[] = [];
    const { written } = recordAndWrite(fixtureReport('five-connectors'), planIn(dir), ['json'], join(dir, 'second'), { color: false }, (t) => warnings.push(t));
    expect(written.errors).toEqual([]);
    expect(warnings.join('')).toMatch(/relaycheck\.sqlite: database or disk is full — this run was not recorded \(its report was written\)/);
    expect(readdirSync(dir).filter((f) => /-(wal|shm|journal)$/.test(f))).toEqual([]);
    expect(readFileSync(join(dir, 'relaycheck.sqlite')).equals(before)).toBe(true);
    rmSync(join(mountPoint, 'filler3'));
  });

  it('names each report file it cannot write and leaves no partial file when the disk is already full', () => {
    const dir = join(mountPoint, 'full');
    mkdirSync(dir);
    const fs = statfsSync(mountPoint);
    writeFileSync(join(mountPoint, 'filler2'), Buffer.alloc(fs.bavail * fs.bsize));
    const warnings: string[] = [];
    const { written } = recordAndWrite(fixtureReport('five-connectors'), planIn(dir), FORMATS, join(dir, 'reports'), { color: false }, (t) => warnings.push(t));
    expect(written.errors.map((e) => e.message)).toEqual(FORMATS.map(() => expect.stringMatching(/^cannot write .*reports\/relaycheck-[\w-]+-20261127T020000\.000Z\.(json|html|xml): no space left on the device \(ENOSPC\)$/)));
    expect(readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.tmp$|-(wal|shm)$/.test(f))).toEqual([]);
    expect(warnings.join('')).toMatch(/relaycheck\.sqlite/);
  });
});
