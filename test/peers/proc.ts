// Shared plumbing for the real-peer helpers: running commands, finding who listens on a port
// (from /proc, no `ss` needed), waiting for processes and ports, file-system permissions.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { dirname, join, resolve } from 'node:path';

/** File written into every config directory this library creates, naming the process that
 * started the daemon. A daemon whose config directory carries it (or is gone) came from these
 * helpers: if that process is gone too, the daemon is a leftover of a crashed run and may be
 * stopped; if it is alive, another test run is using it and we wait for it. */
const MARKER = '.relaycheck-peer';

interface Marker {
  pid: number;
  /** /proc/<pid>/stat start time, to tell a reused pid from the original process. */
  startTime?: string;
}

function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function writeMarker(configDir: string): void {
  const m: Marker = { pid: process.pid, startTime: procStartTime(process.pid) };
  writeFileSync(join(configDir, MARKER), `${JSON.stringify(m)}\n`);
}

/**
 * Who owns a daemon started from `configDir`:
 * - 'orphan': ours, and the test process that started it is gone (or the directory is);
 * - 'live': ours, and that test process is still running (maybe a concurrent test run);
 * - 'foreign': not started by these helpers.
 */
function markerState(configDir: string): { state: 'orphan' | 'live' | 'foreign'; ownerPid?: number } {
  if (!existsSync(configDir)) return { state: 'orphan' };
  let m: Partial<Marker>;
  try {
    m = JSON.parse(readFileSync(join(configDir, MARKER), 'utf8')) as Partial<Marker>;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { state: 'foreign' } : { state: 'orphan' };
  }
  const pid = typeof m.pid === 'number' ? m.pid : undefined;
  if (pid === undefined || !pidAlive(pid)) return { state: 'orphan', ownerPid: pid };
  if (m.startTime !== undefined && procStartTime(pid) !== m.startTime) return { state: 'orphan', ownerPid: pid };
  return { state: 'live', ownerPid: pid };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const EXTRA_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable (PATH plus the sbin directories), or undefined. */
export function findExecutable(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...EXTRA_PATH];
  for (const d of dirs) {
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    const st = statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

export function requireExecutable(name: string): string {
  const p = findExecutable(name);
  if (!p) throw new Error(`${name} not found (run .ci/install-peers.sh as root)`);
  return p;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with stdin closed; never rejects on a non-zero exit (see `code`). */
export function run(file: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') {
          reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
          return;
        }
        resolveRun({ code: err ? Number((err as { code?: unknown }).code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

export async function runOk(file: string, args: string[], what: string, timeoutMs?: number): Promise<RunResult> {
  const r = await run(file, args, { timeoutMs });
  if (r.code !== 0) {
    throw new Error(`${what} failed (exit ${r.code}): ${file} ${args.join(' ')}\n${r.stdout}${r.stderr}`.trimEnd());
  }
  return r;
}

/**
 * Runs a command that starts a daemon, with stdin from /dev/null and stdout/stderr appended to
 * `outFile`, and resolves when the command itself exits (not when its output pipes close:
 * daemons such as dovecot keep inherited descriptors open, which hangs a caller that reads
 * pipes). Returns the exit code and what the command wrote.
 */
export function runDaemonizing(file: string, args: string[], outFile: string, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const before = existsSync(outFile) ? statSync(outFile).size : 0;
    const fd = openSync(outFile, 'a');
    let child;
    try {
      child = spawn(file, args, { stdio: ['ignore', fd, fd], env: process.env });
    } finally {
      closeSync(fd);
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      let out = '';
      try {
        out = readFileSync(outFile).subarray(before).toString('utf8');
      } catch {
        /* ignore */
      }
      resolveRun({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: '' });
    });
  });
}

/** A daemon's log file so far ('' while it is not there). */
export function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** uid/gid of a system account, via getent (works for NSS users too). */
export function lookupUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const f = line.split(':');
    if (f.length < 4) return undefined;
    return { uid: Number(f[2]), gid: Number(f[3]) };
  } catch {
    return undefined;
  }
}

export function groupExists(name: string): boolean {
  try {
    execFileSync('getent', ['group', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The account that owns virtual mailboxes: Postfix's `virtual` writes as it, Dovecot reads as it.
 * Debian's `mail` user (8:8); both sides must use the same one. */
export function mailOwner(): { uid: number; gid: number } {
  return lookupUser('mail') ?? { uid: 8, gid: 8 };
}

/** Maildir of one virtual user: `<base>/<domain>/<localpart>/`. Postfix's virtual_mailbox_maps
 * (`domain/localpart/`) and Dovecot's `mail_location = maildir:<base>/%d/%n` both use it. */
function maildirOf(base: string, address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) throw new Error(`virtual mailbox user must be an address: ${address}`);
  return join(base, address.slice(at + 1).toLowerCase(), address.slice(0, at));
}

/** Creates `<dir>/{cur,new,tmp}` owned by uid:gid (including the domain directory). */
export function ensureMaildir(base: string, address: string, owner: { uid: number; gid: number }): string {
  const md = maildirOf(base, address);
  for (const d of [dirname(md), md, join(md, 'cur'), join(md, 'new'), join(md, 'tmp')]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    chownSync(d, owner.uid, owner.gid);
  }
  return md;
}

/** Makes a directory and all its ancestors searchable by other users (adds o+x where missing),
 * so that daemons that drop privileges (postfix, dovecot, mail) can reach files below it.
 * mkdtemp() creates 0700 directories, which they could not traverse. */
export function ensureTraversable(path: string): void {
  let p = resolve(path);
  for (;;) {
    try {
      const st = statSync(p);
      if (st.isDirectory() && (st.mode & 0o001) === 0) chmodSync(p, (st.mode & 0o7777) | 0o001);
    } catch {
      /* not there yet */
    }
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers kill(0); treat it as dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function readPidFile(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

function procCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function procExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

export function procEnv(pid: number, name: string): string | undefined {
  try {
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      if (kv.startsWith(`${name}=`)) return kv.slice(name.length + 1);
    }
  } catch {
    /* gone */
  }
  return undefined;
}

/** The argument after `-c` on a process's command line: the config dovecot and nsd run with. */
export function configArg(pid: number): string | undefined {
  const argv = procCmdline(pid);
  const i = argv.indexOf('-c');
  return i >= 0 ? argv[i + 1] : undefined;
}

function ppid(pid: number): number | undefined {
  try {
    const m = /^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The master of a daemon that pid belongs to: pid itself, its parent or its grandparent when it
 * runs `masterExe`, reached only through the daemon's own helpers (executables under `familyDir`). */
export function masterAbove(pid: number, masterExe: string, familyDir: string): number | undefined {
  let p: number | undefined = pid;
  for (let i = 0; i < 3 && p !== undefined && p > 1; i++) {
    const exe = procExe(p) ?? '';
    if (exe === masterExe) return p;
    if (!exe.startsWith(familyDir)) return undefined;
    p = ppid(p);
  }
  return undefined;
}

function describePid(pid: number): string {
  const cmd = procCmdline(pid).join(' ');
  return `pid ${pid}${cmd ? ` (${cmd})` : ''}`;
}

/** Waits until the pid is gone; returns false on timeout. */
export async function waitPidGone(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > end) return false;
    await sleep(25);
  }
  return true;
}

/** The live pid a daemonizing start writes to pidFile (not `stale`, a previous run's), or
 * undefined if there is none by `deadline` (epoch ms). */
export async function waitForPidFile(pidFile: string, deadline: number, stale?: number): Promise<number | undefined> {
  for (;;) {
    const pid = readPidFile(pidFile);
    if (pid !== undefined && pid !== stale && pidAlive(pid)) return pid;
    if (Date.now() > deadline) return undefined;
    await sleep(20);
  }
}

/** Calls `attempt` (with the time left, at least 500 ms) until it resolves, 50 ms apart, up to
 * `deadline` (epoch ms); then throws `<failure>: <last error>`. */
export async function retryUntil<T>(deadline: number, failure: string, attempt: (remainingMs: number) => Promise<T>): Promise<T> {
  let last: unknown;
  do {
    try {
      return await attempt(Math.max(500, deadline - Date.now()));
    } catch (e) {
      last = e;
    }
    await sleep(50);
  } while (Date.now() < deadline);
  throw new Error(`${failure}: ${last instanceof Error ? last.message : String(last)}`);
}

/** SIGTERM, wait, then SIGKILL (the process group too when the pid leads one). */
export async function terminate(pid: number, timeoutMs = 5_000): Promise<void> {
  if (!pidAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitPidGone(pid, timeoutMs)) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* already gone / not a group leader */
    }
  }
  await waitPidGone(pid, 2_000);
}

// Last-resort clean-up: if the test process exits without calling stop(), do not leave daemons
// holding ports for the next run.
const livePids = new Set<number>();
let exitHookInstalled = false;

/**
 * Registers a started daemon for that clean-up and returns its stop(): idempotent; `halt` ends the
 * daemon (default: SIGTERM, SIGKILL after 5 s), then stop() waits until its ports are closed.
 */
export function trackDaemon(pid: number, ports: Endpoint[], what: string, halt: () => Promise<void> = () => terminate(pid, 5_000)): () => Promise<void> {
  livePids.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of livePids) {
        try {
          process.kill(p, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
    });
  }
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await halt();
    livePids.delete(pid);
    await waitPortsClosed(ports, 5_000, what);
  };
}

// ---------------------------------------------------------------------------------------------
// Sockets

function hexToIPv4(hex: string): string {
  // /proc/net/{tcp,udp} print the address as a host-order (little-endian here) 32-bit number.
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** Socket inodes bound (TCP: listening) on address:port. 0.0.0.0 bindings count as clashes. */
function boundInodes(address: string, port: number, proto: 'tcp' | 'udp'): Set<string> {
  const inodes = new Set<string>();
  let text: string;
  try {
    text = readFileSync(`/proc/net/${proto}`, 'utf8');
  } catch {
    return inodes;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [addrHex, portHex] = (f[1] ?? '').split(':');
    if (!addrHex || !portHex) continue;
    if (Number.parseInt(portHex, 16) !== port) continue;
    const addr = hexToIPv4(addrHex);
    if (addr !== address && addr !== '0.0.0.0') continue;
    if (proto === 'tcp' && f[3] !== '0A') continue; // LISTEN
    if (f[9] && f[9] !== '0') inodes.add(f[9]);
  }
  return inodes;
}

/** True if something listens on address:port (TCP) or is bound to it (UDP). */
export function isBound(address: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): boolean {
  return boundInodes(address, port, proto).size > 0;
}

/** Pids of the processes that hold a socket listening/bound on address:port. */
function pidsBoundTo(address: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): number[] {
  const inodes = boundInodes(address, port, proto);
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const ent of readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${ent}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${ent}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1] && inodes.has(m[1])) {
        pids.push(Number(ent));
        break;
      }
    }
  }
  return pids;
}

