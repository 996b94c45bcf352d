// A private unbound (Debian package): a validating recursive resolver on loopback that sends each
// test zone to the nsd serving it (stub zones) and validates DNSSEC from the test trust anchors.
// It never asks anyone else: no root hints are used for names outside the stub zones, because the
// tests ask none.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  configArg,
  pidAlive,
  procExe,
  type PeerProcess,
  readLog,
  readPidFile,
  reclaimPort,
  requireExecutable,
  run,
  runDaemonizing,
  terminate,
  trackDaemon,
  waitForPidFile,
  writeMarker,
} from './proc.js';

export interface UnboundOptions {
  /** instance root: unbound.conf, anchors, unbound.log, unbound.pid */
  dir: string;
  address: string;
  port?: number;
  /** zones sent to an authoritative server (address@port) */
  stubs: { name: string; server: string }[];
  /** DS or DNSKEY records in zone format: the trust anchors */
  trustAnchors: string[];
  /** zones with no trust anchor, answered without validation (no AD) */
  insecure?: string[];
  startTimeoutMs?: number;
}

export interface UnboundInstance {
  address: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  log(): string;
}

const UNBOUND = '/usr/sbin/unbound';

function identifyUnbound(pid: number): PeerProcess | undefined {
  if (procExe(pid) !== UNBOUND) return undefined;
  const conf = configArg(pid);
  if (!conf) return undefined;
  return { leader: pid, configDir: dirname(resolve(conf)) };
}

export async function startUnbound(opts: UnboundOptions): Promise<UnboundInstance> {
  const unbound = requireExecutable('unbound');
  const checkconf = requireExecutable('unbound-checkconf');
  const dir = resolve(opts.dir);
  const port = opts.port ?? 53;
  const conf = join(dir, 'unbound.conf');
  const pidFile = join(dir, 'unbound.pid');
  const logFile = join(dir, 'unbound.log');
  const anchors = join(dir, 'anchors.keys');
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;

  const oldPid = readPidFile(pidFile);
  if (oldPid !== undefined && pidAlive(oldPid) && procExe(oldPid) === UNBOUND && configArg(oldPid) === conf) await terminate(oldPid);
  for (const proto of ['tcp', 'udp'] as const) await reclaimPort(opts.address, port, proto, identifyUnbound, `startUnbound ${opts.address}:${port}`);

  mkdirSync(dir, { recursive: true });
  writeMarker(dir);
  writeFileSync(anchors, `${opts.trustAnchors.join('\n')}\n`);
  writeFileSync(logFile, '');
  const stubs = opts.stubs.map((s) => `stub-zone:\n  name: "${s.name}."\n  stub-addr: ${s.server}\n`).join('');
  writeFileSync(
    conf,
    `# written by relaycheck test/peers/unbound.ts
server:
  interface: ${opts.address}@${port}
  port: ${port}
  do-ip4: yes
  do-ip6: no
  do-daemonize: yes
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${pidFile}"
  logfile: "${logFile}"
  use-syslog: no
  verbosity: 1
  val-log-level: 2
  num-threads: 1
  so-reuseport: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "validator iterator"
  trust-anchor-file: "${anchors}"
  qname-minimisation: no
  harden-dnssec-stripped: yes
${(opts.insecure ?? []).map((z) => `  domain-insecure: "${z}."\n`).join('')}remote-control:
  control-enable: no
${stubs}`,
  );
  const check = await run(checkconf, [conf], { timeoutMs: 10_000 });
  if (check.code !== 0) throw new Error(`unbound-checkconf rejects ${conf}:\n${check.stdout}${check.stderr}`);

  const r = await runDaemonizing(unbound, ['-c', conf], join(dir, 'unbound-commands.out'));
  if (r.code !== 0) throw new Error(`unbound -c ${conf} failed (exit ${r.code}): ${r.stdout}\n--- unbound.log ---\n${readLog(logFile)}`);
  const pid = await waitForPidFile(pidFile, Date.now() + startTimeoutMs);
  if (pid === undefined) throw new Error(`unbound wrote no pid file within ${startTimeoutMs} ms\n--- unbound.log ---\n${readLog(logFile)}`);
  const stop = trackDaemon(
    pid,
    [
      { address: opts.address, port, proto: 'tcp' },
      { address: opts.address, port, proto: 'udp' },
    ],
    `unbound ${conf} stop`,
  );
  return { address: opts.address, port, pid, stop, log: () => readLog(logFile) };
}
