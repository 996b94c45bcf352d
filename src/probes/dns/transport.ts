// One DNS exchange with one server over UDP or TCP (dns-packet). A response counts only when it
// comes from the server's address and port, carries the query id and repeats the question (name,
// type, class): anything else is ignored and the wait goes on until the timeout (RFC 5452 §9.1).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIP, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import type * as DnsPacketModule from 'dns-packet';
import type { HostPort } from '../../types.js';

let loaded: typeof DnsPacketModule | undefined;
/** dns-packet, required on the first DNS question: runs without DNS checks never load it. */
function dnsPacket(): typeof DnsPacketModule {
  return (loaded ??= createRequire(import.meta.url)('dns-packet') as typeof DnsPacketModule);
}

export type DecodedResponse = DnsPacketModule.DecodedPacket & {
  rcode?: string;
  flag_tc?: boolean;
  flag_ad?: boolean;
  flag_qr?: boolean;
};

export interface Question {
  id: number;
  name: string;
  type: string;
}

export type ExchangeResult =
  | { ok: true; response: DecodedResponse; transport: 'udp' | 'tcp'; ignored: number }
  | { ok: false; kind: 'timeout' | 'unreachable' | 'error' | 'aborted'; message: string; ignored: number };

const MAX_TCP_BYTES = 65_537;

export function encodeQuery(q: Question, edns: boolean): Buffer {
  return dnsPacket().encode({
    type: 'query',
    id: q.id,
    flags: dnsPacket().RECURSION_DESIRED,
    questions: [{ type: q.type as DnsPacketModule.RecordType, name: q.name, class: 'IN' }],
    // EDNS0 with the DO bit: a validating resolver then sets AD on validated answers (RFC 3225)
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnsPacket().DNSSEC_OK } as unknown as DnsPacketModule.Answer] : [],
  });
}

/** The response answers this question (id, QR, and the question section). */
export function answersQuestion(p: DecodedResponse, q: Question): boolean {
  if (p.type !== 'response' || p.id !== q.id) return false;
  const questions = p.questions ?? [];
  const question = questions[0];
  if (!question || questions.length !== 1) return false;
  return question.name.toLowerCase().replace(/\.$/, '') === q.name.toLowerCase().replace(/\.$/, '') && question.type === q.type && (question.class ?? 'IN') === 'IN';
}

function sameAddress(a: string, b: string): boolean {
  const norm = (x: string) => x.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  return norm(a) === norm(b);
}

function errorKind(err: NodeJS.ErrnoException): 'unreachable' | 'error' {
  return ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN'].includes(err.code ?? '') ? 'unreachable' : 'error';
}

interface Waiter {
  settle(result: ExchangeResult): void;
  ignored: number;
}

/** A socket error ends the exchange: unreachable (ICMP, refused) or another error. */
function settleError(w: Waiter, err: NodeJS.ErrnoException): void {
  w.settle({ ok: false, kind: errorKind(err), message: `${err.code ?? 'error'}: ${err.message}`, ignored: w.ignored });
}

/** The message decoded when it answers the question; anything else is counted as ignored. */
function decodeAnswer(msg: Buffer, q: Question, w: Waiter): DecodedResponse | undefined {
  let p: DecodedResponse;
  try {
    p = dnsPacket().decode(msg) as DecodedResponse;
  } catch {
    w.ignored++;
    return undefined;
  }
  if (answersQuestion(p, q)) return p;
  w.ignored++;
  return undefined;
}

function withTimeout(timeoutMs: number, signal: AbortSignal | undefined, cleanup: () => void, body: (w: Waiter) => void): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    let done = false;
    const w: Waiter = {
      ignored: 0,
      settle(result) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        cleanup();
        resolve(result);
      },
    };
    const timer = setTimeout(() => w.settle({ ok: false, kind: 'timeout', message: `no answer within ${timeoutMs} ms`, ignored: w.ignored }), timeoutMs);
    const onAbort = () => w.settle({ ok: false, kind: 'aborted', message: 'the run was aborted', ignored: w.ignored });
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    body(w);
  });
}

export function udpExchange(server: HostPort, q: Question, timeoutMs: number, signal?: AbortSignal, edns = true): Promise<ExchangeResult> {
  let socket: UdpSocket | undefined;
  return withTimeout(
    timeoutMs,
    signal,
    () => {
      try {
        socket?.close();
      } catch {
        /* already closed */
      }
    },
    (w) => {
      const family = isIP(server.host) === 6 ? 'udp6' : 'udp4';
      socket = createSocket(family);
      socket.on('error', (err: NodeJS.ErrnoException) => settleError(w, err));
      socket.on('message', (msg, rinfo) => {
        if (!sameAddress(rinfo.address, server.host) || rinfo.port !== server.port) {
          w.ignored++;
          return;
        }
        const p = decodeAnswer(msg, q, w);
        if (p) w.settle({ ok: true, response: p, transport: 'udp', ignored: w.ignored });
      });
      // connect(): the kernel drops datagrams from other sources and reports ICMP unreachable
      socket.connect(server.port, server.host, () => {
        socket!.send(encodeQuery(q, edns), (err) => {
          if (err) settleError(w, err);
        });
      });
    },
  );
}

export function tcpExchange(server: HostPort, q: Question, timeoutMs: number, signal?: AbortSignal, edns = true): Promise<ExchangeResult> {
  let socket: Socket | undefined;
  return withTimeout(
    timeoutMs,
    signal,
    () => socket?.destroy(),
    (w) => {
      let buf = Buffer.alloc(0);
      let total = 0;
      socket = connect({ host: server.host, port: server.port });
      socket.on('error', (err: NodeJS.ErrnoException) => settleError(w, err));
      socket.on('connect', () => {
        const query = encodeQuery(q, edns);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        socket!.write(Buffer.concat([len, query]));
      });
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        // Counted over the whole connection: a stream of frames that never answer is bounded too.
        total += chunk.length;
        if (total > MAX_TCP_BYTES * 4) {
          w.settle({ ok: false, kind: 'error', message: 'the server sent more data than any DNS message holds', ignored: w.ignored });
          return;
        }
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const frame = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + frame.length);
          const p = decodeAnswer(frame, q, w);
          if (p) {
            w.settle({ ok: true, response: p, transport: 'tcp', ignored: w.ignored });
            return;
          }
        }
      });
      socket.on('end', () => w.settle({ ok: false, kind: 'error', message: 'the server closed the TCP connection without an answer', ignored: w.ignored }));
    },
  );
}
