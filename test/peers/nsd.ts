// A private nsd: a real authoritative DNS server for test zones, on loopback UDP and TCP.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import * as dnsPacket from 'dns-packet';
import {
  configArg,
  freePort,
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
  terminate,
  trackDaemon,
  waitForPidFile,
  writeMarker,
} from './proc.js';

export interface NsdZone {
  /** Zone apex, e.g. 'example.test'. */
  name: string;
  /** Zone file text (RFC 1035 master format). With no `$ORIGIN` line, `$ORIGIN <name>.` is added. */
  text: string;
}

export interface NsdOptions {
  /** Instance root: nsd.conf, zone files, nsd.log, nsd.pid. */
  dir: string;
  /** Port for UDP and TCP; default a free one. */
  port?: number;
  /** Default '127.0.0.1'. */
  address?: string;
  zones: NsdZone[];
  startTimeoutMs?: number;
}

export interface NsdInstance {
  address: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  log(): string;
  /** Sends one query to this server (UDP unless tcp). */
  query(name: string, type: dnsPacket.RecordType, opts?: { tcp?: boolean; timeoutMs?: number }): Promise<DnsResponse>;
}

const NSD = '/usr/sbin/nsd';

/** A decoded response; dns-packet also sets `rcode` ('NOERROR', 'NXDOMAIN', …), which its types omit. */
export type DnsResponse = dnsPacket.DecodedPacket & { rcode?: string };

/** One DNS query to address:port over UDP or TCP, decoded with dns-packet. */
function dnsQuery(
  address: string,
  port: number,
  name: string,
  type: dnsPacket.RecordType,
  opts: { tcp?: boolean; timeoutMs?: number } = {},
): Promise<DnsResponse> {
  const id = Math.floor(Math.random() * 0xffff);
  const query = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type, name, class: 'IN' }] });
  const timeoutMs = opts.timeoutMs ?? 2_000;
  if (opts.tcp) {
    return new Promise((res, rej) => {
      const s = connect({ host: address, port });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => {
        s.destroy();
        rej(new Error(`DNS/TCP ${address}:${port}: no answer for ${name} ${type}`));
      }, timeoutMs);
      s.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        s.write(Buffer.concat([len, query]));
      });
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          s.destroy();
          try {
            res(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
          } catch (e) {
            rej(e as Error);
          }
        }
      });
      s.on('error', (e) => {
        clearTimeout(timer);
        rej(e);
      });
    });
  }
  return new Promise((res, rej) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      rej(new Error(`DNS/UDP ${address}:${port}: no answer for ${name} ${type}`));
    }, timeoutMs);
    s.on('message', (msg) => {
      let p: DnsResponse;
      try {
        p = dnsPacket.decode(msg);
      } catch {
        return;
      }
      if (p.id !== id) return;
      clearTimeout(timer);
      s.close();
      res(p);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      s.close();
      rej(e);
    });
    s.send(query, port, address);
  });
}

/** nsd forks into xfrd / main / server processes that all share the command line. */
function identifyNsd(pid: number): PeerProcess | undefined {
  if (procExe(pid) !== NSD) return undefined;
  const conf = configArg(pid);
  if (!conf) return undefined;
  const configDir = dirname(resolve(conf));
  // The pid file names the process to signal; without it, this process (SIGTERM to any of them
  // brings the set down).
  return { leader: readPidFile(join(configDir, 'nsd.pid')) ?? pid, configDir };
}

function zoneFileName(name: string): string {
  const n = name.replace(/\.$/, '').toLowerCase();
  if (!/^[a-z0-9._-]+$/.test(n)) throw new Error(`bad zone name ${name}`);
  return `${n}.zone`;
}

