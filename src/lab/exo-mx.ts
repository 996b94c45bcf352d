// An in-process emulation of an Exchange Online MX endpoint (<tenant>.mail.protection.outlook.com:25)
// receiving relay mail through an inbound connector, on smtp-server, for the built-in lab and for
// tests. What it reproduces (shared/reference/exchange-online.md):
//   - STARTTLS (TLS 1.2+), asking the client for a certificate (accepted whatever it is; judged at RCPT);
//   - attribution to the OnPremises inbound connector: the presented certificate carries a name
//     matching TlsSenderCertificateName (subject CN, or only a SAN — both pass here) and, with
//     `trustedCa`, verifies with the chain the client sent (no intermediates are fetched); or the
//     client IP is in the connector's SenderIPAddresses;
//   - unattributed: 550 5.7.64 TenantAttribution; Relay Access Denied at RCPT TO;
//   - the relay rule since November 2023: the certificate domain or the MAIL FROM domain must be
//     an accepted domain, else 550 5.7.64 … ATTR36 at RCPT TO;
//   - RequireTls: MAIL FROM without TLS gets 451 5.7.3 STARTTLS is required to send mail;
//   - with `directSend`, an unattributed session to a recipient in an accepted domain is Direct
//     Send: accepted, or with RejectDirectSend refused with 550 5.7.68 TenantInboundAttribution;
//   - 250 after DATA in Exchange Online's form.
import { randomBytes, X509Certificate } from 'node:crypto';
import net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { Mailbox, readMessage, receivedMessage, type CapturedMessage, type MailboxOptions, type PresentedCertificate } from './exo-mailbox.js';
import { exoInternalHost } from './exo-submission.js';
import { closeServer, listenOn, SmtpReplyError } from './listen.js';
import { inAcceptedDomain, senderCertificateNameMatches, tenantMxHost } from './exo-names.js';

export interface ExoMxOptions extends MailboxOptions {
  host?: string;
  port?: number;
  /** server certificate: PEM key and certificate (chain) */
  key: string;
  cert: string;
  /** banner / EHLO name; default <tenant>.mail.protection.outlook.com of the first accepted domain */
  hostname?: string;
  /** the tenant's accepted domains */
  acceptedDomains: string[];
  /** the inbound connector's TlsSenderCertificateName (e.g. "*.contoso.com" or "relay.contoso.com") */
  tlsSenderCertificateName?: string;
  /** the inbound connector's SenderIPAddresses: IPv4 addresses or CIDR ranges */
  senderIPs?: string[];
  /** PEM trust anchors for client certificates; when set, an unverifiable chain does not attribute */
  trustedCa?: string[];
  /** the connector's RequireTls */
  requireTls?: boolean;
  /**
   * Direct Send (unattributed mail to the tenant's own recipients): 'accept' as Exchange Online
   * does by default, 'reject' as with Set-OrganizationConfig -RejectDirectSend $true; absent: an
   * unattributed session gets 5.7.64 whatever the recipient (a relay-only stand-in)
   */
  directSend?: 'accept' | 'reject';
}

export interface ExoMxServer {
  host: string;
  port: number;
  messages: CapturedMessage[];
  mailbox: Mailbox;
  /** every RCPT TO decision: who, what attributed it (or why not), the reply */
  decisions: { rcpt: string; mailFrom: string; attributedBy?: CapturedMessage['attributedBy']; reply: string; certificate?: PresentedCertificate; at: Date }[];
  close(): Promise<void>;
}

