// An in-process DNS server for unit tests: the lab's zone answering and UDP/TCP responder
// (src/lab/dns.ts) on one loopback port, plus misbehaviour on purpose: truncate UDP answers,
// answer late, answer SERVFAIL/REFUSED, send wrong ids or wrong questions first, answer from
// another port, or never answer. It records every query it receives.
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { answerQuestion, startDnsResponder, type LabZone, type LabZoneValue } from '../../src/lab/dns.js';
import type { HostPort } from '../../src/types.js';

export type ZoneValue = LabZoneValue;
/** name → type → values. Names are case-insensitive, without trailing dot. */
export type Zone = LabZone;

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
  /** send the (otherwise correct) UDP answer from a different source port only */
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

const RCODES = { SERVFAIL: 2, REFUSED: 5, FORMERR: 1 } as const;

/** A stand-in RRSIG over the final RRset (the resolver only looks for its presence). */
function rrsig(name: string, covered: string): dnsPacket.Answer {
  return {
    name,
    type: 'RRSIG',
    ttl: 300,
    class: 'IN',
    data: { typeCovered: covered, algorithm: 13, labels: name.split('.').length, originalTTL: 300, expiration: 1_900_000_000, inception: 1_700_000_000, keyTag: 1, signersName: name.split('.').slice(-2).join('.'), signature: Buffer.alloc(64, 1) },
  } as dnsPacket.Answer;
}

export async function startDnsServer(zone: Zone, behaviour: Behaviour = {}, address = '127.0.0.1'): Promise<DnsTestServer> {
  const queries: QueryInfo[] = [];
  const state = { behaviour };
  const pick = <T>(v: T | ((q: QueryInfo) => T) | undefined, q: QueryInfo): T | undefined => (typeof v === 'function' ? (v as (q: QueryInfo) => T)(q) : v);
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    if (!ms) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function answer(q: QueryInfo, b: Behaviour): { rcode: number; answers: dnsPacket.Answer[] } {
    const result = answerQuestion(zone, q.name, q.type, { aliasOnly: b.aliasOnly });
    const last = result.answers.at(-1);
    if (last && last.type === q.type && b.signed?.includes(last.name)) result.answers.push(rrsig(last.name, q.type));
    return result;
  }

  const other = createSocket('udp4'); // fromOtherPort's source
  const responder = await startDnsResponder({
    host: address,
    respond(packet, transport, reply, client) {
      const question = packet.questions?.[0];
      if (!question) return;
      const opt = (packet.additionals ?? []).find((a) => a.type === 'OPT') as { flags?: number } | undefined;
      const q: QueryInfo = { name: question.name, type: question.type, transport, id: packet.id ?? 0, dnssecOk: Boolean(opt && (opt.flags ?? 0) & dnsPacket.DNSSEC_OK) };
      queries.push(q);
      const b = state.behaviour;
      if (pick(b.silent, q)) return;
      const forced = b.rcode?.(q);
      const truncated = transport === 'udp' && pick(b.truncateUdp, q);
      const { rcode, answers } = forced ? { rcode: RCODES[forced], answers: [] } : answer(q, b);
      const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | (b.ad && !forced ? dnsPacket.AUTHENTIC_DATA : 0) | rcode;
      const encode = (id: number, questions = packet.questions) => dnsPacket.encode({ type: 'response', id, flags, questions, answers: truncated ? [] : answers });
      later(pick(b.delayMs, q) ?? 0, () => {
        if (b.wrongIdFirst) reply(encode((q.id + 1) & 0xffff));
        if (b.wrongQuestionFirst) reply(encode(q.id, [{ ...question, name: `other.${question.name}` }]));
        if (b.fromOtherPort && transport === 'udp') other.send(encode(q.id), client.port, client.address);
        else reply(encode(q.id));
      });
    },
  });
  await new Promise<void>((res) => other.bind(0, address, () => res()));

  return {
    address,
    port: responder.port,
    server: { host: address, port: responder.port },
    queries,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: Behaviour) {
      state.behaviour = b;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      await responder.close();
      other.close();
    },
  };
}
