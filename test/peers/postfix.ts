// A private Postfix instance (Debian's package) with one smtpd per loopback ADDR:PORT.
// See shared/peers/README.md for the why of each setting.
import { chownSync, existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ensureMaildir,
  ensureTraversable,
  lookupUser,
  mailOwner,
  masterAbove,
  pidAlive,
  procEnv,
  procExe,
  type PeerProcess,
  readLog,
  readPidFile,
  reclaimPort,
  requireExecutable,
  run,
  runDaemonizing,
  sleep,
  terminate,
  trackDaemon,
  waitPidGone,
  writeMarker,
} from './proc.js';
import { selfSignedCert } from './tls.js';
import { waitForSmtp220 } from './smtp-probe.js';

export interface PostfixListener {
  /** Loopback address, e.g. '127.0.10.1'. */
  address: string;
  /** 25 or 587 (real ports; tests run as root) or any other. */
  port: number;
  /** 'may': STARTTLS offered (TLS 1.0+ as OpenSSL allows, i.e. 1.2+ on Debian 12);
   * 'none': no STARTTLS; 'legacy': STARTTLS with TLS 1.0/1.1 only (1.2 and 1.3 refused). */
  tls: 'may' | 'none' | 'legacy';
  /** PEM private key. Without it (and tls != 'none') a self-signed certificate for the
   * instance's hostname is made. */
  keyFile?: string;
  /** PEM leaf + intermediates. Omit if keyFile holds key and chain together. */
  chainFile?: string;
  /** smtpd_tls_auth_only: AUTH offered only after STARTTLS. */
  authOnlyAfterTls?: boolean;
  /** Offer SASL AUTH (PLAIN, LOGIN) through Dovecot; needs PostfixOptions.dovecotAuthSocket. */
  sasl?: boolean;
  /** Accept mail only from authenticated clients (relay and local delivery alike). */
  requireAuth?: boolean;
  /** smtpd_tls_ask_ccert = yes: ask the client for a certificate; it is logged (loglevel 2). */
  requireClientCert?: boolean;
  /** CA bundle announced/used to verify client certificates (smtpd_tls_CAfile). */
  clientCaFile?: string;
  /** sender address -> SASL login owning it; enables reject_sender_login_mismatch (553 5.7.1). */
  senderLoginMaps?: Record<string, string>;
  /** When a sender-login mismatch is refused: at MAIL FROM (default; smtpd_delay_reject = no)
   * or at RCPT TO (Postfix's default delay). */
  rejectSenderAt?: 'mail' | 'rcpt';
  /** Extra `-o name=value` for this smtpd (values may contain spaces, commas, braces). */
  overrides?: Record<string, string>;
}

export interface PostfixVirtualMailbox {
  /** Domain delivered locally to Maildirs, e.g. 'example.test'. */
  domain: string;
  /** Local parts or full addresses in `domain`. Each gets `<baseDir>/<domain>/<localpart>/`. */
  users: string[];
  /** Same directory as Dovecot's `mailDir`. Owned by the mail account (see mailOwner()). */
  baseDir: string;
  /** Owner of the Maildirs; default Debian's `mail` (8:8), same default as startDovecot. */
  uid?: number;
  gid?: number;
}

export interface PostfixOptions {
  /** Instance root: conf/, queue/, data/, tls/ and maillog are created here. */
  dir: string;
  listeners: PostfixListener[];
  /** myhostname (banner, EHLO, default certificate CN). Default 'mail.example.test'. */
  hostname?: string;
  /** mydomain. Default: hostname without its first label. */
  myDomain?: string;
  /** Dovecot auth socket (startDovecot().authSocket) for listeners with sasl. */
  dovecotAuthSocket?: string;
  virtualMailbox?: PostfixVirtualMailbox;
  /** relay_domains: domains this instance relays for (to relayHost, or per transport). */
  relayDomains?: string[];
  /** relayhost for all non-local mail, e.g. '[127.0.20.1]:25'. No DNS is ever used. */
  relayHost?: string;
  /** Extra main.cf parameters (override the defaults written here). */
  mainCf?: Record<string, string>;
  /** How long to wait for every listener's 220. Default 15 s. */
  startTimeoutMs?: number;
}