export interface Endpoint {
  address: string;
  port: number;
  proto?: 'tcp' | 'udp';
}

/** Waits until nothing listens on any of the endpoints; throws on timeout. */
async function waitPortsClosed(endpoints: Endpoint[], timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const open = endpoints.filter((e) => isBound(e.address, e.port, e.proto ?? 'tcp'));
    if (open.length === 0) return;
    if (Date.now() > end) {
      throw new Error(`${what}: still bound after ${timeoutMs} ms: ${open.map((e) => `${e.address}:${e.port}/${e.proto ?? 'tcp'}`).join(', ')}`);
    }
    await sleep(25);
  }
}

/** A port that is free for both TCP and UDP on `address` right now. */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.once('error', rej);
      srv.listen(0, address, () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => res(p));
      });
    });
    const udpFree = await new Promise<boolean>((res) => {
      const s = createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, address, () => s.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error(`no free port on ${address}`);
}

/** A daemon process found holding a port, as identified by a peer module. */
export interface PeerProcess {
  /** pid to signal to stop the whole daemon (its master). */
  leader: number;
  /** Its config directory (where the marker lives). */
  configDir: string;
}

/**
 * Makes sure address:port is free before a peer binds it.
 * `identify(pid)` says whether a process holding it is one of our daemons (undefined: foreign).
 * - our daemon whose test process is gone (crashed run): stopped;
 * - our daemon of a live test process (a concurrent run of the same suite): waited for, up to
 *   `waitLiveMs`, then an error;
 * - anything else: an error naming the process.
 */
export async function reclaimPort(
  address: string,
  port: number,
  proto: 'tcp' | 'udp',
  identify: (pid: number) => PeerProcess | undefined,
  what: string,
  waitLiveMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + waitLiveMs;
  let notice = false;
  for (;;) {
    const pids = pidsBoundTo(address, port, proto);
    if (pids.length === 0 && !isBound(address, port, proto)) return;
    const liveByLeader = new Map<number, string>();
    const orphans = new Set<number>();
    for (const pid of pids) {
      const p = identify(pid);
      if (!p) throw new Error(`${what}: ${address}:${port}/${proto} is already in use by ${describePid(pid)}`);
      const m = markerState(p.configDir);
      if (m.state === 'foreign') throw new Error(`${what}: ${address}:${port}/${proto} is already in use by ${describePid(pid)} (config ${p.configDir})`);
      if (m.state === 'orphan') orphans.add(p.leader);
      else liveByLeader.set(p.leader, `${describePid(p.leader)}, config ${p.configDir}, started by live test process ${m.ownerPid}`);
    }
    const live = [...liveByLeader.values()];
    if (orphans.size > 0) {
      await Promise.all([...orphans].map((l) => terminate(l)));
      continue;
    }
    if (Date.now() > deadline) {
      const who = live.length > 0 ? `held by another test run: ${live.join('; ')}` : 'bound by a process that cannot be identified';
      throw new Error(`${what}: ${address}:${port}/${proto} still in use after ${waitLiveMs} ms, ${who}`);
    }
    if (!notice && live.length > 0) {
      notice = true;
      process.stderr.write(`[relaycheck] ${what}: waiting for another test run to free ${address}:${port}/${proto} (${live.join('; ')})\n`);
    }
    await sleep(200);
  }
}
