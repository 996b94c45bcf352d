// The `relaycheck` starter (src/start.cts): the bundled CLI runs from a per-user V8 code cache.
// What a user would notice: the first run writes the cache and later runs use it with the same
// results; commands that load packages or plugins on demand still work from the cache; a
// corrupt or shared cache never breaks a run.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/cli.js';

const PLUGIN = new URL('../fixtures/plugins/example-plugin.mjs', import.meta.url).pathname;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaycheck-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const withCache = (cacheDir: string) => ({ env: { RELAYCHECK_CACHE_DIR: cacheDir, RELAYCHECK_DEBUG: '1' } });
const cacheFiles = (cacheDir: string) => readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache'));

describe('the relaycheck starter', () => {
  it('writes a code cache on the first run of a command and uses it on the next, with the same output', async () => {
    const cache = join(dir, 'cache');
    const first = await runCli(['checks', '--format', 'json'], withCache(cache));
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('compile cache: writing');
    expect(cacheFiles(cache)).toEqual([expect.stringMatching(/^cli-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-checks\.v8cache$/)]);

    const second = await runCli(['checks', '--format', 'json'], withCache(cache));
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('compile cache: using');
    expect(second.stdout).toBe(first.stdout);
    expect(JSON.parse(second.stdout).length).toBeGreaterThan(20);
  });

  it('loads yargs and plugins on demand from cached code', async () => {
    const cache = join(dir, 'cache');
    // `checks` reads its options with yargs (loaded on demand); the second round runs from the cache.
    for (let i = 0; i < 2; i++) {
      const help = await runCli(['--help'], withCache(cache));
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('relaycheck <command> [options]');
      const plugin = await runCli(['checks', '--format', 'json', '--plugin', PLUGIN], withCache(cache));
      expect(plugin.stderr).not.toContain('dynamic import');
      expect(plugin.code).toBe(0);
      expect(plugin.stdout).toContain('contoso.validation-recipients-internal');
      if (i === 1) expect(plugin.stderr).toContain('compile cache: using');
    }
    expect(cacheFiles(cache).map((f) => f.replace(/^.*-/, ''))).toEqual(['checks.v8cache']);
  });

  it('keeps the newest caches of a command when it writes a new one, and other commands\' caches', async () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o700 });
    const old = (i: number) => join(cache, `cli-${String(i).padStart(16, '0')}-v20.0.0-x64-checks.v8cache`);
    for (let i = 0; i < 5; i++) {
      writeFileSync(old(i), 'old');
      utimesSync(old(i), 1_000_000 + i, 1_000_000 + i); // old(0) is the oldest
    }
    writeFileSync(join(cache, 'cli-0123456789abcdef-v20.0.0-x64-run.v8cache'), 'old');
    await runCli(['checks', '--format', 'json'], withCache(cache));
    const left = cacheFiles(cache);
    expect(left.filter((f) => f.endsWith('-checks.v8cache'))).toHaveLength(4);
    expect(left).toContain('cli-0123456789abcdef-v20.0.0-x64-run.v8cache');
    expect(left).not.toContain(basename(old(0)));
    expect(left).not.toContain(basename(old(1)));
    expect(left).toContain(basename(old(4)));
  });

  it('never runs a damaged cache: a run with flipped bytes in it works and rewrites it', async () => {
    const cache = join(dir, 'cache');
    await runCli(['checks', '--format', 'json'], withCache(cache));
    const file = join(cache, cacheFiles(cache)[0]!);
    // Without a checksum of its own, V8 would run this and crash (it does not check code caches).
    const bytes = readFileSync(file);
    bytes.fill(0x5a, bytes.length >> 1, (bytes.length >> 1) + 64);
    writeFileSync(file, bytes);
    const run = await runCli(['checks', '--format', 'json'], withCache(cache));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('is damaged; rewriting it');
    const again = await runCli(['checks', '--format', 'json'], withCache(cache));
    expect(again.stderr).toContain('compile cache: using');
    expect(again.stdout).toBe(run.stdout);
  });

  it('never uses a cache directory that other users can write to', async () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const run = await runCli(['checks', '--format', 'json'], withCache(shared));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('is not private to this user');
    expect(cacheFiles(shared)).toEqual([]);
  });

  it('keeps no cache from a command that stopped at a usage error, nor from a help line', async () => {
    const cache = join(dir, 'cache');
    const bad = await runCli(['run', '-c', join(dir, 'missing.yaml')], withCache(cache));
    expect(bad.code).toBe(2);
    const help = await runCli(['run', '--help'], withCache(cache));
    expect(help.code).toBe(0);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('says in one line, without a stack trace, that the bundled CLI is missing', async () => {
    const copy = join(dir, 'pkg', 'dist', 'src');
    mkdirSync(copy, { recursive: true });
    copyFileSync(CLI, join(copy, 'start.cjs'));
    const run = await runCli(['checks'], { ...withCache('off'), cli: join(copy, 'start.cjs') });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^relaycheck: internal error: cannot read the bundled CLI .*cli\.cjs \(ENOENT\); run `npm run build` or reinstall relaycheck\n/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes nothing when the cache is turned off', async () => {
    const run = await runCli(['checks', '--format', 'json'], withCache('off'));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('compile cache: off');
  });
});