export interface PostfixInstance {
  dir: string;
  configDir: string;
  maillogFile: string;
  listeners: PostfixListener[];
  /** pid of the master process. */
  pid: number;
  /** Stops Postfix and waits until its ports are closed. Idempotent. */
  stop(): Promise<void>;
  /** The instance's log so far. */
  maillog(): string;
  /** Waits until the maillog matches; resolves with the first matching line. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

const MASTER = '/usr/lib/postfix/sbin/master';

/** Common services, none chrooted (paths in our config are absolute). */
const BASE_SERVICES = `
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
  -o syslog_name=postfix/$service_name
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

function ensureDefaultMainCf(): void {
  // `postfix -c DIR` silently refuses to run when the default main.cf is missing.
  if (existsSync('/etc/postfix') && !existsSync('/etc/postfix/main.cf')) writeFileSync('/etc/postfix/main.cf', '', { mode: 0o644 });
  if (!existsSync('/etc/postfix')) throw new Error('/etc/postfix missing: is postfix installed? (.ci/install-peers.sh)');
}

/** If pid is (a child of) a Postfix master with a private config dir, that master. */
function identifyPostfix(pid: number): PeerProcess | undefined {
  const master = masterAbove(pid, MASTER, '/usr/lib/postfix/');
  const conf = master === undefined ? undefined : procEnv(master, 'MAIL_CONFIG');
  if (master === undefined || !conf || resolve(conf) === '/etc/postfix') return undefined;
  return { leader: master, configDir: resolve(conf) };
}

function validate(opts: PostfixOptions): void {
  if (opts.listeners.length === 0) throw new Error('startPostfix: no listeners');
  const seen = new Set<string>();
  for (const l of opts.listeners) {
    const k = `${l.address}:${l.port}`;
    if (seen.has(k)) throw new Error(`startPostfix: listener ${k} given twice`);
    seen.add(k);
    if (!/^127\.\d+\.\d+\.\d+$/.test(l.address)) throw new Error(`startPostfix: ${k}: only IPv4 loopback addresses are allowed`);
    if (l.sasl && !opts.dovecotAuthSocket) throw new Error(`startPostfix: ${k} has sasl but no dovecotAuthSocket was given`);
    if (l.requireAuth && !l.sasl) throw new Error(`startPostfix: ${k} has requireAuth without sasl`);
    if (l.chainFile && !l.keyFile) throw new Error(`startPostfix: ${k} has chainFile without keyFile`);
  }
}

function paramValue(v: string): string {
  if (/\n/.test(v)) throw new Error(`main.cf value must be one line: ${JSON.stringify(v)}`);
  return v;
}

export async function startPostfix(opts: PostfixOptions): Promise<PostfixInstance> {
  validate(opts);
  const postfix = requireExecutable('postfix');
  ensureDefaultMainCf();

  const dir = resolve(opts.dir);
  const configDir = join(dir, 'conf');
  const queueDir = join(dir, 'queue');
  const dataDir = join(dir, 'data');
  const tlsDir = join(dir, 'tls');
  const maillogFile = join(dir, 'maillog');
  const hostname = opts.hostname ?? 'mail.example.test';
  const myDomain = opts.myDomain ?? (hostname.includes('.') ? hostname.slice(hostname.indexOf('.') + 1) : hostname);
  const startTimeoutMs = opts.startTimeoutMs ?? 15_000;

  // 1. A previous run with this very config dir that is still running: stop it.
  const oldPid = readPidFile(join(queueDir, 'pid', 'master.pid'));
  if (oldPid !== undefined && pidAlive(oldPid) && procExe(oldPid) === MASTER && procEnv(oldPid, 'MAIL_CONFIG') === configDir) {
    await terminate(oldPid);
  }
  // 2. Anything else of ours (a crashed run with another dir) on our ports: stop it too.
  for (const l of opts.listeners) {
    await reclaimPort(l.address, l.port, 'tcp', identifyPostfix, `startPostfix ${l.address}:${l.port}`);
  }

  // 3. Directories.
  const postfixUser = lookupUser('postfix');
  if (!postfixUser) throw new Error('user postfix missing: is postfix installed?');
  mkdirSync(dir, { recursive: true });
  ensureTraversable(dir);
  for (const d of [configDir, queueDir, tlsDir]) {
    mkdirSync(d, { recursive: true, mode: 0o755 });
    chownSync(d, 0, 0);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownSync(dataDir, postfixUser.uid, postfixUser.gid);
  writeMarker(configDir);
  writeFileSync(maillogFile, '', { mode: 0o644 });

  // 4. main.cf
  const main: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: queueDir,
    data_directory: dataDir,
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    maillog_file: maillogFile,
    maillog_file_prefixes: `${dir}, /tmp, /var`,
    myhostname: hostname,
    mydomain: myDomain,
    myorigin: '$myhostname',
    mydestination: '',
    local_recipient_maps: '',
    alias_maps: '',
    alias_database: '',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks_style: 'host',
    mynetworks: '127.0.0.0/8',
    // Offline and fast: no DNS, no reverse lookups.
    smtp_dns_support_level: 'disabled',
    lmtp_dns_support_level: 'disabled',
    smtp_host_lookup: 'native',
    smtpd_peername_lookup: 'no',
    smtpd_client_restrictions: '',
    smtpd_helo_restrictions: '',
    smtpd_sender_restrictions: '',
    smtpd_recipient_restrictions: '',
    smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
    smtpd_error_sleep_time: '0',
    smtpd_tls_loglevel: '1',
    smtpd_tls_received_header: 'yes',
    smtpd_sasl_auth_enable: 'no',
    biff: 'no',
    append_dot_mydomain: 'no',
    readme_directory: 'no',
    html_directory: 'no',
    delay_warning_time: '0',
    // Retry quickly: a test should not wait 5 minutes for a deferred message.
    queue_run_delay: '2s',
    minimal_backoff_time: '2s',
    maximal_backoff_time: '10s',
  };
  if (opts.dovecotAuthSocket) {
    main.smtpd_sasl_type = 'dovecot';
    main.smtpd_sasl_path = resolve(opts.dovecotAuthSocket);
  }
  if (opts.relayDomains) main.relay_domains = opts.relayDomains.join(', ');
  if (opts.relayHost) main.relayhost = opts.relayHost;

  const vm = opts.virtualMailbox;
  if (vm) {
    const owner = { ...mailOwner(), ...(vm.uid !== undefined ? { uid: vm.uid } : {}), ...(vm.gid !== undefined ? { gid: vm.gid } : {}) };
    const base = resolve(vm.baseDir);
    mkdirSync(base, { recursive: true, mode: 0o750 });
    chownSync(base, owner.uid, owner.gid);
    ensureTraversable(base);
    const domain = vm.domain.toLowerCase();
    const entries: string[] = [];
    for (const u of vm.users) {
      const address = (u.includes('@') ? u : `${u}@${domain}`).toLowerCase();
      ensureMaildir(base, address, owner);
      const local = address.slice(0, address.lastIndexOf('@'));
      entries.push(`{ ${address} = ${address.slice(address.lastIndexOf('@') + 1)}/${local}/ }`);
    }
    main.virtual_mailbox_domains = domain;
    main.virtual_mailbox_maps = `inline:{ ${entries.join(' ')} }`;
    main.virtual_mailbox_base = base;
    main.virtual_uid_maps = `static:${owner.uid}`;
    main.virtual_gid_maps = `static:${owner.gid}`;
    main.virtual_minimum_uid = '1';
  }

  // 5. master.cf: one smtpd per listener; anything non-trivial goes through a main.cf parameter
  // (`-o name=$rc_lN_name`), which sidesteps master.cf quoting.
  let defaultCert: { keyFile: string; certFile: string } | undefined;
  const lines: string[] = [];
  for (const [i, l] of opts.listeners.entries()) {
    const o: Record<string, string> = { syslog_name: `postfix/${l.address}:${l.port}` };
    if (l.tls === 'none') {
      o.smtpd_tls_security_level = 'none';
    } else {
      o.smtpd_tls_security_level = 'may';
      let chain: string;
      if (l.keyFile) {
        chain = l.chainFile ? `${resolve(l.keyFile)}, ${resolve(l.chainFile)}` : resolve(l.keyFile);
      } else {
        defaultCert ??= await selfSignedCert(tlsDir, hostname);
        chain = `${defaultCert.keyFile}, ${defaultCert.certFile}`;
      }
      o.smtpd_tls_chain_files = chain;
      if (l.tls === 'legacy') {
        // TLS 1.0/1.1 need OpenSSL security level 0 (SHA-1/MD5 handshake signatures).
        o.smtpd_tls_protocols = '>=TLSv1, <=TLSv1.1';
        o.smtpd_tls_mandatory_protocols = '>=TLSv1, <=TLSv1.1';
        o.tls_high_cipherlist = 'DEFAULT:@SECLEVEL=0';
        o.smtpd_tls_ciphers = 'high';
        o.smtpd_tls_mandatory_ciphers = 'high';
      }
      if (l.requireClientCert) {
        o.smtpd_tls_ask_ccert = 'yes';
        o.smtpd_tls_loglevel = '2';
      }
      if (l.clientCaFile) o.smtpd_tls_CAfile = resolve(l.clientCaFile);
    }
    o.smtpd_tls_auth_only = l.authOnlyAfterTls ? 'yes' : 'no';
    if (l.sasl) {
      o.smtpd_sasl_auth_enable = 'yes';
      o.smtpd_sasl_security_options = 'noanonymous';
      o.smtpd_sasl_tls_security_options = 'noanonymous';
    }
    if (l.requireAuth) {
      o.smtpd_relay_restrictions = 'permit_sasl_authenticated, reject';
    }
    if (l.senderLoginMaps) {
      const pairs = Object.entries(l.senderLoginMaps).map(([sender, login]) => `{ ${sender} = ${login} }`);
      o.smtpd_sender_login_maps = `inline:{ ${pairs.join(' ')} }`;
      o.smtpd_sender_restrictions = 'reject_sender_login_mismatch';
      if ((l.rejectSenderAt ?? 'mail') === 'mail') o.smtpd_delay_reject = 'no';
    }
    Object.assign(o, l.overrides ?? {});

    const args: string[] = [];
    for (const [k, v] of Object.entries(o)) {
      if (/^[A-Za-z0-9_./:@=-]*$/.test(v)) {
        args.push(`-o ${k}=${v}`);
      } else {
        const p = `rc_l${i}_${k}`;
        main[p] = v;
        args.push(`-o ${k}=$${p}`);
      }
    }
    lines.push(`${l.address}:${l.port} inet n - n - - smtpd\n  ${args.join('\n  ')}`);
  }
  Object.assign(main, opts.mainCf ?? {});

  const mainCf = Object.entries(main).map(([k, v]) => `${k} = ${paramValue(v)}`).join('\n') + '\n';
  writeFileSync(join(configDir, 'main.cf'), `# written by relaycheck test/peers/postfix.ts\n${mainCf}`, { mode: 0o644 });
  writeFileSync(join(configDir, 'master.cf'), `# written by relaycheck test/peers/postfix.ts\n${lines.join('\n')}\n${BASE_SERVICES}`, { mode: 0o644 });
  // Postfix will not read a table or config file whose mtime is within the last second (it
  // might still be being written): it sleeps 300 ms and retries, ~1.5-2 s per start. Backdate.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['main.cf', 'master.cf']) utimesSync(join(configDir, f), past, past);

