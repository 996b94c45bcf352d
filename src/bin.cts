#!/usr/bin/env node
// The `relaycheck` executable: turns on Node's compile cache (Node ≥ 22.1) in a private per-user
// folder, then runs the CLI bundled into one file (dist/bundle/cli.cjs, made by
// scripts/bundle.mjs; Node 20 would otherwise resolve, read and compile some 180 files per start).
//
// The folder is RELAYCHECK_CACHE_DIR, else $XDG_CACHE_HOME/relaycheck or ~/.cache/relaycheck
// (%LOCALAPPDATA%\relaycheck\cache on Windows); `RELAYCHECK_CACHE_DIR=off` turns the cache off.
// It is used only when it belongs to this user and nobody else can write to it: the cache holds
// compiled code that later runs execute. Node's own default (a folder under the shared /tmp) is
// never used, so a root cron job never runs code another user could have planted there.
import Module from 'node:module';
import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const BUNDLE = join(__dirname, '..', 'bundle', 'cli.cjs');

const debug = process.env.RELAYCHECK_DEBUG ? (text: string) => void process.stderr.write(`relaycheck: compile cache: ${text}\n`) : undefined;

/** module.enableCompileCache() of Node ≥ 22.1 (absent from Node 20 and its @types). */
type EnableCompileCache = (directory: string) => { status: number; message?: string; directory?: string };

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
 * The folder, created private (0700); undefined unless it belongs to this user and nobody else
 * can write to it (POSIX; on Windows LOCALAPPDATA is per user already).
 */
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

function enableCompileCache(): void {
  const enable = (Module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (!enable) return debug?.(`not available in Node ${process.version} (needs 22.1 or later)`);
  const dir = cacheDirectory();
  if (!dir) return debug?.('off (RELAYCHECK_CACHE_DIR=off)');
  const usable = privateDirectory(dir);
  if (!usable) return debug?.(`not used: ${dir} cannot be created or is not private to this user`);
  const result = enable(usable);
  debug?.(result.directory ? `using ${result.directory}` : `not used: ${result.message ?? `status ${result.status}`}`);
}

enableCompileCache();
try {
  require(BUNDLE);
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code !== 'MODULE_NOT_FOUND' || !e.message.includes(BUNDLE)) throw err;
  process.stderr.write(`relaycheck: internal error: cannot find the bundled CLI ${BUNDLE}; run \`npm run build\` or reinstall relaycheck\n`);
  process.exitCode = 1;
}
