// A private Dovecot: SASL for Postfix (auth socket) and IMAP on loopback to confirm delivery.
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import {
  configArg,
  ensureMaildir,
  ensureTraversable,
  freePort,
  lookupUser,
  mailOwner,
  masterAbove,
  pidAlive,
  procExe,
  type PeerProcess,
  readLog,
  readPidFile,
  reclaimPort,
  requireExecutable,
  retryUntil,
  run,
  runDaemonizing,
  sleep,
  terminate,
  trackDaemon,
  waitForPidFile,
  writeMarker,
} from './proc.js';

export interface DovecotUser {
  /** Login, a full address ('alice@example.test'): its Maildir is `<mailDir>/<domain>/<localpart>/`,
   * the layout Postfix's virtual delivery (startPostfix virtualMailbox) writes. */
  user: string;
  /** Plain text, or already hashed with a scheme prefix: '{PLAIN}…', '{SHA512-CRYPT}$6$…'. */
  password: string;
}

export interface DovecotOptions {
  /** Instance root: dovecot.conf, passwd, run/ (base_dir), state/, dovecot.log. */
  dir: string;
  users: DovecotUser[];
  /** Maildir root, same directory as Postfix's virtualMailbox.baseDir. */
  mailDir: string;
  /** Serve IMAP (default true). false: SASL only (`protocols =`). */
  imap?: boolean;
  /** IMAP address, default '127.0.0.1'. */
  imapAddress?: string;
  /** IMAP port; default a free port. */
  imapPort?: number;
  /** Owner of the Maildirs; default Debian's `mail` (8:8), same default as startPostfix. */
  uid?: number;
  gid?: number;
  /** auth_failure_delay in seconds; default 0 (Dovecot's own default, 2 s, slows every
   * wrong-password test down). */
  authFailureDelaySeconds?: number;
  /** Keep Dovecot's per-IP authentication penalty (2 s, 4 s, … up to 15 s added to each further
   * failed login from the same client IP). Default false: switched off so that tests with wrong
   * passwords stay fast (each failure still takes ~0.5 s, Dovecot's failure flush interval). */
  authPenalty?: boolean;
  /** Extra lines appended to dovecot.conf. */
  extraConfig?: string;
  startTimeoutMs?: number;
}

export interface DovecotInstance {
  dir: string;
  configFile: string;
  /** Unix socket for Postfix's smtpd_sasl_path (smtpd_sasl_type = dovecot), mode 0666. */
  authSocket: string;
  imapAddress: string;
  /** 0 when IMAP is off. */
  imapPort: number;
  pid: number;
  /** Dovecot's version, e.g. '2.3.19.1'. */
  version: string;
  stop(): Promise<void>;
  log(): string;
}

const DOVECOT = '/usr/sbin/dovecot';

