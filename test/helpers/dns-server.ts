// An in-process DNS server for unit tests (dns-packet over UDP and TCP on one loopback port),
// answering from a declarative zone object. It can misbehave on purpose: truncate UDP answers,
// answer late, answer SERVFAIL/REFUSED, send wrong ids or wrong questions first, answer from
// another port, or never answer. It records every query it receives.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { HostPort } from '../../src/types.js';

export type ZoneValue =
  | string // A, AAAA, CNAME, PTR, NS: the address or target; TXT: one string
  | string[] // TXT split into character-strings
  | { preference: number; exchange: string } // MX
  | { usage: number; selector: number; matchingType: number; data: string }; // TLSA (hex)

/** name → type → values. Names are case-insensitive, without trailing dot. */
export type Zone = Record<string, Partial<Record<string, ZoneValue[]>>>;

export interface QueryInfo {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  id: number;
  dnssecOk: boolean;
}

export interface Behaviour {
  /** UDP answers carry TC and no records, so the client must retry over TCP */
  truncateUdp?: boolean | ((q: QueryInfo) => boolean);
  delayMs?: number | ((q: QueryInfo) => number);
  /** never answer (UDP and TCP) */
  silent?: boolean | ((q: QueryInfo) => boolean);
  rcode?: (q: QueryInfo) => 'SERVFAIL' | 'REFUSED' | 'FORMERR' | undefined;
  /** before the real answer, send one with another id */
  wrongIdFirst?: boolean;
  /** before the real answer, send one with the right id but another question */
  wrongQuestionFirst?: boolean;
  /** send the (otherwise correct) answer from a different source port only */
  fromOtherPort?: boolean;
  /** set the AD bit on answers */
  ad?: boolean;
  /** names whose answers come with an RRSIG (a signed zone) */
  signed?: string[];
  /** return only the CNAME, as an authoritative server for another zone would (default: chase within the zone) */
  aliasOnly?: boolean;
}

