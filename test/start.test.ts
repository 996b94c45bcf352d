// The `relaycheck` starter (src/start.cts): the bundled CLI runs from a per-user V8 code cache.
// What a user would notice: the first run writes the cache and later runs use it with the same
// results; commands that load packages or plugins on demand still work from the cache; a
// corrupt or shared cache never breaks a run.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    for (let i = 0; i < 2; i++) {
      const help = await runCli(['--help'], withCache(cache));
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('relaycheck <command> [options]');
      const plugin = await runCli(['checks', '--format', 'json', '--plugin', PLUGIN], withCache(cache));
      expect(plugin.stderr).not.toContain('dynamic import');
      expect(plugin.code).toBe(0);
      expect(plugin.stdout).toContain('contoso.validation-recipients-internal');
    }
    expect(cacheFiles(cache).map((f) => f.replace(/^.*-/, ''))).toEqual(['checks.v8cache', 'help.v8cache']);
  });

  it('removes the cache of an older build when it writes the new one', async () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache, { mode: 0o700 });
    const stale = join(cache, 'cli-0123456789abcdef-v20.0.0-x64-checks.v8cache');
    const other = join(cache, 'cli-0123456789abcdef-v20.0.0-x64-run.v8cache');
    writeFileSync(stale, 'old');
    writeFileSync(other, 'old');
    await runCli(['checks', '--format', 'json'], withCache(cache));
    const left = cacheFiles(cache);
    expect(left).toHaveLength(2);
    expect(left).toContain('cli-0123456789abcdef-v20.0.0-x64-run.v8cache'); // another command's cache stays
    expect(left).not.toContain('cli-0123456789abcdef-v20.0.0-x64-checks.v8cache');
    expect(left.filter((f) => f.endsWith('-checks.v8cache'))).toHaveLength(1);
  });

  it('rejects a corrupt cache, runs normally and rewrites it', async () => {
    const cache = join(dir, 'cache');
    await runCli(['checks', '--format', 'json'], withCache(cache));
    const [file] = cacheFiles(cache);
    writeFileSync(join(cache, file!), Buffer.alloc(4096, 0x41));
    const run = await runCli(['checks', '--format', 'json'], withCache(cache));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('compile cache: rejected');
    const again = await runCli(['checks', '--format', 'json'], withCache(cache));
    expect(again.stderr).toContain('compile cache: using');
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
    expect(cacheFiles(cache)).toEqual([expect.stringMatching(/-help\.v8cache$/)]);
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