export async function startNsd(opts: NsdOptions): Promise<NsdInstance> {
  const nsd = requireExecutable('nsd');
  const checkconf = requireExecutable('nsd-checkconf');
  if (opts.zones.length === 0) throw new Error('startNsd: no zones');
  const dir = resolve(opts.dir);
  const address = opts.address ?? '127.0.0.1';
  const conf = join(dir, 'nsd.conf');
  const pidFile = join(dir, 'nsd.pid');
  const logFile = join(dir, 'nsd.log');
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;

  const oldPid = readPidFile(pidFile);
  if (oldPid !== undefined && pidAlive(oldPid) && procExe(oldPid) === NSD && configArg(oldPid) === conf) await terminate(oldPid);

  const port = opts.port ?? (await freePort(address));
  for (const proto of ['tcp', 'udp'] as const) await reclaimPort(address, port, proto, identifyNsd, `startNsd ${address}:${port}`);

  mkdirSync(dir, { recursive: true });
  writeMarker(dir);
  const zoneBlocks: string[] = [];
  for (const z of opts.zones) {
    const file = zoneFileName(z.name);
    const apex = `${z.name.replace(/\.$/, '')}.`;
    const text = /^\$ORIGIN\s/m.test(z.text) ? z.text : `$ORIGIN ${apex}\n${z.text}`;
    writeFileSync(join(dir, file), text.endsWith('\n') ? text : `${text}\n`);
    zoneBlocks.push(`zone:\n  name: "${apex}"\n  zonefile: "${file}"\n`);
  }
  writeFileSync(logFile, '');
  writeFileSync(
    conf,
    `# written by relaycheck test/peers/nsd.ts
server:
  ip-address: ${address}@${port}
  port: ${port}
  do-ip4: yes
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  database: ""
  pidfile: "${pidFile}"
  logfile: "${logFile}"
  xfrdfile: "${join(dir, 'xfrd.state')}"
  zonelistfile: "${join(dir, 'zone.list')}"
  server-count: 1
  verbosity: 1
  hide-version: no
remote-control:
  control-enable: no
${zoneBlocks.join('')}`,
  );

  const check = await run(checkconf, [conf], { timeoutMs: 10_000 });
  if (check.code !== 0) throw new Error(`nsd-checkconf rejects ${conf}:\n${check.stdout}${check.stderr}`);

  const log = (): string => readLog(logFile);

  const r = await runDaemonizing(nsd, ['-c', conf], join(dir, 'nsd-commands.out'));
  if (r.code !== 0) throw new Error(`nsd -c ${conf} failed (exit ${r.code}): ${r.stdout}\n--- nsd.log ---\n${log()}`);

  // The pid file appears once nsd has forked; the daemon may still be loading zones.
  const end = Date.now() + startTimeoutMs;
  const nsdPid = await waitForPidFile(pidFile, end);
  if (nsdPid === undefined) throw new Error(`nsd wrote no pid file within ${startTimeoutMs} ms\n--- nsd.log ---\n${log()}`);
  const stop = trackDaemon(
    nsdPid,
    [
      { address, port, proto: 'tcp' },
      { address, port, proto: 'udp' },
    ],
    `nsd ${conf} stop`,
  );

  // Up means: it answers authoritatively for the first zone's SOA, over UDP and TCP.
  const apex = opts.zones[0]!.name;
  try {
    await retryUntil(end, `nsd on ${address}:${port} not answering within ${startTimeoutMs} ms`, async () => {
      const [u, t] = await Promise.all([dnsQuery(address, port, apex, 'SOA', { timeoutMs: 500 }), dnsQuery(address, port, apex, 'SOA', { tcp: true, timeoutMs: 500 })]);
      if (u.rcode !== 'NOERROR' || t.rcode !== 'NOERROR' || (u.answers?.length ?? 0) === 0) throw new Error(`SOA ${apex}: rcode ${u.rcode}/${t.rcode}, ${u.answers?.length ?? 0} answers`);
    });
  } catch (e) {
    await stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\n--- nsd.log ---\n${log()}`);
  }

  return {
    address,
    port,
    pid: nsdPid,
    stop,
    log,
    query: (name, type, o) => dnsQuery(address, port, name, type, o),
  };
}
