// Where the Exchange Online emulators put accepted messages: an in-memory list (always), an
// `onMessage` callback, and optionally a Maildir tree in Dovecot's layout
// (<dir>/<domain>/<localpart>/{cur,new,tmp}, as startDovecot's mail_location expects), so a real
// IMAP server can confirm delivery.
import { chownSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { SMTPServerSession } from 'smtp-server';

export interface CapturedMessage {
  /** the emulator's queue id (also in its 250 reply) */
  id: string;
  /** 'submission' (587) or 'mx' (25) */
  server: 'submission' | 'mx';
  receivedAt: Date;
  /** the SMTP AUTH login, for submission */
  user?: string;
  mailFrom: string;
  rcptTo: string[];
  /** the X-Relaycheck-Token header, if any */
  token?: string;
  subject?: string;
  /** the whole message as received (headers and body), at most `maxMessageBytes` */
  raw: string;
  /** the TLS session the message came over (null: clear text) */
  tls: { protocol: string | null; cipher: string | null } | null;
  /** the client certificate presented (MX) */
  clientCertificate?: PresentedCertificate;
  /** MX: what attributed the message to the inbound connector */
  attributedBy?: 'certificate-cn' | 'certificate-san' | 'ip';
  remoteAddress: string;
}

export interface PresentedCertificate {
  subjectCn?: string;
  dnsNames: string[];
  /** verified against the emulator's trusted CAs (complete chain) */
  authorized: boolean;
  authorizationError?: string;
  sha256: string;
}

export interface MailboxOptions {
  /** deliver a copy of every message to each recipient's Maildir under this folder */
  maildir?: string;
  /** owner of created Maildir folders and files (Dovecot's mail user) */
  maildirOwner?: { uid: number; gid: number };
  onMessage?: (message: CapturedMessage) => void;
  /** keep at most this many messages in memory (oldest dropped); default 1000 */
  maxMessages?: number;
}

export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export class Mailbox {
  readonly messages: CapturedMessage[] = [];
  constructor(private readonly options: MailboxOptions = {}) {}

  add(message: CapturedMessage): void {
    this.messages.push(message);
    const max = this.options.maxMessages ?? 1000;
    if (this.messages.length > max) this.messages.splice(0, this.messages.length - max);
    if (this.options.maildir) for (const rcpt of message.rcptTo) deliverToMaildir(this.options.maildir, rcpt, message, this.options.maildirOwner);
    try {
      this.options.onMessage?.(message);
    } catch {
      // a listener's bug must not break the SMTP session
    }
  }

  /** Messages carrying this X-Relaycheck-Token. */
  withToken(token: string): CapturedMessage[] {
    return this.messages.filter((m) => m.token === token);
  }
}

/** Reads a DATA stream (bounded), returning the text and header fields the emulators need. */
export async function readMessage(stream: Readable): Promise<{ raw: string; token?: string; subject?: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    if (size < MAX_MESSAGE_BYTES) chunks.push(b.subarray(0, MAX_MESSAGE_BYTES - size));
    else truncated = true;
    size += b.length;
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  const head = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim();
  return { raw, token: field('X-Relaycheck-Token'), subject: field('Subject'), truncated };
}

/** What both emulators record of an accepted message: the envelope, the text, the TLS session and the client. */
export function receivedMessage(
  session: SMTPServerSession,
  read: { raw: string; token?: string; subject?: string },
): Pick<CapturedMessage, 'receivedAt' | 'mailFrom' | 'rcptTo' | 'token' | 'subject' | 'raw' | 'tls' | 'remoteAddress'> {
  return {
    receivedAt: new Date(),
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    token: read.token,
    subject: read.subject,
    raw: read.raw,
    tls: session.tlsOptions ? { protocol: (session.tlsOptions as { version?: string }).version ?? null, cipher: session.tlsOptions.name ?? null } : null,
    remoteAddress: session.remoteAddress,
  };
}

function safePart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._+-]/g, '_').replace(/^\.+/, '_').slice(0, 64) || '_';
}

function deliverToMaildir(base: string, rcpt: string, message: CapturedMessage, owner?: { uid: number; gid: number }): void {
  const at = rcpt.lastIndexOf('@');
  const local = safePart(at > 0 ? rcpt.slice(0, at) : rcpt);
  const domain = safePart(at > 0 ? rcpt.slice(at + 1) : 'localhost');
  const dir = join(base, domain, local);
  for (const d of [join(base, domain), dir, join(dir, 'cur'), join(dir, 'new'), join(dir, 'tmp')]) {
    mkdirSync(d, { recursive: true, mode: 0o750 });
    if (owner) chownSync(d, owner.uid, owner.gid);
  }
  const name = `${Math.floor(message.receivedAt.getTime() / 1000)}.M${message.receivedAt.getMilliseconds()}P${process.pid}Q${message.id}.${safePart(hostname())}`;
  const tmp = join(dir, 'tmp', name);
  const delivered = `Return-Path: <${message.mailFrom}>\r\nDelivered-To: ${rcpt}\r\n${message.raw}`;
  writeFileSync(tmp, delivered, { mode: 0o640 });
  if (owner) chownSync(tmp, owner.uid, owner.gid);
  renameSync(tmp, join(dir, 'new', name));
}
