// The lab's DNS server: answers the plan's dns.servers from one declarative zone over UDP and TCP
// on a loopback port (dns-packet). It stands in for a validating resolver of a DNSSEC-signed zone
// (AD set on every answer it gives, RFC 4035 §3.2.3), follows CNAMEs inside the zone, and says
// NXDOMAIN for names it does not know and NODATA for known names without the asked type.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';

export type LabZoneValue =
  | string // A, AAAA, CNAME, PTR: the address or target; TXT: one string
  | string[] // TXT split into character-strings
  | { preference: number; exchange: string } // MX
  | { usage: number; selector: number; matchingType: number; data: string }; // TLSA (hex)

/** name → type → values. Names are case-insensitive, without the trailing dot. */
export type LabZone = Record<string, Partial<Record<string, LabZoneValue[]>>>;

export interface LabDnsOptions {
  zone: LabZone;
  host?: string;
  /** set the AD bit on answers (a validating resolver's verdict); default true */
  ad?: boolean;
}

export interface LabDnsServer {
  host: string;
  port: number;
  /** questions asked, "name TYPE" */
  queries: string[];
  close(): Promise<void>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');
const MAX_QUERIES_KEPT = 2000;

function toAnswer(name: string, type: string, v: LabZoneValue): dnsPacket.Answer {
  const base = { name, ttl: 300, class: 'IN' as const };
  switch (type) {
    case 'MX':
      return { ...base, type: 'MX', data: v as { preference: number; exchange: string } };
    case 'TXT':
      return { ...base, type: 'TXT', data: Array.isArray(v) ? v : [v as string] };
    case 'TLSA': {
      const t = v as { usage: number; selector: number; matchingType: number; data: string };
      return { ...base, type: 'TLSA', data: { usage: t.usage, selector: t.selector, matchingType: t.matchingType, certificate: Buffer.from(t.data, 'hex') } } as dnsPacket.Answer;
    }
    default:
      return { ...base, type: type as 'A', data: v as string };
  }
}

/** The answer section and RCODE for one question (0 NOERROR, 3 NXDOMAIN, 2 SERVFAIL on a CNAME loop). */
export function answerQuestion(zone: LabZone, qname: string, qtype: string): { rcode: number; answers: dnsPacket.Answer[] } {
  const lower = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const exists = (n: string) => [...lower.keys()].some((k) => k === n || k.endsWith(`.${n}`));
  const answers: dnsPacket.Answer[] = [];
  let name = norm(qname);
  for (let hop = 0; hop < 8; hop++) {
    const node = lower.get(name);
    const values = node?.[qtype];
    if (values?.length) {
      for (const v of values) answers.push(toAnswer(name, qtype, v));
      return { rcode: 0, answers };
    }
    const alias = node?.CNAME?.[0];
    if (alias && qtype !== 'CNAME') {
      answers.push(toAnswer(name, 'CNAME', alias));
      name = norm(alias as string);
      continue;
    }
    return { rcode: answers.length || exists(name) ? 0 : 3, answers };
  }
  return { rcode: 2, answers: [] };
}

export async function startLabDns(options: LabDnsOptions): Promise<LabDnsServer> {
  const host = options.host ?? '127.0.0.1';
  const ad = options.ad ?? true;
  const queries: string[] = [];
  const sockets = new Set<Socket>();

  const respond = (msg: Buffer): Buffer | undefined => {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    const q = packet.questions?.[0];
    if (packet.type !== 'query' || !q) return undefined;
    if (queries.length < MAX_QUERIES_KEPT) queries.push(`${q.name} ${q.type}`);
    const { rcode, answers } = answerQuestion(options.zone, q.name, q.type);
    const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (ad && rcode !== 2 ? dnsPacket.AUTHENTIC_DATA : 0) | rcode;
    return dnsPacket.encode({ type: 'response', id: packet.id ?? 0, flags, questions: [q], answers });
  };

  // UDP and TCP on the same port: bind UDP to a free port, then try TCP on it (retry if taken).
  let udp: UdpSocket | undefined;
  let tcp: Server | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 20 && !tcp; attempt++) {
    const u = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      u.once('error', reject);
      u.bind(0, host, () => resolve());
    });
    port = u.address().port;
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (ok) {
      udp = u;
      tcp = server;
    } else u.close();
  }
  if (!udp || !tcp) throw new Error('lab DNS: no free port for UDP and TCP');
  udp.on('error', () => undefined);
  tcp.on('error', () => undefined);

  udp.on('message', (msg, rinfo) => {
    const out = respond(msg);
    if (out) udp!.send(out, rinfo.port, rinfo.address);
  });
  tcp.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(10_000, () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 70_000) return socket.destroy();
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const frame = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + frame.length);
        const out = respond(frame);
        if (!out || socket.destroyed) continue;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length);
        socket.write(Buffer.concat([len, out]));
      }
    });
  });

  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    queries,
    close() {
      closed ??= (async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => tcp!.close(() => resolve()));
        await new Promise<void>((resolve) => udp!.close(() => resolve()));
      })();
      return closed;
    },
  };
}
