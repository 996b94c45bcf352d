// The lab's IMAP mailbox: a small IMAP4rev1 responder of the lab's own (src/lab/imap-session.ts)
// over implicit TLS (IMAPS) with a certificate from the lab PKI, so send.delivery confirms that a
// validation message arrived exactly as it would against a real mailbox (imapflow: LOGIN or
// AUTHENTICATE XOAUTH2, EXAMINE, SEARCH HEADER X-Relaycheck-Token). Every message the lab's SMTP
// servers accept is appended to INBOX through `deliver`. One shared INBOX for the lab's users.
import tls from 'node:tls';
import { listenTracked } from './listen.js';
import { serveImap, type StoredMessage } from './imap-session.js';

export interface LabImapOptions {
  host?: string;
  /** default 0: a free port */
  port?: number;
  /** PEM key and certificate chain for the IMAPS listener */
  key: string;
  cert: string;
  /** login → password (Basic) */
  users: Record<string, string>;
  /** XOAUTH2: does this token give this mailbox? Without it XOAUTH2 is refused. */
  verifyXoauth2?: (user: string, token: string) => Promise<boolean>;
}

export interface LabImapServer {
  host: string;
  port: number;
  /** messages appended so far */
  readonly count: number;
  /** every login attempt: user, mechanism, result */
  readonly logins: { user: string; mechanism: 'LOGIN' | 'XOAUTH2'; ok: boolean }[];
  /** Append one RFC 5322 message to INBOX (as if the mail server delivered it). */
  deliver(raw: string, recipients?: string[]): void;
  close(): Promise<void>;
}

const MAX_MESSAGES = 1000;

export async function startLabImap(options: LabImapOptions): Promise<LabImapServer> {
  const messages: StoredMessage[] = [];
  const logins: LabImapServer['logins'] = [];
  let nextUid = 1;
  const server = tls.createServer({ key: options.key, cert: options.cert, minVersion: 'TLSv1.2' }, (socket) => {
    socket.on('error', () => undefined);
    socket.setTimeout(60_000, () => socket.destroy());
    serveImap(socket, {
      messages: () => messages,
      uidValidity: 14,
      login(user, password) {
        const ok = Object.hasOwn(options.users, user) && options.users[user] === password;
        logins.push({ user, mechanism: 'LOGIN', ok });
        return ok;
      },
      ...(options.verifyXoauth2
        ? {
            async xoauth2(user: string, token: string) {
              const ok = await options.verifyXoauth2!(user, token).catch(() => false);
              logins.push({ user, mechanism: 'XOAUTH2', ok });
              return ok;
            },
          }
        : {}),
    });
  });
  const host = options.host ?? '127.0.0.1';
  const listening = await listenTracked(server, host, options.port);
  const port = listening.port;
  return {
    host,
    port,
    get count() {
      return messages.length;
    },
    logins,
    deliver(raw: string, recipients: string[] = []) {
      if (messages.length >= MAX_MESSAGES) return;
      const head = recipients.length ? `Delivered-To: ${recipients.join(', ')}\r\n` : '';
      messages.push({ uid: nextUid++, raw: head + raw, internalDate: new Date() });
    },
    close: listening.close,
  };
}
