#!/usr/bin/env node
// The `relaycheck` executable. It runs the CLI bundled into one file (dist/bundle/cli.cjs, made by
// scripts/bundle.mjs: Node 20 would otherwise resolve, read and compile some 180 files on every
// start) from a V8 code cache, as v8-compile-cache does for CommonJS (Node 22's
// module.enableCompileCache() does not exist in Node 20): the first complete run of each command
// writes the cache, later runs skip parsing and compiling what it holds.
//
// The cache lives in a directory of the user's own (RELAYCHECK_CACHE_DIR, else the XDG cache
// directory; `RELAYCHECK_CACHE_DIR=off` disables it). A file is keyed by the bundle's build id (a
// hash of its code), the Node version and architecture; it carries a SHA-256 of its contents,
// since V8 does not checksum code caches and would crash on damaged ones. A missing, stale,
// damaged or foreign cache only costs the compile time: never an error.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

const BUNDLE = join(__dirname, '..', 'bundle', 'cli.cjs');
/** Shared with the bundle through src/starter-link.ts. */
const IMPORTER_KEY = Symbol.for('relaycheck.import');
const COMPLETED_KEY = Symbol.for('relaycheck.completed');
const COMMANDS = new Set(['run', 'lab', 'checks', 'init', 'report', 'history', 'import', 'powershell']);
/** Cache files kept per command: other installed versions or Node versions keep theirs. */
const KEEP_PER_COMMAND = 4;
const SUM_BYTES = 32;
const POSIX = typeof process.getuid === 'function';

const debug = process.env.RELAYCHECK_DEBUG ? (text: string) => void process.stderr.write(`relaycheck: compile cache: ${text}\n`) : undefined;

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

/** Ours alone: owned by this user and writable by nobody else (POSIX; Windows keeps LOCALAPPDATA per user). */
function isPrivate(st: { uid: number; mode: number }): boolean {
  return !POSIX || (st.uid === process.getuid!() && (st.mode & 0o022) === 0);
}

/** The directory, created private; undefined when it is not ours alone (a cache from others is never run). */
function privateDirectory(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    return st.isDirectory() && isPrivate(st) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const checksum = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** The cache's contents when the file is ours (never through a symbolic link) and its checksum holds. */
function readCache(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined; // none yet
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !isPrivate(st) || st.size <= SUM_BYTES || st.size > 64 * 1024 * 1024) return undefined;
    const raw = Buffer.alloc(st.size);
    if (readSync(fd, raw, 0, st.size, 0) !== st.size) return undefined;
    const data = raw.subarray(SUM_BYTES);
    if (!checksum(data).equals(raw.subarray(0, SUM_BYTES))) {
      debug?.(`${file} is damaged; rewriting it`);
      return undefined;
    }
    return data;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes through a new file of our own (O_EXCL, no link followed), then renames it into place. */
function writeCache(file: string, data: Buffer): void {
  const dir = dirname(file);
  if (!privateDirectory(dir)) throw new Error(`${dir} is no longer private to this user`);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    writeSync(fd, checksum(data));
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** This command's oldest caches beyond KEEP_PER_COMMAND, and temporary files older than an hour. */
function prune(dir: string, command: string): void {
  const mine: { file: string; mtime: number }[] = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (!name.startsWith('cli-')) continue;
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st) continue;
    if (name.endsWith('.tmp') && Date.now() - st.mtimeMs > 3_600_000) rmSync(file, { force: true });
    else if (name.endsWith(`-${command}.v8cache`)) mine.push({ file, mtime: st.mtimeMs });
  }
  mine.sort((a, b) => b.mtime - a.mtime);
  for (const old of mine.slice(KEEP_PER_COMMAND)) rmSync(old.file, { force: true });
}

function fatal(message: string): void {
  process.stderr.write(`relaycheck: internal error: ${message}; run \`npm run build\` or reinstall relaycheck\n`);
  process.exitCode = 1;
}

function start(): void {
  let source: string;
  try {
    source = readFileSync(BUNDLE, 'latin1'); // ASCII (scripts/bundle.mjs makes sure): no UTF-8 decoding
  } catch (err) {
    return fatal(`cannot read the bundled CLI ${BUNDLE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const command = cacheName(process.argv.slice(2));
  const dir = cacheDirectory();
  const usable = dir ? privateDirectory(dir) : undefined;
  if (!dir) debug?.('off (RELAYCHECK_CACHE_DIR=off)');
  else if (!usable) debug?.(`not used: ${dir} cannot be created or is not private to this user`);
  // scripts/bundle.mjs writes "// relaycheck build <hash of the code>" as the first line.
  const buildId = /^\/\/ relaycheck build ([0-9a-f]{16})\n/.exec(source.slice(0, 64))?.[1];
  if (usable && !buildId) debug?.(`not used: ${BUNDLE} carries no build id`);
  const cacheFile = usable && buildId ? join(usable, `cli-${buildId}-${process.version}-${process.arch}-${command}.v8cache`) : undefined;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;

  let script: vm.Script;
  try {
    script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  } catch (err) {
    return fatal(`the bundled CLI ${BUNDLE} does not compile (${(err as Error).message})`);
  }
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    debug?.(cachedData ? `V8 rejected ${cacheFile}; rewriting it` : `writing ${cacheFile}`);
    // At exit the cache holds every function this command compiled, not just the top level; a
    // command that stopped at a usage or plan error compiled little, so it writes nothing.
    process.once('exit', () => {
      if ((globalThis as Record<symbol, unknown>)[COMPLETED_KEY] !== true) return debug?.('not written: the command did not complete');
      try {
        writeCache(cacheFile, script.createCachedData());
        prune(dirname(cacheFile), command);
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