export interface DnsTestServer {
  address: string;
  port: number;
  server: HostPort;
  queries: QueryInfo[];
  behaviour: Behaviour;
  stop(): Promise<void>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

function toAnswer(name: string, type: string, v: ZoneValue): dnsPacket.Answer {
  const base = { name, ttl: 300, class: 'IN' as const };
  switch (type) {
    case 'MX':
      return { ...base, type: 'MX', data: v as { preference: number; exchange: string } };
    case 'TXT':
      return { ...base, type: 'TXT', data: Array.isArray(v) ? v : [v as string] };
    case 'TLSA': {
      const t = v as { usage: number; selector: number; matchingType: number; data: string };
      return { ...base, type: 'TLSA', data: { usage: t.usage, selector: t.selector, matchingType: t.matchingType, certificate: Buffer.from(t.data, 'hex') } };
    }
    default:
      return { ...base, type: type as 'A', data: v as string };
  }
}

function rrsig(name: string, covered: string): dnsPacket.Answer {
  return {
    name,
    type: 'RRSIG',
    ttl: 300,
    class: 'IN',
    data: { typeCovered: covered, algorithm: 13, labels: name.split('.').length, originalTTL: 300, expiration: 1_900_000_000, inception: 1_700_000_000, keyTag: 1, signersName: name.split('.').slice(-2).join('.'), signature: Buffer.alloc(64, 1) },
  } as dnsPacket.Answer;
}

export function answerFromZone(zone: Zone, q: QueryInfo, behaviour: Behaviour): { rcode: number; answers: dnsPacket.Answer[] } {
  const lower = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const exists = (n: string) => [...lower.keys()].some((k) => k === n || k.endsWith(`.${n}`));
  const answers: dnsPacket.Answer[] = [];
  let name = norm(q.name);
  for (let hop = 0; hop < 8; hop++) {
    const node = lower.get(name);
    const values = node?.[q.type];
    if (values?.length) {
      for (const v of values) answers.push(toAnswer(name, q.type, v));
      if (behaviour.signed?.includes(name)) answers.push(rrsig(name, q.type));
      return { rcode: 0, answers };
    }
    const alias = node?.CNAME?.[0];
    if (alias && q.type !== 'CNAME') {
      answers.push(toAnswer(name, 'CNAME', alias));
      if (behaviour.aliasOnly) return { rcode: 0, answers };
      name = norm(alias as string);
      continue;
    }
    return { rcode: exists(name) ? 0 : 3, answers };
  }
  return { rcode: 2, answers };
}

const RCODES = { SERVFAIL: 2, REFUSED: 5, FORMERR: 1 } as const;

export async function startDnsServer(zone: Zone, behaviour: Behaviour = {}, address = '127.0.0.1'): Promise<DnsTestServer> {
  const queries: QueryInfo[] = [];
  const state = { behaviour };
  const pick = <T>(v: T | ((q: QueryInfo) => T) | undefined, q: QueryInfo): T | undefined => (typeof v === 'function' ? (v as (q: QueryInfo) => T)(q) : v);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    if (!ms) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function respond(packet: dnsPacket.DecodedPacket, transport: 'udp' | 'tcp', send: (buf: Buffer, otherPort?: boolean) => void): void {
    const question = packet.questions?.[0];
    if (!question) return;
    const opt = (packet.additionals ?? []).find((a) => a.type === 'OPT') as { flags?: number } | undefined;
    const q: QueryInfo = { name: question.name, type: question.type, transport, id: packet.id ?? 0, dnssecOk: Boolean(opt && (opt.flags ?? 0) & dnsPacket.DNSSEC_OK) };
    queries.push(q);
    const b = state.behaviour;
    if (pick(b.silent, q)) return;
    const forced = b.rcode?.(q);
    const truncated = transport === 'udp' && pick(b.truncateUdp, q);
    const { rcode, answers } = forced ? { rcode: RCODES[forced], answers: [] } : answerFromZone(zone, q, b);
    const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | (b.ad && !forced ? dnsPacket.AUTHENTIC_DATA : 0) | rcode;
    const encode = (id: number, questions = packet.questions) => dnsPacket.encode({ type: 'response', id, flags, questions, answers: truncated ? [] : answers });
    later(pick(b.delayMs, q) ?? 0, () => {
      if (b.wrongIdFirst) send(encode((q.id + 1) & 0xffff));
      if (b.wrongQuestionFirst) send(encode(q.id, [{ ...question, name: `other.${question.name}` }]));
      send(encode(q.id), b.fromOtherPort);
    });
  }

  let udp: UdpSocket | undefined;
  let tcp: Server | undefined;
  let other: UdpSocket | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 20 && !tcp; attempt++) {
    udp = createSocket('udp4');
    await new Promise<void>((res, rej) => {
      udp!.once('error', rej);
      udp!.bind(0, address, () => res());
    });
    port = udp.address().port;
    const server = createServer();
    const ok = await new Promise<boolean>((res) => {
      server.once('error', () => res(false));
      server.listen(port, address, () => res(true));
    });
    if (ok) tcp = server;
    else udp.close();
  }
  if (!udp || !tcp) throw new Error('dns-server: no free port for UDP and TCP');
  other = createSocket('udp4');
  await new Promise<void>((res) => other!.bind(0, address, () => res()));

  udp.on('message', (msg, rinfo) => {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch {
      return;
    }
    respond(packet, 'udp', (buf, otherPort) => (otherPort ? other! : udp!).send(buf, rinfo.port, rinfo.address));
  });
  tcp.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const frame = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + frame.length);
        let packet: dnsPacket.DecodedPacket;
        try {
          packet = dnsPacket.decode(frame);
        } catch {
          continue;
        }
        respond(packet, 'tcp', (out) => {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          if (!socket.destroyed) socket.write(Buffer.concat([len, out]));
        });
      }
    });
  });

  return {
    address,
    port,
    server: { host: address, port },
    queries,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: Behaviour) {
      state.behaviour = b;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => tcp!.close(() => res()));
      udp!.close();
      other!.close();
    },
  };
}
