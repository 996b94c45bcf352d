// The lab's IMAP mailbox: hoodiecrow-imap (an IMAP test server by nodemailer's author) over
// implicit TLS (IMAPS) with a certificate from the lab PKI, so send.delivery can confirm that a
// validation message arrived exactly as it would against a real mailbox (imapflow login, SELECT,
// SEARCH HEADER X-Relaycheck-Token). Every message the lab's SMTP servers accept is appended to
// INBOX through `deliver`. One shared INBOX: the lab's users all see the same messages.
import type { Socket } from 'node:net';
import hoodiecrow from 'hoodiecrow-imap';
import { listenOn } from './listen.js';

export interface LabImapOptions {
  host?: string;
  /** default 0: a free port */
  port?: number;
  /** PEM key and certificate chain for the IMAPS listener */
  key: string;
  cert: string;
  /** login → password */
  users: Record<string, string>;
}

export interface LabImapServer {
  host: string;
  port: number;
  /** messages appended so far */
  readonly count: number;
  /** Append one RFC 5322 message to INBOX (as if the mail server delivered it). */
  deliver(raw: string, recipients?: string[]): void;
  close(): Promise<void>;
}

const PLUGINS = ['ID', 'IDLE', 'UNSELECT', 'ENABLE', 'CONDSTORE', 'SPECIAL-USE', 'LITERALPLUS', 'SASL-IR', 'AUTH-PLAIN'];
const MAX_MESSAGES = 1000;

export async function startLabImap(options: LabImapOptions): Promise<LabImapServer> {
  const users: Record<string, { password: string }> = {};
  for (const [name, password] of Object.entries(options.users)) users[name] = { password };
  const server = hoodiecrow({
    plugins: PLUGINS,
    storage: { INBOX: { messages: [] } },
    users,
    secureConnection: true,
    credentials: { key: options.key, cert: options.cert, minVersion: 'TLSv1.2' },
  });
  const sockets = new Set<Socket>();
  server.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.server.on('tlsClientError', () => undefined);
  server.server.on('error', () => undefined);
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server.server, host, options.port);
  let count = 0;
  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    get count() {
      return count;
    },
    deliver(raw: string, recipients: string[] = []) {
      if (count >= MAX_MESSAGES) return;
      const head = recipients.length ? `Delivered-To: ${recipients.join(', ')}\r\n` : '';
      server.appendMessage('INBOX', [], new Date(), head + raw);
      count++;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
