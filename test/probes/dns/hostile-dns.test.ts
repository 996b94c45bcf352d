// The stub resolver against hostile DNS servers: truncation that never ends, compression pointer
// loops, a huge TXT answer, floods of answers with wrong ids, an endless TCP stream. Each must
// end in an answer with a status (a finding for the DNS checks) within the resolver's bounds —
// never a crash, a hang or unbounded memory.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createResolver } from '../../../src/probes/dns/resolver.js';

interface Hostile {
  udp?: (query: dnsPacket.DecodedPacket, reply: (msg: Buffer) => void) => void;
  tcp?: (query: dnsPacket.DecodedPacket, socket: net.Socket) => void;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** UDP and TCP on one loopback port, answering as `h` says. */
async function hostileDns(h: Hostile): Promise<number> {
  const tcp = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const q = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = Buffer.alloc(0);
        h.tcp?.(q, socket);
      }
    });
  });
  const sockets = new Set<net.Socket>();
  tcp.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const port = (tcp.address() as net.AddressInfo).port;
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => h.udp?.(dnsPacket.decode(msg), (out) => udp.send(out, rinfo.port, rinfo.address)));
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', () => r()));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => tcp.close(() => r()));
    await new Promise<void>((r) => udp.close(() => r()));
  });
  return port;
}

function response(q: dnsPacket.DecodedPacket, extra: Partial<dnsPacket.Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [], ...extra });
}

function framed(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

const TC = 1 << 9;
const resolverAt = (port: number) => createResolver({ servers: [{ host: '127.0.0.1', port }], timeoutMs: 300, attempts: 2 });

describe('the resolver against a hostile DNS server', () => {
  it('reports an answer that stays truncated over TCP as an error, not as a missing record', async () => {
    const port = await hostileDns({
      udp: (q, reply) => reply(response(q, { flags: TC })),
      tcp: (q, s) => s.write(framed(response(q, { flags: TC }))),
    });
    const r = resolverAt(port);
    const t0 = Date.now();
    const answer = await r.query('_dmarc.contoso.test', 'TXT');
    expect(answer.status).toBe('error');
    expect(answer.error).toMatch(/truncated over TCP too/);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.stats.packets).toBeLessThanOrEqual(4);
  });

  it('ignores answers whose names hold a compression pointer loop, and ends with a timeout naming them', async () => {
    const loop = (q: dnsPacket.DecodedPacket) => {
      const head = response(q);
      // one answer whose owner name is a pointer to itself, then type TXT, class IN, TTL, RDLENGTH 0
      const answer = Buffer.from([0xc0, 0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0]);
      answer.writeUInt16BE(0xc000 | head.length, 0);
      const msg = Buffer.concat([head, answer]);
      msg.writeUInt16BE(1, 6); // ANCOUNT 1
      return msg;
    };
    const port = await hostileDns({ udp: (q, reply) => reply(loop(q)), tcp: (q, s) => s.write(framed(loop(q))) });
    const t0 = Date.now();
    const answer = await resolverAt(port).query('contoso.test', 'TXT');
    expect(answer.status).toBe('timeout');
    expect(answer.error).toMatch(/no answer from 127\.0\.0\.1:\d+ .*malformed or foreign packets ignored/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('keeps a huge TXT answer (55 KB over TCP) to a bounded number of bounded records', async () => {
    const strings = Array.from({ length: 120 }, (_v, i) => `${String(i).padStart(3, '0')}${'x'.repeat(250)}`);
    const answers = Array.from({ length: 100 }, () => ({ type: 'TXT' as const, name: 'contoso.test', ttl: 60, data: strings.slice(0, 1) }));
    const huge = (q: dnsPacket.DecodedPacket) => response(q, { answers: [{ type: 'TXT', name: 'contoso.test', ttl: 60, data: strings }, ...answers] });
    expect(huge({ id: 1, type: 'query', questions: [{ name: 'contoso.test', type: 'TXT', class: 'IN' }] } as dnsPacket.DecodedPacket).length).toBeGreaterThan(50_000);
    const port = await hostileDns({ udp: (q, reply) => reply(response(q, { flags: TC })), tcp: (q, s) => s.write(framed(huge(q))) });
    const answer = await resolverAt(port).query('contoso.test', 'TXT');
    expect(answer.status).toBe('ok');
    expect(answer.transport).toBe('tcp');
    expect(answer.records.length).toBeLessThanOrEqual(64);
    for (const rec of answer.records) expect((rec as { data: string }).data.length).toBeLessThanOrEqual(8192);
    expect(answer.truncated).toBe(true);
  });

  it('survives a flood of answers with wrong ids and ends with a timeout', async () => {
    const port = await hostileDns({
      udp: (q, reply) => {
        for (let i = 1; i <= 250; i++) reply(response({ ...q, id: ((q.id ?? 0) + i) & 0xffff }));
      },
    });
    const t0 = Date.now();
    const answer = await resolverAt(port).query('contoso.test', 'MX');
    expect(answer.status).toBe('timeout');
    expect(answer.error).toMatch(/malformed or foreign packets ignored/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('stops reading a TCP stream that never ends', async () => {
    const port = await hostileDns({
      udp: (q, reply) => reply(response(q, { flags: TC })),
      tcp: (_q, s) => {
        const junk = Buffer.alloc(64 * 1024, 0xff);
        const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(junk)), 1);
        s.on('close', () => clearInterval(timer));
      },
    });
    const answer = await resolverAt(port).query('contoso.test', 'TXT');
    expect(answer.status).toBe('error');
    expect(answer.error).toMatch(/more data than any DNS message holds/);
  });
});
