#!/usr/bin/env node
// The `relaycheck` executable. Node 20 parses and compiles the CLI's JavaScript on every start
// (about 40 ms on a small VM, a third of a one-endpoint run; Node 22's module.enableCompileCache()
// does not exist yet), so this starter runs the bundled CLI (dist/bundle/cli.cjs, made by
// scripts/bundle.mjs) from a V8 code cache, as v8-compile-cache does for CommonJS: the first run
// of each command writes the cache, later runs skip parsing and compiling what it holds.
//
// The cache lives in a directory of the user's own (RELAYCHECK_CACHE_DIR, else the XDG cache
// directory; `RELAYCHECK_CACHE_DIR=off` disables it). It is keyed by the bundle's build id (a hash
// of its code), the Node version and architecture, and V8 checks its own version and flags on top. A missing, stale, foreign or corrupt cache only costs the compile time: never an error.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

const BUNDLE = join(__dirname, '..', 'bundle', 'cli.cjs');
/** src/import-module.ts looks here for an import() that works from cached code. */
const IMPORTER_KEY = Symbol.for('relaycheck.import');
const COMMANDS = new Set(['run', 'lab', 'checks', 'init', 'report', 'history', 'import', 'powershell']);

function cacheDirectory(): string | undefined {
  const configured = process.env.RELAYCHECK_CACHE_DIR;
  if (configured === 'off' || configured === '') return undefined;
  if (configured) return configured;
  if (process.platform === 'win32') return process.env.LOCALAPPDATA ? join(process.env.LOCALAPPDATA, 'relaycheck', 'cache') : undefined;
  try {
    return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'relaycheck');
  } catch {
    return undefined; // no home directory (a bare service account): no cache
  }
}

/**
 * Which cache this invocation reads and writes: one per command, since each compiles different
 * code. Help and version lines get their own, so that `relaycheck run --help` never leaves a
 * `run` cache that lacks everything a run compiles.
 */
function cacheName(argv: string[]): string {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version')) return 'help';
  return COMMANDS.has(argv[0] ?? '') ? argv[0]! : 'other';
}

/** The directory, created private; undefined when it is not ours alone (a cache from others is never run). */
function privateDirectory(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (!st.isDirectory()) return undefined;
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Caches of this command for other builds or Node versions (an upgrade leaves them behind). */
function removeStale(dir: string, keep: string, command: string): void {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (file !== keep && name.startsWith('cli-') && name.endsWith(`-${command}.v8cache`)) rmSync(file, { force: true });
  }
}

function start(): void {
  let source: string;
  try {
    source = readFileSync(BUNDLE, 'latin1'); // ASCII (scripts/bundle.mjs makes sure): no UTF-8 decoding
  } catch (err) {
    process.stderr.write(`relaycheck: internal error: cannot read the bundled CLI ${BUNDLE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run \`npm run build\` or reinstall relaycheck\n`);
    process.exitCode = 1;
    return;
  }
  const command = cacheName(process.argv.slice(2));
  const debug = process.env.RELAYCHECK_DEBUG ? (text: string) => process.stderr.write(`relaycheck: compile cache: ${text}\n`) : undefined;
  const dir = cacheDirectory();
  const usable = dir ? privateDirectory(dir) : undefined;
  if (!dir) debug?.('off (RELAYCHECK_CACHE_DIR=off)');
  else if (!usable) debug?.(`not used: ${dir} cannot be created or is not private to this user`);
  // scripts/bundle.mjs writes "// relaycheck build <hash of the code>" as the first line.
  const buildId = /^\/\/ relaycheck build ([0-9a-f]{16})\n/.exec(source.slice(0, 64))?.[1];
  if (usable && !buildId) debug?.(`not used: ${BUNDLE} carries no build id`);
  const cacheFile = usable && buildId && join(usable, `cli-${buildId}-${process.version}-${process.arch}-${command}.v8cache`);
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    debug?.(cachedData ? `rejected ${cacheFile}; rewriting it` : `writing ${cacheFile}`);
    // At exit the cache holds every function this command compiled, not just the top level. A
    // command that stopped at a usage or plan error (exit 2) compiled little: it writes nothing.
    process.once('exit', (code) => {
      if (code !== 0 && code !== 1) return;
      try {
        writeAtomically(cacheFile, script.createCachedData());
        removeStale(dirname(cacheFile), cacheFile, command);
      } catch (err) {
        debug?.(`not written: ${(err as Error).message}`);
      }
    });
  } else if (cacheFile) debug?.(`using ${cacheFile}`);

  (globalThis as Record<symbol, unknown>)[IMPORTER_KEY] = (specifier: string) => import(specifier);
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, Module.createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
}

start();
