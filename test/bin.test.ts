// The `relaycheck` executable (src/bin.cts): it runs the bundled CLI, loads packages and plugins
// on demand with import(), and keeps Node's compile cache (Node ≥ 22.1) only in a folder that is
// the user's own — never a shared one, never Node's default under /tmp.
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/cli.js';

const PLUGIN = new URL('../fixtures/plugins/example-plugin.mjs', import.meta.url).pathname;
const HAS_COMPILE_CACHE = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const IS_ROOT = process.getuid?.() === 0;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaycheck-bin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const debugWith = (env: Record<string, string | undefined>) => ({ env: { RELAYCHECK_DEBUG: '1', ...env } });
/** Every file under a folder (Node keeps its cache in a subfolder per Node version). */
const filesUnder = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);

describe('the relaycheck executable', () => {
  it('runs the bundled CLI and loads yargs and a plugin on demand', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('relaycheck <command> [options]');
    const plugin = await runCli(['checks', '--format', 'json', '--plugin', PLUGIN]);
    expect(plugin.code).toBe(0);
    expect(plugin.stdout).toContain('contoso.validation-recipients-internal');
  });

  it('says in one line, without a stack trace, that the bundled CLI is missing', async () => {
    const copy = join(dir, 'pkg', 'dist', 'src');
    mkdirSync(copy, { recursive: true });
    copyFileSync(CLI, join(copy, 'bin.cjs'));
    const run = await runCli(['checks'], { cli: join(copy, 'bin.cjs') });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^relaycheck: internal error: cannot find the bundled CLI .*cli\.cjs; run `npm run build` or reinstall relaycheck\n$/);
  });

  it.skipIf(HAS_COMPILE_CACHE)('says that this Node has no compile cache, and writes none', async () => {
    const cache = join(dir, 'cache');
    const run = await runCli(['checks', '--format', 'json'], debugWith({ RELAYCHECK_CACHE_DIR: cache }));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`compile cache: not available in Node ${process.version}`);
    expect(() => statSync(cache)).toThrow();
  });
});

describe.runIf(HAS_COMPILE_CACHE)('the compile cache', () => {
  it('is kept in a private folder and gives the same output on the next run', async () => {
    const cache = join(dir, 'cache');
    const first = await runCli(['checks', '--format', 'json', '--plugin', PLUGIN], debugWith({ RELAYCHECK_CACHE_DIR: cache }));
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`compile cache: using ${cache}`);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(filesUnder(cache).length).toBeGreaterThan(10);
    const second = await runCli(['checks', '--format', 'json', '--plugin', PLUGIN], debugWith({ RELAYCHECK_CACHE_DIR: cache }));
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('defaults to $XDG_CACHE_HOME/relaycheck, else ~/.cache/relaycheck, never a folder under /tmp', async () => {
    const xdg = await runCli(['--version'], debugWith({ RELAYCHECK_CACHE_DIR: undefined, NODE_COMPILE_CACHE: undefined, XDG_CACHE_HOME: join(dir, 'xdg') }));
    expect(xdg.stderr).toContain(`compile cache: using ${join(dir, 'xdg', 'relaycheck')}`);
    const home = await runCli(['--version'], debugWith({ RELAYCHECK_CACHE_DIR: undefined, NODE_COMPILE_CACHE: undefined, XDG_CACHE_HOME: undefined, HOME: join(dir, 'home') }));
    expect(home.stderr).toContain(`compile cache: using ${join(dir, 'home', '.cache', 'relaycheck')}`);
    expect(filesUnder(join(dir, 'home', '.cache', 'relaycheck')).length).toBeGreaterThan(0);
  });

  it('is not used in a folder other users can write to', async () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const run = await runCli(['checks', '--format', 'json'], debugWith({ RELAYCHECK_CACHE_DIR: shared }));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`compile cache: not used: ${shared} cannot be created or is not private to this user`);
    expect(filesUnder(shared)).toEqual([]);
  });

  it.runIf(IS_ROOT)('is not used in a folder that belongs to another user', async () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    const run = await runCli(['checks', '--format', 'json'], debugWith({ RELAYCHECK_CACHE_DIR: theirs }));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('is not private to this user');
    expect(filesUnder(theirs)).toEqual([]);
  });

  it('is off with RELAYCHECK_CACHE_DIR=off', async () => {
    const run = await runCli(['checks', '--format', 'json'], debugWith({ RELAYCHECK_CACHE_DIR: 'off', XDG_CACHE_HOME: join(dir, 'xdg') }));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('compile cache: off');
    expect(() => statSync(join(dir, 'xdg'))).toThrow();
  });
});
