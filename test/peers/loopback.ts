// Loopback addresses for test files that run real daemons (Postfix, Dovecot, nsd) or in-process
// servers on the real mail ports (25, 587, 53, 443): each file claims its own 127.X.Y.0/24 block,
// picked at random and proven free for every address and port the file will bind, and moves to
// another block when anything there is taken (another service, another checkout's test run).
// The ports stay the real ones on purpose: they are part of what is tested (TLSA _25._tcp names,
// MTA-STS on 443, submission on 587). A port held on every loopback address (a daemon bound to
// 0.0.0.0:25) cannot be escaped by moving the address: the claim then fails and names the port.
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

export interface LoopbackBind {
  /** the address's last octet in the block (1–254) */
  host: number;
  tcp?: number[];
  udp?: number[];
}

export interface LoopbackBlock {
  /** "127.X.Y" */
  prefix: string;
  /** the address of host number `n` in the block: "127.X.Y.n" */
  at(n: number): string;
  /** a RegExp source matching any address of the block (for expected messages) */
  pattern: string;
}

/** A random block; 127.0.x.x is left to the machine (127.0.0.1, 127.0.0.53 and friends). */
export const randomPrefix = () => `127.${randomInt(64, 255)}.${randomInt(0, 256)}`;

/** Picks a free block for these binds (see the header): `tries` blocks at most, from `pick`. */
export async function claimLoopbackBlock(binds: LoopbackBind[], { tries = 12, pick = randomPrefix }: { tries?: number; pick?: () => string } = {}): Promise<LoopbackBlock> {
  const clashes: string[] = [];
  for (let i = 0; i < tries; i++) {
    const prefix = pick();
    const taken = await firstTaken(prefix, binds);
    if (!taken) return block(prefix);
    clashes.push(taken);
  }
  const ports = [...new Set(clashes.map((c) => c.replace(/^.*:/, '')))];
  throw new Error(`no free loopback block after ${tries} tries (taken: ${clashes.join(', ')})${ports.length === 1 ? `; port ${ports[0]} seems held on every loopback address (a service bound to 0.0.0.0?)` : ''}`);
}

export function block(prefix: string): LoopbackBlock {
  return { prefix, at: (n) => `${prefix}.${n}`, pattern: prefix.replaceAll('.', '\\.') + '\\.\\d+' };
}

/** "tcp 127.X.Y.n:port" of the first bind that is not free, or undefined. */
async function firstTaken(prefix: string, binds: LoopbackBind[]): Promise<string | undefined> {
  for (const b of binds) {
    const address = `${prefix}.${b.host}`;
    for (const port of b.tcp ?? []) if (!(await tcpFree(address, port))) return `tcp ${address}:${port}`;
    for (const port of b.udp ?? []) if (!(await udpFree(address, port))) return `udp ${address}:${port}`;
  }
  return undefined;
}

export function tcpFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function udpFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}
