// Starting and stopping the lab's servers: listen on a free loopback port (0 = the system picks
// one) and say which, or fail with the bind error; close an SMTP server with its open sessions.
import type { AddressInfo, Server, Socket } from 'node:net';
import type { SMTPServer } from 'smtp-server';

export function listenOn(server: Server, host: string, port = 0): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Listens like listenOn, keeping track of the open connections so that close() ends them at once
 * (a client that keeps its connection open must not hold up the lab's end); errors on a socket or
 * a failed TLS handshake from a client are the client's business, never the lab's crash.
 * close() may be called more than once.
 */
export async function listenTracked(server: Server, host: string, port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  server.on('error', () => undefined);
  const bound = await listenOn(server, host, port);
  let closed: Promise<void> | undefined;
  return {
    port: bound,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}

export function closeServer(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const c of server.connections) (c as unknown as { close(): void }).close();
  });
}

/** An error smtp-server turns into an SMTP reply with this code (the lab servers' refusals). */
export class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}