  const maillog = (): string => readLog(maillogFile);
  const tail = (): string => maillog().split('\n').slice(-30).join('\n');

  // 6. Start. Postfix prints nothing on stderr unless it is a terminal; errors are in maillog.
  const r = await runDaemonizing(postfix, ['-c', configDir, 'start'], join(dir, 'postfix-commands.out'));
  const pid = readPidFile(join(queueDir, 'pid', 'master.pid'));
  if (r.code !== 0 || pid === undefined || !pidAlive(pid)) {
    throw new Error(`postfix -c ${configDir} start failed (exit ${r.code})\n${r.stdout}${r.stderr}\n--- maillog ---\n${tail()}`);
  }
  const stop = trackDaemon(
    pid,
    opts.listeners.map((l) => ({ address: l.address, port: l.port })),
    `postfix ${configDir} stop`,
    async () => {
      await run(postfix, ['-c', configDir, 'stop'], { timeoutMs: 15_000 }).catch(() => undefined);
      if (!(await waitPidGone(pid, 5_000))) await terminate(pid, 1_000);
    },
  );

  // 7. Up means: every listener greets with 220.
  try {
    await Promise.all(opts.listeners.map((l) => waitForSmtp220(l.address, l.port, startTimeoutMs)));
  } catch (e) {
    const log = tail();
    await stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n--- maillog ---\n${log}`);
  }

  const waitForLog = async (pattern: RegExp, timeoutMs = 10_000): Promise<string> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const line = maillog().split('\n').find((x) => pattern.test(x));
      if (line !== undefined) return line;
      if (Date.now() > end) throw new Error(`maillog did not match ${String(pattern)} within ${timeoutMs} ms\n--- maillog ---\n${tail()}`);
      await sleep(50);
    }
  };

  return { dir, configDir, maillogFile, listeners: opts.listeners, pid, stop, maillog, waitForLog };
}
