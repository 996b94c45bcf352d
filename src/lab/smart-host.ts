// The lab's on-premises smart host: the org mail server an outbound connector (Exchange Online →
// org) delivers to on port 25. On smtp-server, answering like Postfix: STARTTLS with a certificate
// for the plan's domain (RFC 3207), no AUTH, mail accepted for the org's own domains only
// (554 5.7.1 Relay access denied otherwise), "250 2.0.0 Ok: queued as …" after DATA. Faults the
// lab injects live here too: another certificate (expired, wrong name, leaf only, self-signed)
// comes in through `key`/`cert`, `starttls: false` stops offering STARTTLS.
import { randomBytes } from 'node:crypto';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { closeServer, listenOn, SmtpReplyError } from './listen.js';
import { readMessage } from './exo-mailbox.js';

export interface SmartHostOptions {
  host?: string;
  /** default 0: a free port */
  port?: number;
  /** banner / EHLO name, e.g. mail.contoso.com */
  hostname: string;
  /** PEM key and certificate chain presented after STARTTLS */
  key: string;
  cert: string;
  /** offer STARTTLS (default true) */
  starttls?: boolean;
  /** domains the host accepts mail for (RCPT TO); others get 554 5.7.1 Relay access denied */
  domains: string[];
  /** every accepted message */
  onMessage?: (message: SmartHostMessage) => void;
}

export interface SmartHostMessage {
  queueId: string;
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  token?: string;
  /** the TLS protocol the message came over, null in clear text */
  tls: string | null;
  receivedAt: Date;
}

export interface SmartHostServer {
  host: string;
  port: number;
  messages: SmartHostMessage[];
  close(): Promise<void>;
}

const MAX_KEPT = 1000;

/** Postfix-style queue id: 10 upper-case hex-ish characters. */
function queueId(): string {
  return randomBytes(5).toString('hex').toUpperCase();
}

export async function startSmartHost(options: SmartHostOptions): Promise<SmartHostServer> {
  const domains = options.domains.map((d) => d.toLowerCase());
  const messages: SmartHostMessage[] = [];
  const serverOptions: SMTPServerOptions = {
    name: options.hostname,
    banner: 'Postfix (relaycheck lab)',
    key: options.key,
    cert: options.cert,
    secure: false,
    disabledCommands: options.starttls === false ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    size: 52_428_800,
    logger: false,
    closeTimeout: 1000,
    onRcptTo(address, _session, callback) {
      const domain = address.address.slice(address.address.lastIndexOf('@') + 1).toLowerCase();
      if (!domains.some((d) => domain === d || domain.endsWith(`.${d}`))) {
        return callback(new SmtpReplyError(554, `5.7.1 <${address.address}>: Relay access denied`));
      }
      callback();
    },
    onData(stream, session, callback) {
      readMessage(stream).then(
        ({ raw, token }) => {
          const id = queueId();
          const message: SmartHostMessage = {
            queueId: id,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            ...(token ? { token } : {}),
            tls: session.secure ? ((session.tlsOptions as { version?: string } | undefined)?.version ?? 'TLS') : null,
            receivedAt: new Date(),
          };
          messages.push(message);
          if (messages.length > MAX_KEPT) messages.shift();
          try {
            options.onMessage?.(message);
          } catch {
            // a listener's bug must not break the SMTP session
          }
          callback(null, `2.0.0 Ok: queued as ${id}`);
        },
        (err: Error) => callback(new SmtpReplyError(451, `4.3.0 Error: queue file write error (${err.message})`)),
      );
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server.server, host, options.port);
  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    messages,
    close() {
      closed ??= closeServer(server);
      return closed;
    },
  };
}
