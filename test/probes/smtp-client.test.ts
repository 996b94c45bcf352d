import { afterEach, describe, expect, it } from 'vitest';
import { SmtpClient, SmtpError, parseCapabilities } from '../../src/probes/smtp-client.js';
import { hostile, scripted, startRawServer, type RawServer } from '../helpers/raw-smtp-server.js';

const timeouts = { connectMs: 1000, greetingMs: 600, commandMs: 600, tlsMs: 1000 };
const servers: RawServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(handler);
  servers.push(s);
  return s;
}

async function failureOf(promise: Promise<unknown>): Promise<SmtpError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SmtpError);
    return err as SmtpError;
  }
  throw new Error('expected the step to fail');
}

describe('SmtpClient', () => {
  it('reads a multi-line reply with its enhanced status code and records both directions in the transcript', async () => {
    const server = await serve(
      scripted('220-mail.example.test ESMTP\r\n220 second line\r\n', (line) =>
        /^MAIL/.test(line) ? '550-5.7.1 first\r\n550 5.7.1 second\r\n' : /^QUIT/.test(line) ? '221 bye\r\n' : undefined,
      ),
    );
    const client = new SmtpClient({ timeouts });
    await client.connect({ host: server.host, port: server.port });
    const greeting = await client.greeting();
    expect(greeting).toEqual({ code: 220, lines: ['mail.example.test ESMTP', 'second line'] });
    const reply = await client.command('MAIL FROM:<a@example.test>', 'mail');
    expect(reply).toEqual({ code: 550, enhanced: '5.7.1', lines: ['5.7.1 first', '5.7.1 second'] });
    await client.quit();
    const lines = client.transcript.filter((l) => l.dir !== 'info').map((l) => `${l.dir} ${l.line}`);
    expect(lines).toEqual(['recv 220-mail.example.test ESMTP', 'recv 220 second line', 'send MAIL FROM:<a@example.test>', 'recv 550-5.7.1 first', 'recv 550 5.7.1 second', 'send QUIT', 'recv 221 bye']);
    expect(client.transcript.every((l) => l.tls === false && Number.isInteger(l.t) && l.t >= 0)).toBe(true);
  });

  it('masks AUTH payloads and LOGIN continuations in the transcript but sends them to the server', async () => {
    const received: string[] = [];
    const server = await serve(
      scripted('220 ready\r\n', (line) => {
        received.push(line);
        if (/^AUTH PLAIN/.test(line)) return '235 2.7.0 ok\r\n';
        if (line === 'AUTH LOGIN') return '334 VXNlcm5hbWU6\r\n';
        if (line === 'dXNlcg==') return '334 UGFzc3dvcmQ6\r\n';
        if (line === 'c2VjcmV0') return '235 2.7.0 ok\r\n';
        return '250 ok\r\n';
      }),
    );
    const client = new SmtpClient({ timeouts });
    await client.connect({ host: server.host, port: server.port });
    await client.greeting();
    await client.command('AUTH PLAIN AHVzZXIAc2VjcmV0', 'auth');
    await client.command('AUTH LOGIN', 'auth');
    await client.command('dXNlcg==', 'auth');
    await client.command('c2VjcmV0', 'auth');
    await client.command('NOOP', 'mail');
    client.close();
    const sent = client.transcript.filter((l) => l.dir === 'send').map((l) => l.line);
    // The PLAIN payload is kept decoded with the password replaced; LOGIN's lines are masked whole.
    expect(sent).toEqual(['AUTH PLAIN **** (decoded: \\0user\\0****)', 'AUTH LOGIN', '****', '****', 'NOOP']);
    expect(client.transcript.filter((l) => l.dir === 'recv').map((l) => l.line)).toEqual(expect.arrayContaining(['334 [decoded] Username:', '334 [decoded] Password:']));
    expect(JSON.stringify(client.transcript)).not.toMatch(/c2VjcmV0|AHVzZXIAc2VjcmV0/);
    expect(received).toContain('c2VjcmV0');
  });

  it('stops at a reply line longer than the limit with a protocol error', async () => {
    const server = await serve(hostile.hugeLine);
    const client = new SmtpClient({ timeouts });
    await client.connect({ host: server.host, port: server.port });
    const err = await failureOf(client.greeting());
    expect(err.kind).toBe('protocol-error');
    expect(err.message).toMatch(/longer than 2000 bytes/);
    expect(client.transcript.every((l) => l.line.length <= 2000)).toBe(true);
  });

  it('stops an endless multi-line reply after the line limit', async () => {
    const server = await serve(hostile.endlessMultiline);
    const client = new SmtpClient({ timeouts });
    await client.connect({ host: server.host, port: server.port });
    await client.greeting();
    const err = await failureOf(client.ehlo('relaycheck.example.test'));
    expect(err).toMatchObject({ kind: 'protocol-error', phase: 'ehlo' });
    expect(err.message).toMatch(/more than 100 lines/);
    expect(client.transcript.filter((l) => l.dir === 'recv').length).toBeLessThanOrEqual(102);
  });

  it('rejects a multi-line reply whose code changes half-way', async () => {
    const server = await serve(scripted('220-one\r\n250 two\r\n', () => undefined));
    const client = new SmtpClient({ timeouts });
    await client.connect({ host: server.host, port: server.port });
    const err = await failureOf(client.greeting());
    expect(err.kind).toBe('protocol-error');
    expect(err.message).toMatch(/changed from 220 to 250/);
  });

  it('reports a silent server as a greeting timeout', async () => {
    const server = await serve(hostile.silent);
    const client = new SmtpClient({ timeouts: { ...timeouts, greetingMs: 300 } });
    await client.connect({ host: server.host, port: server.port });
    const err = await failureOf(client.greeting());
    expect(err).toMatchObject({ kind: 'timeout', phase: 'greeting', message: 'No greeting within 300 ms' });
  });

  it('ends a waiting step as aborted when the run is aborted', async () => {
    const server = await serve(hostile.silent);
    const abort = new AbortController();
    const client = new SmtpClient({ timeouts: { ...timeouts, greetingMs: 20_000 }, signal: abort.signal });
    await client.connect({ host: server.host, port: server.port });
    const pending = client.greeting();
    setTimeout(() => abort.abort(), 20);
    const err = await failureOf(pending);
    expect(err).toMatchObject({ kind: 'aborted', phase: 'greeting' });
  });

  it('names a refused connection with the address', async () => {
    const server = await serve(hostile.silent);
    const port = server.port;
    await server.close();
    servers.length = 0;
    const client = new SmtpClient({ timeouts });
    const err = await failureOf(client.connect({ host: '127.0.0.1', port }));
    expect(err).toMatchObject({ kind: 'refused', phase: 'connect', message: `Connection refused by 127.0.0.1:${port}` });
  });

  it('reports a host name that does not resolve as a DNS failure', async () => {
    const client = new SmtpClient({ timeouts });
    const err = await failureOf(client.connect({ host: 'no-such-host.invalid', port: 25 }));
    expect(err).toMatchObject({ kind: 'dns', phase: 'connect' });
    expect(err.message).toMatch(/no-such-host\.invalid does not resolve/);
  });

  it('connects to the override address instead of resolving the host', async () => {
    const server = await serve(scripted('220 hi\r\n', () => undefined));
    const client = new SmtpClient({ timeouts });
    const conn = await client.connect({ host: 'mail.example.invalid', port: server.port, address: '127.0.0.1' });
    expect(conn).toMatchObject({ address: '127.0.0.1', family: 4 });
    expect((await client.greeting()).code).toBe(220);
    client.close();
  });
});

describe('parseCapabilities', () => {
  it('reads keywords with parameters, upper-cases AUTH mechanisms and merges the old AUTH= form', () => {
    const caps = parseCapabilities({ code: 250, lines: ['mail.example.test Hello', 'SIZE 35882577', 'AUTH login Plain', 'AUTH=LOGIN XOAUTH2', 'starttls', '8BITMIME'] });
    expect(caps).toEqual({ SIZE: ['35882577'], AUTH: ['LOGIN', 'PLAIN', 'XOAUTH2'], STARTTLS: [], '8BITMIME': [] });
  });
});
