// The package as an admin installs it: `npm pack`, a global install into an empty prefix from the
// tarball without the internet (--prefer-offline: npm's cache), then `relaycheck lab` from the
// installed bin. The tarball holds only what runs. better-sqlite3's addon is the one thing npm
// would compile here (about 100 s on two cores, once more for every CI run): install scripts are
// skipped and the addon this checkout already compiled is copied in when the installed
// better-sqlite3 is the same release; otherwise it is rebuilt in the prefix (`npm rebuild`).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the packed tarball', () => {
  it('holds only what runs, installs globally without the internet and runs the lab', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaycheck-pack-'));
    const listing = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
    const files = listing[0].files.map((f) => f.path);
    expect(files).toContain('dist/bundle/cli.cjs');
    expect(files).toContain('schema/relaycheck.schema.json');
    expect(files.filter((f) => /^(test|bench|src|scripts|dist\/bench|dist\/test)\//.test(f) || f.endsWith('.ts') || f.includes('broken-plugin'))).toEqual([]);

    const tarball = join(dir, listing[0].filename);
    const prefix = join(dir, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: dir, encoding: 'utf8', timeout: 25 * 60_000 });
    expect(install.status, install.stderr).toBe(0);
    const installed = join(prefix, 'lib', 'node_modules', 'relaycheck');
    const version = (root: string) => (JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version;
    if (version(installed) === version(ROOT)) {
      cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build'), join(installed, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
    } else {
      const rebuild = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: installed, encoding: 'utf8', timeout: 25 * 60_000 });
      expect(rebuild.status, rebuild.stderr).toBe(0);
    }

    const work = mkdtempSync(join(tmpdir(), 'relaycheck-installed-'));
    const lab = spawnSync(join(prefix, 'bin', 'relaycheck'), ['lab', '--out', 'out'], { cwd: work, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', COLUMNS: '100' } });
    expect(lab.status, lab.stderr).toBe(0);
    expect(lab.stdout).toMatch(/^PASS: \d+ pass, 0 warn, 0 fail, 0 error/m);
    expect(readdirSync(join(work, 'out')).some((f) => /^relaycheck-relaycheck-lab-[0-9a-f]{6}-latest\.json$/.test(f))).toBe(true);
  }, 30 * 60_000);
});
