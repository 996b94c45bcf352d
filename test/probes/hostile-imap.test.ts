// The delivery probe against hostile IMAP servers: silent, dripping, garbage, huge lines and a
// literal that never ends. Each must become an error result of send.delivery within the probe's
// bounds — never a crash, a hang or unbounded memory.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryProbe } from '../../src/probes/delivery.js';
import { planFromYaml } from '../helpers/plans.js';
import { probeContext, TEST_TIMEOUTS } from '../helpers/exo.js';
import type { SendProbeData } from '../../src/evidence/sending.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** A raw IMAP peer: `onConnect` gets the socket; `onLine` answers each tagged command. */
async function hostileImap(onConnect: (socket: net.Socket) => void, onLine?: (line: string, socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    socket.on('data', (d) => {
      buffer += d.toString('latin1');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        onLine?.(line, socket);
      }
    });
    onConnect(socket);
  });
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as net.AddressInfo).port;
}

/** Writes `chunk` every `ms` until the socket closes. */
function stream(socket: net.Socket, chunk: string | Buffer, ms: number): void {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(chunk);
  }, ms);
  socket.on('close', () => clearInterval(timer));
}

const sent: SendProbeData = {
  entry: 'Out',
  attempts: [{ endpoint: 'mail.contoso.test:25', token: 'rc-x-1', account: 'check@contoso.test', from: 'check@contoso.test', to: ['admin@contoso.test'], status: 'accepted', acceptedAt: new Date().toISOString() }],
  transcript: [],
};

const timeouts = { ...TEST_TIMEOUTS, connectMs: 1000, greetingMs: 1000, commandMs: 1000 };

async function probeAgainst(port: number) {
  const plan = planFromYaml(
    `version: 1
domain: contoso.test
connectors:
  - name: Out
    direction: from-office365
    smartHosts: [mail.contoso.test]
    tls: { mode: any }
    validation: { from: check@contoso.test, to: [admin@contoso.test], imap: { host: "127.0.0.1:${port}", secure: false, username: admin@contoso.test, password: { env: IMAP_PW }, timeoutSeconds: 2 } }
`,
    { IMAP_PW: 'hostile-imap-pw-1' },
  );
  const t0 = Date.now();
  const before = process.memoryUsage().rss;
  const data = await deliveryProbe.run({ scope: 'entry', entry: plan.connectors[0] }, probeContext(plan, { timeouts, deps: { send: sent } }));
  return { data, ms: Date.now() - t0, grewBy: process.memoryUsage().rss - before };
}

const loginThen = (after: (tag: string, socket: net.Socket) => void) => (line: string, socket: net.Socket) => {
  const [tag, command] = line.split(' ');
  if (/^LOGIN$/i.test(command)) socket.write(`${tag} OK LOGIN done\r\n`);
  else if (/^(SELECT|EXAMINE)$/i.test(command)) socket.write(`* 1 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n${tag} OK [READ-ONLY] done\r\n`);
  else if (/^CAPABILITY$/i.test(command)) socket.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK done\r\n`);
  else if (/^(UID|SEARCH)$/i.test(command)) after(tag, socket);
  else socket.write(`${tag} OK done\r\n`);
};

describe('the delivery probe against a hostile IMAP server', () => {
  it('ends with an error when the server never greets', async () => {
    const { data, ms } = await probeAgainst(await hostileImap(() => undefined));
    expect(data.results[0]).toMatchObject({ status: 'error', message: expect.stringMatching(/^IMAP 127\.0\.0\.1:\d+: /) });
    expect(ms).toBeLessThan(8000);
  });

  it('ends with an error when the server drips its greeting one byte at a time', async () => {
    const { data, ms } = await probeAgainst(await hostileImap((s) => stream(s, '*', 100)));
    expect(data.results[0].status).toBe('error');
    expect(ms).toBeLessThan(8000);
  });

  it('ends with an error on garbage instead of a greeting', async () => {
    const { data, ms } = await probeAgainst(await hostileImap((s) => stream(s, Buffer.from([0, 0xff, 0x1b, 0x5b, 0x32, 0x4a, 13, 10, 0x80, 0x7f]), 20)));
    expect(data.results[0].status).toBe('error');
    expect(data.results[0].message).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(ms).toBeLessThan(8000);
  });

  it('ends with an error, in bounded memory, when a reply line never ends', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x41);
    const port = await hostileImap(
      (s) => s.write('* OK IMAP ready\r\n'),
      loginThen((_tag, s) => stream(s, chunk, 5)),
    );
    const { data, ms, grewBy } = await probeAgainst(port);
    expect(data.results[0]).toMatchObject({ status: 'error', message: expect.stringMatching(/the server sent more than 8 MiB; stopped reading/) });
    expect(ms).toBeLessThan(8000);
    expect(grewBy).toBeLessThan(256 * 1024 * 1024);
  });

  it('ends with an error when the server drips its answer to a search for ever, within the probe\'s own bound', async () => {
    const port = await hostileImap(
      (s) => s.write('* OK IMAP ready\r\n'),
      loginThen((_tag, s) => stream(s, '* ', 200)),
    );
    const { data, ms } = await probeAgainst(port);
    // connect 1 s + greeting 1 s + the mailbox's 2 s + 4 commands of 1 s
    expect(data.results[0]).toMatchObject({ status: 'error', message: expect.stringMatching(/no complete IMAP exchange within 8 s/) });
    expect(ms).toBeLessThan(12_000);
  }, 20_000);

  it('ends with an error, in bounded memory, when a literal announced in a reply never ends', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const port = await hostileImap(
      (s) => s.write('* OK IMAP ready\r\n'),
      loginThen((_tag, s) => {
        s.write('* SEARCH {4000000000}\r\n');
        stream(s, chunk, 5);
      }),
    );
    const { data, ms, grewBy } = await probeAgainst(port);
    expect(data.results[0].status).toBe('error');
    expect(ms).toBeLessThan(8000);
    expect(grewBy).toBeLessThan(256 * 1024 * 1024);
  });
});
