// The lab's DNS server: answers the plan's dns.servers from one declarative zone over UDP and TCP
// on a loopback port (dns-packet). It stands in for a validating resolver of a DNSSEC-signed zone
// (AD set on every answer it gives, RFC 4035 §3.2.3), follows CNAMEs inside the zone, and says
// NXDOMAIN for names it does not know and NODATA for known names without the asked type.
// answerQuestion and startDnsResponder are shared with the unit tests' misbehaving server.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';

export type LabZoneValue =
  | string // A, AAAA, CNAME, PTR, NS: the address or target; TXT: one string
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
const MAX_CNAME_HOPS = 8;

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

/**
 * The answer section and RCODE for one question: 0 NOERROR (records, or NODATA for a name that
 * exists, empty non-terminals included), 3 NXDOMAIN when the last name of the CNAME chain does not
 * exist (RFC 6604 §2.1), 2 SERVFAIL on a CNAME loop. CNAMEs are followed inside the zone, unless
 * aliasOnly: then only the first CNAME comes back, as from an authoritative server for another zone.
 */
export function answerQuestion(zone: LabZone, qname: string, qtype: string, options: { aliasOnly?: boolean } = {}): { rcode: number; answers: dnsPacket.Answer[] } {
  const lower = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const exists = (n: string) => [...lower.keys()].some((k) => k === n || k.endsWith(`.${n}`));
  const answers: dnsPacket.Answer[] = [];
  let name = norm(qname);
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    const node = lower.get(name);
    const values = node?.[qtype];
    if (values?.length) {
      for (const v of values) answers.push(toAnswer(name, qtype, v));
      return { rcode: 0, answers };
    }
    const alias = node?.CNAME?.[0];
    if (alias && qtype !== 'CNAME') {
      answers.push(toAnswer(name, 'CNAME', alias));
      if (options.aliasOnly) return { rcode: 0, answers };
      name = norm(alias as string);
      continue;
    }
    return { rcode: exists(name) ? 0 : 3, answers };
  }
  return { rcode: 2, answers };
}

export type DnsTransport = 'udp' | 'tcp';

export interface DnsResponderOptions {
  host?: string;
  /**
   * Called for every packet that decodes. reply sends one DNS message back over the packet's
   * transport (UDP: to the sender; TCP: length-prefixed on its connection); call it any number of
   * times, now or later. client is the sender's address and port.
   */
  respond(packet: dnsPacket.DecodedPacket, transport: DnsTransport, reply: (message: Buffer) => void, client: { address: string; port: number }): void;
}

export interface DnsResponder {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Binds UDP and TCP on one free port of host, decodes queries and frames TCP (RFC 1035 §4.2.2). */
export async function startDnsResponder(options: DnsResponderOptions): Promise<DnsResponder> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let closing = false;
  const decode = (msg: Buffer): dnsPacket.DecodedPacket | undefined => {
    try {
      return dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
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
  if (!udp || !tcp) throw new Error(`DNS responder: no free port for UDP and TCP on ${host}`);
  const udpSocket = udp;
  const tcpServer = tcp;
  udpSocket.on('error', () => undefined);
  tcpServer.on('error', () => undefined);

  udpSocket.on('message', (msg, rinfo) => {
    const packet = decode(msg);
    if (!packet) return;
    const client = { address: rinfo.address, port: rinfo.port };
    options.respond(packet, 'udp', (out) => {
      if (!closing) udpSocket.send(out, rinfo.port, rinfo.address);
    }, client);
  });
  tcpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(10_000, () => socket.destroy());
    const client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const reply = (out: Buffer) => {
      if (socket.destroyed) return;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(out.length);
      socket.write(Buffer.concat([len, out]));
    };
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 70_000) return socket.destroy();
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const frame = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + frame.length);
        const packet = decode(frame);
        if (packet) options.respond(packet, 'tcp', reply, client);
      }
    });
  });

  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    close() {
      closed ??= (async () => {
        closing = true;
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => tcpServer.close(() => resolve()));
        await new Promise<void>((resolve) => udpSocket.close(() => resolve()));
      })();
      return closed;
    },
  };
}

export async function startLabDns(options: LabDnsOptions): Promise<LabDnsServer> {
  const ad = options.ad ?? true;
  const queries: string[] = [];
  const responder = await startDnsResponder({
    host: options.host,
    respond(packet, _transport, reply) {
      const q = packet.questions?.[0];
      if (packet.type !== 'query' || !q) return;
      if (queries.length < MAX_QUERIES_KEPT) queries.push(`${q.name} ${q.type}`);
      const { rcode, answers } = answerQuestion(options.zone, q.name, q.type);
      const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (ad && rcode !== 2 ? dnsPacket.AUTHENTIC_DATA : 0) | rcode;
      reply(dnsPacket.encode({ type: 'response', id: packet.id ?? 0, flags, questions: [q], answers }));
    },
  });
  return { host: responder.host, port: responder.port, queries, close: () => responder.close() };
}
