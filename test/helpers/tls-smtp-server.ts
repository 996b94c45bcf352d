// An in-process SMTP server with STARTTLS for probe tests, built on node:net + node:tls (not
// smtp-server, so every byte and TLS option is under the test's control).
//
//   const server = await startTlsSmtpServer({ key: leaf.keyPem, cert: leaf.chainPem });
//   … probe `server.host`:`server.port` …
//   server.sessions[0].commands   // ['EHLO relaycheck.example.test', 'STARTTLS', …]
//   await server.close();
//
// Options: STARTTLS offered or not, TLS min/max version and ciphers (e.g. TLS 1.1 only with
// LEGACY_SERVER_TLS_OPTIONS), asking for a client certificate, a custom banner, extra EHLO lines,
// plaintext sent right after the 220 to STARTTLS, and `reply` to answer any command yourself.
// Default replies: EHLO 250 (+ STARTTLS before TLS), HELO/MAIL/RCPT/RSET/NOOP 250, DATA 354 → 250,
// QUIT 221 and close, anything else 502. Lines over 4,000 bytes close the connection.
import type net from 'node:net';
import tls from 'node:tls';
import { startRawServer } from './raw-smtp-server.js';

export interface TlsSmtpServerOptions {
  /** PEM private key and certificate chain (leaf first); without them STARTTLS is not offered */
  key?: string;
  cert?: string;
  host?: string; // default 127.0.0.1
  port?: number; // default 0 (ephemeral)
  /** name in the banner and EHLO reply; default mail.example.test */
  hostname?: string;
  /** the whole first line, e.g. "421 4.3.2 try later"; default "220 <hostname> ESMTP test" */
  banner?: string;
  /** advertise and accept STARTTLS (default: true when key and cert are given) */
  starttls?: boolean;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** e.g. 'DEFAULT:@SECLEVEL=0' for legacy versions or weak certificates */
  ciphers?: string;
  /** send a CertificateRequest; the client's certificate is recorded, never required */
  requestCert?: boolean;
  /** EHLO keywords after the greeting line, e.g. ['AUTH PLAIN LOGIN', 'SIZE 35882577'] */
  extensions?: string[];
  /** bytes sent in the same write as the 220 to STARTTLS (an RFC 3207 violation); TLS still follows */
  plaintextAfterStarttls?: string;
  /**
   * Answer a command yourself: return the reply text (one or more lines, CRLF added when missing),
   * or undefined for the default. `session` tells whether TLS is on.
   */
  reply?: (command: string, session: ServerSession) => string | undefined;
}

export interface ServerSession {
  commands: string[];
  tls: boolean;
  /** the negotiated protocol after STARTTLS */
  protocol?: string | null;
  /** the SNI name the client sent */
  servername?: string;
  /** subject of the certificate the client presented, if any */
  clientCertificateSubject?: string;
  /** message bodies received with DATA */
  messages: string[];
}

export interface TlsSmtpServer {
  host: string;
  port: number;
  /** "127.0.0.1:PORT" or "[::1]:PORT" */
  hostPort: string;
  sessions: ServerSession[];
  close(): Promise<void>;
}

export async function startTlsSmtpServer(options: TlsSmtpServerOptions = {}): Promise<TlsSmtpServer> {
  const hostname = options.hostname ?? 'mail.example.test';
  const canTls = Boolean(options.key && options.cert);
  const offerTls = options.starttls ?? canTls;
  const context = canTls
    ? tls.createSecureContext({
        key: options.key,
        cert: options.cert,
        ...(options.minVersion ? { minVersion: options.minVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        ...(options.ciphers ? { ciphers: options.ciphers } : {}),
      })
    : undefined;
  const sessions: ServerSession[] = [];

  // startRawServer tracks the sockets (closed with the server) and ignores their errors.
  const server = await startRawServer((raw) => {
    const session: ServerSession = { commands: [], tls: false, messages: [] };
    sessions.push(session);
    let socket: net.Socket = raw;
    let buffer = '';
    let inData: string[] | null = null;
    const send = (text: string) => {
      if (!socket.destroyed) socket.write(text.endsWith('\r\n') ? text : `${text}\r\n`);
    };

    const onLine = (line: string) => {
      if (inData) {
        if (line === '.') {
          session.messages.push(inData.join('\r\n'));
          inData = null;
          send('250 2.0.0 Ok: queued');
        } else inData.push(line.startsWith('.') ? line.slice(1) : line);
        return;
      }
      session.commands.push(line);
      const custom = options.reply?.(line, session);
      if (custom !== undefined) {
        send(custom.replace(/\r?\n$/, '').replace(/\r?\n/g, '\r\n'));
        if (/^QUIT\b/i.test(line)) socket.end();
        return;
      }
      const verb = line.split(' ')[0].toUpperCase();
      switch (verb) {
        case 'EHLO': {
          const lines = [hostname, ...(offerTls && !session.tls ? ['STARTTLS'] : []), ...(options.extensions ?? []), '8BITMIME'];
          send(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`).join('\r\n'));
          return;
        }
        case 'STARTTLS':
          if (!offerTls || !context || session.tls) return send('502 5.5.1 STARTTLS not available');
          upgrade();
          return;
        case 'DATA':
          inData = [];
          return send('354 End data with <CR><LF>.<CR><LF>');
        case 'QUIT':
          send('221 2.0.0 Bye');
          socket.end();
          return;
        case 'HELO':
        case 'MAIL':
        case 'RCPT':
        case 'RSET':
        case 'NOOP':
          return send('250 2.0.0 Ok');
        default:
          return send('502 5.5.2 Command not recognized');
      }
    };

    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (buffer.length > 4000 && !buffer.includes('\n')) return socket.destroy();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        onLine(line);
        if (socket !== raw && !session.tls) return; // upgrading: the rest is TLS
      }
    };

    const upgrade = () => {
      raw.removeListener('data', onData);
      buffer = '';
      raw.write(`220 2.0.0 Ready to start TLS\r\n${options.plaintextAfterStarttls ?? ''}`);
      const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context, requestCert: options.requestCert ?? false, rejectUnauthorized: false });
      socket = secure;
      secure.on('error', () => raw.destroy());
      secure.once('secure', () => {
        session.tls = true;
        session.protocol = secure.getProtocol();
        const sni = (secure as tls.TLSSocket & { servername?: string | false }).servername;
        if (sni) session.servername = sni;
        const peer = secure.getPeerX509Certificate();
        if (peer) session.clientCertificateSubject = peer.subject;
      });
      secure.on('data', onData);
    };

    raw.on('data', onData);
    send(options.banner ?? `220 ${hostname} ESMTP test`);
  }, options.host, options.port);

  return { host: server.host, port: server.port, hostPort: server.hostPort, sessions, close: server.close };
}