/** '2.3.19.1' from `dovecot --version` ("2.3.19.1 (9b53102964)"). */
async function dovecotVersion(): Promise<string> {
  const r = await run(requireExecutable('dovecot'), ['--version'], { timeoutMs: 10_000 });
  const m = /^(\d+\.\d+[\d.]*)/.exec(r.stdout.trim());
  if (r.code !== 0 || !m?.[1]) throw new Error(`dovecot --version failed: ${r.stdout}${r.stderr}`);
  return m[1];
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** If pid is (a child of) a dovecot master started with `-c CONF`, that master. */
function identifyDovecot(pid: number): PeerProcess | undefined {
  const master = masterAbove(pid, DOVECOT, '/usr/lib/dovecot/');
  const conf = master === undefined ? undefined : configArg(master);
  return master !== undefined && conf ? { leader: master, configDir: dirname(resolve(conf)) } : undefined;
}

function passwdLine(u: DovecotUser): string {
  if (/[:\n]/.test(u.user)) throw new Error(`bad dovecot user ${JSON.stringify(u.user)}`);
  if (/\n/.test(u.password)) throw new Error('password must be one line');
  const pw = /^\{[A-Z0-9._-]+\}/.test(u.password) ? u.password : `{PLAIN}${u.password}`;
  if (pw.includes(':')) throw new Error(`password for ${u.user} contains ':' (not allowed in passwd-file)`);
  return `${u.user}:${pw}::::::`;
}

interface ConfigInput {
  baseDir: string;
  stateDir: string;
  logFile: string;
  passwdFile: string;
  mailDir: string;
  imap: boolean;
  imapAddress: string;
  imapPort: number;
  uid: number;
  gid: number;
  authListener: string;
  authFailureDelay: number;
}

function config23(c: ConfigInput): string {
  return `# written by relaycheck test/peers/dovecot.ts (Dovecot 2.3 syntax)
base_dir = ${c.baseDir}
state_dir = ${c.stateDir}
log_path = ${c.logFile}
instance_name = relaycheck
protocols = ${c.imap ? 'imap' : ''}
listen = ${c.imapAddress}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = ${c.authFailureDelay}s
first_valid_uid = 1
mail_location = maildir:${c.mailDir}/%d/%n
passdb {
  driver = passwd-file
  args = username_format=%u ${c.passwdFile}
}
userdb {
  driver = static
  args = uid=${c.uid} gid=${c.gid} home=${c.mailDir}/%d/%n
}
service auth {
  unix_listener ${c.authListener} {
    mode = 0666
  }
}
service imap-login {
  inet_listener imap {
    address = ${c.imapAddress}
    port = ${c.imap ? c.imapPort : 0}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

// Dovecot 2.4 changed the configuration language. Written from its documentation; this machine
// has 2.3 (Debian 12), so this variant is checked with `doveconf -n` before it is used.
function config24(c: ConfigInput): string {
  const home = `${c.mailDir}/%{user|domain}/%{user|username}`;
  return `# written by relaycheck test/peers/dovecot.ts (Dovecot 2.4 syntax)
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
base_dir = ${c.baseDir}
state_dir = ${c.stateDir}
log_path = ${c.logFile}
instance_name = relaycheck
protocols = ${c.imap ? 'imap' : ''}
listen = ${c.imapAddress}
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = ${c.authFailureDelay}s
first_valid_uid = 1
mail_driver = maildir
mail_home = ${home}
mail_path = ${home}
passdb passwd-file {
  passwd_file_path = ${c.passwdFile}
}
userdb static {
  fields {
    uid = ${c.uid}
    gid = ${c.gid}
    home = ${home}
  }
}
service auth {
  unix_listener ${c.authListener} {
    mode = 0666
  }
}
service imap-login {
  inet_listener imap {
    listen = ${c.imapAddress}
    port = ${c.imap ? c.imapPort : 0}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

/** Resolves when the auth socket answers with its handshake (VERSION … DONE). */
function authHandshake(socketPath: string, timeoutMs: number): Promise<void> {
  return new Promise((res, rej) => {
    const s = connect({ path: socketPath });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      rej(new Error(`no auth handshake on ${socketPath}`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`VERSION\t1\t2\nCPID\t${process.pid}\n`));
    s.on('data', (d: string) => {
      buf += d;
      if (/^DONE\b/m.test(buf)) {
        clearTimeout(timer);
        s.destroy();
        res();
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      rej(new Error(`auth socket ${socketPath} closed before the handshake (got ${JSON.stringify(buf)})`));
    });
  });
}

function imapGreeting(address: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((res, rej) => {
    const s = connect({ host: address, port });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      rej(new Error(`no IMAP greeting on ${address}:${port}`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      if (/^\* OK/m.test(buf)) {
        clearTimeout(timer);
        s.end('a LOGOUT\r\n');
        setTimeout(() => s.destroy(), 500).unref();
        res();
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
  });
}

export async function startDovecot(opts: DovecotOptions): Promise<DovecotInstance> {
  const dovecot = requireExecutable('dovecot');
  const doveconf = requireExecutable('doveconf');
  const version = await dovecotVersion();
  const dir = resolve(opts.dir);
  const configFile = join(dir, 'dovecot.conf');
  const baseDir = join(dir, 'run');
  const stateDir = join(dir, 'state');
  const logFile = join(dir, 'dovecot.log');
  const passwdFile = join(dir, 'passwd');
  const mailDir = resolve(opts.mailDir);
  const imap = opts.imap ?? true;
  const imapAddress = opts.imapAddress ?? '127.0.0.1';
  const startTimeoutMs = opts.startTimeoutMs ?? 15_000;
  const authListener = 'auth-postfix';
  const authSocket = join(baseDir, authListener);
  if (Buffer.byteLength(authSocket) > 100) throw new Error(`startDovecot: dir too long for a unix socket path: ${authSocket}`);

  // A previous run with this config still up: stop it.
  const pidFile = join(baseDir, 'master.pid');
  const oldPid = readPidFile(pidFile);
  if (oldPid !== undefined && pidAlive(oldPid) && procExe(oldPid) === DOVECOT && configArg(oldPid) === configFile) {
    await terminate(oldPid);
  }
  const imapPort = imap ? (opts.imapPort ?? (await freePort(imapAddress))) : 0;
  if (imap) await reclaimPort(imapAddress, imapPort, 'tcp', identifyDovecot, `startDovecot ${imapAddress}:${imapPort}`);

  const owner = { ...mailOwner(), ...(opts.uid !== undefined ? { uid: opts.uid } : {}), ...(opts.gid !== undefined ? { gid: opts.gid } : {}) };
  const dovecotUser = lookupUser('dovecot');
  if (!dovecotUser) throw new Error('user dovecot missing: is dovecot-core installed?');

  mkdirSync(dir, { recursive: true });
  ensureTraversable(dir);
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(mailDir, { recursive: true, mode: 0o750 });
  chownSync(mailDir, owner.uid, owner.gid);
  ensureTraversable(mailDir);
  for (const u of opts.users) {
    if (u.user.includes('@')) ensureMaildir(mailDir, u.user.toLowerCase(), owner);
  }
  writeMarker(dir);
  // The auth process runs as `dovecot`: let it read the passwd file, nobody else.
  writeFileSync(passwdFile, opts.users.map(passwdLine).join('\n') + '\n', { mode: 0o640 });
  chownSync(passwdFile, 0, dovecotUser.gid);
  writeFileSync(logFile, '', { mode: 0o600 });

  const input: ConfigInput = { baseDir, stateDir, logFile, passwdFile, mailDir, imap, imapAddress, imapPort, uid: owner.uid, gid: owner.gid, authListener, authFailureDelay: opts.authFailureDelaySeconds ?? 0 };
  writeFileSync(configFile, (atLeast(version, 2, 4) ? config24(input) : config23(input)) + (opts.extraConfig ? `\n${opts.extraConfig}\n` : ''), { mode: 0o644 });

  const check = await run(doveconf, ['-c', configFile, '-n'], { timeoutMs: 10_000 });
  if (check.code !== 0) throw new Error(`doveconf rejects ${configFile} (Dovecot ${version}):\n${check.stderr}${check.stdout}`);

  const log = (): string => readLog(logFile);

  // Dovecot daemonizes but keeps inherited descriptors: never give it pipes.
  const r = await runDaemonizing(dovecot, ['-c', configFile], join(dir, 'dovecot-commands.out'));
  if (r.code !== 0) throw new Error(`dovecot -c ${configFile} failed (exit ${r.code}): ${r.stdout}\n--- dovecot.log ---\n${log()}`);
  // The daemonized master writes its pid file a moment after the starting process has exited.
  const pid = await waitForPidFile(pidFile, Date.now() + startTimeoutMs, oldPid);
  if (pid === undefined) {
    throw new Error(`dovecot -c ${configFile} started but wrote no live pid to ${pidFile} within ${startTimeoutMs} ms\n--- dovecot.log ---\n${log()}`);
  }
  const stop = trackDaemon(pid, imap ? [{ address: imapAddress, port: imapPort }] : [], `dovecot ${configFile} stop`);

  if (!opts.authPenalty) {
    // The auth process connects to this anvil socket when it starts (lazily, on its first
    // client); if the socket is missing it silently runs without penalties. Dovecot's documented
    // switch (listener mode = 0) instead makes it retry for 5 s, then log an error.
    const penaltySocket = join(baseDir, 'anvil-auth-penalty');
    const until = Date.now() + 2_000;
    while (!existsSync(penaltySocket) && Date.now() < until) await sleep(10);
    rmSync(penaltySocket, { force: true });
  }

  try {
    const ready = Date.now() + startTimeoutMs;
    await Promise.all([
      retryUntil(ready, `dovecot auth socket ${authSocket} not ready within ${startTimeoutMs} ms`, (t) => authHandshake(authSocket, t)),
      imap ? retryUntil(ready, `dovecot IMAP ${imapAddress}:${imapPort} not ready within ${startTimeoutMs} ms`, (t) => imapGreeting(imapAddress, imapPort, t)) : undefined,
    ]);
  } catch (e) {
    const l = log();
    await stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n--- dovecot.log ---\n${l}`);
  }

  return { dir, configFile, authSocket, imapAddress, imapPort, pid, version, stop, log };
}

