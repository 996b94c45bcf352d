// Starting and stopping the lab's servers: listen on a free loopback port (0 = the system picks
// one) and say which, or fail with the bind error; close an SMTP server with its open sessions.
import type { AddressInfo, Server } from 'node:net';
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