function certificateNames(x: X509Certificate): { cn?: string; dns: string[] } {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1]?.trim();
  const dns = (x.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((p) => p.startsWith('DNS:'))
    .map((p) => p.slice(4).trim());
  return { cn, dns };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

interface SessionState {
  certificate?: PresentedCertificate;
  matchedName?: string;
  attributedBy?: CapturedMessage['attributedBy'];
}

export async function startExoMx(options: ExoMxOptions): Promise<ExoMxServer> {
  const accepted = options.acceptedDomains.map((d) => d.toLowerCase());
  const internal = exoInternalHost();
  const name = options.hostname ?? tenantMxHost(accepted[0] ?? 'contoso.com');
  const mailbox = new Mailbox(options);
  const decisions: ExoMxServer['decisions'] = [];
  const states = new WeakMap<SMTPServerSession, SessionState>();
  const state = (s: SMTPServerSession) => {
    let st = states.get(s);
    if (!st) states.set(s, (st = {}));
    return st;
  };
  const ips = new net.BlockList();
  for (const entry of options.senderIPs ?? []) {
    const [addr, mask] = entry.split('/');
    if (mask !== undefined) ips.addSubnet(addr, Number(mask), net.isIP(addr) === 6 ? 'ipv6' : 'ipv4');
    else ips.addAddress(addr, net.isIP(addr) === 6 ? 'ipv6' : 'ipv4');
  }
  const tag = `[${internal}]`;

  const attribute = (session: SMTPServerSession): SessionState => {
    const st = state(session);
    st.attributedBy = undefined;
    const cert = st.certificate;
    const wanted = options.tlsSenderCertificateName;
    const matches = (name: string) => senderCertificateNameMatches(wanted!, name);
    if (cert && wanted && (cert.authorized || !options.trustedCa)) {
      if (cert.subjectCn && matches(cert.subjectCn)) {
        st.attributedBy = 'certificate-cn';
        st.matchedName = cert.subjectCn;
      } else {
        const san = cert.dnsNames.find(matches);
        if (san) {
          st.attributedBy = 'certificate-san';
          st.matchedName = san;
        }
      }
    }
    const remote = session.remoteAddress.replace(/^::ffff:/, '');
    if (!st.attributedBy && options.senderIPs?.length && net.isIP(remote) && ips.check(remote, net.isIP(remote) === 6 ? 'ipv6' : 'ipv4')) st.attributedBy = 'ip';
    return st;
  };

  const serverOptions: SMTPServerOptions = {
    name,
    banner: `Microsoft ESMTP MAIL Service ready at ${new Date().toUTCString()} ${randomBytes(4).toString('hex').toUpperCase()}`,
    heloResponse: "%s Hello %s",
    key: options.key,
    cert: options.cert,
    ...(options.trustedCa?.length ? { ca: options.trustedCa } : {}),
    minVersion: 'TLSv1.2',
    requestCert: true,
    rejectUnauthorized: false,
    secure: false,
    disabledCommands: ['AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    size: 157_286_400,
    logger: false,
    closeTimeout: 1000,
    onSecure(socket, session, callback) {
      const s = socket as tls.TLSSocket;
      const peer = s.getPeerX509Certificate?.();
      const st = state(session);
      if (peer) {
        const names = certificateNames(peer);
        st.certificate = {
          ...(names.cn ? { subjectCn: names.cn } : {}),
          dnsNames: names.dns,
          authorized: s.authorized,
          ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}),
          sha256: peer.fingerprint256,
        };
      } else st.certificate = undefined;
      callback();
    },
    onMailFrom(_address, session, callback) {
      if (options.requireTls && !session.secure) return callback(new SmtpReplyError(451, `5.7.3 STARTTLS is required to send mail ${tag}`));
      callback();
    },
    onRcptTo(address, session, callback) {
      const st = attribute(session);
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const record = (reply: string) => decisions.push({ rcpt: address.address, mailFrom, attributedBy: st.attributedBy, reply, certificate: st.certificate, at: new Date() });
      if (!st.attributedBy && options.directSend && accepted.includes(domainOf(address.address))) {
        if (options.directSend === 'reject') {
          const text = `5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources ${tag}`;
          record(`550 ${text}`);
          return callback(new SmtpReplyError(550, text));
        }
        record('250 2.1.5 Recipient OK');
        return callback();
      }
      if (!st.attributedBy) {
        const text = `5.7.64 TenantAttribution; Relay Access Denied ${tag}`;
        record(`550 ${text}`);
        return callback(new SmtpReplyError(550, text));
      }
      // The certificate's domain as Exchange Online compares it with accepted domains: the matched name without "*."
      const certDomainOk = st.matchedName ? accepted.some((d) => inAcceptedDomain(st.matchedName!, d)) : false;
      if (!certDomainOk && !accepted.includes(domainOf(mailFrom))) {
        const text = `5.7.64 TenantAttribution; Relay Access Denied: neither the certificate domain nor the sender domain is an accepted domain of the tenant. ATTR36 ${tag}`;
        record(`550 ${text}`);
        return callback(new SmtpReplyError(550, text));
      }
      record('250 2.1.5 Recipient OK');
      callback();
    },
    onData(stream, session, callback) {
      const st = state(session);
      readMessage(stream).then(
        (message) => {
          const id = randomBytes(8).toString('hex');
          mailbox.add({
            id,
            server: 'mx',
            ...receivedMessage(session, message),
            ...(st.certificate ? { clientCertificate: st.certificate } : {}),
            ...(st.attributedBy ? { attributedBy: st.attributedBy } : {}),
          });
          callback(null, `2.6.0 <${id}@${internal}> [InternalId=${BigInt(`0x${id.slice(0, 12)}`)}, Hostname=${internal}] Queued mail for delivery`);
        },
      ).catch((err: Error) => callback(new SmtpReplyError(451, `4.3.0 Error storing the message: ${err.message}`)));
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server.server, host, options.port);
  return { host, port, messages: mailbox.messages, mailbox, decisions, close: () => closeServer(server) };
}
