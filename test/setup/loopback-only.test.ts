// The test isolation guard itself: a test that tries to leave loopback fails at once.
import dgram from 'node:dgram';
import net from 'node:net';
import { lookup } from 'node:dns/promises';
import { describe, expect, it } from 'vitest';

describe('the loopback-only guard of the test suite', () => {
  it('refuses a TCP connection to a non-loopback address', async () => {
    const err = await new Promise<Error>((resolve) => net.connect({ host: '192.0.2.1', port: 25 }).on('error', resolve));
    expect(err.message).toContain('test isolation: TCP connection to non-loopback address 192.0.2.1 refused');
  });

  it('refuses a UDP datagram to a non-loopback resolver', async () => {
    const socket = dgram.createSocket('udp4');
    const err = await new Promise<Error | null>((resolve) => socket.send(Buffer.from('x'), 53, '10.255.255.53', resolve));
    socket.close();
    expect(err?.message).toContain('UDP datagram to non-loopback address 10.255.255.53 refused');
  });

  it('refuses a connected UDP socket to a non-loopback resolver (connect, then send without an address)', async () => {
    const socket = dgram.createSocket('udp4');
    const sent = { called: false };
    const err = await new Promise<Error>((resolve) => {
      socket.on('error', resolve);
      socket.connect(53, '10.255.255.53', () => {
        sent.called = true;
        socket.send(Buffer.from('x'));
      });
    });
    socket.close();
    expect(err.message).toContain('UDP connect to non-loopback address 10.255.255.53 refused');
    expect(sent.called).toBe(false);
  });

  it('resolves no host name except loopback ones', async () => {
    await expect(lookup('example.com')).rejects.toThrow('only loopback names resolve in tests');
    await expect(lookup('localhost')).resolves.toBeTruthy();
  });

  it('still lets loopback traffic through', async () => {
    const server = net.createServer((s) => s.end('220 ok\r\n')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as net.AddressInfo;
    const data = await new Promise<string>((resolve) => net.connect({ host: '127.0.0.1', port }).on('data', (d) => resolve(String(d))));
    server.close();
    expect(data).toBe('220 ok\r\n');
  });
});
