import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { claimLoopbackBlock, randomPrefix, tcpFree } from './loopback.js';

const held: Server[] = [];
async function hold(address: string, port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: address, port, exclusive: true }, () => resolve()));
  held.push(server);
}
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Two distinct random blocks, and a port no test of this file uses elsewhere. */
function twoBlocks(): [string, string] {
  const a = randomPrefix();
  let b = randomPrefix();
  while (b === a) b = randomPrefix();
  return [a, b];
}

describe('claimLoopbackBlock', () => {
  it('moves to another block when an address:port the file needs is taken', async () => {
    const [busy, free] = twoBlocks();
    await hold(`${busy}.2`, 2525);
    const picks = [busy, free];
    const block = await claimLoopbackBlock([{ host: 1, tcp: [2525] }, { host: 2, tcp: [2525] }], { pick: () => picks.shift()! });
    expect(block.prefix).toBe(free);
    expect(block.at(2)).toBe(`${free}.2`);
    expect(await tcpFree(`${busy}.2`, 2525)).toBe(false);
  });

  it('names the port when every block tried has it taken', async () => {
    const [busy] = twoBlocks();
    await hold(`${busy}.1`, 2526);
    await expect(claimLoopbackBlock([{ host: 1, tcp: [2526] }], { tries: 3, pick: () => busy })).rejects.toThrow(`no free loopback block after 3 tries (taken: tcp ${busy}.1:2526, tcp ${busy}.1:2526, tcp ${busy}.1:2526); port 2526 seems held on every loopback address`);
  });

  it('leaves nothing bound behind', async () => {
    const block = await claimLoopbackBlock([{ host: 7, tcp: [2527], udp: [2527] }]);
    expect(await tcpFree(block.at(7), 2527)).toBe(true);
  });
});
